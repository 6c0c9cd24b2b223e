from . import ar_followup_pause
