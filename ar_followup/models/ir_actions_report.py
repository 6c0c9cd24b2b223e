# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, models

from odoo.addons.base.models.ir_actions_report import _wkhtml

from ..tools import pdf_batch

_logger = logging.getLogger(__name__)

#: context key: print the documents of a report in one wkhtmltopdf run whatever its build
ONE_RUN = "ar_pdf_one_run"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _run_wkhtmltopdf(
        self,
        bodies,
        report_ref=False,
        header=None,
        footer=None,
        landscape=False,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        """Several documents in one run with Debian's wkhtmltopdf too, when asked
        (``ar_pdf_one_run`` in the context).

        The build on patched Qt prints one HTML file per document and marks where
        each starts with outlines, by which Odoo splits the PDF per record. The
        unpatched build refuses several files (Odoo prints each document in a
        run of its own, paying the run's start each time): the documents are
        joined into one file, each starting on new pages behind a mark, and the
        outlines added where the marks are (``tools/pdf_batch.py``). Odoo's own
        code then splits the PDF per record, and every override of the report
        engine sees what it sees with the patched build. Documents whose marks
        are not found as many as they are are printed one run each.
        """

        def run(documents):
            return super(IrActionsReport, self)._run_wkhtmltopdf(
                documents,
                report_ref=report_ref,
                header=header,
                footer=footer,
                landscape=landscape,
                specific_paperformat_args=specific_paperformat_args,
                set_viewport_size=set_viewport_size,
            )

        if len(bodies) < 2 or not self.env.context.get(ONE_RUN) or _wkhtml().is_patched_qt:
            return run(bodies)
        content = run([pdf_batch.join_documents(bodies)])
        starts = pdf_batch.find_marks(content)
        if len(starts) != len(bodies) or starts[0] != 0:
            _logger.warning(
                "%s: %d documents in one wkhtmltopdf run but %d marks found: one run each",
                report_ref,
                len(bodies),
                len(starts),
            )
            content, starts = pdf_batch.concatenate([run([body]) for body in bodies])
        return pdf_batch.add_outlines(content, starts)
