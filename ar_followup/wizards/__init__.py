from . import ar_followup_template_preview
from . import ar_followup_pause
from . import ar_followup_reminder_edit
from . import ar_followup_reminder_cancel
from . import ar_followup_send
from . import ar_followup_conversation_reply
