# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailNotification(models.Model):
    """A bounce reaches the reminder whose e-mail bounced (the e-mail channel).

    The mail gateway marks the bounced recipient's notification *bounce*
    (``mail.thread._routing_handle_bounce``); the outcome of sending is
    followed in ``mail_mail.py``.
    """

    _inherit = "mail.notification"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("notification_status") == "bounce":
            emails = self.filtered(lambda n: n.notification_type == "email")
            if emails:
                self.env["ar.followup.reminder"]._ar_email_apply_outcome(emails.mail_message_id)
        return result
