from . import ar_followup_channel
from . import ar_followup_template
from . import ar_followup_call
from . import ar_followup_call_attempt
from . import ar_followup_reminder
from . import res_partner
from . import account_move
from . import ar_followup_snapshot
