from . import ar_followup_template_preview
