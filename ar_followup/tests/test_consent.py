# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Consent to reminders as records, and the one-click unsubscribe of reminder e-mails.

E-mails really leave: Odoo's mail queue sends them to a local SMTP server
(``fake_smtp.py``), and the link in their ``List-Unsubscribe`` header is followed
through the HTTP server as a mail client does.
"""

import email
from urllib.parse import urlsplit

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import ArFollowupCommon


@tagged("post_install", "-at_install")
class TestConsent(HttpCase, ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.email = "accounts@ar-test.example.in"

    def history(self, customer):
        customer.invalidate_recordset(["ar_consent_ids"])
        return [
            (c.partner_id, c.channel, c.state, c.source, c.user_id, c.by_customer)
            for c in customer.ar_consent_ids.sorted("id")
        ]

    def test_every_flag_change_on_the_form_is_recorded(self):
        clerk = self.env(user=self.ar_user)["res.partner"].browse(self.customer.id)
        clerk.write({"ar_no_email": True})
        clerk.write({"ar_no_email": True, "ar_channel": "sms"})  # no change: no record
        clerk.write({"ar_no_sms": True})
        clerk.write({"ar_no_email": False})
        self.assertEqual(
            self.history(self.customer),
            [
                (self.customer, "email", "opt_out", "form", self.ar_user, False),
                (self.customer, "sms", "opt_out", "form", self.ar_user, False),
                (self.customer, "email", "opt_in", "form", self.ar_user, False),
            ],
        )
        # an invoicing contact's refusal is on its customer's history
        contact = self.env["res.partner"].create(
            {
                "name": "Accounts Payable",
                "parent_id": self.customer_b.id,
                "type": "invoice",
                "email": "ap@coastal.example.in",
                "ar_no_email": True,
            }
        )
        self.assertEqual(
            self.history(self.customer_b),
            [(contact, "email", "opt_out", "form", self.env.user, False)],
        )
        # the proof is read by the AR team, rewritten or deleted by none of it
        consent = clerk.ar_consent_ids[:1]
        self.assertEqual(consent.channel, "email")
        for user in (self.ar_user, self.ar_manager):
            mine = consent.with_user(user)
            with self.assertRaises(AccessError):
                mine.write({"state": "opt_out"})
            with self.assertRaises(AccessError):
                mine.unlink()

    def sent_email(self):
        """The first reminder of an invoice 7 days overdue, e-mailed to the customer; the
        e-mail as the customer's mail server received it."""
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        self.refresh_ageing()
        reminder = self.plan().filtered(lambda r: r.partner_id == self.customer)
        self.dispatch()
        messages = self._ar_deliver(reminder)
        self.assertEqual(len(messages), 1)
        return email.message_from_bytes(messages[0][2])

    def test_one_click_unsubscribe_stops_email_reminders_only(self):
        message = self.sent_email()
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        targets = [part.strip().strip("<>") for part in message["List-Unsubscribe"].split(",")]
        self.assertEqual(len(targets), 2, message["List-Unsubscribe"])
        https, mailto = targets
        self.assertTrue(mailto.startswith("mailto:accounts@ar-test.example.in?subject="), mailto)
        path = urlsplit(https).path
        self.assertTrue(path.startswith("/ar_followup/unsubscribe/%s/" % self.customer.id), path)

        # GET (what a link scanner does) only asks
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Stop payment reminders by e-mail to this address?", page.text)
        self.assertIn(self.customer.email, page.text)
        self.customer.invalidate_recordset()
        self.assertFalse(self.customer.ar_no_email)

        # the RFC 8058 one-click POST (no session, no CSRF token), twice
        for _i in range(2):
            done = self.url_open(path, data={"List-Unsubscribe": "One-Click"})
            self.assertEqual(done.status_code, 200)
            self.assertIn("No more payment reminders will be sent by e-mail", done.text)
        self.customer.invalidate_recordset()
        self.assertTrue(self.customer.ar_no_email)
        self.assertEqual(
            self.history(self.customer),
            [(self.customer, "email", "opt_out", "unsubscribe", self.env["res.users"], True)],
        )
        self.assertEqual(self.customer.ar_consent_ids.address, self.customer.email)
        # reminders stop by e-mail; the invoices themselves are not the link's business
        problems = self.env["ar.followup.reminder"]._ar_get_contact_problems(
            "email", self.customer, self.company
        )
        self.assertEqual(problems[self.customer.id][0], "do_not_contact")
        self.assertFalse(
            self.env["mail.blacklist"].sudo().search([("email", "=", self.customer.email)])
        )

        # a link made for an earlier address no longer works
        self.customer.email = "new.accounts@bharat.example.in"
        self.env.flush_all()
        self.assertEqual(self.url_open(path).status_code, 404)
