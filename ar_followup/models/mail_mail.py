# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from urllib.parse import quote

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

    def _prepare_outgoing_list(self, mail_server=False, doc_to_followers=None):
        """A reminder's e-mails carry a one-click unsubscribe (RFC 2369 and 8058) per
        recipient: the signed link that stops reminders to that address, and the
        company's address when it has one."""
        email_list = super()._prepare_outgoing_list(
            mail_server=mail_server, doc_to_followers=doc_to_followers
        )
        reminder = self._ar_get_reminder()
        if not reminder:
            return email_list
        company_email = reminder.company_id.partner_id.email_normalized
        for email_values in email_list:
            recipient = email_values.get("partner_id")
            if not recipient or not recipient.email_normalized:
                continue
            targets = ["<%s>" % recipient.sudo()._ar_unsubscribe_url()]
            if company_email:
                subject = quote("Unsubscribe %s" % recipient.email_normalized)
                targets.append("<mailto:%s?subject=%s>" % (company_email, subject))
            # a copy: Odoo shares one headers dict between the recipients of a mail
            email_values["headers"] = {
                **email_values["headers"],
                "List-Unsubscribe": ", ".join(targets),
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
        return email_list

    def _ar_get_reminder(self):
        """The reminder this e-mail sends, if any (one indexed read per e-mail, only for
        messages posted on a customer)."""
        self.ensure_one()
        if self.model != "res.partner" or not self.mail_message_id:
            return self.env["ar.followup.reminder"]
        return (
            self.env["ar.followup.reminder"]
            .sudo()
            .search([("mail_message_id", "=", self.mail_message_id.id)], limit=1)
        )

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
