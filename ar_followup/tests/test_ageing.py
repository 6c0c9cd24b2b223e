# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestAgeing(ArFollowupCommon):
    def _bucket_name(self, move):
        return move.ar_bucket_id.name

    def test_default_buckets_created_for_new_company(self):
        self.assertEqual(self.buckets.mapped("name"), ["Not due", "1–30", "31–60", "61–90", "90+"])
        self.assertEqual(
            self.buckets.mapped("range_label"), ["≤ 0", "1–30", "31–60", "61–90", "91+"]
        )

    def test_bucket_boundaries(self):
        days = [-10, 0, 1, 30, 31, 60, 61, 90, 91, 400]
        moves = {d: self._ar_invoice(self.customer, 100 + d, self.days_before(d)) for d in days}
        self.refresh_ageing()
        got = {d: (m.ar_days_overdue, self._bucket_name(m)) for d, m in moves.items()}
        self.assertEqual(
            self.env["account.move"].search(
                [("ar_days_overdue", ">", 60), ("id", "in", [m.id for m in moves.values()])]
            ),
            moves[400] + moves[91] + moves[90] + moves[61],
        )
        self.assertEqual(
            got,
            {
                -10: (-10, "Not due"),
                0: (0, "Not due"),
                1: (1, "1–30"),
                30: (30, "1–30"),
                31: (31, "31–60"),
                60: (60, "31–60"),
                61: (61, "61–90"),
                90: (90, "61–90"),
                91: (91, "90+"),
                400: (400, "90+"),
            },
        )

    def test_instalments_are_aged_per_due_line(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "50% now, 50% in 45 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 50, "nb_days": 45}),
                ],
            }
        )
        invoice = self._ar_invoice(
            self.customer, 1000, None, invoice_date=self.days_before(40), payment_term=term
        )
        self.refresh_ageing()
        lines = invoice.line_ids.filtered("ar_bucket_id").sorted("date_maturity")
        self.assertEqual(lines.mapped("ar_days_overdue"), [40, -5])
        self.assertEqual(lines.ar_bucket_id.mapped("name"), ["31–60", "Not due"])
        # the invoice shows its worst instalment
        self.assertEqual((invoice.ar_days_overdue, self._bucket_name(invoice)), (40, "31–60"))
        # paying the first instalment leaves the invoice not due yet
        self._ar_pay(invoice, 500)
        self.refresh_ageing()
        self.assertEqual((invoice.ar_days_overdue, self._bucket_name(invoice)), (-5, "Not due"))

    def test_partial_payment_keeps_residual_and_bucket(self):
        invoice = self._ar_invoice(self.customer, 1000, self.days_before(45))
        self._ar_pay(invoice, 400)
        self.refresh_ageing()
        self.assertEqual(self._bucket_name(invoice), "31–60")
        self.assertAlmostEqual(self.customer.ar_total_due, 600)
        self.assertAlmostEqual(self.customer.ar_total_overdue, 600)
        self._ar_pay(invoice, 600)
        self.assertFalse(invoice.ar_bucket_id, "a paid invoice leaves the ageing at once")
        self.assertEqual(self.customer.ar_total_due, 0)

    def test_customer_position_nets_credit_notes_and_payments(self):
        self._ar_invoice(self.customer, 1000, self.days_before(95))
        self._ar_invoice(self.customer, 500, self.days_before(10))
        self._ar_invoice(self.customer, 300, self.days_before(-20))
        self._ar_invoice(self.customer, 200, self.days_before(5), move_type="out_refund")
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 150,
            }
        )
        payment.action_post()
        self.refresh_ageing()
        customer = self.customer
        self.assertAlmostEqual(customer.ar_total_due, 1000 + 500 + 300 - 200 - 150)
        self.assertAlmostEqual(customer.ar_total_overdue, 1500)
        self.assertEqual(customer.ar_oldest_overdue_days, 95)
        summary = str(customer.ar_ageing_summary)
        for label in ("Not due", "1–30", "90+"):
            self.assertIn(label, summary)
        self.assertIn("1,450.00", summary)
        # the other customer is untouched
        self.assertEqual(self.customer_b.ar_total_due, 0)
        # the "Customers to follow up" list finds the late one only
        late = self.env["res.partner"].search([("ar_total_overdue", ">", 0)])
        self.assertIn(customer, late)
        self.assertNotIn(self.customer_b, late)

    def test_pivot_columns_buckets_in_order_then_unallocated_credit(self):
        """The ageing pivot's columns, as its grouped read gives them."""
        self._ar_invoice(self.customer, 1000, self.days_before(95))
        self._ar_invoice(self.customer, 500, self.days_before(10))
        self._ar_invoice(self.customer, 300, self.days_before(-20))
        self._ar_invoice(self.customer, 400, self.days_before(40))
        self._ar_invoice(self.customer, 200, self.days_before(5), move_type="out_refund")
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 150,
            }
        )
        payment.action_post()
        self.refresh_ageing()
        Report = self.env["ar.followup.ageing.report"].with_user(self.ar_user)
        groups = Report.formatted_read_group(
            [("partner_id", "=", self.customer.id)], ["ageing_column"], ["residual:sum"]
        )
        labels = dict(Report._fields["ageing_column"]._description_selection(Report.env))
        self.assertEqual(
            [(labels[g["ageing_column"]], g["residual:sum"]) for g in groups],
            [
                ("Not due", 300),
                ("1–30", 500),
                ("31–60", 400),
                ("90+", 1000),
                ("Unallocated credit", -350),
            ],
        )
        self.assertNotIn(False, [g["ageing_column"] for g in groups])

    def test_foreign_currency_invoice(self):
        usd = self.setup_other_currency("USD", rates=[("2000-01-01", 1 / 83.0)])
        invoice = self._ar_invoice(self.customer, 100, self.days_before(65), currency=usd)
        self.refresh_ageing()
        self.assertEqual(self._bucket_name(invoice), "61–90")
        row = self.env["ar.followup.ageing.report"].search([("move_id", "=", invoice.id)])
        self.assertEqual(row.currency_id, usd)
        self.assertAlmostEqual(row.residual_currency, 100)
        self.assertAlmostEqual(row.residual, 8300)
        self.assertAlmostEqual(self.customer.ar_total_due, 8300)

    def test_transitions_recorded_with_date(self):
        invoice = self._ar_invoice(self.customer, 1000, self.days_before(25))
        Transition = self.env["ar.followup.bucket.transition"]
        self.refresh_ageing()
        self.assertEqual(
            Transition.search([("move_id", "=", invoice.id)]).to_bucket_id.mapped("name"), ["1–30"]
        )
        # nothing changes on the same bucket the next day
        self.refresh_ageing(self.days_before(-1))
        self.assertEqual(len(Transition.search([("move_id", "=", invoice.id)])), 1)
        # day 31: enters 31–60, dated that day
        entered = self.days_before(-6)
        self.refresh_ageing(entered)
        last = Transition.search([("move_id", "=", invoice.id)], limit=1)
        self.assertEqual(
            (last.date, last.from_bucket_id.name, last.to_bucket_id.name, last.partner_id),
            (entered, "1–30", "31–60", self.customer),
        )

    def test_ageing_uses_company_time_zone(self):
        invoice = self._ar_invoice(self.customer, 1000, TODAY)
        # 20:00 UTC on the due date is already the next day in Kolkata
        from freezegun import freeze_time

        with freeze_time("%s 20:00:00" % TODAY):
            self.env["res.company"]._cron_ar_refresh_ageing()
            self.assertEqual((invoice.ar_days_overdue, self._bucket_name(invoice)), (1, "1–30"))
            self.assertIn(invoice, self.env["account.move"].search([("ar_days_overdue", ">", 0)]))
        # back to 10:00 on the due date, in a new request: days overdue are computed when read
        invoice.invalidate_recordset(["ar_days_overdue"])
        self.assertEqual(invoice.ar_days_overdue, 0)

    def test_bucket_configuration_is_validated(self):
        with self.assertRaises(ValidationError):
            self.bucket["1–30"].max_days = 60
        with self.assertRaises(ValidationError):
            self.bucket["61–90"].open_ended = True
        with self.assertRaises(ValidationError):
            self.bucket["Not due"].max_days = -7
        # editing a bound moves the invoices on the next refresh
        invoice = self._ar_invoice(self.customer, 1000, self.days_before(40))
        self.bucket["1–30"].max_days = 45
        self.refresh_ageing()
        self.assertEqual(self._bucket_name(invoice), "1–30")

    def test_clerk_reads_ageing_manager_configures(self):
        invoice = self._ar_invoice(self.customer, 1000, self.days_before(40))
        self.refresh_ageing()
        as_clerk = invoice.with_user(self.ar_user)
        self.assertEqual(as_clerk.ar_bucket_id.name, "31–60")
        with self.assertRaises(AccessError):
            self.bucket["1–30"].with_user(self.ar_user).max_days = 45
        self.bucket["1–30"].with_user(self.ar_manager).max_days = 45

    def test_other_company_is_isolated(self):
        other = self.setup_other_company(name="Other Co")["company"]
        self.assertEqual(len(other.ar_bucket_ids), 5)
        self._ar_invoice(self.customer, 1000, self.days_before(40))
        self.refresh_ageing()
        rows = self.env["ar.followup.ageing.report"].with_user(self.ar_user).search([])
        self.assertTrue(rows)
        self.assertEqual(rows.company_id, self.company)
        other_user = self.env["res.users"].create(
            {
                "name": "Other clerk",
                "login": "other_clerk",
                "company_id": other.id,
                "company_ids": [Command.set(other.ids)],
                "group_ids": [Command.set(self.env.ref("ar_followup.ar_followup_group_user").ids)],
            }
        )
        self.assertFalse(self.env["ar.followup.ageing.report"].with_user(other_user).search([]))
        self.assertFalse(
            self.env["ar.followup.bucket"]
            .with_user(other_user)
            .search([("company_id", "=", self.company.id)])
        )
