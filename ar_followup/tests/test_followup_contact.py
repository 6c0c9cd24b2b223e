# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Follow-up contacts: who receives a customer's reminders, distinct from its invoicing
contacts, each checked alone, and the reminder saying whom it went to and why."""

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ArFollowupCommon


@tagged("post_install", "-at_install")
class TestFollowupContact(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["ar.followup.reminder"]
        cls.step = {
            key: cls.env.ref("ar_followup.ar_followup_policy_step_standard_%s" % key)
            for key in ("first", "repeat", "final")
        }
        Partner = cls.env["res.partner"]
        # invoices go to a scanning mailbox: not who pays
        cls.scanner = Partner.create(
            {
                "name": "Invoice Scanning",
                "type": "invoice",
                "parent_id": cls.customer.id,
                "email": "scan@bharat.example.in",
                "phone": "+91 98450 11223",
            }
        )
        cls.priya, cls.anil, cls.rahul, cls.meera, cls.vikram = (
            Partner.create({"name": name, "parent_id": cls.customer.id, **vals})
            for name, vals in (
                ("Priya Nair", {"email": "priya@bharat.example.in", "phone": "+91 98200 55555"}),
                ("Anil Rao", {"email": "anil@bharat.example.in"}),
                ("Rahul Mehta", {"email": "rahul@bharat.example.in"}),
                ("Meera Iyer", {"email": "cfo@bharat.example.in"}),
                ("Vikram Shah", {"email": "md@bharat.example.in"}),
            )
        )

    def add_contacts(self, *specs):
        """Follow-up contacts of the first customer: ``(person, role, step key or None)``."""
        return self.env["ar.followup.contact"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "contact_id": person.id,
                    "role": role,
                    "step_id": self.step[step].id if step else False,
                }
                for person, role, step in specs
            ]
        )

    def test_reminder_goes_to_followup_contacts_and_says_why(self):
        """To and Cc replace the invoicing contacts; an escalation contact joins from its
        step on; a customer without follow-up contacts keeps today's rule."""
        self.add_contacts(
            (self.priya, "to", None),
            (self.rahul, "cc", None),
            (self.meera, "escalation", "repeat"),
            (self.vikram, "escalation", "final"),
        )
        # 15 days overdue: the step "every 15 days", after "first" and before "final"
        self._ar_invoice(self.customer, 1000, self.days_before(15))
        self._ar_invoice(self.customer_b, 700, self.days_before(15))
        self.refresh_ageing()
        reminders = self.plan()
        self.dispatch()
        mine = reminders.filtered(lambda r: r.partner_id == self.customer)
        theirs = reminders - mine
        self.assertEqual((mine.state, mine.step_id), ("sent", self.step["repeat"]))
        self.assertEqual(mine.mail_message_id.partner_ids, self.priya | self.rahul | self.meera)
        self.assertEqual(
            mine.recipient_note,
            "To: Priya Nair (follow-up contact); Cc: Rahul Mehta (follow-up contact), "
            "Meera Iyer (escalation from step Reminder every 15 days)",
        )
        self.assertEqual(theirs.mail_message_id.partner_ids, self.customer_b)
        self.assertEqual(theirs.recipient_note, "To: Coastal Agro Foods (the customer's own address)")

    def test_escalation_contact_waits_for_its_step(self):
        """Before the escalation step, the reminder reaches the To contacts (or the
        invoicing contacts) only."""
        self.add_contacts((self.rahul, "cc", None), (self.meera, "escalation", "repeat"))
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        self.refresh_ageing()
        [reminder] = self.plan()
        self.dispatch()
        self.assertEqual(reminder.step_id, self.step["first"])
        self.assertEqual(reminder.mail_message_id.partner_ids, self.scanner | self.rahul)
        self.assertEqual(
            reminder.recipient_note,
            "To: Invoice Scanning (invoicing contact); Cc: Rahul Mehta (follow-up contact)",
        )

    def test_opt_out_of_one_contact_skips_only_that_one(self):
        self.add_contacts(
            (self.priya, "to", None), (self.anil, "to", None), (self.rahul, "cc", None)
        )
        self.priya.ar_no_email = True
        self.env["mail.blacklist"].sudo()._add(self.rahul.email)
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        self.refresh_ageing()
        [reminder] = self.plan()
        self.dispatch()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.mail_message_id.partner_ids, self.anil)
        self.assertEqual(reminder.recipient_note, "To: Anil Rao (follow-up contact)")
        # the last one opts out: nobody is written to, not the invoicing contact instead
        self.anil.ar_no_email = True
        problems = self.Reminder._ar_email_contact_problems(self.customer)
        self.assertEqual(
            problems[self.customer.id],
            ("do_not_contact", "E-mail: every address is blacklisted or refuses e-mail reminders."),
        )

    def test_phone_channels_use_the_followup_contact_with_the_channel(self):
        """A To contact taking SMS is texted instead of the invoicing contact; one without
        the SMS channel is not; one refusing SMS leaves nobody to text."""
        [priya] = self.add_contacts((self.priya, "to", None))
        self.assertEqual(
            self.Reminder._ar_get_sms_numbers(self.customer)[self.customer.id],
            (None, "+919820055555", None),
        )
        priya.channel_ids = priya.channel_ids.filtered(lambda c: c.code != "sms")
        self.assertEqual(
            self.Reminder._ar_get_sms_numbers(self.customer)[self.customer.id],
            (None, "+919845011223", None),
            "the invoicing contact's number, as before",
        )
        priya.channel_ids = self.env["ar.followup.channel"].search(
            [("company_id", "=", self.company.id)]
        )
        self.priya.ar_no_sms = True
        self.assertEqual(
            self.Reminder._ar_get_sms_numbers(self.customer)[self.customer.id],
            ("do_not_contact", None, "SMS: every follow-up contact refuses these reminders."),
        )

    def test_contacts_are_per_company(self):
        other, clerk_b = self._ar_other_company_clerk()
        self.env["ar.followup.contact"].create(
            {
                "partner_id": self.customer.id,
                "company_id": other.id,
                "contact_id": self.priya.id,
                "channel_ids": [
                    Command.set(
                        self.env["ar.followup.channel"]
                        .search([("company_id", "=", other.id)])
                        .ids
                    )
                ],
            }
        )
        recipients = self.Reminder._ar_get_email_recipients(self.customer, company=self.company)
        self.assertEqual(recipients[self.customer.id], self.scanner, "not the other company's")
        Contact = self.env["ar.followup.contact"]
        self.assertEqual(Contact.with_user(self.ar_user).search_count([]), 0)
        self.assertEqual(Contact.with_user(clerk_b).search([]).contact_id, self.priya)

    def test_escalation_needs_a_step_and_customers_own_contacts(self):
        with self.assertRaisesRegex(ValidationError, "Choose the step"):
            self.add_contacts((self.meera, "escalation", None))
        with self.assertRaisesRegex(ValidationError, "belong to the customer Bharat"):
            self.env["ar.followup.contact"].create(
                {"partner_id": self.scanner.id, "contact_id": self.priya.id}
            )
