from . import ageing
from . import suspension
from . import tone
