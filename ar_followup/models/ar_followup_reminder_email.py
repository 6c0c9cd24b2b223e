# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import models

from ..tools import pdf_batch

_logger = logging.getLogger(__name__)


class ArFollowupReminder(models.Model):
    """E-mail reminders carry the PDFs of their invoices and a statement of account.

    Each as the company chooses (``ar_attach_invoices`` and its format
    ``ar_attach_invoices_format``, ``ar_attach_statement``). An invoice's PDF is
    printed once and kept on the invoice (``account.move._ar_get_invoice_pdfs``),
    the statement once a day per customer (``res.partner._ar_get_statement_pdfs``),
    both many per wkhtmltopdf run and mostly ahead of sending
    (``res.company._ar_prepare_attachments``); here only what is still missing
    is printed. A PDF that cannot be produced never stops the reminder: it
    leaves without it, and the reminder's *error* says what is missing.
    """

    _inherit = "ar.followup.reminder"  # pylint: disable=consider-merging-classes-inherited

    def _ar_get_email_attachments(self):
        attachments = super()._ar_get_email_attachments()
        company = self.company_id
        problems = []
        if company.ar_attach_invoices:
            attachment, problem = self._ar_try_attachment(
                self.env._("the invoices"), self._ar_invoice_pdfs
            )
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
        """``(attachments, [problem])``: what ``producer`` made and what it could not
        (``producer`` returns both), or nothing and why."""
        try:
            with self.env.cr.savepoint():
                return producer(*args)
        except Exception as exc:  # noqa: BLE001 - the reminder leaves without this PDF
            _logger.warning("AR reminder %s: no PDF for %s: %s", self.id, label, exc)
            return self.env["ir.attachment"], [self._ar_missing(label, exc)]

    def _ar_missing(self, label, error):
        return self.env._("Sent without %(document)s: %(error)s", document=label, error=error)

    def _ar_invoice_pdfs(self):
        """``(attachments, problems)``: the PDFs of the reminder's invoices, by due date,
        as the company sends them: merged into one PDF of the customer
        (``combined``, unless one invoice), or each invoice's own."""
        self.ensure_one()
        moves = self._ar_get_open_moves().sorted(lambda m: (m.invoice_date_due, m.id))
        errors = {}
        pdfs = moves.sudo()._ar_get_invoice_pdfs(errors=errors)
        problems = [self._ar_missing(m.name, errors.get(m.id)) for m in moves if m.id not in pdfs]
        found = [pdfs[move.id] for move in moves if move.id in pdfs]
        attachments = self.env["ir.attachment"].union(*found)
        if self.company_id.ar_attach_invoices_format != "combined" or len(found) < 2:
            return attachments, problems
        partner = self.partner_id
        name = partner.with_context(lang=partner.lang).env._("Invoices - %s", partner.name)
        try:
            with self.env.cr.savepoint():
                content = pdf_batch.merge([attachment.raw for attachment in found])
                report_format = "pdf" if content.startswith(b"%PDF") else "html"
                combined = self._ar_create_attachment(
                    "%s.%s" % (name.replace("/", "_"), report_format), content, report_format
                )
        except Exception:
            _logger.warning(
                "AR reminder %s: invoice PDFs not merged, attached each", self.id, exc_info=True
            )
            return attachments, problems
        return combined, problems

    def _ar_statement_pdf(self):
        """``(attachment, problems)``: the customer's statement of account of today."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        errors = {}
        statement = partner.sudo()._ar_get_statement_pdfs(self.company_id, errors=errors)
        if partner.id in statement:
            return statement[partner.id], []
        return self.env["ir.attachment"], [
            self._ar_missing(self.env._("Statement of Account"), errors.get(partner.id))
        ]

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
