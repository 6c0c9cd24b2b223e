# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo data builds and tells its story.

Tests never rely on demo data: the test database is installed without it, and
this test loads the demo file itself, inside its own transaction (rolled back),
then checks what someone logging in to the demo would see.
"""

from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

from .common import TODAY


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 10:00 in Kolkata on the suite's day; the demo's dates are relative to it
        with freeze_time(datetime.combine(TODAY, time(4, 30))):
            convert_file(
                cls.env, "ar_followup", "demo/ar_followup_demo.xml", {}, mode="init", noupdate=True
            )
        cls.company = cls.env.ref("base.main_company")
        cls.env = cls.env(context={"allowed_company_ids": cls.company.ids, "tz": "Asia/Kolkata"})
        cls.open_domain = [
            ("company_id", "=", cls.company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]

    def setUp(self):
        super().setUp()
        freezer = freeze_time(datetime.combine(TODAY, time(4, 30)))
        freezer.start()
        self.addCleanup(freezer.stop)

    def partner(self, key):
        return self.env.ref("ar_followup.demo_partner_%s" % key)

    def test_an_indian_sme_and_its_ar_team(self):
        company = self.company
        self.assertEqual(company.name, "Shakti Industrial Supplies Pvt. Ltd.")
        self.assertEqual(company.currency_id.name, "INR")
        self.assertEqual((company.country_id.code, company.state_id.code), ("IN", "MH"))
        self.assertEqual(company.vat, "27AAECS1234F1ZO")
        self.assertEqual(company.partner_id.tz, "Asia/Kolkata")
        self.assertEqual(self.env.ref("base.user_admin").tz, "Asia/Kolkata")

        clerk = self.env.ref("ar_followup.demo_user_ar_clerk")
        self.assertTrue(clerk.has_group("ar_followup.ar_followup_group_user"))
        self.assertFalse(clerk.has_group("ar_followup.ar_followup_group_manager"))
        self.assertTrue(
            self.env.ref("base.user_admin").has_group("ar_followup.ar_followup_group_manager")
        )
        self.assertEqual(self.partner("kaveri").ar_owner_id, self.env.ref("base.user_admin"))
        self.assertEqual(self.partner("shree_ganesh").ar_owner_id, clerk)

        customers = self.env["res.partner"].search(
            [("customer_rank", ">", 0), ("is_company", "=", True)]
        )
        self.assertEqual(len(customers), 30)
        for customer in customers:
            self.assertEqual(customer.country_id.code, "IN", customer.name)
            self.assertRegex(customer.vat, r"^\d{2}[A-Z]{5}\d{4}[A-Z]\dZ[0-9A-Z]$", customer.name)
            self.assertTrue(customer.phone.startswith("+91 "), customer.name)
            self.assertTrue(customer.email, customer.name)

    def test_every_bucket_populated(self):
        Move = self.env["account.move"]
        invoices = Move.search(
            [("company_id", "=", self.company.id), ("move_type", "=", "out_invoice")]
        )
        self.assertTrue(180 <= len(invoices) <= 240, len(invoices))
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        per_bucket = dict(Move._read_group(self.open_domain, ["ar_bucket_id"], ["__count"]))
        self.assertEqual(set(per_bucket), set(self.company.ar_bucket_ids), per_bucket)
        states = dict(
            Move._read_group([("id", "in", invoices.ids)], ["payment_state"], ["__count"])
        )
        self.assertGreater(states["paid"], 100)
        self.assertGreater(states["partial"], 3)
        # invoices paid long ago were never open in this story: no bucket history,
        # except the one paid last week as promised
        paid = invoices.filtered(lambda m: m.payment_state == "paid")
        self.assertEqual(paid.ar_transition_ids.partner_id, self.partner("kalinga"))

    def test_strategic_account_disputed_after_twelve_years(self):
        Move = self.env["account.move"]
        kaveri = self.partner("kaveri")
        paid = Move.search(
            [("partner_id", "=", kaveri.id), ("payment_state", "=", "paid")], order="invoice_date"
        )
        self.assertLess(paid[0].invoice_date, TODAY - timedelta(days=11 * 365))
        late = Move.search(
            self.open_domain + [("partner_id", "=", kaveri.id), ("ar_days_overdue", ">", 0)]
        )
        self.assertEqual(late.ar_bucket_id.name, "31–60")
        self.assertEqual(late.ar_dispute_count, 1)
        self.assertTrue(late.ar_followup_suspended)
        dispute = self.env["ar.followup.dispute"].search([("partner_id", "=", kaveri.id)])
        self.assertEqual((dispute.state, dispute.reason), ("in_review", "quality"))

    def test_segments_tones_and_policies(self):
        ref = self.env.ref
        kaveri = self.partner("kaveri")
        self.assertEqual(kaveri.ar_segment_id, ref("ar_followup.ar_followup_segment_strategic"))
        self.assertEqual(
            kaveri._ar_get_policies()[kaveri.id], ref("ar_followup.ar_followup_policy_soft")
        )
        self.assertEqual(kaveri._ar_get_effective_tone().code, "gentle", kaveri.ar_tone_reason)
        gnmc = self.partner("gnmc")
        self.assertEqual(gnmc.ar_segment_id, ref("ar_followup.ar_followup_segment_government"))
        self.assertEqual(gnmc._ar_get_effective_tone().code, "formal")
        # one "Government" tag: the module's own, not a second one from the demo
        self.assertEqual(
            gnmc.category_id.filtered(lambda tag: "Government" in tag.name),
            ref("ar_followup.res_partner_category_government"),
        )
        self.assertEqual(
            self.env["res.partner.category"].search_count([("name", "=", "Government")]), 1
        )
        self.assertEqual(
            self.partner("sahyadri").ar_segment_id, ref("ar_followup.ar_followup_segment_vip")
        )
        self.assertEqual(
            self.partner("malabar").ar_segment_id, ref("ar_followup.ar_followup_segment_standard")
        )

    def test_who_pays_how(self):
        # government buyers are the slow payers; VIPs owe nothing overdue; new customers are late
        self.assertGreater(self.partner("gnmc").ar_oldest_overdue_days, 90)
        for key in ("sahyadri", "narmada", "coromandel", "punjab_agro"):
            self.assertEqual(self.partner(key).ar_total_overdue, 0.0, key)
            self.assertGreater(self.partner(key).ar_total_due, 0.0, key)
        self.assertGreater(self.partner("shree_ganesh").ar_total_overdue, 0.0)

        # an instalment invoice: the first half paid, the second half late
        split = self.env["account.move"].search(
            [
                ("partner_id", "=", self.partner("om_sai").id),
                (
                    "invoice_payment_term_id",
                    "=",
                    self.env.ref("ar_followup.demo_payment_term_50_50").id,
                ),
            ]
        )
        self.assertEqual((split.payment_state, split.ar_bucket_id.name), ("partial", "1–30"))

        # two credit notes applied, two waiting; one payment nobody could allocate yet
        refunds = self.env["account.move"].search(
            [("company_id", "=", self.company.id), ("move_type", "=", "out_refund")]
        )
        self.assertEqual(
            sorted(refunds.mapped("payment_state")), ["not_paid", "not_paid", "paid", "paid"]
        )
        unallocated = self.env["account.payment"].search(
            [("partner_id", "=", self.partner("indus").id)]
        )
        self.assertEqual((len(unallocated), unallocated.is_reconciled), (1, False))

    def test_disputes_and_promises(self):
        disputes = self.env["ar.followup.dispute"].search([("company_id", "=", self.company.id)])
        self.assertEqual(
            {(d.partner_id, d.state) for d in disputes},
            {
                (self.partner("kaveri"), "in_review"),
                (self.partner("royal"), "open"),
                (self.partner("balaji"), "resolved"),
            },
        )
        resolved = disputes.filtered(lambda d: d.state == "resolved")
        self.assertEqual(resolved.resolution, "credit_note")
        self.assertFalse(resolved.move_ids.ar_followup_suspended)

        promises = self.env["ar.followup.promise"].search([("company_id", "=", self.company.id)])
        by_state = {p.state: p for p in promises}
        self.assertEqual(set(by_state), {"open", "kept", "broken"})
        self.assertEqual(by_state["open"].partner_id, self.partner("mspdcl"))
        self.assertTrue(by_state["open"].move_ids.ar_followup_suspended)
        self.assertEqual(by_state["kept"].move_ids.payment_state, "paid")
        broken = by_state["broken"]
        self.assertEqual(broken.partner_id, self.partner("shree_ganesh"))
        self.assertEqual(broken.partner_id.ar_tone_escalation, 1)
        # the AR clerk who owns the customer has a to-do about it
        self.assertEqual(
            broken.activity_ids.user_id, self.env.ref("ar_followup.demo_user_ar_clerk")
        )
