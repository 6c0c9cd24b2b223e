# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models

#: reports of a message id no reminder holds yet are kept this long (Meta retries for 7 days)
KEEP_EARLY = timedelta(days=7)


class ArFollowupWhatsappStatus(models.Model):
    """A receipt that arrived before its reminder recorded Meta's message id.

    Meta may report *delivered* within a second of taking a message, before
    the dispatcher has committed the round that holds its id. Such a report is
    kept here and applied when the id is recorded, instead of being lost.
    """

    _name = "ar.followup.whatsapp.status"
    _description = "Early WhatsApp Receipt"
    _order = "date, id"

    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    wamid = fields.Char(required=True, index=True)
    status = fields.Char(required=True)
    reason = fields.Char()
    date = fields.Datetime(required=True)

    @api.model
    def _ar_apply_early(self, companies=None):
        """Apply the reports kept for message ids that a reminder of ``companies`` (all by
        default) now holds. Called after each committed round of the dispatcher, after
        each webhook and by a scheduled action: whichever sees both sides committed."""
        domain = [("company_id", "in", companies.ids)] if companies else []
        early = self.sudo().search(domain)
        Reminder = self.env["ar.followup.reminder"]
        for company, reports in early.grouped("company_id").items():
            reminders = Reminder._ar_whatsapp_find(set(reports.mapped("wamid")), company)
            by_wamid = {r.provider_message_id: r for r in reminders}
            applied = reports.filtered(lambda r, known=by_wamid: r.wamid in known)
            for report in applied:
                by_wamid[report.wamid]._ar_apply_report(
                    report.status, reason=report.reason, when=report.date
                )
            applied.unlink()

    @api.model
    def _cron_ar_apply_early(self):
        self._ar_apply_early()

    @api.autovacuum
    def _gc_early(self):
        self.sudo().search([("create_date", "<", fields.Datetime.now() - KEEP_EARLY)]).unlink()
