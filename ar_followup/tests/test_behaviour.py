# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import format_date

from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestBehaviour(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A payment history computed by hand (today: 15 June 2026, 12 months back: 15 June 2025).
        invoice = cls._ar_invoice
        pay = cls._ar_pay
        # before the last 12 months: starts the relationship, nothing else
        inv_1 = invoice(cls.customer, 1000, date(2025, 3, 31), invoice_date=date(2025, 3, 1))
        pay(inv_1, 1000, date(2025, 4, 10))
        # paid in the last 12 months: 36, 23 and 54 days to pay; 6, 0 and 24 days late
        inv_2 = invoice(cls.customer, 2000, date(2026, 2, 4), invoice_date=date(2026, 1, 5))
        pay(inv_2, 2000, date(2026, 2, 10))
        inv_3 = invoice(cls.customer, 3000, date(2026, 4, 1), invoice_date=date(2026, 3, 2))
        pay(inv_3, 3000, date(2026, 3, 25))
        inv_4 = invoice(cls.customer, 1500, date(2026, 5, 1), invoice_date=date(2026, 4, 1))
        pay(inv_4, 1000, date(2026, 5, 12))
        pay(inv_4, 500, date(2026, 5, 25))  # paid in full on the 25th
        # overdue: late; not yet due: not late
        invoice(cls.customer, 700, date(2026, 5, 20), invoice_date=date(2026, 4, 20))
        invoice(cls.customer, 900, date(2026, 7, 1), invoice_date=date(2026, 6, 1))
        # credited in full: neither paid nor late
        inv_7 = invoice(cls.customer, 400, date(2026, 3, 3), invoice_date=date(2026, 2, 1))
        inv_7._reverse_moves([{"invoice_date": date(2026, 3, 10)}], cancel=True)

    def _behaviour(self, partner):
        partner = partner.with_user(self.ar_user)
        partner.invalidate_recordset()
        return {
            "start": partner.ar_relationship_start,
            "last_date": partner.ar_last_payment_date,
            "last_amount": partner.ar_last_payment_amount,
            "to_pay": partner.ar_avg_days_to_pay,
            "late": partner.ar_avg_days_late,
            "day": partner.ar_payment_day,
            "late_count": partner.ar_late_invoice_count,
            "paid_count": partner.ar_paid_invoice_count,
        }

    def test_behaviour_from_payment_history(self):
        self.assertEqual(
            self._behaviour(self.customer),
            {
                "start": date(2025, 3, 1),
                "last_date": date(2026, 5, 25),
                "last_amount": 500,
                "to_pay": 38,  # (36 + 23 + 54) / 3
                "late": 10,  # (6 + 0 + 24) / 3
                "day": 25,  # 10 Feb, 25 Mar, 12 May, 25 May
                "late_count": 3,  # invoices 2 and 4 paid late, invoice 5 overdue
                "paid_count": 3,
            },
        )
        self.assertEqual(
            self._behaviour(self.customer_b),
            {
                "start": False,
                "last_date": False,
                "last_amount": 0,
                "to_pay": 0,
                "late": 0,
                "day": 0,
                "late_count": 0,
                "paid_count": 0,
            },
        )
        # the tone rules read the same facts: 1.3 years, 3 late invoices, 10 days late
        self.assertEqual(
            self.customer._ar_get_tones()[self.customer.id][1],
            "No rule matched: default tone of segment 'Standard'",
        )
        # a contact shows its company's behaviour
        contact = self.env["res.partner"].create(
            {"name": "Accounts Desk", "parent_id": self.customer.id}
        )
        self.assertEqual(self._behaviour(contact)["last_date"], date(2026, 5, 25))

    def test_behaviour_moves_with_time(self):
        with self.frozen(date(2027, 3, 1)):
            self.env.invalidate_all()
            behaviour = self._behaviour(self.customer)
        # the 12 months now start on 1 March 2026: invoice 2 (paid 10 February) left them
        self.assertEqual(behaviour["paid_count"], 2)
        self.assertEqual(behaviour["to_pay"], 39)  # (23 + 54) / 2, rounded
        self.assertEqual(
            behaviour["late_count"], 3, "invoice 4 paid late, invoices 5 and 6 overdue"
        )

    def test_behaviour_is_set_based(self):
        """Reading the behaviour of 8 customers costs the same queries as of 2."""
        customers = self.env["res.partner"].browse(
            [self._ar_create_customer("C%s" % i).id for i in range(8)]
        )
        for customer in customers:
            self._ar_pay(
                self._ar_invoice(customer, 100, self.days_before(10)), 100, self.days_before(5)
            )
        counts = []
        # the first read also fills caches that outlive invalidation (xml ids, record rules)
        for partners in (customers, customers[:2], customers):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            self.env["res.partner"].browse(partners.ids).mapped("ar_avg_days_late")
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[1], counts[2])
        self.assertEqual(customers[:1]._ar_get_behaviour()[customers[0].id]["avg_days_late"], 5)

    def test_pause_wizard_from_the_customer_list(self):
        customers = self.customer | self.customer_b
        until = self.days_before(-15)
        wizard = Form(
            self.env["ar.followup.pause"]
            .with_user(self.ar_user)
            .with_context(
                active_model="res.partner",
                active_ids=customers.ids,
            )
        )
        wizard.date_until = until
        wizard.reason = "Year-end closing"
        record = wizard.save()
        self.assertEqual(record.partner_ids, customers)
        record.action_pause()
        note = "Follow-up paused until %s: Year-end closing" % format_date(self.env, until)
        for customer in customers:
            self.assertEqual(
                (customer.ar_pause_until, customer.ar_pause_reason), (until, "Year-end closing")
            )
            self.assertEqual(self.chatter(customer)[0], note)
        # reminders are suspended until that day included, like a dispute would
        self.assertEqual(customers._ar_get_suspensions(TODAY)[self.customer.id]["partner"], note)
        self.assertTrue(self.customer.with_user(self.ar_user).ar_followup_suspended)
        self.assertEqual(self.customer.ar_followup_suspension_reason, note)
        self.assertEqual(
            self.env["res.partner"].search([("ar_followup_suspended", "=", True)]) & customers,
            customers,
        )
        self.assertEqual(customers._ar_get_suspensions(until)[self.customer_b.id]["partner"], note)
        self.assertIsNone(
            customers._ar_get_suspensions(self.days_before(-16))[self.customer_b.id]["partner"]
        )
        # resumed by hand from the customer form
        self.customer.with_user(self.ar_user).action_ar_resume_followup()
        self.assertFalse(self.customer.ar_pause_until)
        self.assertEqual(self.chatter(self.customer)[0], "Follow-up resumed.")
        self.assertIsNone(customers._ar_get_suspensions(TODAY)[self.customer.id]["partner"])
        # not for whoever merely reads contacts
        salesman = new_test_user(self.env, login="salesman", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.customer_b.with_user(salesman).action_ar_resume_followup()

    def test_pause_from_a_contact_pauses_its_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Accounts Desk", "parent_id": self.customer.id}
        )
        wizard = (
            self.env["ar.followup.pause"]
            .with_context(
                active_model="res.partner",
                active_ids=contact.ids,
            )
            .create({"date_until": TODAY, "reason": "Owner travelling"})
        )
        wizard.action_pause()
        self.assertEqual(self.customer.ar_pause_until, TODAY)
        self.assertFalse(contact.ar_pause_until)
        with self.assertRaises(UserError):
            wizard.date_until = self.days_before(1)
            wizard.action_pause()

    def test_contact_preferences_are_tracked(self):
        self.assertEqual(self.customer.ar_channel, "email")
        editor = self.ar_user
        self.env.flush_all()
        self.cr.precommit.run()  # pending tracking of the fixtures, with tracking disabled
        with Form(
            self.customer.with_user(editor).with_context(tracking_disable=False, mail_notrack=False)
        ) as form:
            form.ar_channel = "sms"
            form.ar_no_email = True
        self.assertFalse(self.customer._ar_is_channel_allowed("email"))
        self.assertTrue(self.customer._ar_is_channel_allowed("sms"))
        self.assertTrue(self.customer._ar_is_channel_allowed("carrier_pigeon"), "no flag, no block")
        self.env.flush_all()
        self.cr.precommit.run()  # tracking is written when the transaction commits
        self.customer.invalidate_recordset(["message_ids"])
        tracked = {
            value.field_id.name: (value.old_value_char, value.new_value_char)
            for value in self.customer.message_ids.tracking_value_ids
        }
        self.assertEqual(tracked["ar_channel"], ("E-mail", "SMS"))
        self.assertIn("ar_no_email", tracked)
