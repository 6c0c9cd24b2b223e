# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import models

_logger = logging.getLogger(__name__)


class ArFollowupReminder(models.Model):
    """E-mail reminders carry the PDFs of their invoices and a statement of account.

    Each as the company chooses (``ar_attach_invoices``, ``ar_attach_statement``).
    A PDF that cannot be produced never stops the reminder: it leaves without
    it, and the reminder's *error* says what is missing.
    """

    _inherit = "ar.followup.reminder"  # pylint: disable=consider-merging-classes-inherited

    def _ar_get_email_attachments(self):
        attachments = super()._ar_get_email_attachments()
        company = self.company_id
        problems = []
        if company.ar_attach_invoices:
            for move in self._ar_get_open_moves().sorted(lambda m: (m.invoice_date_due, m.id)):
                attachment, problem = self._ar_try_attachment(move.name, self._ar_invoice_pdf, move)
                attachments |= attachment
                problems += problem
        if company.ar_attach_statement:
            attachment, problem = self._ar_try_attachment(
                self.env._("Statement of Account"), self._ar_statement_pdf
            )
            attachments |= attachment
            problems += problem
        if problems:
            self.error = "\n".join(filter(None, [self.error, *problems]))
        return attachments

    def _ar_try_attachment(self, label, producer, *args):
        """``(attachment, [problem])``: what ``producer`` made, or nothing and why."""
        try:
            with self.env.cr.savepoint():
                return producer(*args), []
        except Exception as exc:  # noqa: BLE001 - the reminder leaves without this PDF
            _logger.warning("AR reminder %s: no PDF for %s: %s", self.id, label, exc)
            return self.env["ir.attachment"], [
                self.env._("Sent without %(document)s: %(error)s", document=label, error=exc)
            ]

    def _ar_invoice_pdf(self, move):
        """The invoice's PDF: the one already generated (sent or printed) when there is one,
        else printed now with the invoice report."""
        self.ensure_one()
        move = move.sudo()
        existing = move.invoice_pdf_report_id or move.message_main_attachment_id
        if existing and existing.mimetype == "application/pdf":
            return existing
        report = self.env.ref("account.account_invoices").sudo()
        content, report_format = report._render_qweb_pdf(report.report_name, move.ids)
        return self._ar_create_attachment(
            move._get_invoice_report_filename(extension=report_format), content, report_format
        )

    def _ar_statement_pdf(self):
        """The customer's statement of account (``ar_followup.action_report_statement``) today."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        report = (
            self.env.ref("ar_followup.action_report_statement").sudo().with_company(self.company_id)
        )
        content, report_format = report._render_qweb_pdf(report.report_name, partner.ids)
        filename = self.env._("Statement of Account - %s", partner.name)
        return self._ar_create_attachment(
            "%s.%s" % (filename.replace("/", "_"), report_format), content, report_format
        )

    def _ar_create_attachment(self, name, content, report_format):
        """An attachment of the customer's thread, where the reminder is posted."""
        self.ensure_one()
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": content,
                    "mimetype": "application/pdf" if report_format == "pdf" else "text/html",
                    "res_model": "res.partner",
                    "res_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                }
            )
        )
