from . import ar_followup_channel
from . import ar_followup_template
