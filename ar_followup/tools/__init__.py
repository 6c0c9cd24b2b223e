from . import ageing
from . import dso
from . import suspension
