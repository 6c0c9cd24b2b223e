# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestDso(ArFollowupCommon):
    """DSO on 2026-06-15 over the default 90-day period, worked out by hand.

    Window: 2026-03-18 .. 2026-06-15 (90 days), in month-long periods ending on
    the 15th, newest first:

    =====  ======================  ====
    P1     2026-05-16 .. 06-15     31 d
    P2     2026-04-16 .. 05-15     30 d
    P3     2026-03-18 .. 04-15     29 d
    =====  ======================  ====

    Invoices carry no tax, so their total is their amount.

    Bharat Steel (``customer``):

    * 01/03 invoice  8,000, unpaid (before the window: receivable, not a sale)
    * 20/03 invoice 10,000 (P3), paid in full on 10/04
    * 20/04 invoice 20,000 (P2), 5,000 paid on 05/05
    * 10/05 invoice  6,000 (P2), unpaid, addressed to a contact of the company
    * 01/06 invoice 12,000 (P1), unpaid
    * 10/06 credit note 2,000 (P1)

    sales P1 = 12,000 - 2,000 = 10,000, P2 = 20,000 + 6,000 = 26,000,
    P3 = 10,000, S = 46,000; receivables R = 8,000 + 15,000 + 6,000 + 12,000
    - 2,000 = 39,000.
    Standard: 39,000 / 46,000 × 90 = 76.30.
    Countback: P1 takes 10,000 (29,000 left, 31 d), P2 takes 26,000 (3,000
    left, 30 d), P3: 3,000 / 10,000 × 29 = 8.70 d; 31 + 30 + 8.70 = 69.70.

    Coastal Agro (``customer_b``): 01/04 invoice 3,000 (P3) paid on 30/04;
    20/05 invoice 9,000 (P1) unpaid. S = 12,000, R = 9,000.
    Standard: 9,000 / 12,000 × 90 = 67.50. Countback: P1's 9,000 = R: 31.00.

    Deccan Textiles: 01/02 invoice 4,000 unpaid, nothing sold since: R = 4,000,
    S = 0, no DSO. Konkan Motors: 10/01 invoice 2,000 paid on 01/02: nothing
    owed, nothing sold in the window, no row at all.

    Portfolio: R = 39,000 + 9,000 + 4,000 = 52,000; sales P1 = 10,000 + 9,000 =
    19,000, P2 = 26,000, P3 = 10,000 + 3,000 = 13,000, S = 58,000.
    Standard: 52,000 / 58,000 × 90 = 80.69 (80.6896...).
    Countback: P1 (33,000 left, 31 d), P2 (7,000 left, 30 d), P3: 7,000 /
    13,000 × 29 = 15.62 d (15.6154); 31 + 30 + 15.6154 = 76.62.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_c = cls._ar_create_customer("Deccan Textiles")
        cls.customer_d = cls._ar_create_customer("Konkan Motors")
        cls.contact = cls.env["res.partner"].create(
            {"name": "Asha Rao", "parent_id": cls.customer.id}
        )
        cls.Dso = cls.env["ar.followup.dso"]

    def _invoice(self, partner, amount, day, move_type="out_invoice"):
        return self._ar_invoice(
            partner, amount, fields.Date.add(day, days=30), invoice_date=day, move_type=move_type
        )

    def _dataset(self):
        c = self.customer
        self._invoice(c, 8000, date(2026, 3, 1))
        self._ar_pay(self._invoice(c, 10000, date(2026, 3, 20)), 10000, date(2026, 4, 10))
        self._ar_pay(self._invoice(c, 20000, date(2026, 4, 20)), 5000, date(2026, 5, 5))
        self._invoice(self.contact, 6000, date(2026, 5, 10))
        self.invoice_june = self._invoice(c, 12000, date(2026, 6, 1))
        self._invoice(c, 2000, date(2026, 6, 10), move_type="out_refund")
        b = self.customer_b
        self._ar_pay(self._invoice(b, 3000, date(2026, 4, 1)), 3000, date(2026, 4, 30))
        self._invoice(b, 9000, date(2026, 5, 20))
        self.invoice_deccan = self._invoice(self.customer_c, 4000, date(2026, 2, 1))
        self._ar_pay(
            self._invoice(self.customer_d, 2000, date(2026, 1, 10)), 2000, date(2026, 2, 1)
        )

    def _rows(self, day=TODAY, company=None):
        rows = self.Dso.search(
            [("company_id", "=", (company or self.company).id), ("date", "=", day)]
        )
        return {row.partner_id: row for row in rows}

    def _values(self, row):
        return (row.receivables, row.credit_sales, row.dso_standard, row.dso_countback)

    def _run_cron(self, day):
        """The daily cron on ``day``, without its commits (forbidden in tests)."""
        with (
            self.frozen(day),
            patch.object(self.registry["ir.cron"], "_commit_progress", return_value=float("inf")),
        ):
            return self.env["res.company"]._cron_ar_compute_dso()

    def assertRow(self, row, receivables, sales, standard, countback):
        self.assertAlmostEqual(row.receivables, receivables, places=2)
        self.assertAlmostEqual(row.credit_sales, sales, places=2)
        self.assertAlmostEqual(row.dso_standard, standard, places=2)
        self.assertAlmostEqual(row.dso_countback, countback, places=2)
        self.assertEqual(row.period_days, 90)

    def test_dso_computed_by_hand(self):
        self._dataset()
        self.assertEqual(self.company.ar_dso_period_days, 90, "90 days by default")
        self.company._ar_compute_dso(TODAY)
        rows = self._rows()
        no_partner = self.env["res.partner"]
        self.assertEqual(
            set(rows),
            {no_partner, self.customer, self.customer_b, self.customer_c},
            "a customer with nothing owed and nothing sold in the window has no row",
        )
        self.assertRow(rows[self.customer], 39000, 46000, 76.30, 69.70)
        self.assertRow(rows[self.customer_b], 9000, 12000, 67.50, 31.00)
        self.assertRow(rows[no_partner], 52000, 58000, 80.69, 76.62)
        self.assertEqual(rows[no_partner].display_name, "Portfolio, 2026-06-15")
        # no sales in the window: receivables kept, no DSO
        self.assertAlmostEqual(rows[self.customer_c].receivables, 4000)
        self.assertFalse(rows[self.customer_c].credit_sales)
        # what the customer form shows
        customer = self.customer.with_user(self.ar_user)
        self.assertEqual(
            (
                customer.ar_dso,
                customer.ar_dso_countback,
                customer.ar_dso_known,
                customer.ar_dso_date,
            ),
            (76.3, 69.7, True, TODAY),
        )
        deccan = self.customer_c.with_user(self.ar_user)
        self.assertEqual((deccan.ar_dso_known, deccan.ar_dso_date), (False, TODAY))
        konkan = self.customer_d.with_user(self.ar_user)
        self.assertEqual((konkan.ar_dso_known, konkan.ar_dso_date), (False, False))
        # the DSO button opens the customer's history
        action = customer.action_ar_open_dso()
        self.assertEqual(self.Dso.search(action["domain"]), rows[self.customer])
        self.assertEqual(action["name"], "DSO Trend: Bharat Steel Traders")

    def _count_compute_queries(self):
        self.company._ar_compute_dso(TODAY)  # warm the caches (record rules, ...)
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        self.company._ar_compute_dso(TODAY)
        return self.cr.sql_log_count - start

    def test_computation_is_set_based(self):
        self._dataset()
        # read the company and its currency, one query for the amounts, one write
        self.assertEqual(self._count_compute_queries(), 4)
        for n in range(6):
            self._invoice(self._ar_create_customer("Customer %s" % n), 1000, date(2026, 6, 1))
        self.assertEqual(
            self._count_compute_queries(), 4, "as many queries for 10 customers as for 4"
        )
        self.assertEqual(len(self._rows()), 4 + 6)

    def test_countback_beyond_the_window_equals_standard(self):
        # 60 days, set as a user does: window 2026-04-17 .. 06-15, periods
        # P1 05-16 .. 06-15 (31 d) and P2 04-17 .. 05-15 (29 d).
        # Bharat Steel: P1 = 10,000, P2 = 20,000 + 6,000 = 26,000, S = 36,000; R = 39,000.
        # Standard: 39,000 / 36,000 × 60 = 65.00.
        # Countback: P1 and P2 consumed (31 + 29 = 60 d), 3,000 left at the window's
        # 36,000 / 60 d a day: 5.00 d, 65.00: when receivables exceed the window's
        # sales, both methods agree.
        self._dataset()
        self.env["res.config.settings"].create({"ar_dso_period_days": 60}).execute()
        self.assertEqual(self.company.ar_dso_period_days, 60)
        self.company._ar_compute_dso(TODAY)
        row = self._rows()[self.customer]
        self.assertEqual((row.period_days, row.credit_sales), (60, 36000))
        self.assertAlmostEqual(row.dso_standard, 65.00, places=2)
        self.assertAlmostEqual(row.dso_countback, 65.00, places=2)

    def test_rerun_same_day_replaces_rows(self):
        self._dataset()
        self.company._ar_compute_dso(TODAY)
        first = self._rows()
        self.company._ar_compute_dso(TODAY)
        again = self._rows()
        self.assertEqual(again, first, "the same rows, updated in place")
        self.assertEqual(self.Dso.search_count([("company_id", "=", self.company.id)]), 4)
        # Bharat Steel pays the June invoice, Deccan pays everything; run the day again:
        # Bharat R = 39,000 - 12,000 = 27,000, S = 46,000: 27,000 / 46,000 × 90 = 52.83;
        # countback: P1 10,000 (17,000 left, 31 d), P2: 17,000 / 26,000 × 30 = 19.62; 50.62.
        # Deccan owes nothing and sold nothing: its row of the day goes.
        self._ar_pay(self.invoice_june, 12000, TODAY)
        self._ar_pay(self.invoice_deccan, 4000, TODAY)
        self.company._ar_compute_dso(TODAY)
        rows = self._rows()
        self.assertEqual(set(rows), {self.env["res.partner"], self.customer, self.customer_b})
        self.assertEqual(rows[self.customer], first[self.customer])
        self.assertRow(rows[self.customer], 27000, 46000, 52.83, 50.62)
        self.assertEqual(self.Dso.search_count([("company_id", "=", self.company.id)]), 3)
        self.assertFalse(self.customer_c.ar_dso_date, "no row on the last computed day")

    def test_history_row_per_day(self):
        self._dataset()
        next_day, day_after = date(2026, 6, 16), date(2026, 6, 17)
        self._run_cron(TODAY)
        # 16/06: Coastal Agro buys 3,000 more. Window 2026-03-19 .. 06-16, periods
        # 05-17 .. 06-16 (31 d), 04-17 .. 05-16 (30 d), 03-19 .. 04-16 (29 d):
        # Coastal's 01/04 sale still in P3; R = 12,000, S = 15,000.
        # Standard: 12,000 / 15,000 × 90 = 72.00; countback: P1 = 9,000 + 3,000 = R: 31.00.
        with self.frozen(next_day):
            self._invoice(self.customer_b, 3000, next_day)
        self._run_cron(next_day)
        self._run_cron(day_after)
        self._run_cron(day_after)
        portfolio = self.Dso.search(
            [("company_id", "=", self.company.id), ("partner_id", "=", False)]
        )
        self.assertEqual(
            portfolio.mapped("date"), [day_after, next_day, TODAY], "one row a day, newest first"
        )
        coastal = self.Dso.search([("partner_id", "=", self.customer_b.id)])
        self.assertEqual(coastal.mapped("date"), [day_after, next_day, TODAY])
        self.assertAlmostEqual(coastal[2].dso_standard, 67.50, places=2)
        self.assertAlmostEqual(coastal[1].dso_standard, 72.00, places=2)
        self.assertAlmostEqual(coastal[1].dso_countback, 31.00, places=2)
        # the graph of the trend: DSO averaged per day
        groups = self.Dso.with_user(self.ar_user)._read_group(
            [("partner_id", "=", self.customer_b.id)], ["date:day"], ["dso_standard:avg"]
        )
        self.assertEqual(len(groups), 3)
        self.assertEqual(self.customer_b.with_user(self.ar_user).ar_dso_date, day_after)

    def test_access_and_companies(self):
        other = self.setup_other_company(name="Other Co")["company"]
        self._invoice(self.customer, 1000, date(2026, 6, 1))
        self._ar_invoice(
            self.customer, 5000, date(2026, 7, 1), invoice_date=date(2026, 6, 1), company=other
        )
        self.env["res.company"].browse([self.company.id, other.id])._ar_compute_dso(TODAY)
        self.assertEqual(len(self._rows(company=other)), 2, "the other company has its own rows")
        # the other company's customer row: 5,000 / 5,000 × 90 = 90.00; countback: P1: 31.00
        self.assertAlmostEqual(
            self._rows(company=other)[self.customer].dso_standard, 90.00, places=2
        )
        # a user of company A only sees company A's rows; the customer form shows A's DSO
        seen = self.Dso.with_user(self.ar_user).search([])
        self.assertEqual(seen.company_id, self.company)
        self.assertEqual(len(seen), 2)
        self.assertEqual(self.customer.with_user(self.ar_user).ar_dso, 90.0)
        # read-only for users, managers may delete history
        with self.assertRaises(AccessError):
            seen[0].with_user(self.ar_user).write({"dso_standard": 1})
        with self.assertRaises(AccessError):
            seen[0].with_user(self.ar_manager).write({"dso_standard": 1})
        with self.assertRaises(AccessError):
            self.Dso.with_user(self.ar_manager).create(
                {
                    "date": TODAY,
                    "company_id": self.company.id,
                    "currency_id": self.inr.id,
                }
            )
        with self.assertRaises(AccessError):
            seen.with_user(self.ar_user).unlink()
        seen.with_user(self.ar_manager).unlink()
        self.assertFalse(self.Dso.with_user(self.ar_user).search([]))
        other_user = self.env["res.users"].create(
            {
                "name": "Other clerk",
                "login": "other_dso_clerk",
                "company_id": other.id,
                "company_ids": [Command.set(other.ids)],
                "group_ids": [Command.set(self.env.ref("ar_followup.ar_followup_group_user").ids)],
            }
        )
        self.assertEqual(self.Dso.with_user(other_user).search([]).company_id, other)
