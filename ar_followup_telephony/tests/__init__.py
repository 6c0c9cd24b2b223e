from . import test_install
from . import test_call_script
from . import test_call_priority
from . import test_call_queue
from . import test_call_outcome
from . import test_click_to_call
from . import test_ivr
from . import test_calls_demo
