# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import doctest
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from ..tools import tone as tone_tools
from .common import ArFollowupCommon


@tagged("post_install", "-at_install")
class TestSegmentTone(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.standard = ref("ar_followup.ar_followup_segment_standard")
        cls.vip = ref("ar_followup.ar_followup_segment_vip")
        cls.government = ref("ar_followup.ar_followup_segment_government")
        cls.gov_tag = ref("ar_followup.res_partner_category_government")
        cls.gentle = ref("ar_followup.ar_followup_tone_gentle")
        cls.neutral = ref("ar_followup.ar_followup_tone_neutral")
        cls.firm = ref("ar_followup.ar_followup_tone_firm")
        cls.formal = ref("ar_followup.ar_followup_tone_formal")

    def _tone(self, partner):
        partner.invalidate_recordset(["ar_tone_id", "ar_tone_reason"])
        partner = partner.with_user(self.ar_user)
        return partner.ar_tone_id, partner.ar_tone_reason

    def _loyal_history(self, partner):
        """A customer since June 2014, one invoice paid 10 days late in the last 12 months."""
        first = self._ar_invoice(partner, 500, date(2014, 6, 2))
        self._ar_pay(first, 500, date(2014, 6, 2))
        late = self._ar_invoice(
            partner, 800, self.days_before(40), invoice_date=self.days_before(70)
        )
        self._ar_pay(late, 800, self.days_before(30))

    def _flush_tracking(self):
        """Write pending tracking messages, as a commit would (the fixtures leave some)."""
        self.env.flush_all()
        self.cr.precommit.run()

    def _tracked(self, partner, field):
        """(old, new) values of ``field`` in the customer's tracking messages, newest first."""
        self._flush_tracking()
        partner.invalidate_recordset(["message_ids"])
        return [
            (value.old_value_char, value.new_value_char)
            for value in partner.message_ids.tracking_value_ids
            if value.field_id.name == field
        ]

    def test_tone_tools_doctests(self):
        result = doctest.testmod(tone_tools)
        self.assertFalse(result.failed)
        self.assertGreater(result.attempted, 15)

    def test_segment_from_tags_and_by_hand(self):
        self.assertEqual(self.customer.ar_segment_id, self.standard)
        public = self._ar_create_customer(
            "Municipal Corporation", category_id=[Command.link(self.gov_tag.id)]
        )
        self.assertEqual(
            public.ar_segment_id, self.government, "the Government tag gives the segment"
        )
        # moved by hand: kept when unrelated tags change
        self._flush_tracking()
        self.customer.with_context(
            tracking_disable=False, mail_notrack=False
        ).ar_segment_id = self.vip
        self.assertIn(("Standard", "VIP"), self._tracked(self.customer, "ar_segment_id"))
        retail = self.env["res.partner.category"].create({"name": "Retail"})
        self.customer.category_id = [Command.link(retail.id)]
        self.assertEqual(self.customer.ar_segment_id, self.vip)
        # a tag matching a segment wins; losing it falls back to Standard
        self.customer.category_id = [Command.link(self.gov_tag.id)]
        self.assertEqual(self.customer.ar_segment_id, self.government)
        self.customer.category_id = [Command.unlink(self.gov_tag.id)]
        self.assertEqual(self.customer.ar_segment_id, self.standard)
        # the first segment by sequence wins when several match
        self.vip.partner_category_ids = [Command.link(retail.id)]
        self.customer.category_id = [Command.link(self.gov_tag.id)]
        self.assertEqual(self.customer.ar_segment_id, self.vip)
        # the customer list groups by segment
        groups = (
            self.env["res.partner"]
            .with_user(self.ar_user)
            ._read_group(
                [("id", "in", (self.customer | self.customer_b | public).ids)],
                ["ar_segment_id"],
                ["__count"],
            )
        )
        self.assertEqual(
            {segment.name: count for segment, count in groups},
            {"VIP": 1, "Standard": 1, "Government": 1},
        )

    def test_long_standing_customer_rarely_late_is_gentle(self):
        self._loyal_history(self.customer)
        self.assertEqual(
            self._tone(self.customer),
            (
                self.gentle,
                "Rule 'Long-standing, rarely late': customer for 12 years, 1 late invoice in 12 months",
            ),
        )

    def test_new_customer_often_late_is_firm(self):
        for due in (100, 60, 20):
            self._ar_invoice(
                self.customer_b,
                1000,
                self.days_before(due),
                invoice_date=self.days_before(due + 30),
            )
        self.assertEqual(
            self._tone(self.customer_b),
            (
                self.firm,
                "Rule 'New and often late': customer for 4 months, 3 late invoices in 12 months",
            ),
        )

    def test_government_is_formal(self):
        public = self._ar_create_customer(
            "Municipal Corporation", category_id=[Command.link(self.gov_tag.id)]
        )
        self._loyal_history(public)
        self.assertEqual(
            self._tone(public), (self.formal, "Rule 'Public body': segment Government")
        )

    def test_slow_payer_is_firm(self):
        invoice = self._ar_invoice(
            self.customer, 1000, self.days_before(100), invoice_date=date(2024, 1, 10)
        )
        self._ar_pay(invoice, 1000, self.days_before(60))
        self.assertEqual(
            self._tone(self.customer),
            (self.firm, "Rule 'Pays over a month late': 40 days late on average"),
        )

    def test_otherwise_the_segment_tone(self):
        self.assertEqual(
            self._tone(self.customer),
            (self.neutral, "No rule matched: default tone of segment 'Standard'"),
        )
        self.customer.ar_segment_id = self.vip
        self.assertEqual(
            self._tone(self.customer),
            (self.gentle, "No rule matched: default tone of segment 'VIP'"),
        )
        self.vip.tone_id = False
        self.assertEqual(self._tone(self.customer), (self.neutral, "No rule matched"))

    def test_override_wins_and_shows_on_the_form(self):
        for due in (100, 60, 20):
            self._ar_invoice(self.customer, 1000, self.days_before(due))
        self.assertEqual(self._tone(self.customer)[0], self.firm)
        editor = self.ar_user
        self._flush_tracking()
        with Form(
            self.customer.with_user(editor).with_context(tracking_disable=False, mail_notrack=False)
        ) as form:
            self.assertEqual(form.ar_tone_id, self.firm)
            form.ar_tone_override_id = self.gentle
            self.assertEqual(
                (form.ar_tone_id, form.ar_tone_reason), (self.gentle, "Manual override")
            )
        self.assertEqual(self._tone(self.customer), (self.gentle, "Manual override"))
        self.assertIn(("", "Gentle"), self._tracked(self.customer, "ar_tone_override_id"))

    def test_escalation_makes_the_tone_firmer(self):
        self.customer.ar_tone_escalation = 1
        self.assertEqual(
            self._tone(self.customer),
            (
                self.firm,
                "No rule matched: default tone of segment 'Standard'; escalated 1 step(s) from Neutral",
            ),
        )
        self.customer.ar_tone_escalation = 5
        self.assertEqual(self._tone(self.customer)[0], self.formal, "capped at the firmest tone")
        self.customer.ar_tone_override_id = self.gentle
        self.customer.ar_tone_escalation = 1
        self.assertEqual(
            self._tone(self.customer),
            (self.neutral, "Manual override; escalated 1 step(s) from Gentle"),
        )
        # what the cadence engine calls, for a contact too
        contact = self.env["res.partner"].create(
            {"name": "Accounts Desk", "parent_id": self.customer.id}
        )
        self.assertEqual(contact._ar_get_effective_tone(), self.neutral)
        self.assertEqual(
            (self.customer | self.customer_b)._ar_get_tones(),
            {
                self.customer.id: (
                    self.neutral,
                    "Manual override; escalated 1 step(s) from Gentle",
                ),
                self.customer_b.id: (
                    self.neutral,
                    "No rule matched: default tone of segment 'Standard'",
                ),
            },
        )

    def test_broken_promise_makes_the_tone_firmer(self):
        invoice = self._ar_invoice(self.customer, 1000, self.days_before(10))
        promise = self.env["ar.followup.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(invoice.ids)],
                "date_promised": self.days_before(5),
                "date": self.days_before(6),
            }
        )
        promise._ar_break()
        self.assertEqual(self._tone(self.customer)[0], self.firm)

    def test_tones_are_set_based(self):
        """Reading the tone of 8 customers costs the same queries as of 2."""
        customers = self.env["res.partner"].browse(
            [self._ar_create_customer("Customer %s" % i).id for i in range(8)]
        )
        for customer in customers:
            self._ar_invoice(customer, 100, self.days_before(10))
        counts = []
        # the first read also fills caches that outlive invalidation (xml ids, record rules)
        for partners in (customers, customers[:2], customers):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            self.env["res.partner"].browse(partners.ids).mapped("ar_tone_reason")
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[1], counts[2])

    def test_rules_are_configured_by_managers(self):
        Rule = self.env["ar.followup.tone.rule"]
        with self.assertRaises(AccessError):
            Rule.with_user(self.ar_user).create({"name": "Mine", "tone_id": self.firm.id})
        rule = Rule.with_user(self.ar_manager).create(
            {
                "name": "Mid-size, late",
                "sequence": 50,
                "tone_id": self.firm.id,
                "min_relationship_years": 1,
                "max_relationship_years": 3,
                "min_late_invoices": 2,
                "segment_ids": [Command.set(self.vip.ids)],
            }
        )
        self.assertEqual(
            rule.with_user(self.ar_user).conditions,
            "customer for 1 to 3 years, at least 2 late invoices in 12 months, segment VIP",
        )
        with self.assertRaises(ValidationError):
            rule.max_relationship_years = 1
        self.assertEqual(
            Rule.with_user(self.ar_user).search([]).mapped("name"),
            [
                "Public body",
                "Long-standing, rarely late",
                "New and often late",
                "Pays over a month late",
                "Mid-size, late",
            ],
        )

    def test_other_company_cannot_read_company_rules(self):
        other, clerk_b = self._ar_other_company_clerk()
        rule = self.env["ar.followup.tone.rule"].create(
            {
                "name": "Strict in India",
                "sequence": 1,
                "tone_id": self.firm.id,
                "company_id": self.company.id,
            }
        )
        segment = self.env["ar.followup.segment"].create(
            {"name": "Exporters", "company_id": self.company.id}
        )
        Rule_b = self.env["ar.followup.tone.rule"].with_user(clerk_b)
        self.assertNotIn(rule, Rule_b.search([]))
        self.assertIn(self.env.ref("ar_followup.ar_followup_tone_rule_loyal"), Rule_b.search([]))
        with self.assertRaises(AccessError):
            Rule_b.browse(rule.id).read(["name"])
        with self.assertRaises(AccessError):
            self.env["ar.followup.segment"].with_user(clerk_b).browse(segment.id).read(["name"])
        # the company rule applies in its company only
        self.assertEqual(self._tone(self.customer), (self.firm, "Rule 'Strict in India'"))
        tone_b = self.customer.with_user(clerk_b).with_company(other)
        self.assertEqual(tone_b.ar_tone_id, self.neutral)


@tagged("post_install", "-at_install")
class TestPolicy(ArFollowupCommon):
    """Which cadence policy applies: the customer's own, else its segment's."""

    def test_policy_from_segment_or_override(self):
        standard = self.env.ref("ar_followup.ar_followup_policy_standard")
        soft = self.env.ref("ar_followup.ar_followup_policy_soft")
        formal = self.env.ref("ar_followup.ar_followup_policy_formal")
        self.assertEqual(
            self.customer.ar_segment_id, self.env.ref("ar_followup.ar_followup_segment_standard")
        )
        self.assertEqual(self.customer._ar_get_policies()[self.customer.id], standard)
        self.customer.ar_segment_id = self.env.ref("ar_followup.ar_followup_segment_vip")
        self.assertEqual(self.customer._ar_get_policies()[self.customer.id], soft)
        self.assertTrue(soft.need_approval, "VIP reminders wait for approval")
        self.env.cr.precommit.run()
        self.customer.with_user(self.ar_user).with_context(
            tracking_disable=False, mail_notrack=False
        ).ar_policy_id = formal
        self.assertEqual(self.customer._ar_get_policies()[self.customer.id], formal)
        self.env.cr.precommit.run()  # tracking is written when the transaction commits
        self.assertIn(
            "Cadence Override",
            "\n".join(
                self.customer.message_ids.tracking_value_ids.field_id.mapped("field_description")
            ),
        )
        government = self.env.ref("ar_followup.ar_followup_segment_government")
        self.assertEqual(government.policy_id, formal)
