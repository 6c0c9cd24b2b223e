# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import psycopg2

from ..tools import masking, pdf_batch
from .ir_actions_report import ONE_RUN

_logger = logging.getLogger(__name__)

#: statements printed per wkhtmltopdf run (see account_move_pdf.INVOICE_CHUNK)
STATEMENT_CHUNK = 80


class PartnerStatement:
    """Customers' statements of account, printed once a day, many per run (part of
    ``res.partner``, see ``res_partner.py``)."""

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    def _ar_get_statement_pdfs(self, company, errors=None, chunk_size=STATEMENT_CHUNK):
        """``{customer id: ir.attachment}``: today's statement of account (the
        company's today) of each of these customers (commercial partners) in
        ``company``, printed once a day.

        A statement already printed today is reused (``ar.followup.statement``):
        every reminder of the day and the signed statement link serve one file.
        The others are printed ``chunk_size`` per wkhtmltopdf run, split per
        customer, and replace the customer's statement of an earlier day. Works in
        sudo; nothing is committed.

        A statement that cannot be printed is left out; ``errors``, when given,
        receives ``{customer id: why}``.
        """
        partners = self.commercial_partner_id
        today = company._ar_today()
        Statement = self.env["ar.followup.statement"].sudo()
        printed = Statement.search(
            [("company_id", "=", company.id), ("partner_id", "in", partners.ids)]
        )
        pdfs = {}
        for statement in printed.filtered(lambda s: s.date == today):
            pdfs.setdefault(statement.partner_id.id, statement.attachment_id)
        missing = partners.filtered(lambda partner: partner.id not in pdfs)
        if not missing:
            return pdfs

        def print_chunk(chunk):
            with self.env.cr.savepoint():
                pdfs.update(self.browse(chunk)._ar_print_statement_pdfs(company, today))

        failed = pdf_batch.print_in_chunks(missing.ids, chunk_size, print_chunk)
        # the statements of earlier days of those printed now give way to today's; one
        # another printer is deleting meanwhile is left to it (or to the autovacuum)
        earlier = printed.filtered(lambda s: s.date < today and s.partner_id.id in pdfs)
        if earlier:
            try:
                with self.env.cr.savepoint():
                    earlier._ar_unlink_with_pdfs()
            except psycopg2.OperationalError as exc:
                _logger.info("AR: earlier statements left to the autovacuum: %s", exc)
        for partner_id, exc in failed.items():
            _logger.warning(
                "AR: no statement for customer %s: %s", partner_id, masking.mask_text(exc)
            )
            if errors is not None:
                errors[partner_id] = str(exc)
        return pdfs

    def _ar_print_statement_pdfs(self, company, day):
        """Print the statements of these customers in ``company`` for ``day`` in one run
        and record them: ``{customer id: ir.attachment}`` (of the customer, named in
        the customer's language)."""
        report = self.env.ref("ar_followup.action_report_statement").sudo()
        Report = self.env["ir.actions.report"].with_company(company).with_context(**{ONE_RUN: True})
        content, report_type = Report._pre_render_qweb_pdf(report.report_name, res_ids=self.ids)
        content_by_id = Report._get_splitted_report(report.report_name, content, report_type)
        if set(content_by_id) != set(self.ids):
            raise ValueError(self.env._("The printed statements could not be told apart."))
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": "%s.%s"
                        % (partner._ar_statement_filename().replace("/", "_"), report_type),
                        "raw": content_by_id[partner.id],
                        # (HTML only while Odoo runs its tests without wkhtmltopdf)
                        "mimetype": "application/pdf" if report_type == "pdf" else "text/html",
                        "res_model": partner._name,
                        "res_id": partner.id,
                        "company_id": company.id,
                    }
                    for partner in self
                ]
            )
        )
        self.env["ar.followup.statement"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "date": day,
                    "attachment_id": attachment.id,
                }
                for partner, attachment in zip(self, attachments, strict=True)
            ]
        )
        return {
            partner.id: attachment for partner, attachment in zip(self, attachments, strict=True)
        }

    def _ar_statement_filename(self):
        """The name of the statement's file, without extension, in the customer's language."""
        self.ensure_one()
        return self.with_context(lang=self.lang).env._("Statement of Account - %s", self.name)
