from . import test_ageing
from . import test_dispute
from . import test_promise
from . import test_segment_tone
from . import test_behaviour
