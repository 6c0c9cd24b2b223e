# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""*Payment reminders* on the debtor's receivables page: stopping and resuming reminders
by one channel, from a reminder's link or logged in, recorded as the customer's consent;
never for another customer, never without the page's checks."""

from odoo import fields
from odoo.tests import tagged

from ..models.ar_followup_portal_token import RATE_LIMIT
from .test_receivables_page import ReceivablesPageCommon


@tagged("post_install", "-at_install")
class TestPortalReminderOptOut(ReceivablesPageCommon):
    def post(self, path, data, files=None, page=None):
        response = super().post(path, data, files=files, page=page)
        self.env.invalidate_all()  # what the request wrote, read afresh
        return response

    def notes(self, partner=None):
        return "\n".join(self.chatter((partner or self.customer).sudo()))

    def consents(self, partner=None):
        return self.env["ar.followup.consent"].search(
            [("customer_id", "=", (partner or self.customer).id), ("source", "=", "portal")],
            order="id",
        )

    def test_stop_and_resume_from_the_reminders_link(self):
        path = self.open_link(self.sent_reminder())
        page = self.url_open(path).text
        self.assertIn("Payment reminders", page)
        self.assertIn("o_ar_reminder_channel_email", page)
        self.assertTrue(self.customer._ar_is_channel_allowed("email"))

        response = self.post(path + "/reminders", {"channel": "email", "action": "stop"})
        self.assertEqual(response.status_code, 303)
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("we will not send you payment reminders by this channel any more", page)
        self.assertIn("Resume reminders", page)
        self.assertTrue(self.customer.ar_no_email)
        self.assertFalse(self.customer._ar_is_channel_allowed("email"))
        [consent] = self.consents()
        self.assertEqual(
            (consent.channel, consent.state, consent.by_customer, consent.user_id),
            ("email", "opt_out", True, self.env["res.users"]),
        )
        self.assertIn("Stopped on the receivables page by the holder of the link", consent.note)
        self.assertIn("stopped payment reminders by E-mail on the receivables page", self.notes())
        # asking again changes nothing
        self.post(path + "/reminders", {"channel": "email", "action": "stop"})
        self.assertEqual(len(self.consents()), 1)

        response = self.post(path + "/reminders", {"channel": "email", "action": "resume"})
        self.assertEqual(response.status_code, 303)
        self.assertIn("by this channel again", self.url_open(response.headers["Location"]).text)
        self.assertFalse(self.customer.ar_no_email)
        self.assertEqual(self.consents().mapped("state"), ["opt_out", "opt_in"])
        self.assertIn("resumed payment reminders by E-mail on the receivables page", self.notes())

    def test_portal_user_stops_their_own_customers_reminders_only(self):
        self.authenticate("debtor_b", "debtor_b")
        response = self.post(
            "/my/receivables/reminders",
            {"channel": "email", "action": "stop"},
            page="/my/receivables",
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.customer_b.ar_no_email)
        self.assertFalse(self.customer.ar_no_email, "another customer's reminders go on")
        [consent] = self.consents(self.customer_b)
        self.assertEqual(
            (consent.partner_id, consent.user_id, consent.address),
            (self.customer_b, self.debtor_b, "debtor_b@example.in"),
        )
        self.assertFalse(self.consents())

    def test_bad_or_tampered_requests_change_nothing(self):
        path = self.open_link(self.sent_reminder())
        token_id, secret = path.split("/")[3:5]
        tampered = "/my/receivables/%s/%s" % (token_id, secret[:-1] + "x")
        other = self.open_link(self.sent_reminder(self.customer_b))
        for data, message in (
            ({"channel": "fax", "action": "stop"}, "Choose a channel to stop or resume"),
            ({"channel": "ईमेल" * 500, "action": "stop"}, "Choose a channel to stop or resume"),
            ({"channel": "email", "action": "delete"}, "Choose to stop or to resume"),
            ({"channel": "email"}, "Choose to stop or to resume"),
        ):
            with self.subTest(data=data):
                response = self.post(path + "/reminders", data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
        # a tampered link is not found, even with the page's CSRF token
        response = self.post(
            tampered + "/reminders", {"channel": "email", "action": "stop"}, page=path
        )
        self.assertEqual(response.status_code, 404)
        # no CSRF token: refused
        response = self.url_open(
            path + "/reminders", data={"channel": "email", "action": "stop"}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 400)
        # the other customer's link stops the other customer's reminders, not these
        self.assertEqual(
            self.post(other + "/reminders", {"channel": "email", "action": "stop"}).status_code,
            303,
        )
        self.assertFalse(self.customer.ar_no_email)
        self.assertFalse(self.consents())
        self.assertTrue(self.customer_b.ar_no_email)

    def test_rate_limited_with_the_pages_other_forms(self):
        path = self.open_link(self.sent_reminder())
        token = self.env["ar.followup.portal.token"].browse(int(path.split("/")[3]))
        token.sudo().write({"date_rate_window": fields.Datetime.now(), "rate_count": RATE_LIMIT})
        response = self.post(path + "/reminders", {"channel": "email", "action": "stop"})
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many requests", response.text)
        self.assertFalse(self.customer.ar_no_email)
