from . import test_ageing
from . import test_dispute
from . import test_dso
from . import test_promise
