# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

#: e-mail outcomes that settle a reminder e-mail (delivered, or not)
FINAL_STATUSES = ("sent", "bounce", "exception")


class MailNotification(models.Model):
    """Odoo's outcome of each e-mail reaches its reminder (the e-mail channel).

    ``mail.mail`` marks a recipient's notification *sent* when the mail server
    accepted the e-mail, *exception* when it refused it, and the mail gateway
    *bounce* when a bounce came back: every outcome is a write of
    ``notification_status``, followed here.
    """

    _inherit = "mail.notification"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("notification_status") in FINAL_STATUSES:
            emails = self.filtered(lambda n: n.notification_type == "email")
            if emails:
                self.env["ar.followup.reminder"]._ar_email_apply_notifications(emails)
        return result
