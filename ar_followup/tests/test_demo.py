# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo data builds and tells its story.

Tests never rely on demo data: this one loads the demo file itself, inside its
own transaction, on a database installed without demo, and checks what a
user logging in to the demo would see.
"""

import doctest
from datetime import timedelta

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

from odoo.addons.ar_followup.models import ar_followup_demo


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    def test_plan_examples(self):
        result = doctest.testmod(ar_followup_demo)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)

    def test_demo_tells_its_story(self):
        convert_file(
            self.env, "ar_followup", "demo/ar_followup_demo.xml", {}, mode="init", noupdate=True
        )
        company = self.env.ref("ar_followup.demo_company")
        env = self.env(context={"allowed_company_ids": company.ids})
        Move = env["account.move"]
        today = company._ar_today()

        def partner(key):
            return env.ref("ar_followup.demo_partner_%s" % key)

        # logging in as admin shows the demo company, in rupees, on Indian time
        admin = env.ref("base.user_admin")
        self.assertEqual(admin.company_id, company)
        self.assertIn(env.ref("base.main_company"), admin.company_ids)
        self.assertEqual((admin.tz, company.partner_id.tz), ("Asia/Kolkata", "Asia/Kolkata"))
        self.assertEqual(company.currency_id.name, "INR")
        self.assertEqual(company.vat, "27AAECS1234F1Z5")

        # every ageing bucket has open invoices
        open_domain = [
            ("company_id", "=", company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]
        per_bucket = dict(Move._read_group(open_domain, ["ar_bucket_id"], ["__count"]))
        self.assertEqual(
            set(per_bucket), set(company.ar_bucket_ids), "every bucket has open invoices"
        )
        self.assertGreaterEqual(sum(per_bucket.values()), 150)
        self.assertGreater(Move.search_count(open_domain + [("payment_state", "=", "partial")]), 5)

        # twelve years of paid invoices from the strategic account, and one late invoice, disputed
        kaveri = partner("kaveri")
        paid = Move.search(
            [("partner_id", "=", kaveri.id), ("payment_state", "=", "paid")], order="invoice_date"
        )
        self.assertLess(paid[0].invoice_date, today - timedelta(days=11 * 365))
        late = Move.search(
            open_domain + [("partner_id", "=", kaveri.id), ("invoice_date_due", "<", today)]
        )
        self.assertEqual(len(late), 1)
        self.assertEqual(late.ar_dispute_count, 1)

        # government buyers are the slow payers; VIPs owe nothing overdue
        gnmc = partner("gnmc").with_env(env)
        self.assertGreater(gnmc.ar_oldest_overdue_days, 90)
        self.assertIn(env.ref("ar_followup.demo_category_government"), gnmc.category_id)
        for key in ("sahyadri", "narmada", "coromandel", "punjab_agro"):
            self.assertEqual(partner(key).ar_total_overdue, 0.0, key)
            self.assertGreater(partner(key).ar_total_due, 0.0, key)
        self.assertTrue(partner("shree_ganesh").ar_total_overdue)

        # two credit notes applied, two waiting; one payment nobody could allocate
        refunds = Move.search([("company_id", "=", company.id), ("move_type", "=", "out_refund")])
        self.assertEqual(
            sorted(refunds.mapped("payment_state")), ["not_paid", "not_paid", "paid", "paid"]
        )
        unallocated = env["account.payment"].search([("partner_id", "=", partner("indus").id)])
        self.assertEqual((len(unallocated), unallocated.is_reconciled), (1, False))

        # an instalment invoice part paid: its first instalment is settled, the second runs late
        split = Move.search(
            [
                ("partner_id", "=", partner("om_sai").id),
                ("invoice_payment_term_id", "=", env.ref("ar_followup.demo_payment_term_50_50").id),
            ]
        )
        self.assertEqual(split.payment_state, "partial")
        self.assertEqual(split.ar_bucket_id.name, "1–30")

        self.assertEqual(
            env["res.partner"].search_count(
                [("company_id", "=", company.id), ("lang", "=", "hi_IN"), ("is_company", "=", True)]
            ),
            4,
        )
