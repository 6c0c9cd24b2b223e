# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ArFollowupStatement(models.Model):
    """The statement of account PDF of a customer in a company, printed for one day.

    Printed once a day (``res.partner._ar_get_statement_pdfs``): every e-mail
    reminder of that day and the signed statement link serve the same file. The
    PDFs of earlier days are deleted when the customer's statement is printed
    again, and every day by the autovacuum, except those that went out with a
    message: those stay with their message.
    """

    _name = "ar.followup.statement"
    _description = "Printed Statement of Account"
    _order = "date desc, id desc"
    # written by the scheduler and the dispatcher, never edited
    _log_access = False

    partner_id = fields.Many2one("res.partner", "Customer", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    date = fields.Date(required=True, help="The day the statement was printed for.")
    attachment_id = fields.Many2one("ir.attachment", "PDF", required=True, ondelete="cascade")

    # two printers of the same statement at once (the prepare cron, a dispatcher, the
    # link) each record theirs: the newest one is served, the other goes next day
    _partner_company_idx = models.Index("(partner_id, company_id, date)")

    def _ar_unlink_with_pdfs(self):
        """Delete these rows and their PDFs, except the PDFs a message carries."""
        attachments = self.attachment_id
        sent = (
            self.env["mail.message"]
            .sudo()
            .search([("attachment_ids", "in", attachments.ids)])
            .attachment_ids
        )
        self.unlink()
        (attachments - sent).unlink()

    @api.autovacuum
    def _gc_ar_statements(self):
        """Drop the statements of earlier days (see :meth:`_ar_unlink_with_pdfs`)."""
        Statement = self.sudo()
        for company in self.env["res.company"].sudo().search([]):
            Statement.search(
                [("company_id", "=", company.id), ("date", "<", company._ar_today())]
            )._ar_unlink_with_pdfs()
