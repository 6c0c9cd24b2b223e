# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from urllib.parse import quote

from odoo import models
from odoo.tools.mail import email_normalize_all, formataddr


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
        company's address when it has one.

        Each recipient still gets a copy of its own (its unsubscribe link, its
        delivery outcome), sent to its address alone, whose headers read as one
        e-mail to all of them: the addressed contacts in ``To:``, the copied ones
        (*Cc* and *Escalation* follow-up contacts) in ``Cc:`` (see
        :meth:`_ar_get_to_cc`), so a reply to all reaches each in the same place.
        """
        email_list = super()._prepare_outgoing_list(
            mail_server=mail_server, doc_to_followers=doc_to_followers
        )
        reminder = self._ar_get_reminder()
        if not reminder:
            return email_list
        to, cc = self._ar_get_to_cc(reminder)
        company_email = reminder.company_id.partner_id.email_normalized
        for email_values in email_list:
            recipient = email_values.get("partner_id")
            # the envelope goes to the addresses Odoo checked for this recipient only:
            # without any, the headers would send the copy to everyone
            if not recipient or not email_values.get("email_to_normalized"):
                continue
            targets = ["<%s>" % recipient.sudo()._ar_unsubscribe_url()]
            if company_email:
                subject = quote("Unsubscribe %s" % recipient.email_normalized)
                targets.append("<mailto:%s?subject=%s>" % (company_email, subject))
            # a copy: Odoo shares one headers dict between the recipients of a mail;
            # Odoo's own list of the other recipients (To only) gives way to To and Cc
            headers = {
                **email_values["headers"],
                "List-Unsubscribe": ", ".join(targets),
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
            headers.pop("X-Msg-To-Add", None)
            email_values.update({"headers": headers, "email_to": to, "email_cc": cc})
        return email_list

    def _ar_get_to_cc(self, reminder):
        """``(To, Cc)`` addresses of this reminder e-mail: its message's recipients as
        ``reminder`` addresses them (``_ar_split_recipients``), formatted as Odoo
        formats a recipient (each valid address of its e-mail field)."""
        self.ensure_one()
        recipients = self.mail_message_id.sudo().partner_ids
        return tuple(
            [
                formataddr((partner.name or "", address))
                for partner in group
                for address in email_normalize_all(partner.email)
            ]
            for group in reminder._ar_split_recipients(recipients)
        )

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
