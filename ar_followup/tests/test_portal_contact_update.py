# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""*Update who we contact* on the receivables page: the debtor proposes, the AR team
reviews, and the next reminder goes to the approved address."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_receivables_page import ReceivablesPageCommon


@tagged("post_install", "-at_install")
class TestPortalContactUpdate(ReceivablesPageCommon):
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
        for data, message in (
            ({"email": "priya@example.in"}, "Give the name of the person"),
            ({"name": "Priya"}, "Give an e-mail address or a mobile number"),
            ({"name": "Priya", "email": "priya@"}, "is not a valid e-mail address"),
            ({"name": "Priya", "mobile": "12345"}, "is not a valid mobile number"),
            ({"name": "Priya", "email": "p@example.in", "channel": "fax"}, "Choose the channel"),
            ({"name": "Priya", "email": "p@example.in", "lang": "xx_XX"}, "Choose the language"),
        ):
            with self.subTest(message=message):
                response = self.post(path + "/contact", data)
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
        self.assertEqual(self.post(tampered + "/contact", {"name": "X"}, page=path).status_code, 404)
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
        _other, clerk_b = self._ar_other_company_clerk()
        self.assertFalse(self.requests().with_user(clerk_b).search([]))
