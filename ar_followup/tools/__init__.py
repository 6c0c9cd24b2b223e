from . import ageing
from . import cadence
from . import money
from . import phone
from . import render
from . import dso
from . import suspension
from . import tone
