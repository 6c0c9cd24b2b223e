# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A reminder's delivery lifecycle: sent → delivered → read, or not delivered and the
fallback channel, never backwards.

E-mails really leave: Odoo's mail queue sends them to a local SMTP server
(``fake_smtp.py``), which accepts or refuses the recipient as a real one does;
bounces come back through Odoo's mail gateway as the DSN a mail server sends.
"""

from datetime import datetime

from .common import TODAY, ArFollowupCommon

BOUNCE = """\
From: MAILER-DAEMON@mx.example.in
To: {to}
Subject: Undelivered Mail Returned to Sender
Message-Id: <bounce-{token}@mx.example.in>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

This is the mail system at host mx.example.in. <{address}>: mailbox unavailable.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.in

Final-Recipient: rfc822; {address}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable

--BOUNDARY
Content-Type: text/rfc822-headers

Message-Id: {message_id}
From: ar@example.in
To: {address}
Subject: Payment reminder

--BOUNDARY--
"""


class TestDelivery(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["ar.followup.reminder"]
        cls.first = cls.env.ref("ar_followup.ar_followup_policy_step_standard_first")
        # reminders come from the company: its address is the sender
        cls.company.partner_id.email = "accounts@ar-test.example.in"

    def sent_email(self, customer=None):
        """The first reminder of an invoice 7 days overdue, sent by e-mail (in Odoo's queue)."""
        customer = customer or self.customer
        self._ar_invoice(customer, 1000, self.days_before(7))
        self.refresh_ageing()
        reminder = self.plan().filtered(lambda r: r.partner_id == customer)
        self.dispatch()
        self.assertEqual((reminder.channel, reminder.state), ("email", "sent"))
        return reminder

    def send_queue(self, reminder):
        mails = self._ar_queued_mails(reminder)
        self.assertTrue(mails, "the reminder's e-mail waits in Odoo's queue")
        mails.send()
        self.env.invalidate_all()

    def test_accepted_by_the_mail_server_is_delivered(self):
        reminder = self.sent_email()
        with self._ar_local_smtp() as server:
            self.send_queue(reminder)
        self.assertEqual(len(server.messages), 1)
        self.assertEqual(server.messages[0][1], [self.customer.email])
        self.assertEqual(reminder.state, "delivered")
        self.assertEqual(reminder.date_delivered, datetime(2026, 6, 15, 4, 30))

    def test_refused_by_the_mail_server_falls_back_to_sms(self):
        reminder = self.sent_email()
        with self._ar_local_smtp(refuse={self.customer.email}) as server:
            self.send_queue(reminder)
        self.assertFalse(server.messages)
        self.assertEqual(
            (reminder.state, reminder.channel, reminder.channels_tried), ("queued", "sms", "email")
        )
        self.assertIn("E-mail: Not delivered:", reminder.error)
        self.assertIn("Recipient address rejected", reminder.error)
        # the same outcome reported again changes nothing
        notifications = reminder.mail_message_id.sudo().notification_ids
        notifications.write({"notification_status": "exception"})
        self.assertEqual((reminder.state, reminder.channel), ("queued", "sms"))

    def test_a_bounce_after_delivery_falls_back(self):
        reminder = self.sent_email()
        with self._ar_local_smtp():
            self.send_queue(reminder)
        self.assertEqual(reminder.state, "delivered")
        raw = BOUNCE.format(
            to="catchall@example.in",
            token="1",
            address=self.customer.email,
            message_id=reminder.mail_message_id.message_id,
        )
        self.env["mail.thread"].message_process(False, raw)
        self.env.invalidate_all()
        self.assertEqual((reminder.state, reminder.channel), ("queued", "sms"))
        self.assertIn("mailbox unavailable", reminder.error)
        # Odoo retries nothing, and a repeated bounce does not fall back twice
        self.env["mail.thread"].message_process(False, raw.replace("bounce-1", "bounce-2"))
        self.env.invalidate_all()
        self.assertEqual((reminder.state, reminder.channel), ("queued", "sms"))
        self.assertEqual(reminder.channels_tried, "email")

    def test_not_delivered_and_no_channel_left_fails_and_tells_the_owner(self):
        self.customer.phone = False
        reminder = self.sent_email()
        with self._ar_local_smtp(refuse={self.customer.email}):
            self.send_queue(reminder)
        self.assertEqual((reminder.state, reminder.reason), ("failed", "undelivered"))
        self.assertIn("SMS: no phone number", reminder.error)
        activity = self.customer.activity_ids.filtered(
            lambda a: "Payment reminder not sent" in a.summary
        )
        self.assertEqual(len(activity), 1)

    def test_reports_never_move_a_reminder_backwards(self):
        reminder = self.sent_email()
        with self.frozen(TODAY):
            reminder._ar_apply_report("read")
            self.assertEqual((reminder.state, bool(reminder.date_read)), ("read", True))
            # delivery reported late: its date is kept, the state stays
            changed = reminder._ar_apply_report("delivered")
            self.assertEqual(changed, reminder)
            self.assertEqual((reminder.state, bool(reminder.date_delivered)), ("read", True))
            # the same reports again change nothing
            self.assertFalse(reminder._ar_apply_report("delivered"))
            self.assertFalse(reminder._ar_apply_report("read"))
            # a failure reported on a message the customer read is not believed
            self.assertFalse(reminder._ar_apply_report("failed", reason="late bounce"))
            self.assertEqual((reminder.state, reminder.channel), ("read", "email"))
            reminder.write({"state": "paid"})
            self.assertFalse(reminder._ar_apply_report("read"))
            self.assertEqual(reminder.state, "paid")
