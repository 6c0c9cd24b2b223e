# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The PDFs e-mail reminders carry are printed ahead of sending; the statement of
account is printed once a day per customer, for the reminders and for its link."""

from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlparse

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import TODAY
from .test_reminder_attachments import INVOICE_REPORT, STATEMENT_REPORT, ArAttachmentCommon

ATTACHMENTS = "odoo.addons.ar_followup.models.res_company_email_attachments"


@tagged("post_install", "-at_install")
class TestAttachmentPrepare(ArAttachmentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["ar.followup.reminder"]
        cls.customer_c = cls._ar_create_customer("Deccan Pumps")
        cls.invoices = {
            partner: [
                cls._ar_invoice(partner, 1000 * (n + 1), cls.days_before(20 + n)) for n in range(2)
            ]
            for partner in (cls.customer, cls.customer_b, cls.customer_c)
        }

    def plan_today(self):
        reminders = self.company._ar_plan_reminders(TODAY)
        self.assertEqual(len(reminders), 3)
        self.assertTrue(all(r.state == "planned" and r.channel == "email" for r in reminders))
        return reminders

    def prepare(self, crash_after=None, time_up=False):
        """Run the prepare cron, two invoices or statements per run; returns the commits
        of its progress ``[processed]`` (after the first, which tells what remains)."""
        commits = []
        with (
            patch("%s.INVOICE_CHUNK" % ATTACHMENTS, 2),
            patch("%s.STATEMENT_CHUNK" % ATTACHMENTS, 2),
            self.committing(crash_after=crash_after),
        ):
            Cron = self.registry["ir.cron"]
            commit = Cron._commit_progress

            def recording(cron, processed=0, *, remaining=None, deactivate=False):
                commits.append((processed, remaining))
                commit(cron, processed, remaining=remaining)
                return 0.0 if time_up and processed else float("inf")

            with patch.object(Cron, "_commit_progress", recording):
                self.env["res.company"]._ar_cron_prepare_attachments()
        self.env.invalidate_all()
        return commits

    def invoice_pdfs(self, partner):
        return [bool(invoice.invoice_pdf_report_id) for invoice in self.invoices[partner]]

    def statements(self):
        return self.env["ar.followup.statement"].search([("company_id", "=", self.company.id)])

    def test_printed_ahead_in_committed_runs_then_sent_as_printed(self):
        reminders = self.plan_today()
        # only what goes out by e-mail within a day: customer C's reminder is two days off
        later = reminders.filtered(lambda r: r.partner_id == self.customer_c)
        later.date_scheduled = fields.Datetime.now() + timedelta(days=2)
        with self.printing() as runs:
            commits = self.prepare()
        self.assertEqual(commits[0], (0, 6), "4 invoices and 2 statements to print")
        self.assertEqual(commits[1:], [(2, None)] * 3, "each run committed on its own")
        self.assertEqual(
            sorted(runs),
            sorted(
                [
                    (INVOICE_REPORT, [i.id for i in self.invoices[self.customer]], self.company),
                    (INVOICE_REPORT, [i.id for i in self.invoices[self.customer_b]], self.company),
                    (STATEMENT_REPORT, (self.customer | self.customer_b).ids, self.company),
                ]
            ),
        )
        self.assertEqual(self.invoice_pdfs(self.customer), [True, True])
        self.assertEqual(self.invoice_pdfs(self.customer_b), [True, True])
        self.assertEqual(self.invoice_pdfs(self.customer_c), [False, False])
        self.assertEqual(self.statements().partner_id, self.customer | self.customer_b)
        # nothing left: a second run prints nothing
        with self.printing() as runs:
            self.assertEqual(self.prepare(), [(0, 0)])
        self.assertEqual(runs, [])

        # the dispatcher sends what was printed, and prints nothing
        with self.printing() as runs:
            sent = self.send(self.customer)
        self.assertEqual(runs, [])
        statement = self.statements().filtered(lambda s: s.partner_id == self.customer)
        self.assertIn(statement.attachment_id, sent.mail_message_id.attachment_ids)

    def test_a_crash_keeps_the_runs_committed_before_it(self):
        self.plan_today()
        with self.printing() as runs:
            self.prepare(crash_after=1)
        self.assertEqual(len(runs), 2, "the second run crashed at its commit")
        printed = [self.invoice_pdfs(p) for p in (self.customer, self.customer_b, self.customer_c)]
        self.assertEqual(sum(sum(flags) for flags in printed), 2, "the first run's two PDFs")
        # the next run goes on where the last commit left
        with self.printing() as runs:
            self.prepare()
        self.assertEqual(len(runs), 4, "two runs of invoices, two of statements")
        self.assertEqual(
            self.statements().partner_id, self.customer | self.customer_b | self.customer_c
        )

    def test_stops_when_the_cron_time_is_up(self):
        self.plan_today()
        with self.printing() as runs:
            commits = self.prepare(time_up=True)
        self.assertEqual(len(runs), 1)
        self.assertEqual(commits, [(0, 9), (2, None)], "seven left for the next run")

    def test_statements_only_for_the_day_invoices_a_day_ahead(self):
        reminders = self.plan_today()
        # due tomorrow morning: its invoices are printed, its statement is left for tomorrow
        later = reminders.filtered(lambda r: r.partner_id == self.customer_c)
        later.date_scheduled = fields.Datetime.now() + timedelta(hours=20)
        self.prepare()
        self.assertEqual(self.invoice_pdfs(self.customer_c), [True, True])
        self.assertEqual(self.statements().partner_id, self.customer | self.customer_b)

    def test_nothing_printed_for_what_the_company_does_not_attach(self):
        self.plan_today()
        self.company.ar_attach_invoices = False
        with self.printing() as runs:
            self.prepare()
        self.assertEqual({run[0] for run in runs}, {STATEMENT_REPORT})
        self.company.ar_attach_statement = False
        self.statements().sudo().unlink()
        with self.printing() as runs:
            self.assertEqual(self.prepare(), [(0, 0)])
        self.assertEqual(runs, [])

    def test_a_dispatch_batch_prints_what_it_misses_in_one_run(self):
        reminders = self.plan_today()
        with self.printing() as runs:
            self.env["res.company"]._ar_prepare_attachments(reminders)
        self.assertEqual(
            [(report, len(ids)) for report, ids, _company in runs],
            [(INVOICE_REPORT, 6), (STATEMENT_REPORT, 3)],
        )
        with self.printing() as runs:
            self.env["res.company"]._ar_prepare_attachments(reminders)
        self.assertEqual(runs, [], "idempotent")

    def test_statement_of_an_earlier_day_gives_way(self):
        self.plan_today()
        sent = self.send(self.customer).mail_message_id
        sent_pdf = self.statements().filtered(lambda s: s.partner_id == self.customer).attachment_id
        self.assertIn(sent_pdf, sent.attachment_ids)
        unsent_pdf = self.customer_b._ar_get_statement_pdfs(self.company)[self.customer_b.id]
        tomorrow = TODAY + timedelta(days=1)
        with self.frozen(tomorrow):
            pdfs = (self.customer | self.customer_b)._ar_get_statement_pdfs(self.company)
        self.assertEqual(len(set(pdfs.values()) - {sent_pdf, unsent_pdf}), 2, "printed again")
        self.assertEqual(self.statements().mapped("date"), [tomorrow, tomorrow])
        # the one that went out stays with its message; the other one is gone
        self.assertEqual(sent.attachment_ids, sent_pdf | sent.attachment_ids)
        self.assertTrue(sent_pdf.exists())
        self.assertFalse(unsent_pdf.exists())
        # customers not printed again are dropped by the daily autovacuum
        c_pdf = self.customer_c._ar_get_statement_pdfs(self.company)[self.customer_c.id]
        with self.frozen(tomorrow + timedelta(days=1)):
            self.env["ar.followup.statement"]._gc_ar_statements()
        self.assertFalse(self.statements())
        self.assertFalse(c_pdf.exists())
        self.assertTrue(sent_pdf.exists())


@tagged("post_install", "-at_install")
class TestStatementLinkCached(HttpCase, ArAttachmentCommon):
    def test_the_link_serves_the_day_statement_printed_once(self):
        self._ar_invoice(self.customer, 125000, self.days_before(45))
        url = urlparse(self.customer._ar_statement_url()).path
        with self.printing() as runs:
            first = self.url_open(url)
            second = self.url_open(url)
        self.assertEqual((first.status_code, second.status_code), (200, 200))
        self.assertEqual(runs, [(STATEMENT_REPORT, self.customer.ids, self.company)])
        self.assertEqual(first.content, second.content)
        self.assertIn("₹1,25,000.00", first.text)
        # the same file as the day's reminders carry
        statement = self.env["ar.followup.statement"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(statement.date, TODAY)
        self.assertEqual(statement.attachment_id.raw, first.content)
        with self.printing() as runs:
            self.company._ar_plan_reminders(TODAY)
            reminder = self.send(self.customer)
        self.assertEqual([run[0] for run in runs], [INVOICE_REPORT])
        self.assertIn(statement.attachment_id, reminder.mail_message_id.attachment_ids)
        forged = url.rsplit("/", 1)[0] + "/" + "0" * 64
        self.assertEqual(self.url_open(forged).status_code, 404)
