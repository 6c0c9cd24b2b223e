# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged
from odoo.tools.mail import html_to_inner_content

from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestStatement(ArFollowupCommon):
    """The statement of account a customer receives, printed from the customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # before the period (opens 1 March 2026): one invoice, part paid in February
        cls.old = cls._ar_invoice(cls.customer, 100000, cls.days_before(120), cls.days_before(150))
        cls._ar_pay(cls.old, 40000, pay_date=cls.days_before(130))
        # in the period: an invoice, a credit note against it, a payment
        cls.recent = cls._ar_invoice(cls.customer, 125000, cls.days_before(10), cls.days_before(40))
        cls.refund = cls._ar_invoice(
            cls.customer, 5000, cls.days_before(20), move_type="out_refund"
        )
        cls._ar_pay(cls.old, 60000, pay_date=cls.days_before(5))
        # another customer's invoice never shows
        cls.other = cls._ar_invoice(cls.customer_b, 777777, cls.days_before(10))

    def _statement_text(self, partners):
        report = self.env.ref("ar_followup.action_report_statement").with_user(self.ar_user)
        html, _format = report._render_qweb_html(report.report_name, partners.ids)
        return html_to_inner_content(html.decode())

    def test_balances_movements_and_ageing(self):
        self.refresh_ageing()
        values = self.env["report.ar_followup.report_statement"]._get_report_values(
            self.customer.ids
        )
        self.assertEqual(
            (values["date_from"].isoformat(), values["date_to"]), ("2026-03-01", TODAY)
        )
        statement = values["statements"][self.customer.id]
        self.assertEqual(statement["opening"], 60000, "100,000 invoiced, 40,000 paid before March")
        self.assertEqual(
            [(line["kind"], line["debit"], line["credit"]) for line in statement["lines"]],
            [
                ("Invoice", 125000, 0),
                ("Credit Note", 0, 5000),
                ("Payment", 0, 60000),
            ],
        )
        self.assertEqual([line["balance"] for line in statement["lines"]], [185000, 180000, 120000])
        self.assertEqual(statement["closing"], 120000)
        self.assertEqual(statement["due"], 120000, "the closing balance is what is open")
        ageing = {bucket.name: amount for bucket, amount in statement["ageing"]}
        self.assertEqual(ageing["1–30"], 125000)
        self.assertEqual(ageing["Not due"], 0)
        self.assertEqual(statement["credits"], -5000, "the credit note, not yet used")

    def test_printed_in_indian_rupees(self):
        text = self._statement_text(self.customer)
        self.assertIn("Statement of Account", text)
        self.assertIn("Bharat Steel Traders", text)
        self.assertIn("Credits not yet used", text)
        for figure in ("₹60,000.00", "₹1,25,000.00", "₹1,85,000.00", "₹1,20,000.00", "-₹5,000.00"):
            self.assertIn(figure, text)
        self.assertIn(self.recent.name, text)
        self.assertIn(self.refund.name, text)
        self.assertNotIn(self.other.name, text)
        self.assertNotIn("7,77,777", text)

    def test_pdf_from_the_customer(self):
        report = self.env.ref("ar_followup.action_report_statement")
        self.assertEqual(report.binding_model_id.model, "res.partner")
        pdf, report_format = (
            report.with_user(self.ar_user)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report.report_name, self.customer.ids)
        )
        self.assertEqual(report_format, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertGreater(len(pdf), 5000)
