from . import test_ageing
