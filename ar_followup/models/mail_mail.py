# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailMail(models.Model):
    """The outcome of sending an e-mail reaches its reminder (the e-mail channel).

    Once the mail server answered, ``_postprocess_sent_message`` marks each
    recipient's notification *sent* (accepted) or *exception* (refused); the
    notifications' earlier states are transient (Odoo marks them *exception*
    while sending, to fence off a concurrent bounce), so only this final step
    counts.
    """

    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        # read before: the e-mails may be deleted (auto_delete) by the super call
        messages = self.mail_message_id
        result = super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )
        if messages:
            self.env["ar.followup.reminder"]._ar_email_apply_outcome(messages)
        return result
