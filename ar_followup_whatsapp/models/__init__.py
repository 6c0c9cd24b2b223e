from . import ar_followup_channel
from . import ar_followup_reminder
from . import ar_followup_template
from . import ar_followup_whatsapp_message
from . import ar_followup_whatsapp_status
from . import res_partner
