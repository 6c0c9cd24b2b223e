from . import public_links
from . import statement
from . import portal
from . import tracking
from . import sms_status
from . import receivables_payment
from . import portal_contact_update
from . import unsubscribe
