# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields

from .states import OPEN_STATES


class ReminderRetention:
    """What is kept of sent reminders, and for how long (DPDP Act 2023, Companies Act).

    The reminder itself stays: who was reminded of what, when, by which channel,
    for how much (the audit trail). What it said (subject kept, text and body
    erased, on the reminder and in its copies on the customer's thread) and the
    link clicks go after each company's retention periods; the retention cron
    applies them every month.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    def _ar_erase_texts(self):
        """Erase what these reminders said (text and body, what a person wrote on them),
        and the copies of it: the message posted on the customer's thread (its body),
        the e-mail or SMS queued from it and its tracking values. The message itself
        stays, with its subject, date, author, recipients and attachments (the invoices
        and the statement, accounting documents); the chatter shows it as removed.
        Returns how many reminders had any text left."""
        messages = self.mail_message_id.sudo()
        spoken = messages.filtered("body")
        with_text = self.filtered(lambda r: r.body or r.text or r.mail_message_id in spoken)
        with_text.write({"body": False, "text": False})
        if spoken:
            spoken.write({"body": ""})
            self.env["mail.mail"].sudo().search([("mail_message_id", "in", spoken.ids)]).write(
                {"body_html": False}
            )
            self.env["sms.sms"].sudo().search([("mail_message_id", "in", spoken.ids)]).write(
                {"body": False}
            )
            self.env["mail.tracking.value"].sudo().search(
                [("mail_message_id", "in", spoken.ids)]
            ).unlink()
        return len(with_text)

    @api.model
    def _cron_ar_apply_retention(self):
        """Every company: erase the texts of the reminders sent before its message
        retention and the link clicks older than its tracking retention, batch by batch."""
        Click = self.env["ar.followup.reminder.click"].sudo()
        Reminder = self.sudo()
        now = fields.Datetime.now()
        for company in self.env["res.company"].sudo().search([]):
            clicks = Click.search(
                [
                    ("reminder_id.company_id", "=", company.id),
                    ("date", "<", now - timedelta(days=company.ar_retention_tracking_days)),
                ]
            )
            clicks.unlink()
            domain = [
                ("company_id", "=", company.id),
                ("state", "not in", (*OPEN_STATES, "sending")),
                "|",
                "|",
                ("body", "!=", False),
                ("text", "!=", False),
                ("mail_message_id.body", "!=", False),
                *company._ar_get_retention_domain(),
            ]
            while reminders := Reminder.search(domain, limit=1000):
                reminders._ar_erase_texts()
                if not self.env["ir.cron"]._commit_progress(len(reminders)):
                    return
