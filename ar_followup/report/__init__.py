from . import ar_followup_statement
