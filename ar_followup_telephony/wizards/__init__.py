from . import ar_followup_call_outcome
