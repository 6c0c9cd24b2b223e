from . import ar_followup_demo
