from . import ageing
from . import suspension
