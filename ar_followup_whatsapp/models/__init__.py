from . import ar_followup_template
