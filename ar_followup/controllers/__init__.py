from . import public_links
from . import statement
from . import portal
from . import tracking
from . import receivables_payment
