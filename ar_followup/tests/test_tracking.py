# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tracked links and views: what the customer did with a reminder."""

import re
from urllib.parse import urlparse

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import TODAY, ArFollowupCommon

LINK = re.compile(r'href="([^"]*/ar_followup/r/[^"]+)"')


@tagged("post_install", "-at_install")
class TestTracking(HttpCase, ArFollowupCommon):
    def setUp(self):
        super().setUp()
        self.invoice = self._ar_invoice(self.customer, 125000, self.days_before(10))

    def send_reminder(self):
        """Plan today's reminders and send the customer's by e-mail, as the dispatcher does."""
        self.company._ar_plan_reminders(TODAY)
        reminder = (
            self.env["ar.followup.reminder"]
            .sudo()
            .search([("partner_id", "=", self.customer.id), ("state", "=", "planned")])
        )
        self.assertEqual(len(reminder), 1)
        now = fields.Datetime.now()
        reminder.write({"state": "sending", "date_sending": now})
        reminder._ar_dispatch_one(reminder._ar_check_before_send(now).get(reminder.id), now)
        self.assertEqual(reminder.state, "sent")
        return reminder

    def links(self, reminder):
        return [urlparse(url).path for url in LINK.findall(reminder.body)]

    def test_click_is_recorded_and_lands_on_the_payment_page(self):
        reminder = self.send_reminder()
        links = self.links(reminder)
        # pay now, the statement, the account page and the invoice in the table all go
        # through the redirect
        self.assertEqual(
            sorted(path.rsplit("/", 1)[1] for path in links),
            ["account", "invoice-%s" % self.invoice.id, "pay", "statement"],
        )
        self.assertNotIn("/my/invoices/", reminder.body, "no untracked link left")
        self.assertFalse(reminder.date_clicked)
        pay = next(path for path in links if path.endswith("/pay"))

        response = self.url_open(pay, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        target = urlparse(response.headers["Location"])
        self.assertEqual(target.path, "/my/invoices/%s" % self.invoice.id)
        self.assertIn("access_token=", target.query)
        self.assertIn("payment_token=", target.query, "a payment link for the amount due now")
        self.assertEqual(target.fragment, "portal_pay")
        reminder.invalidate_recordset()
        self.assertEqual(reminder.click_count, 1)
        first = reminder.date_clicked
        self.assertEqual(first, fields.Datetime.now())

        # followed to the end: the invoice's payment page, opened by the customer
        response = self.url_open(pay)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(urlparse(response.url).path, "/my/invoices/%s" % self.invoice.id)
        self.assertIn(self.invoice.name, response.text)
        self.assertIn("portal_pay", response.text)
        reminder.invalidate_recordset()
        self.assertEqual(reminder.click_count, 2)
        self.assertEqual(reminder.date_clicked, first, "the first click is kept")
        self.assertEqual(reminder.date_viewed, first, "the page it led to was viewed")

        statement = next(path for path in links if path.endswith("/statement"))
        response = self.url_open(statement)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Statement of Account", response.text)
        reminder.invalidate_recordset()
        self.assertEqual(reminder.click_count, 3)

        # what the AR team sees on the invoice
        self.invoice.invalidate_recordset()
        invoice = self.invoice.with_user(self.ar_user)
        self.assertEqual(invoice.ar_reminder_ids, reminder)
        self.assertEqual(invoice.ar_reminder_count, 1)
        self.assertEqual(invoice.ar_reminder_clicked_on, first)
        self.assertEqual(invoice.ar_portal_viewed_on, first)

    def test_scanners_and_head_requests_are_not_clicks(self):
        reminder = self.send_reminder()
        pay = next(path for path in self.links(reminder) if path.endswith("/pay"))
        # a HEAD request only looks; a mail security scanner and a link preview open it
        self.assertEqual(self.url_open(pay, allow_redirects=False, method="HEAD").status_code, 303)
        for agent in ("Mozilla/5.0 (compatible; BingPreview/1.0b)", "WhatsApp/2.23.20.0 A"):
            response = self.url_open(pay, allow_redirects=False, headers={"User-Agent": agent})
            self.assertEqual(response.status_code, 303, "they still get where the link leads")
        reminder.invalidate_recordset()
        self.assertEqual((reminder.click_count, reminder.date_clicked), (0, False))
        self.assertEqual(reminder.state, "sent", "a scanner does not read it")
        self.assertEqual(sorted(reminder.click_ids.mapped("scanner")), [True, True], "kept, marked")
        # then the customer
        self.url_open(pay, allow_redirects=False)
        reminder.invalidate_recordset()
        self.assertEqual((reminder.click_count, reminder.state), (1, "read"))

    def test_pay_link_skips_an_invoice_disputed_since_sending(self):
        other = self._ar_invoice(self.customer, 40000, self.days_before(10))
        reminder = self.send_reminder()
        self.assertEqual(reminder.move_ids, self.invoice | other)
        pay = next(path for path in self.links(reminder) if path.endswith("/pay"))
        target = urlparse(self.url_open(pay, allow_redirects=False).headers["Location"])
        self.assertEqual(target.path, "/my/invoices/%s" % self.invoice.id, "the oldest first")
        self.env["ar.followup.dispute"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.invoice.ids)],
                "reason": "wrong_amount",
            }
        )
        response = self.url_open(pay, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        target = urlparse(response.headers["Location"])
        self.assertEqual(target.path, "/my/invoices/%s" % other.id, "not the disputed invoice")
        self.assertIn("payment_token=", target.query)

    def test_pay_link_leads_to_the_statement_when_everything_is_disputed(self):
        other = self._ar_invoice(self.customer, 40000, self.days_before(10))
        reminder = self.send_reminder()
        pay = next(path for path in self.links(reminder) if path.endswith("/pay"))
        Dispute = self.env["ar.followup.dispute"]
        statement = "/ar_followup/statement/%s/%s/" % (self.company.id, self.customer.id)
        whole_account = Dispute.create({"partner_id": self.customer.id, "reason": "pricing"})
        response = self.url_open(pay, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        target = urlparse(response.headers["Location"])
        self.assertTrue(target.path.startswith(statement), "no payment page under a dispute")
        self.assertNotIn("payment_token=", target.query)
        whole_account.action_cancel()
        target = urlparse(self.url_open(pay, allow_redirects=False).headers["Location"])
        self.assertEqual(target.path, "/my/invoices/%s" % self.invoice.id, "payable again")
        Dispute.create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set((self.invoice | other).ids)],
                "reason": "wrong_amount",
            }
        )
        response = self.url_open(pay)  # followed: the customer's statement opens
        self.assertEqual(response.status_code, 200)
        self.assertTrue(urlparse(response.url).path.startswith(statement))
        self.assertIn("Statement of Account", response.text)

    def test_forged_link_is_not_found_and_records_nothing(self):
        reminder = self.send_reminder()
        pay = next(path for path in self.links(reminder) if path.endswith("/pay"))
        prefix, token, kind = pay.rsplit("/", 2)
        for path in (
            "%s/%s/%s" % (prefix, "0" * 32, kind),  # wrong token
            "%s/%s/%s" % (prefix, token, "statement"),  # the token of another kind
            "%s/%s/%s" % (prefix, token, "invoice-%s" % self.invoice.id),
            pay.replace("/r/%s/" % reminder.id, "/r/%s/" % (reminder.id + 1)),  # other reminder
        ):
            with self.subTest(path=path):
                self.assertEqual(self.url_open(path, allow_redirects=False).status_code, 404)
        reminder.invalidate_recordset()
        self.assertEqual(reminder.click_count, 0)
        self.assertFalse(reminder.date_clicked)

    def test_view_counts_after_sending_and_only_by_the_customer(self):
        # the customer opened the invoice before any reminder: the invoice knows, no reminder does
        self.assertEqual(self.url_open(self.invoice.get_portal_url()).status_code, 200)
        self.invoice.invalidate_recordset()
        viewed_first = self.invoice.ar_portal_viewed_on
        self.assertTrue(viewed_first)
        reminder = self.send_reminder()
        self.assertFalse(reminder.date_viewed)
        # our own staff opening the invoice page or a link is neither a view nor a click
        self.authenticate("ar_clerk", "ar_clerk")
        self.assertEqual(self.url_open(self.invoice.get_portal_url()).status_code, 200)
        pay = next(path for path in self.links(reminder) if path.endswith("/pay"))
        self.assertEqual(self.url_open(pay, allow_redirects=False).status_code, 303)
        reminder.invalidate_recordset()
        self.assertFalse(reminder.date_viewed)
        self.assertFalse(reminder.click_count)
        # the customer opens it again: the reminder is viewed, the invoice keeps its first view
        self.authenticate(None, None)
        with self.frozen(TODAY.replace(day=16)):
            self.assertEqual(self.url_open(self.invoice.get_portal_url()).status_code, 200)
            now = fields.Datetime.now()
        reminder.invalidate_recordset()
        self.invoice.invalidate_recordset()
        self.assertEqual(reminder.date_viewed, now)
        self.assertEqual(self.invoice.ar_portal_viewed_on, viewed_first)
