# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields

from .states import OPEN_STATES


class ReminderRetention:
    """What is kept of sent reminders, and for how long (DPDP Act 2023, Companies Act).

    The reminder itself stays: who was reminded of what, when, by which channel,
    for how much (the audit trail). What it said (subject kept, text and body
    erased) and the link clicks go after each company's retention periods; the
    retention cron applies them every month.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    def _ar_erase_texts(self):
        """Erase what these reminders said (text and body, what a person wrote on them);
        returns how many had any."""
        with_text = self.filtered(lambda r: r.body or r.text)
        with_text.write({"body": False, "text": False})
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
                ("body", "!=", False),
                ("text", "!=", False),
                *company._ar_get_retention_domain(),
            ]
            while reminders := Reminder.search(domain, limit=1000):
                reminders._ar_erase_texts()
                if not self.env["ir.cron"]._commit_progress(len(reminders)):
                    return
