# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""E-mail reminders carry the invoice PDFs and the statement of account.

Odoo prints reports as HTML while it runs its tests, unless told otherwise
(``force_report_rendering``, which needs wkhtmltopdf): the tests that look into
the files print real PDFs, the others count what was printed and what was kept.
"""

import io
from contextlib import contextmanager
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader

from odoo.addons.base.models.ir_actions_report import _run_wkhtmltopdf

from .common import TODAY, ArFollowupCommon

EMAIL_LOGGER = "odoo.addons.ar_followup.models.ar_followup_reminder.channel_email"
PDF_LOGGER = "odoo.addons.ar_followup.models.account_move_pdf"
INVOICE_REPORT = "account.report_invoice_with_payments"
STATEMENT_REPORT = "ar_followup.report_statement"


def pages(attachment):
    return len(PdfFileReader(io.BytesIO(attachment.raw)).pages)


class ArAttachmentCommon(ArFollowupCommon):
    @contextmanager
    def printing(self):
        """The print runs made meanwhile: ``[(report name, [record ids], company)]``."""
        Report = self.registry["ir.actions.report"]
        original = Report._pre_render_qweb_pdf
        runs = []

        def spy(report, report_ref, res_ids=None, data=None):
            runs.append((report_ref, list(res_ids or []), report.env.company))
            return original(report, report_ref, res_ids=res_ids, data=data)

        with patch.object(Report, "_pre_render_qweb_pdf", spy):
            yield runs

    def send(self, partner, **context):
        """Send ``partner``'s planned reminder as the dispatcher does."""
        reminder = (
            self.env["ar.followup.reminder"]
            .sudo()
            .search([("partner_id", "=", partner.id), ("state", "=", "planned")])
        )
        self.assertEqual(len(reminder), 1)
        now = fields.Datetime.now()
        reminder.write({"state": "sending", "date_sending": now})
        problem = reminder._ar_check_before_send(now).get(reminder.id)
        reminder.with_context(**context)._ar_dispatch_one(problem, now)
        self.assertEqual(reminder.state, "sent")
        return reminder

    def send_now(self, partner):
        """*Send reminder now* on ``partner``, as the AR clerk."""
        wizard = (
            self.env["ar.followup.send"]
            .with_user(self.ar_user)
            .with_context(active_model="res.partner", active_ids=partner.ids)
            .create({})
        )
        wizard.action_send()
        reminder = wizard.line_ids.reminder_id.sudo()
        self.assertEqual(reminder.state, "sent")
        return reminder

    def send_and_print(self, invoice, **context):
        """Odoo's own *Send & Print* of ``invoice``, downloading its PDF."""
        return (
            self.env["account.move.send"]
            .with_context(**context)
            ._generate_and_send_invoices(invoice, sending_methods=["manual"])
        )

    @staticmethod
    def filename(invoice):
        return invoice._get_invoice_report_filename()


@tagged("post_install", "-at_install")
class TestReminderAttachments(ArAttachmentCommon):
    def test_invoices_in_one_pdf_and_statement_unless_switched_off(self):
        self.assertTrue(self.company.ar_attach_invoices)
        self.assertEqual(self.company.ar_attach_invoices_format, "combined")
        self.assertTrue(self.company.ar_attach_statement)
        old = self._ar_invoice(self.customer, 125000, self.days_before(20))
        recent = self._ar_invoice(self.customer, 5000, self.days_before(10))
        # an invoice sent earlier with Odoo's Send & Print keeps its PDF: the same file goes
        self.send_and_print(recent, force_report_rendering=True)
        sent_pdf = recent.invoice_pdf_report_id
        self.assertTrue(sent_pdf.raw.startswith(b"%PDF"))
        self._ar_invoice(self.customer_b, 7000, self.days_before(10))
        self.company._ar_plan_reminders(TODAY)

        # real PDFs (Odoo's tests print HTML unless told otherwise; needs wkhtmltopdf)
        with self.printing() as runs:
            reminder = self.send(self.customer, force_report_rendering=True)
        self.assertEqual(
            runs,
            [
                (INVOICE_REPORT, old.ids, self.company),
                (STATEMENT_REPORT, self.customer.ids, self.company),
            ],
            "only the invoice never sent is printed, and the statement",
        )
        attachments = reminder.mail_message_id.attachment_ids
        self.assertEqual(
            sorted(attachments.mapped("name")),
            [
                "Invoices - Bharat Steel Traders.pdf",
                "Statement of Account - Bharat Steel Traders.pdf",
            ],
        )
        for attachment in attachments:
            self.assertEqual(attachment.mimetype, "application/pdf")
            self.assertTrue(attachment.raw.startswith(b"%PDF"), attachment.name)
        combined = attachments.filtered(lambda a: a.name.startswith("Invoices"))
        self.assertEqual(combined.res_model, "res.partner")
        self.assertEqual(combined.res_id, self.customer.id)
        # the oldest invoice first, then the one sent earlier, whole
        self.assertEqual(
            pages(combined), pages(old.invoice_pdf_report_id) + pages(recent.invoice_pdf_report_id)
        )
        # the invoice printed for the reminder keeps its PDF as Odoo keeps a sent one's
        kept = old.invoice_pdf_report_id
        self.assertEqual(
            (kept.name, kept.res_model, kept.res_id, kept.res_field, kept.mimetype),
            (
                self.filename(old),
                "account.move",
                old.id,
                "invoice_pdf_report_file",
                "application/pdf",
            ),
        )
        self.assertEqual(recent.invoice_pdf_report_id, sent_pdf, "never printed twice")
        self.assertFalse(reminder.error)
        # the mail queued for the customer carries them
        mail = self.env["mail.mail"].search([("mail_message_id", "=", reminder.mail_message_id.id)])
        self.assertEqual(mail.attachment_ids, attachments)

        self.company.write({"ar_attach_invoices": False, "ar_attach_statement": False})
        reminder_b = self.send(self.customer_b)
        self.assertFalse(reminder_b.mail_message_id.attachment_ids)

    def test_many_documents_printed_in_one_run_and_split(self):
        """Real PDFs: invoices of one and of several pages, and statements, each kind in
        one wkhtmltopdf run, split again per document."""
        short = self._ar_invoice(self.customer, 1000, self.days_before(20))
        long = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": self.days_before(20),
                "invoice_date_due": self.days_before(20),
                "invoice_line_ids": [
                    Command.create({"name": "Goods %d" % n, "price_unit": 100, "tax_ids": []})
                    for n in range(80)
                ],
            }
        )
        long.action_post()
        other = self._ar_invoice(self.customer_b, 2000, self.days_before(20))
        invoices = short | long | other
        runs = []
        wkhtmltopdf = "odoo.addons.base.models.ir_actions_report._run_wkhtmltopdf"
        with patch(wkhtmltopdf, wraps=_run_wkhtmltopdf) as run:
            pdfs = invoices.with_context(force_report_rendering=True)._ar_get_invoice_pdfs()
            runs.append(run.call_count)
            statements = (
                (self.customer | self.customer_b)
                .with_context(force_report_rendering=True)
                ._ar_get_statement_pdfs(self.company)
            )
            runs.append(run.call_count)
        self.assertEqual(
            runs, [1, 2], "one wkhtmltopdf run for the invoices, one for the statements"
        )
        self.assertEqual(set(pdfs), set(invoices.ids))
        self.assertEqual(
            [pages(invoice.invoice_pdf_report_id) for invoice in invoices],
            [1, pages(pdfs[long.id]), 1],
        )
        self.assertGreater(pages(pdfs[long.id]), 1)
        self.assertEqual([pages(statement) for statement in statements.values()], [1, 1])
        for attachment in [*pdfs.values(), *statements.values()]:
            self.assertTrue(attachment.raw.startswith(b"%PDF"), attachment.name)

    def test_one_pdf_per_invoice_kept_on_each_invoice(self):
        self.company.ar_attach_invoices_format = "each"
        old = self._ar_invoice(self.customer, 125000, self.days_before(20))
        recent = self._ar_invoice(self.customer, 5000, self.days_before(10))
        self.company._ar_plan_reminders(TODAY)
        with self.printing() as runs:
            reminder = self.send(self.customer)
        self.assertEqual(
            runs,
            [
                (INVOICE_REPORT, (old | recent).ids, self.company),
                (STATEMENT_REPORT, self.customer.ids, self.company),
            ],
            "both invoices in one print run",
        )
        attachments = reminder.mail_message_id.attachment_ids
        self.assertEqual(
            sorted(attachments.mapped("name")),
            sorted(
                [
                    self.filename(old),
                    self.filename(recent),
                    "Statement of Account - Bharat Steel Traders.html",
                ]
            ),
        )
        self.assertEqual(len(attachments), 3)
        self.assertEqual(
            attachments - attachments.filtered(lambda a: a.res_model == "res.partner"),
            old.invoice_pdf_report_id | recent.invoice_pdf_report_id,
            "each invoice's own PDF, kept on it",
        )
        self.assertIn(old.name, old.invoice_pdf_report_id.raw.decode())
        self.assertNotIn(recent.name, old.invoice_pdf_report_id.raw.decode())

    def test_a_second_reminder_prints_nothing_again(self):
        self.company.ar_attach_invoices_format = "each"
        invoices = self._ar_invoice(self.customer, 125000, self.days_before(20)) | self._ar_invoice(
            self.customer, 5000, self.days_before(10)
        )
        self.company._ar_plan_reminders(TODAY)
        first = self.send(self.customer)
        statement = first.mail_message_id.attachment_ids - invoices.invoice_pdf_report_id
        self.assertEqual(len(statement), 1)
        Attachment = self.env["ir.attachment"].sudo()
        count = Attachment.search_count([])

        # the same day, the AR clerk sends the customer a reminder by hand
        with self.printing() as runs:
            second = self.send_now(self.customer)
        self.assertEqual(runs, [], "nothing printed again")
        self.assertEqual(Attachment.search_count([]), count, "no new file")
        self.assertEqual(
            second.mail_message_id.attachment_ids, first.mail_message_id.attachment_ids
        )
        self.assertEqual(
            second.mail_message_id.attachment_ids, invoices.invoice_pdf_report_id | statement
        )
        # and Odoo's Send & Print sends the PDF the reminder printed
        with self.printing() as runs:
            self.send_and_print(invoices[0])
        self.assertEqual(runs, [])
        self.assertIn(invoices[0].invoice_pdf_report_id, first.mail_message_id.attachment_ids)

    def test_a_pdf_that_fails_does_not_stop_the_reminder(self):
        invoice = self._ar_invoice(self.customer, 125000, self.days_before(20))
        self.env.ref("ar_followup.action_report_statement").report_name = "ar_followup.no_such"
        self.company._ar_plan_reminders(TODAY)
        with mute_logger(EMAIL_LOGGER, "odoo.addons.ar_followup.models.res_partner_statement"):
            reminder = self.send(self.customer)
        names = reminder.mail_message_id.attachment_ids.mapped("name")
        self.assertEqual(names, [self.filename(invoice)])
        self.assertIn("Sent without Statement of Account", reminder.error)

    def test_an_invoice_that_fails_leaves_the_others(self):
        invoices = [
            self._ar_invoice(self.customer, 1000 * n, self.days_before(20 + n)) for n in range(5)
        ]
        broken = invoices[2]
        self.company._ar_plan_reminders(TODAY)
        AccountMove = self.registry["account.move"]
        filename = AccountMove._get_invoice_report_filename

        def failing(move, *args, **kwargs):
            if move == broken:
                raise ValueError("no layout for this invoice")
            return filename(move, *args, **kwargs)

        with (
            patch.object(AccountMove, "_get_invoice_report_filename", failing),
            mute_logger(PDF_LOGGER),
            self.printing() as runs,
        ):
            reminder = self.send(self.customer)
        invoice_runs = [ids for report, ids, _company in runs if report == INVOICE_REPORT]
        self.assertEqual(
            sorted(invoice_runs[0]), sorted(reminder.move_ids.ids), "first all in one run"
        )
        self.assertIn(broken, reminder.move_ids)
        self.assertIn([broken.id], invoice_runs, "then halves until it is alone")
        self.assertEqual(
            reminder.error,
            "Sent without %s: no layout for this invoice" % broken.name,
        )
        self.assertFalse(broken.invoice_pdf_report_id)
        combined = reminder.mail_message_id.attachment_ids.filtered(
            lambda a: a.name.startswith("Invoices")
        )
        for invoice in reminder.move_ids:
            self.assertEqual(bool(invoice.invoice_pdf_report_id), invoice != broken, invoice.name)
            self.assertEqual(invoice.name in combined.raw.decode(), invoice != broken)

    def test_invoices_of_each_company_printed_in_their_company(self):
        other, _clerk = self._ar_other_company_clerk()
        ours = self._ar_invoice(self.customer, 1000, self.days_before(20))
        theirs = self._ar_invoice(self.customer, 2000, self.days_before(20), company=other)
        with self.printing() as runs:
            pdfs = (ours | theirs).sudo()._ar_get_invoice_pdfs()
        self.assertEqual(
            sorted(runs, key=lambda run: run[1]),
            [(INVOICE_REPORT, ours.ids, self.company), (INVOICE_REPORT, theirs.ids, other)],
        )
        self.assertEqual(
            pdfs, {ours.id: ours.invoice_pdf_report_id, theirs.id: theirs.invoice_pdf_report_id}
        )
        self.assertEqual(theirs.invoice_pdf_report_id.name, self.filename(theirs))
