# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Learning what works: the outcome ranking, A/B tests on a step, reminding before the
customer's usual payment day."""

from collections import Counter
from datetime import date, timedelta

from odoo import Command
from odoo.tests import tagged

from ..tools import cadence
from ..tools.outcomes import rank_key, wilson_interval
from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestOutcomes(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["ar.followup.outcome.report"]
        # what an outcome counts does not depend on what the e-mails carry; printing
        # their PDFs would be most of these tests' time
        cls.company.write({"ar_attach_invoices": False, "ar_attach_statement": False})
        cls.template_a = cls.env.ref("ar_followup.template_email_overdue")
        cls.template_b = cls.template_a.copy(
            {"name": "E-mail: overdue, short", "subject": "Short: your invoices are overdue"}
        )
        cls.policy = cls.env["ar.followup.policy"].create(
            {
                "name": "A/B test",
                "min_interval_days": 0,
                "step_ids": [
                    Command.create(
                        {
                            "name": "A week late",
                            "offset_days": 7,
                            "repeat_every_days": 7,
                            "stage": "overdue",
                            "channel": "email",
                            "template_id": cls.template_a.id,
                            "template_b_id": cls.template_b.id,
                        }
                    )
                ],
            }
        )
        cls.step = cls.policy.step_ids
        cls.customers = cls.env["res.partner"].create(
            [
                {
                    "name": "Outcome Customer %02d" % n,
                    "is_company": True,
                    "email": "accounts%02d@outcome.example.in" % n,
                    "lang": "en_US",
                    "ar_policy_id": cls.policy.id,
                }
                for n in range(10)
            ]
        )
        # one invoice of 1,000 each, due a week ago: the step fires today
        invoices = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": customer.id,
                    "invoice_date": cls.days_before(7),
                    "invoice_date_due": cls.days_before(7),
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "price_unit": 1000, "tax_ids": [Command.clear()]}
                        )
                    ],
                }
                for customer in cls.customers
            ]
        )
        invoices.action_post()
        cls.invoices = {invoice.partner_id: invoice for invoice in invoices}
        cls._setup_pay_day()

    def test_ab_split_is_even_and_stable(self):
        """Half the customers in each arm, each keeping its arm when reminded again."""
        # the draw over 200 customers of the step: the arms stay near half and half
        arms = Counter(cadence.ab_arm(partner_id, self.step.id) for partner_id in range(1, 201))
        self.assertGreaterEqual(min(arms["a"], arms["b"]), 80, arms)

        first = self.plan(TODAY).filtered(lambda r: r.partner_id in self.customers)
        self.assertEqual(first.partner_id, self.customers)
        self.assertEqual(set(first.mapped("ab_arm")), {"a", "b"})
        for reminder in first:
            expected = self.template_b if reminder.ab_arm == "b" else self.template_a
            self.assertEqual(reminder._ar_get_template(), expected)

        # the step repeats a week later: planned again, each customer in the same arm
        again = self.plan(TODAY + timedelta(days=7)).filtered(
            lambda r: r.partner_id in self.customers
        )
        self.assertEqual(again.partner_id, self.customers)
        self.assertEqual(
            {r.partner_id: r.ab_arm for r in again}, {r.partner_id: r.ab_arm for r in first}
        )
        # the reminders can be found by arm
        Reminder = self.env["ar.followup.reminder"]
        self.assertEqual(
            Reminder.search_count([("ab_arm", "=", "b"), ("partner_id", "in", self.customers.ids)]),
            Counter(again.mapped("ab_arm"))["b"] * 2,
        )

    def test_ranking_counts_each_arm(self):
        """Some customers pay within a week, some within two, one replies, one promises."""
        reminders = self.plan(TODAY).filtered(lambda r: r.partner_id in self.customers)
        self.dispatch(TODAY)
        # what the customers received: arm B the test template's subject
        for reminder in reminders:
            self.assertEqual(reminder.state, "sent")
            self.assertEqual(
                reminder.subject.startswith("Short:"), reminder.ab_arm == "b", reminder.subject
            )
        by_customer = {r.partner_id: r for r in reminders}
        fast, slow = self.customers[0:3], self.customers[3:5]
        replier, promiser = self.customers[5], self.customers[6]
        for customer in fast:
            day = TODAY + timedelta(days=3)
            with self.frozen(day):
                self._ar_pay(self.invoices[customer], 1000, pay_date=day)
        for customer in slow:
            day = TODAY + timedelta(days=10)
            with self.frozen(day):
                self._ar_pay(self.invoices[customer], 1000, pay_date=day)
        # a payment after the 14 days counts for neither
        late = self.customers[7]
        with self.frozen(TODAY + timedelta(days=20)):
            self._ar_pay(self.invoices[late], 1000, pay_date=TODAY + timedelta(days=20))
        message = by_customer[replier].mail_message_id
        raw = (
            "From: <%s>\r\nTo: ar@example.com\r\nSubject: Re: reminder\r\n"
            "Message-Id: <outcome-reply@example.in>\r\nIn-Reply-To: %s\r\nReferences: %s\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nWe will pay next week.\r\n"
        ) % (replier.email, message.message_id, message.message_id)
        with self.frozen(TODAY + timedelta(days=1)):
            self.env["mail.thread"].message_process(False, raw)
            self.env["ar.followup.promise"].create(
                {
                    "partner_id": promiser.id,
                    "date_promised": TODAY + timedelta(days=30),
                    "amount": 1000,
                }
            )
        self.assertEqual(by_customer[replier].state, "replied")

        def expected(arm):
            mine = [c for c in self.customers if by_customer[c].ab_arm == arm]
            return {
                "sent_count": len(mine),
                "paid_7_count": sum(c in fast for c in mine),
                "paid_14_count": sum(c in fast or c in slow for c in mine),
                "replied_count": sum(c == replier for c in mine),
                "promised_count": sum(c == promiser for c in mine),
                "no_reaction_count": sum(
                    c not in fast and c not in slow and c not in (replier, promiser) for c in mine
                ),
            }

        self.env.invalidate_all()
        domain = [("company_id", "=", self.company.id)]
        arms = self.Report.search([*domain, ("dimension", "=", "step")])
        self.assertEqual(sorted(arms.mapped("ab_arm")), ["a", "b"])
        templates = self.Report.search([*domain, ("dimension", "=", "template")])
        self.assertEqual(templates.template_id, self.template_a | self.template_b)
        for arm, template in (("a", self.template_a), ("b", self.template_b)):
            step_row = arms.filtered(lambda row, arm=arm: row.ab_arm == arm)
            template_row = templates.filtered(lambda row, t=template: row.template_id == t)
            for row in (step_row, template_row):
                counts = {name: row[name] for name in expected(arm)}
                self.assertEqual(counts, expected(arm), arm)
                self.assertLessEqual(row.paid_14_low, row.paid_14_rate)
                self.assertLessEqual(row.paid_14_rate, row.paid_14_high)
            self.assertEqual(step_row.name, "A week late (arm %s)" % arm.upper())
        # every reminder left at 10:00 in the company's time zone, by e-mail
        [hour] = self.Report.search([*domain, ("dimension", "=", "hour")])
        self.assertEqual((hour.name, hour.sent_count), ("10:00", len(self.customers)))
        [channel] = self.Report.search([*domain, ("dimension", "=", "channel")])
        self.assertEqual(
            (channel.name, channel.sent_count, channel.paid_14_count),
            ("E-mail", len(self.customers), len(fast | slow)),
        )
        # an AR user of another company sees none of it
        _other, clerk_b = self._ar_other_company_clerk(chart=False)
        self.assertFalse(self.Report.with_user(clerk_b).search([]))
        self.assertEqual(
            self.Report.with_user(self.ar_user).search(domain), self.Report.search(domain)
        )

    def test_ranking_by_proven_share(self):
        """One reminder paid out of one ranks after eight out of nine: the ranking sorts
        on the interval's lower bound, which the list shows."""
        reminders = self.plan(TODAY).filtered(lambda r: r.partner_id in self.customers)
        lone = self.template_a.copy({"name": "E-mail: overdue, tried once"})
        # the first customer gets the template tried once, the others the usual one
        by_customer = {r.partner_id: r for r in reminders}
        by_customer[self.customers[0]].template_id = lone
        (reminders - by_customer[self.customers[0]]).template_id = self.template_a
        self.dispatch(TODAY)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        # all pay within a week but the last customer
        day = TODAY + timedelta(days=4)
        with self.frozen(day):
            for customer in self.customers[:-1]:
                self._ar_pay(self.invoices[customer], 1000, pay_date=day)

        self.env.invalidate_all()
        rows = self.Report.search(
            [("company_id", "=", self.company.id), ("dimension", "=", "template")]
        )
        counts = {row.template_id: (row.paid_14_count, row.sent_count) for row in rows}
        self.assertEqual(counts, {lone: (1, 1), self.template_a: (8, 9)})
        # by the share alone the lone one would come first; by what is proved, it comes last
        self.assertGreater(rows[1].paid_14_rate, rows[0].paid_14_rate)
        ranked = sorted(counts, key=lambda template: rank_key(*counts[template]))
        self.assertEqual(rows.template_id.ids, [self.template_a.id, lone.id])
        self.assertEqual(rows.template_id.ids, [template.id for template in ranked])
        for row in rows:
            low, high = wilson_interval(row.paid_14_count, row.sent_count)
            self.assertAlmostEqual(row.paid_14_low, low, places=6)
            self.assertAlmostEqual(row.paid_14_high, high, places=6)
            self.assertLess(row.paid_14_low, row.paid_14_rate)
        # the list shows the bound it ranks by
        arch = self.Report.get_view(view_type="list")["arch"]
        self.assertIn('name="paid_14_low"', arch)

    # -- reminding before the usual payment day --------------------------------

    @classmethod
    def _setup_pay_day(cls):
        """A customer who pays on the 25th, one whose usual day is unknown."""
        cls.pay_day_policy = cls.env["ar.followup.policy"].create(
            {
                "name": "Before pay day",
                "pay_day_planning": True,
                "pay_day_lead_days": 3,
                "step_ids": [
                    Command.create(
                        {"name": "Three days late", "offset_days": 3, "stage": "overdue"}
                    )
                ],
            }
        )
        (cls.customer | cls.customer_b).ar_policy_id = cls.pay_day_policy
        # the first customer paid its last two invoices on the 25th
        for month in (4, 5):
            invoice = cls._ar_invoice(
                cls.customer, 500, date(2026, month, 15), invoice_date=date(2026, month, 1)
            )
            cls._ar_pay(invoice, 500, pay_date=date(2026, month, 25))
        # both owe an invoice due on 14 June: the step's day is the 17th
        cls._ar_invoice(cls.customer, 1000, date(2026, 6, 14))
        cls._ar_invoice(cls.customer_b, 1000, date(2026, 6, 14))

    def plan_pay_day(self, day):
        """The reminders of the pay-day policy's customers planned on ``day``."""
        return self.plan(day).filtered(lambda r: r.policy_id == self.pay_day_policy)

    def test_reminded_days_before_usual_pay_day(self):
        """Paying on the 25th, reminded on the 22nd rather than on the step's day, the 17th."""
        self.assertEqual(self.customer.ar_payment_day, 25)
        self.assertFalse(self.customer_b.ar_payment_day)
        # the customer without a usual payment day is reminded on the step's day
        self.assertEqual(self.plan_pay_day(date(2026, 6, 17)).partner_id, self.customer_b)
        self.assertFalse(self.plan_pay_day(date(2026, 6, 21)))
        [reminder] = self.plan_pay_day(date(2026, 6, 22))
        self.assertEqual((reminder.partner_id, reminder.date), (self.customer, date(2026, 6, 22)))

    def test_pay_day_option_off_reminds_on_the_step_day(self):
        self.pay_day_policy.pay_day_planning = False
        self.assertEqual(
            self.plan_pay_day(date(2026, 6, 17)).partner_id, self.customer | self.customer_b
        )
