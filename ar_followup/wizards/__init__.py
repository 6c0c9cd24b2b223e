from . import ar_followup_template_preview
from . import ar_followup_pause
