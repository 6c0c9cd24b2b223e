# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Follow-up contacts: who receives a customer's reminders, distinct from its invoicing
contacts, each checked alone, and the reminder saying whom it went to and why; the
debtor's proposal from the receivables page, reviewed by the AR team."""

import email
from email.utils import getaddresses

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import BaseCase, tagged
from odoo.tools.mail import email_normalize_all

from ..models.ar_followup_reminder.channel_email import email_addresses
from .test_receivables_page import CSRF, ReceivablesPageCommon


@tagged("post_install", "-at_install")
class TestEmailAddresses(BaseCase):
    def test_addresses_checked_as_odoo_parses_them(self):
        """Each address of an e-mail field is checked against the blacklist: the
        planner's reading of a field is Odoo's, a bare address read without parsing."""
        fields = (
            "Priya.Nair@Deccan.Example.IN",
            "ap+invoices@deccan-motors.example.in",
            "ap@deccan.example.in, CFO@deccan.example.in",
            "ap@deccan.example.in;cfo@deccan.example.in",
            '"Accounts, Deccan" <Accounts@Deccan.example.in>',
            "Accounts <accounts@deccan.example.in>",
            "accounts@deccan.example.in ",
            "priya..nair@deccan.example.in",
            ".priya@deccan.example.in",
            "priya@deccan",
            "प्रिया@deccan.example.in",
            "@deccan.example.in",
            "no address",
            "",
            False,
        )
        for field in fields:
            self.assertEqual(email_addresses(field), set(email_normalize_all(field)), field)
        self.assertEqual(
            email_addresses("Priya.Nair@Deccan.Example.IN"), {"priya.nair@deccan.example.in"}
        )


@tagged("post_install", "-at_install")
class TestFollowupContact(ReceivablesPageCommon):
    """One class for the recipients and the page's form: one fixture to build."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the PDFs e-mails carry are not what these tests are about
        cls.company.write({"ar_attach_invoices": False, "ar_attach_statement": False})
        cls.Reminder = cls.env["ar.followup.reminder"]
        cls.deccan = cls._ar_create_customer("Deccan Motors", phone="+91 98200 12399")
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
                "parent_id": cls.deccan.id,
                "email": "scan@deccan.example.in",
                "phone": "+91 98450 11223",
            }
        )
        cls.priya, cls.anil, cls.rahul, cls.meera, cls.vikram = (
            Partner.create({"name": name, "parent_id": cls.deccan.id, **vals})
            for name, vals in (
                ("Priya Nair", {"email": "priya@deccan.example.in", "phone": "+91 98200 55555"}),
                ("Anil Rao", {"email": "anil@deccan.example.in"}),
                ("Rahul Mehta", {"email": "rahul@deccan.example.in"}),
                ("Meera Iyer", {"email": "cfo@deccan.example.in"}),
                ("Vikram Shah", {"email": "md@deccan.example.in"}),
            )
        )

    def add_contacts(self, *specs):
        """Follow-up contacts of Deccan Motors: ``(person, role, step key or None)``."""
        return self.env["ar.followup.contact"].create(
            [
                {
                    "partner_id": self.deccan.id,
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
        self._ar_invoice(self.deccan, 1000, self.days_before(15))
        self.refresh_ageing()
        reminders = self.plan()
        self.dispatch()
        mine = reminders.filtered(lambda r: r.partner_id == self.deccan)
        theirs = reminders.filtered(lambda r: r.partner_id == self.customer_b)
        self.assertEqual((mine.state, mine.step_id), ("sent", self.step["repeat"]))
        self.assertEqual(mine.mail_message_id.partner_ids, self.priya | self.rahul | self.meera)
        self.assertEqual(
            mine.recipient_note,
            "To: Priya Nair (follow-up contact); Cc: Rahul Mehta (follow-up contact), "
            "Meera Iyer (escalation from step Reminder every 15 days)",
        )
        self.assertEqual(theirs.mail_message_id.partner_ids, self.customer_b)
        self.assertEqual(
            theirs.recipient_note, "To: Coastal Agro Foods (the customer's own address)"
        )

    def test_escalation_contact_waits_for_its_step(self):
        """Before the escalation step, the reminder reaches the To contacts (or the
        invoicing contacts) only."""
        self.add_contacts((self.rahul, "cc", None), (self.meera, "escalation", "repeat"))
        self._ar_invoice(self.deccan, 1000, self.days_before(7))
        self.refresh_ageing()
        reminder = self.plan().filtered(lambda r: r.partner_id == self.deccan)
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
        self._ar_invoice(self.deccan, 1000, self.days_before(7))
        self.refresh_ageing()
        reminder = self.plan().filtered(lambda r: r.partner_id == self.deccan)
        self.dispatch()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.mail_message_id.partner_ids, self.anil)
        self.assertEqual(reminder.recipient_note, "To: Anil Rao (follow-up contact)")
        # the last one opts out: nobody is written to, not the invoicing contact instead
        self.anil.ar_no_email = True
        problems = self.Reminder._ar_email_contact_problems(self.deccan)
        self.assertEqual(
            problems[self.deccan.id],
            ("do_not_contact", "E-mail: every address is blacklisted or refuses e-mail reminders."),
        )

    def test_email_addresses_to_contacts_and_copies_cc_contacts(self):
        """The e-mail as each contact's mail server receives it: the *To* contacts in
        ``To:``, the *Cc* and *Escalation* contacts in ``Cc:``, one copy per person sent
        to that person's address alone; a copied contact who refuses e-mail reminders
        or is blacklisted is in neither header and gets no copy."""
        self.company.partner_id.email = "accounts@ar-test.example.in"
        sunita = self.env["res.partner"].create(
            {"name": "Sunita Rao", "parent_id": self.deccan.id, "email": "sunita@deccan.example.in"}
        )
        self.add_contacts(
            (self.priya, "to", None),
            (self.anil, "to", None),
            (self.rahul, "cc", None),
            (self.meera, "escalation", "first"),
            (self.vikram, "cc", None),
            (sunita, "cc", None),
        )
        self.vikram.ar_no_email = True
        self.env["mail.blacklist"].sudo()._add(sunita.email)
        self._ar_invoice(self.deccan, 1000, self.days_before(7))
        self.refresh_ageing()
        reminder = self.plan().filtered(lambda r: r.partner_id == self.deccan)
        self.dispatch()
        messages = self._ar_deliver(reminder)
        self.env.invalidate_all()
        received = {
            tuple(recipients): email.message_from_bytes(raw)
            for _sender, recipients, raw in messages
        }
        people = self.priya | self.anil | self.rahul | self.meera
        self.assertEqual(sorted(received), sorted((p.email,) for p in people))
        for person in people:
            message = received[(person.email,)]
            # each copy keeps its recipient's own one-click unsubscribe
            self.assertIn("/ar_followup/unsubscribe/%s/" % person.id, message["List-Unsubscribe"])
            self.assertEqual(
                sorted(getaddresses(message.get_all("To"))),
                [("Anil Rao", self.anil.email), ("Priya Nair", self.priya.email)],
            )
            self.assertEqual(
                sorted(getaddresses(message.get_all("Cc"))),
                [("Meera Iyer", self.meera.email), ("Rahul Mehta", self.rahul.email)],
            )
        self.assertEqual(reminder.state, "delivered")
        self.assertEqual(
            reminder.recipient_note,
            "To: Priya Nair (follow-up contact), Anil Rao (follow-up contact); Cc: Rahul Mehta "
            "(follow-up contact), Meera Iyer (escalation from step First reminder)",
        )
        # nobody left to address: the copied contacts are addressed instead
        self.assertEqual(
            reminder._ar_split_recipients(self.rahul | self.meera),
            (self.rahul | self.meera, self.env["res.partner"]),
        )

    def test_phone_channels_use_the_followup_contact_with_the_channel(self):
        """A To contact taking SMS is texted instead of the invoicing contact; one without
        the SMS channel is not; one refusing SMS leaves nobody to text."""
        [priya] = self.add_contacts((self.priya, "to", None))
        self.assertEqual(
            self.Reminder._ar_get_sms_numbers(self.deccan)[self.deccan.id],
            (None, "+919820055555", None),
        )
        priya.channel_ids = priya.channel_ids.filtered(lambda c: c.code != "sms")
        self.assertEqual(
            self.Reminder._ar_get_sms_numbers(self.deccan)[self.deccan.id],
            (None, "+919845011223", None),
            "the invoicing contact's number, as before",
        )
        priya.channel_ids = self.env["ar.followup.channel"].search(
            [("company_id", "=", self.company.id)]
        )
        self.priya.ar_no_sms = True
        self.assertEqual(
            self.Reminder._ar_get_sms_numbers(self.deccan)[self.deccan.id],
            ("do_not_contact", None, "SMS: every follow-up contact refuses these reminders."),
        )

    def test_contacts_are_per_company(self):
        other, clerk_b = self._ar_other_company_clerk(chart=False)
        self.env["ar.followup.contact"].create(
            {
                "partner_id": self.deccan.id,
                "company_id": other.id,
                "contact_id": self.priya.id,
                "channel_ids": [
                    Command.set(
                        self.env["ar.followup.channel"].search([("company_id", "=", other.id)]).ids
                    )
                ],
            }
        )
        recipients = self.Reminder._ar_get_email_recipients(self.deccan, company=self.company)
        self.assertEqual(recipients[self.deccan.id], self.scanner, "not the other company's")
        Contact = self.env["ar.followup.contact"]
        self.assertEqual(Contact.with_user(self.ar_user).search_count([]), 0)
        self.assertEqual(Contact.with_user(clerk_b).search([]).contact_id, self.priya)

    def test_escalation_needs_a_step_and_customers_own_contacts(self):
        with self.assertRaisesRegex(ValidationError, "Choose the step"):
            self.add_contacts((self.meera, "escalation", None))
        with self.assertRaisesRegex(ValidationError, "belong to the customer Deccan"):
            self.env["ar.followup.contact"].create(
                {"partner_id": self.scanner.id, "contact_id": self.priya.id}
            )

    # -- the debtor's proposal from the receivables page --------------------------

    def requests(self):
        return self.env["ar.followup.contact.request"].search([])

    def test_request_approved_then_next_reminder_goes_to_the_new_address(self):
        self.authenticate("debtor_a", "debtor_a")
        page = self.url_open("/my/receivables").text
        self.assertIn("Update who we contact", page)
        response = self.post(
            "/my/receivables/contact",
            {
                "name": "Priya Nair",
                "email": " Priya@Bharat.example.in ",
                "mobile": "098200 55555",
                "channel": "email",
                "lang": "en_US",
            },
            page="/my/receivables",
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("done=contact", response.headers["Location"])
        page = self.url_open("/my/receivables?done=contact").text
        self.assertIn("we will review the contact details you gave", page)
        self.assertIn("waiting for our review", page)
        [request] = self.requests()
        self.assertEqual(
            (request.partner_id, request.email, request.mobile, request.state),
            (self.customer, "priya@bharat.example.in", "+919820055555", "pending"),
        )
        self.assertTrue(
            any(
                "proposed on the receivables page to send reminders to Priya Nair, "
                "priya@bharat.example.in, +919820055555, by E-mail, in English (US)." in m
                for m in self.chatter(self.customer)
            )
        )
        # nothing changes before the review
        self.assertFalse(self.customer.ar_followup_contact_ids)
        request.with_user(self.ar_user).action_approve()
        self.assertEqual((request.state, request.decided_by_id), ("approved", self.ar_user))
        contact = request.contact_id
        self.assertEqual(
            (contact.partner_id, contact.role, contact.contact_id.email, contact.contact_id.phone),
            (self.customer, "to", "priya@bharat.example.in", "+919820055555"),
        )
        self.assertTrue(
            any("approved the contact update" in m for m in self.chatter(self.customer))
        )
        reminder = self.plan().filtered(lambda r: r.partner_id == self.customer)
        self.dispatch()
        self.assertEqual(
            (reminder.state, reminder.recipient, reminder.recipient_note),
            ("sent", "priya@bharat.example.in", "To: Priya Nair (follow-up contact)"),
        )

    def test_rejection_needs_a_reason_and_changes_nothing(self):
        path = self.open_link(self.sent_reminder())
        response = self.post(path + "/contact", {"name": "Mallory", "email": "m@evil.example"})
        self.assertEqual(response.status_code, 303)
        request = self.requests().with_user(self.ar_user)
        with self.assertRaisesRegex(UserError, "Say why"):
            request.action_reject()
        request.reject_reason = "Not a person of the customer"
        request.action_reject()
        self.assertEqual(request.state, "rejected")
        self.assertFalse(self.customer.ar_followup_contact_ids)
        self.assertTrue(
            any("Not a person of the customer" in m for m in self.chatter(self.customer))
        )
        with self.assertRaisesRegex(UserError, "waiting for review"):
            request.action_approve()

    def test_bad_contact_input_is_refused_with_a_reason(self):
        path = self.open_link(self.sent_reminder())
        csrf = CSRF.search(self.url_open(path).text).group(1)
        for data, message in (
            ({"email": "priya@example.in"}, "Give the name of the person"),
            ({"name": "Priya"}, "Give an e-mail address or a mobile number"),
            ({"name": "Priya", "email": "priya@"}, "is not a valid e-mail address"),
            ({"name": "Priya", "mobile": "12345"}, "is not a valid mobile number"),
            ({"name": "Priya", "email": "p@example.in", "channel": "fax"}, "Choose the channel"),
            ({"name": "Priya", "email": "p@example.in", "lang": "xx_XX"}, "Choose the language"),
        ):
            with self.subTest(message=message):
                response = self.url_open(
                    path + "/contact", data={**data, "csrf_token": csrf}, allow_redirects=False
                )
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
        self.assertFalse(self.requests())

    def test_debtor_proposes_for_own_account_only(self):
        path = self.open_link(self.sent_reminder())
        # another customer's id in the form is not read: the link says whose account it is
        response = self.post(
            path + "/contact",
            {"name": "Priya", "email": "p@example.in", "partner_id": self.customer_b.id},
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.requests().partner_id, self.customer)
        # a tampered link, and a form without the CSRF token, record nothing
        tampered = path[:-4] + ("0000" if not path.endswith("0000") else "1111")
        self.assertEqual(
            self.post(tampered + "/contact", {"name": "X"}, page=path).status_code, 404
        )
        response = self.url_open(
            path + "/contact", data={"name": "X", "email": "x@example.in"}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 400)
        # a portal user of B proposes for B
        self.authenticate("debtor_b", "debtor_b")
        self.post(
            "/my/receivables/contact",
            {"name": "Ravi", "email": "ravi@coastal.example.in"},
            page="/my/receivables",
        )
        self.assertEqual(
            {r.name: r.partner_id for r in self.requests()},
            {"Priya": self.customer, "Ravi": self.customer_b},
        )
        # and the AR team of another company does not see them
        _other, clerk_b = self._ar_other_company_clerk(chart=False)
        self.assertFalse(self.requests().with_user(clerk_b).search([]))
