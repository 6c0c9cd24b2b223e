# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.3.0: the default templates say what they ask in plain words.

Plurals instead of "invoice(s)", nothing about the relationship under a year,
the disputed part said as such, a *Pay now* button the e-mail sanitizer keeps.
The templates nobody edited are loaded again from the data files (the
post-migration protects them again); an edited one keeps its text.
"""

from odoo.addons.ar_followup.migration import reload_unedited

TEMPLATES = (
    "template_email_before_due",
    "template_email_due",
    "template_email_overdue",
    "template_email_final",
    "template_sms_before_due",
    "template_email_payment_failed",
)


def migrate(cr, version):
    reload_unedited(cr, "ar_followup", "ar.followup.template", TEMPLATES)
