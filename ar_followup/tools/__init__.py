from . import ageing
from . import demo_receivables
from . import money
from . import phone
from . import render
from . import dso
from . import suspension
from . import tone
