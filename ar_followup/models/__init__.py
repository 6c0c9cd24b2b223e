from . import ar_followup_bucket
from . import ar_followup_bucket_transition
from . import ar_followup_hold_mixin
from . import ar_followup_suspension_mixin
from . import ar_followup_dispute
from . import ar_followup_promise
from . import ar_followup_policy
from . import ar_followup_channel
from . import ar_followup_reminder
from . import ar_followup_tone
from . import ar_followup_segment
from . import ar_followup_tone_rule
from . import ar_followup_dso
from . import account_move
from . import account_move_line
from . import account_partial_reconcile
from . import res_company
from . import res_config_settings
from . import res_partner
from . import mail_mail
from . import mail_notification
from . import sms_tracker
from . import ar_followup_template
from . import payment_transaction

# a database view over the columns above: created last
from . import ar_followup_ageing_report
