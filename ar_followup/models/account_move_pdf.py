# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from ..tools import masking, pdf_batch
from .ir_actions_report import ONE_RUN

_logger = logging.getLogger(__name__)

#: invoices printed per wkhtmltopdf run: each run starts at a fixed cost, then each
#: page adds a little; a chunk is also what the prepare cron commits at once, so it
#: stays well within a cron's time slice
INVOICE_CHUNK = 80


class AccountMovePdf:
    """The PDFs of customer invoices, printed many per run and kept (part of
    ``account.move``, see ``account_move.py``)."""

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    def _ar_get_invoice_pdfs(self, errors=None, chunk_size=INVOICE_CHUNK):
        """``{invoice id: ir.attachment}``: the PDF of each of these customer invoices,
        kept on the invoice the way Odoo's *Send & Print* keeps it.

        An invoice that has its PDF (``invoice_pdf_report_id``, set when it was
        sent) keeps it. The others are printed ``chunk_size`` per wkhtmltopdf run,
        per company and invoice report (the one *Send & Print* would use), split
        per invoice, and each PDF becomes the invoice's ``invoice_pdf_report_id``
        (an attachment of ``invoice_pdf_report_file``, named by
        ``_get_invoice_report_filename``): *Send & Print* later sends that file and
        nothing is printed twice. Works in sudo (the dispatcher's); nothing is
        committed.

        An invoice whose PDF cannot be made is left out; ``errors``, when given,
        receives ``{invoice id: why}``.
        """
        pdfs = {move.id: move.invoice_pdf_report_id for move in self if move.invoice_pdf_report_id}
        missing = self.filtered(lambda move: move.id not in pdfs)
        if not missing:
            return pdfs
        failed = {}
        Send = self.env["account.move.send"]
        groups = {}
        for move in missing:
            try:
                report = Send._get_default_pdf_report_id(move)
            except Exception as exc:  # noqa: BLE001 - no invoice report applies to this move
                failed[move.id] = exc
                continue
            groups.setdefault((move.company_id, report), []).append(move.id)
        for (company, report), ids in groups.items():

            def print_chunk(chunk, company=company, report=report):
                with self.env.cr.savepoint():
                    pdfs.update(self.browse(chunk)._ar_print_invoice_pdfs(company, report))

            failed.update(pdf_batch.print_in_chunks(ids, chunk_size, print_chunk))
        for move_id, exc in failed.items():
            _logger.warning("AR: no PDF for invoice %s: %s", move_id, masking.mask_text(exc))
            if errors is not None:
                errors[move_id] = str(exc)
        return pdfs

    def _ar_print_invoice_pdfs(self, company, report):
        """Print these invoices of ``company`` with ``report`` (an invoice report) in
        one run and keep each PDF on its invoice: ``{invoice id: ir.attachment}``.

        The attachment is the one ``account.move.send`` makes
        (``_prepare_invoice_pdf_report``); the invoice itself is not written (not
        marked sent, its main attachment left): printing ahead takes no lock on
        invoices that payments and the ageing refresh write meanwhile.
        """
        Report = self.env["ir.actions.report"].with_company(company).with_context(**{ONE_RUN: True})
        content, report_type = Report._pre_render_qweb_pdf(report.report_name, res_ids=self.ids)
        content_by_id = Report._get_splitted_report(report.report_name, content, report_type)
        if set(content_by_id) != set(self.ids):
            raise ValueError(
                self.env._("The printed invoices could not be told apart in %s.", report.name)
            )
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": move._get_invoice_report_filename(report=report),
                        "raw": content_by_id[move.id],
                        # (HTML only while Odoo runs its tests without wkhtmltopdf)
                        "mimetype": "application/pdf" if report_type == "pdf" else "text/html",
                        "res_model": move._name,
                        "res_id": move.id,
                        "res_field": "invoice_pdf_report_file",
                    }
                    for move in self
                ]
            )
        )
        self.invalidate_recordset(["invoice_pdf_report_id", "invoice_pdf_report_file"])
        return {move.id: attachment for move, attachment in zip(self, attachments, strict=True)}
