# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A shared customer's collection settings belong to each company; the internal ones
are the AR team's only."""

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from ..migration import spread_per_company
from .common import TODAY, ArFollowupCommon

#: the internal collection fields of a customer, which only the AR groups read
INTERNAL_FIELDS = (
    "ar_owner_id",
    "ar_segment_id",
    "ar_tone_id",
    "ar_tone_reason",
    "ar_tone_override_id",
    "ar_tone_escalation",
    "ar_channel",
    "ar_no_email",
    "ar_no_sms",
    "ar_pause_until",
    "ar_pause_reason",
    "ar_policy_id",
    "ar_followup_suspended",
    "ar_followup_suspension_reason",
)


@tagged("post_install", "-at_install")
class TestPerCompanySettings(HttpCase, ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other, cls.clerk_b = cls._ar_other_company_clerk()
        # the same customer owes both companies
        cls._ar_invoice(cls.customer, 40000, cls.days_before(10))
        cls._ar_invoice(cls.customer, 30000, cls.days_before(10), company=cls.other)
        cls._ar_invoice(cls.customer_b, 20000, cls.days_before(10))
        cls.formal = cls.env.ref("ar_followup.ar_followup_tone_formal")
        cls.employee = new_test_user(
            cls.env,
            login="plain_employee",
            name="Plain Employee",
            # an employee who keeps contacts, with no AR right
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.debtor = new_test_user(
            cls.env, login="debtor", groups="base.group_portal", tz="Asia/Kolkata"
        )
        cls.debtor.partner_id.write({"parent_id": cls.customer.id, "email": "debtor@example.in"})

    def plan_company(self, company):
        with self.frozen(TODAY):
            self.env.invalidate_all()
            reminders = company._ar_plan_reminders(TODAY)
        self.env.invalidate_all()
        return {r.partner_id: r for r in reminders}

    def test_a_clerk_pauses_only_their_company(self):
        self.refresh_ageing()
        self.env["ar.followup.pause"].with_user(self.ar_user).create(
            {
                "partner_ids": [Command.set(self.customer.ids)],
                "date_until": self.days_before(-20),
                "reason": "Audit in progress",
            }
        ).action_pause()
        paused = self.plan_company(self.company)[self.customer]
        self.assertEqual((paused.state, paused.reason), ("skipped", "paused"))
        self.assertIn("Audit in progress", paused.reason_text)
        chased = self.plan_company(self.other)[self.customer]
        self.assertEqual((chased.company_id, chased.state), (self.other, "planned"))
        # company B's clerk sees no pause; company A's clerk cannot reach company B's value
        customer_b = self.customer.with_user(self.clerk_b).with_company(self.other)
        self.assertFalse(customer_b.ar_pause_until)
        self.assertFalse(customer_b.ar_followup_suspended)
        with self.assertRaises(AccessError):
            self.customer.with_user(self.ar_user).with_company(self.other).write(
                {"ar_pause_until": self.days_before(-5)}
            )

    def test_overrides_and_escalation_per_company(self):
        policy = self.env.ref("ar_followup.ar_followup_policy_soft")
        self.customer.with_user(self.ar_user).write(
            {"ar_tone_override_id": self.formal.id, "ar_policy_id": policy.id}
        )
        self.customer.with_user(self.clerk_b).with_company(self.other).ar_tone_escalation = 1
        Partner = self.env["res.partner"]
        tone_a, reason_a = Partner.browse(self.customer.id)._ar_get_tones(self.company)[
            self.customer.id
        ]
        self.assertEqual((tone_a, reason_a), (self.formal, "Manual override"))
        tone_b, reason_b = Partner.browse(self.customer.id)._ar_get_tones(self.other)[
            self.customer.id
        ]
        self.assertNotEqual(tone_b, self.formal)
        self.assertNotIn("Manual override", reason_b)
        self.assertIn("escalated 1 step(s)", reason_b)
        self.assertEqual(self.customer._ar_get_policies(self.company)[self.customer.id], policy)
        self.assertNotEqual(self.customer._ar_get_policies(self.other)[self.customer.id], policy)
        # the clerk of company B reads company B's settings only
        customer_b = self.customer.with_user(self.clerk_b).with_company(self.other)
        self.assertFalse(customer_b.ar_tone_override_id)
        self.assertFalse(customer_b.ar_policy_id)
        self.assertEqual(customer_b.ar_tone_escalation, 1)
        self.assertEqual(self.customer.with_user(self.ar_user).ar_tone_escalation, 0)

    def test_a_broken_promise_escalates_in_its_company(self):
        promise = self.env["ar.followup.promise"].create(
            {"partner_id": self.customer.id, "date_promised": TODAY, "amount": 100}
        )
        promise._ar_break()
        self.assertEqual(self.customer.with_company(self.company).ar_tone_escalation, 1)
        self.assertEqual(self.customer.with_company(self.other).ar_tone_escalation, 0)

    def test_migration_gives_the_value_to_each_company_owed(self):
        """The upgrade to per-company settings: an old value goes to every company the
        customer owes, or to every company when it owes none."""
        # the database's first company, which the customers owe nothing
        third = self.env.ref("base.main_company")
        nobody = self._ar_create_customer("New Customer")
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("ALTER TABLE res_partner ADD COLUMN ar_pause_until_old date")
        cr.execute("ALTER TABLE res_partner ADD COLUMN ar_owner_id_old int4")
        until = self.days_before(-30)
        cr.execute(
            "UPDATE res_partner SET ar_pause_until_old = %s, ar_owner_id_old = %s WHERE id IN %s",
            [until, self.ar_user.id, (self.customer.id, self.customer_b.id, nobody.id)],
        )
        moved = spread_per_company(cr, ["ar_pause_until", "ar_owner_id"], source_suffix="_old")
        self.assertEqual(moved, {"ar_pause_until": 3, "ar_owner_id": 3})
        self.env.invalidate_all()

        def value(partner, company, name="ar_pause_until"):
            return partner.sudo().with_company(company)[name]

        self.assertEqual(value(self.customer, self.company), until)
        self.assertEqual(value(self.customer, self.other), until)
        self.assertFalse(value(self.customer, third))
        self.assertEqual(value(self.customer_b, self.company), until)
        self.assertFalse(value(self.customer_b, self.other))
        self.assertEqual(value(self.customer_b, self.company, "ar_owner_id").id, self.ar_user.id)
        self.assertEqual([value(nobody, c) for c in (self.company, self.other, third)], [until] * 3)

    def test_an_employee_opens_and_finds_the_customer(self):
        self.customer.write({"ar_pause_until": TODAY, "ar_pause_reason": "Lawyer letter pending"})
        Partner = self.env["res.partner"].with_user(self.employee)
        # what the web client reads: the fields of the form as this user gets it
        arch = etree.fromstring(Partner.get_views([(False, "form")])["views"]["form"]["arch"])
        view_fields = {
            node.get("name")
            for node in arch.iter("field")
            if not [a for a in node.iterancestors() if a.tag == "field"]
        }
        self.assertIn("name", view_fields)
        self.assertFalse(view_fields & set(INTERNAL_FIELDS))
        record = Partner.browse(self.customer.id).web_read({name: {} for name in view_fields})
        self.assertEqual(record[0]["name"], "Bharat Steel Traders")
        self.assertIn(
            (self.customer.id, "Bharat Steel Traders"),
            [tuple(r) for r in Partner.name_search("Bharat Steel")],
        )
        self.assertFalse(set(Partner.fields_get()) & set(INTERNAL_FIELDS))
        with self.assertRaises(AccessError):
            Partner.browse(self.customer.id).read(["ar_pause_reason"])
        # editing the customer's tags (which choose its segment) needs no AR right
        tag = self.env["res.partner.category"].create({"name": "Exporter"})
        Partner.browse(self.customer.id).write({"category_id": [Command.link(tag.id)]})
        created = Partner.create({"name": "Walk-in Buyer", "category_id": [Command.set(tag.ids)]})
        self.assertEqual(
            created.sudo().ar_segment_id, self.env.ref("ar_followup.ar_followup_segment_standard")
        )

    def test_the_debtor_sees_no_internal_field_nor_collection_note(self):
        self.customer.write({"ar_owner_id": self.ar_user.id, "ar_tone_override_id": self.formal.id})
        self.env["ar.followup.pause"].with_user(self.ar_user).create(
            {
                "partner_ids": [Command.set(self.customer.ids)],
                "date_until": self.days_before(-20),
                "reason": "Lawyer letter pending",
            }
        ).action_pause()
        self.refresh_ageing()
        self.authenticate("debtor", "debtor")
        for path in ("/my", "/my/receivables"):
            page = self.url_open(path)
            self.assertEqual(page.status_code, 200, path)
            self.assertNotIn("Lawyer letter pending", page.text)
            self.assertNotIn("Formal", page.text)
        note = self.customer.message_ids.filtered(lambda m: "Lawyer letter pending" in m.body)
        self.assertTrue(note.subtype_id.internal)
        self.assertFalse(
            self.env["mail.message"].with_user(self.debtor).search([("id", "in", note.ids)]),
            "the pause note is internal",
        )
