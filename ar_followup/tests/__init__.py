from . import test_ageing
from . import test_dispute
from . import test_promise
from . import test_demo
from . import test_statement
from . import test_template
from . import test_portal
