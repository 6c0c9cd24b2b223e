from . import ageing
from . import money
from . import phone
from . import render
from . import dso
from . import suspension
from . import tone
from . import cadence
