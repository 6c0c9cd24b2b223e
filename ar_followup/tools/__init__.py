from . import ageing
