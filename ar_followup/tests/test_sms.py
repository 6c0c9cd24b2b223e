# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reminders by SMS through Odoo's ``sms_twilio``, against a local fake Twilio; retries and
fallbacks of the dispatcher."""

from datetime import datetime, time
from unittest import SkipTest

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import TODAY, ArFollowupCommon
from .fake_twilio import (
    INVALID_NUMBER,
    NO_ANSWER,
    OUTAGE,
    UNAVAILABLE,
    FakeTwilio,
    twilio_error,
)

NUMBER = "+919820012345"  # the customer's number in E.164 (common.py: "+91 98200 12345")


@tagged("post_install", "-at_install")
class TestReminderSms(HttpCase, ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "sms_provider" not in cls.env["res.company"]._fields:
            raise SkipTest("sms_twilio is not installed (setup/test.sh installs it)")
        cls.Reminder = cls.env["ar.followup.reminder"]
        cls.step_first = cls.env.ref("ar_followup.ar_followup_policy_step_standard_first")
        cls._ar_setup_sms()
        # the customers prefer SMS; the standard first reminder offers e-mail then SMS
        (cls.customer | cls.customer_b).ar_channel = "sms"

    def setUp(self):
        super().setUp()
        self.twilio = self.enterContext(FakeTwilio())
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())

    # -- helpers -------------------------------------------------------------

    def planned_sms(self, customer=None):
        """An invoice 7 days overdue for ``customer``: its first reminder, planned by SMS."""
        customer = customer or self.customer
        self._ar_invoice(customer, 1000, self.days_before(7))
        reminder = self.plan().filtered(lambda r: r.partner_id == customer)
        self.assertEqual(
            (reminder.step_id, reminder.channel, reminder.state),
            (self.step_first, "sms", "planned"),
        )
        return reminder

    def activities(self, partner):
        return partner.activity_ids.mapped("summary")

    # -- the SMS channel -------------------------------------------------------

    def test_inbox_answers_by_sms_when_the_customer_wrote_by_sms(self):
        # an SMS provider's inbound message enters as every channel's reply does
        conversation = self.customer._ar_receive_reply(
            "sms", "Call me after 4 pm please", company=self.company
        )
        Reply = self.env["ar.followup.conversation.reply"].with_user(self.ar_user)
        wizard = Reply.create({"conversation_id": conversation.id, "body": "Calling you at 4 pm."})
        self.assertEqual((wizard.channel, wizard.problem), ("sms", False))
        wizard.action_send()
        [message] = self.twilio.messages
        self.assertEqual((message["to"], message["body"]), (NUMBER, "Calling you at 4 pm."))
        answer = conversation.answer_ids
        self.assertEqual(
            (answer.channel, answer.state, answer.manual, answer.recipient),
            ("sms", "sent", True, NUMBER),
        )
        sms = self.env["sms.sms"].sudo().search([("uuid", "=", answer.provider_message_id)])
        self.assertEqual(sms.number, NUMBER)
        self.assertEqual(answer.mail_message_id.author_id, self.ar_user.partner_id)
        # without the company's DLT registration an Indian company cannot answer by SMS
        self.company.ar_sms_dlt_header = False
        self.assertIn(
            "DLT registration incomplete",
            Reply.create({"conversation_id": conversation.id, "body": "Again"}).problem,
        )

    def test_sms_sent_to_e164_number(self):
        """A national number is read in the customer's country and sent in E.164; the SMS is
        on the customer's chatter and its uuid is the reminder's reference."""
        self.customer.phone = "098200 12345"
        reminder = self.planned_sms()
        self.dispatch()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.recipient, NUMBER)
        [message] = self.twilio.messages
        self.assertEqual(message["to"], NUMBER)
        self.assertEqual(message["from"], "+15005550006")
        self.assertTrue(
            message["body"].startswith("%s: ₹1,000.00 overdue. Pay: http" % self.company.name),
            message["body"],
        )
        sms = self.env["sms.sms"].sudo().search([("uuid", "=", reminder.provider_message_id)])
        self.assertEqual(sms.number, NUMBER)
        self.assertEqual(sms.state, "pending")
        self.assertEqual(reminder.mail_message_id.message_type, "sms")
        self.assertEqual(reminder.mail_message_id.res_id, self.customer.id)
        self.assertEqual((reminder.attempt_count, reminder.channels_tried), (0, False))

    def test_no_setting_redirects_the_credentials(self):
        """The Twilio credentials go to Twilio, or where the code running this process sent
        them (the tests' fake server): no stored setting sends them anywhere else."""
        self.env["ir.config_parameter"].sudo().set_param(
            "ar_followup.sms_twilio_base_url", "http://127.0.0.1:9"
        )
        reminder = self.planned_sms()
        self.dispatch()
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(len(self.twilio.messages), 1)

    def test_edited_sms_goes_out_as_plain_text(self):
        """A clerk's text for an SMS is sent as typed: no HTML, no escaping."""
        self.customer.phone = "098200 12345"
        reminder = self.planned_sms()
        edit = (
            self.env["ar.followup.reminder.edit"]
            .with_user(self.ar_user)
            .with_context(default_reminder_id=reminder.id)
            .create({})
        )
        self.assertFalse(edit.is_html)
        self.assertIn("₹1,000.00 overdue", edit.body_text)
        edit.body_text = "Pay A & B <today>, thanks"
        edit.action_save()
        self.assertEqual((reminder.text, reminder.body), ("Pay A & B <today>, thanks", False))
        self.dispatch()
        self.assertEqual(reminder.state, "sent")
        [message] = self.twilio.messages
        self.assertEqual(message["body"], "Pay A & B <today>, thanks")
        self.assertEqual(reminder.text, "Pay A & B <today>, thanks")
        self.assertIn("Pay A &amp; B &lt;today&gt;, thanks", reminder.preview_body)

    def test_sms_committed_before_the_batch_emails(self):
        """In a batch of SMS and e-mails, each SMS is committed as it leaves, the e-mails
        after them, together: a crash while committing the e-mails loses no SMS and sends
        none twice; the e-mails go once, when the next dispatcher recovers them."""
        self.customer_b.ar_channel = "email"
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        self._ar_invoice(self.customer_b, 700, self.days_before(7))
        reminders = self.plan()
        sms = reminders.filtered(lambda r: r.channel == "sms")
        email = reminders - sms
        self.assertEqual((len(sms), len(email)), (1, 1))
        # the first commit with progress is the SMS's; the second, the e-mails', crashes
        with freeze_time(datetime.combine(TODAY, time(4, 30))), self.committing(crash_after=1):
            self.env.invalidate_all()
            self.company._ar_dispatch_reminders()
        self.env.invalidate_all()
        self.assertEqual((sms.state, email.state), ("sent", "sending"))
        self.assertEqual(len(self.twilio.messages), 1)
        self.assertFalse(email.mail_message_id)
        self.dispatch(at=time(5, 1))  # half an hour later: the dead dispatcher's e-mails
        self.assertEqual((sms.state, email.state), ("sent", "sent"))
        self.assertEqual(len(self.twilio.messages), 1, "the SMS was not sent again")
        self.assertEqual(
            self.customer_b.message_ids.filtered(lambda m: m.message_type == "comment"),
            email.mail_message_id,
        )

    def test_sms_goes_to_the_invoicing_contact(self):
        """As e-mails, SMS go to the customer's accounts contact when it has a number."""
        accounts = self.env["res.partner"].create(
            {
                "name": "Accounts Desk",
                "parent_id": self.customer.id,
                "type": "invoice",
                "phone": "098450 11223",
            }
        )
        reminder = self.planned_sms()
        self.dispatch()
        self.assertEqual((reminder.state, reminder.recipient), ("sent", "+919845011223"))
        self.assertEqual([m["to"] for m in self.twilio.messages], ["+919845011223"])
        self.assertEqual(reminder.mail_message_id.res_id, self.customer.id, "on the customer")
        # a contact without a valid number leaves the SMS to the customer's own
        for number in (False, "ext 204"):
            accounts.phone = number
            self.assertEqual(
                self.Reminder._ar_get_sms_numbers(self.customer)[self.customer.id],
                (None, NUMBER, None),
            )

    def test_send_now_by_sms_goes_through_the_dispatcher(self):
        """An SMS asked for from *Send reminder now* is queued for the dispatcher, which commits
        before and after calling the provider, instead of leaving from the user's request."""
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        with freeze_time(datetime.combine(TODAY, time(4, 30))):
            wizard = (
                self.env["ar.followup.send"]
                .with_user(self.ar_user)
                .with_context(active_model="res.partner", active_ids=self.customer.ids)
                .create({})
            )
            [line] = wizard.line_ids
            self.assertEqual(line.channel, "sms")
            wizard.action_send()
        self.assertEqual(line.result_state, "queued")
        self.assertEqual(line.result, "Goes out in a moment by SMS: ₹\xa01,000.00")
        self.assertFalse(self.twilio.requests, "nothing sent from the user's request")
        reminder = line.reminder_id
        self.assertEqual((reminder.state, reminder.manual), ("queued", True))
        cron = self.env.ref("ar_followup.ir_cron_ar_dispatch_reminders")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
            "the dispatcher is woken up",
        )
        self.dispatch()
        self.assertEqual(reminder.state, "sent")
        self.dispatch()
        [message] = self.twilio.messages
        self.assertEqual(message["to"], NUMBER)

    def test_dlt_incomplete_falls_back_to_email(self):
        self.company.ar_sms_dlt_header = False
        reminder = self.planned_sms()
        self.dispatch()
        self.assertFalse(self.twilio.requests, "refused before the provider is called")
        self.assertEqual((reminder.state, reminder.channel), ("sent", "email"))
        self.assertEqual(reminder.channels_tried, "sms")
        self.assertIn("SMS: SMS template", reminder.error)
        self.assertIn(
            "DLT registration incomplete, missing the company's DLT sender header", reminder.error
        )
        self.assertEqual(reminder.mail_message_id.message_type, "comment")
        self.assertEqual(reminder.recipient, self.customer.email)

    def test_no_sms_template_falls_back_to_email(self):
        """The default text is an e-mail's HTML list: without an SMS template, no SMS."""
        reminder = self.planned_sms()
        self.env["ar.followup.template"].search([("channel", "=", "sms")]).active = False
        self.dispatch()
        self.assertFalse(self.twilio.requests)
        self.assertEqual((reminder.state, reminder.channel), ("sent", "email"))
        self.assertEqual(reminder.error, "SMS: No SMS template for the stage Overdue.")

    def test_invalid_number_skipped_with_reason(self):
        # at planning: no e-mail and a number that is not one, nothing can reach the customer
        self.customer_b.write({"email": False, "phone": "12345"})
        self._ar_invoice(self.customer_b, 500, self.days_before(7))
        # at dispatch: the number was valid when planned
        reminder = self.planned_sms()
        self.customer.phone = "+91 12345"
        self.dispatch()
        skipped_b = self.Reminder.search([("partner_id", "=", self.customer_b.id)])
        self.assertEqual(
            (skipped_b.state, skipped_b.reason, skipped_b.reason_text),
            (
                "skipped",
                "no_contact",
                "E-mail: no valid address. SMS: not a valid number for its country (**345).",
            ),
        )
        self.assertEqual(
            (reminder.state, reminder.reason, reminder.reason_text),
            ("skipped", "no_contact", "SMS: not a valid number for its country (+91**345)."),
        )
        self.assertFalse(self.twilio.requests)

    def test_do_not_contact_by_sms(self):
        reminder = self.planned_sms()
        self.env["phone.blacklist"].sudo().add(NUMBER)
        self.dispatch()
        self.assertEqual(
            (reminder.state, reminder.reason, reminder.reason_text),
            ("skipped", "do_not_contact", "SMS: the number +91*******345 is blacklisted."),
        )
        self.assertFalse(self.twilio.requests)
        # a customer who wants no SMS gets the e-mail
        self.customer_b.ar_no_sms = True
        self._ar_invoice(self.customer_b, 500, self.days_before(7))
        reminder_b = self.plan().filtered(lambda r: r.partner_id == self.customer_b)
        self.assertEqual(reminder_b.channel, "email")

    def test_invoicing_contact_refusing_sms_is_not_texted(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Bharat AP",
                "type": "invoice",
                "parent_id": self.customer.id,
                "phone": "+91 98200 99999",
                "ar_no_sms": True,
            }
        )
        self.customer.phone = "098200 12345"
        problems = self.env["ar.followup.reminder"]._ar_get_sms_numbers(self.customer)
        self.assertEqual(
            problems[self.customer.id],
            ("do_not_contact", None, "SMS: every invoicing contact refuses these reminders."),
        )
        # another invoicing contact who accepts SMS is texted instead
        self.env["res.partner"].create(
            {
                "name": "Bharat Treasury",
                "type": "invoice",
                "parent_id": self.customer.id,
                "phone": NUMBER,
            }
        )
        problems = self.env["ar.followup.reminder"]._ar_get_sms_numbers(self.customer)
        self.assertEqual(problems[self.customer.id], (None, NUMBER, None))
        self.assertTrue(contact.ar_no_sms)

    # -- retries and fallbacks -------------------------------------------------

    @mute_logger(
        "odoo.addons.ar_followup.models.ar_followup_reminder",
        "odoo.addons.sms_twilio.tools.sms_api",
    )
    def test_transient_error_retried_with_backoff(self):
        reminder = self.planned_sms()
        self.twilio.script[NUMBER] = [OUTAGE, UNAVAILABLE]
        self.dispatch()
        self.assertEqual((reminder.state, reminder.attempt_count), ("queued", 1))
        self.assertEqual(reminder.date_scheduled, datetime.combine(TODAY, time(4, 45)))
        self.assertIn("SMS provider unavailable (500): Internal Server Error", reminder.error)
        self.dispatch(at=time(4, 40))
        self.assertEqual(len(self.twilio.requests), 1, "not before its time")
        self.dispatch(at=time(4, 45))
        self.assertEqual((reminder.state, reminder.attempt_count), ("queued", 2))
        self.assertEqual(reminder.date_scheduled, datetime.combine(TODAY, time(5, 15)))
        self.dispatch(at=time(5, 15))
        self.assertEqual((reminder.state, reminder.channel), ("sent", "sms"))
        self.assertEqual(len(self.twilio.requests), 3)
        self.assertEqual(len(self.twilio.messages), 1)
        self.assertEqual(len(reminder.error.splitlines()), 2, "both outages are on the trail")

    @mute_logger(
        "odoo.addons.ar_followup.models.ar_followup_reminder",
        "odoo.addons.sms_twilio.tools.sms_api",
    )
    def test_attempts_exhausted_fall_back_to_email(self):
        self.company.ar_send_max_attempts = 2
        reminder = self.planned_sms()
        self.twilio.script[NUMBER] = [OUTAGE, OUTAGE]
        self.dispatch()
        self.dispatch(at=time(4, 45))
        self.assertEqual((reminder.state, reminder.channel), ("sent", "email"))
        self.assertEqual(reminder.channels_tried, "sms")
        self.assertEqual(len(self.twilio.requests), 2)

    @mute_logger(
        "odoo.addons.ar_followup.models.ar_followup_reminder",
        "odoo.addons.sms_twilio.tools.sms_api",
    )
    def test_permanent_error_falls_back_to_email(self):
        reminder = self.planned_sms()
        self.twilio.script[NUMBER] = [INVALID_NUMBER]
        self.dispatch()
        self.assertEqual((reminder.state, reminder.channel), ("sent", "email"))
        self.assertEqual(
            reminder.error,
            "SMS: SMS refused by the provider: The 'To' number is not a valid phone number.",
        )
        self.assertEqual(len(self.twilio.requests), 1, "a permanent error is not retried")
        self.assertEqual(reminder.mail_message_id.message_type, "comment")
        self.assertFalse(
            self.env["mail.message"].search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", self.customer.id),
                    ("message_type", "=", "sms"),
                ]
            ),
            "the refused SMS is not on the chatter as if it had left",
        )

    @mute_logger(
        "odoo.addons.ar_followup.models.ar_followup_reminder",
        "odoo.addons.sms_twilio.tools.sms_api",
    )
    def test_all_channels_failing_tells_the_owner(self):
        self.customer.write({"email": False, "ar_owner_id": self.ar_manager.id})
        reminder = self.planned_sms()
        self.twilio.script[NUMBER] = [INVALID_NUMBER]
        self.dispatch()
        self.assertEqual((reminder.state, reminder.reason), ("failed", "error"))
        self.assertEqual(reminder.channels_tried, "sms,email")
        self.assertEqual(reminder.reason_text, "No channel could send it.")
        self.assertEqual(
            reminder.error.splitlines(),
            [
                "SMS: SMS refused by the provider: The 'To' number is not a valid phone number.",
                "E-mail: no valid address.",
            ],
        )
        self.assertEqual(
            self.activities(self.customer),
            ["Payment reminder not sent: Bharat Steel Traders (%s)" % self.step_first.name],
        )
        self.assertEqual(self.customer.activity_ids.user_id, self.ar_manager)

    @mute_logger("odoo.addons.sms_twilio.tools.sms_api")
    def test_logs_never_show_a_number_or_address_in_full(self):
        """What the server log says of a dispatch where one SMS leaves and one is refused
        by Twilio with a message quoting the number: numbers and addresses masked."""
        number_b = "+919845067890"  # customer B's "+91 98450 67890"
        self.customer_b.write({"email": False, "ar_owner_id": self.ar_manager.id})
        self.planned_sms()
        refused = self.planned_sms(self.customer_b)
        self.twilio.script[number_b] = [
            twilio_error(21211, "The 'To' number %s is not a valid phone number." % number_b)
        ]
        with self.assertLogs("odoo.addons.ar_followup", "DEBUG") as logs:
            self.dispatch()
        self.assertEqual(refused.state, "failed")
        output = "\n".join(logs.output)
        self.assertIn("+91*******345", output, "the sent SMS is logged, masked")
        for secret in (NUMBER, NUMBER[3:], number_b, number_b[3:], self.customer.email):
            self.assertNotIn(secret, output)

    @mute_logger(
        "odoo.addons.ar_followup.models.ar_followup_reminder",
        "odoo.addons.sms_twilio.tools.sms_api",
    )
    def test_no_answer_is_not_sent_again(self):
        """A request that left without an answer may have reached the customer: the
        reminder fails for a person to check, no retry, no other channel."""
        reminder = self.planned_sms()
        self.twilio.script[NUMBER] = [NO_ANSWER]
        self.dispatch()
        self.assertEqual((reminder.state, reminder.channel), ("failed", "sms"))
        self.assertIn("the SMS may have been sent", reminder.error)
        self.assertEqual(len(self.activities(self.customer)), 1)
        self.dispatch(at=time(6, 0))
        self.assertEqual(len(self.twilio.requests), 1)

    # -- delivery reports ------------------------------------------------------------

    @mute_logger("odoo.addons.ar_followup.models.ar_followup_reminder")
    def test_delivery_report(self):
        reminder = self.planned_sms()
        reminder_b = self.planned_sms(self.customer_b)
        self.dispatch()
        self.assertEqual((reminder | reminder_b).mapped("state"), ["sent", "sent"])
        delivered, lost = self.twilio.messages
        if delivered["to"] != NUMBER:
            delivered, lost = lost, delivered
        url, form, headers = self.twilio.status_callback(delivered, "delivered")
        self.assertEqual(self.url_open(url, data=form, headers=headers).status_code, 200)
        self.assertEqual(reminder.state, "delivered")
        self.assertTrue(reminder.date_delivered)
        # a forged report changes nothing
        url, form, _headers = self.twilio.status_callback(
            lost, "undelivered", 30005, "Unknown handset"
        )
        with mute_logger("odoo.addons.sms_twilio.controllers.controllers", "odoo.http"):
            self.url_open(url, data=form, headers={"X-Twilio-Signature": "forged"})
        self.assertEqual(reminder_b.state, "sent")
        # nor does one through Odoo IAP's route, unsigned, on an SMS Twilio sent
        with mute_logger("odoo.addons.ar_followup.controllers.sms_status"):
            self.make_jsonrpc_request(
                "/sms/status",
                {
                    "message_statuses": [
                        {"sms_status": "not_delivered", "uuids": [reminder_b.provider_message_id]}
                    ]
                },
            )
        self.assertEqual((reminder_b.state, reminder_b.channel), ("sent", "sms"))
        # undelivered: the reminder falls back to e-mail
        url, form, headers = self.twilio.status_callback(
            lost, "undelivered", 30005, "Unknown handset"
        )
        self.assertEqual(self.url_open(url, data=form, headers=headers).status_code, 200)
        self.assertEqual((reminder_b.state, reminder_b.channel), ("queued", "email"))
        self.assertIn("SMS: Not delivered: Unknown handset", reminder_b.error)
        self.dispatch(at=time(4, 35))
        self.assertEqual(reminder_b.state, "sent")
        email = reminder_b.mail_message_id
        # Twilio repeating its report falls back no second time
        self.assertEqual(self.url_open(url, data=form, headers=headers).status_code, 200)
        self.dispatch(at=time(4, 40))
        self.assertEqual((reminder_b.state, reminder_b.channel), ("sent", "email"))
        self.assertEqual(reminder_b.mail_message_id, email)

    # -- batches and exactly once ------------------------------------------------------

    @mute_logger(
        "odoo.addons.ar_followup.models.ar_followup_reminder",
        "odoo.addons.sms_twilio.tools.sms_api",
    )
    def test_batch_goes_on_and_never_sends_twice(self):
        customers = [self.customer, self.customer_b]
        for index, number in enumerate(("+91 98450 11111", "+91 98450 22222", "+91 98450 33333")):
            customers.append(
                self._ar_create_customer("Customer %s" % index, phone=number, ar_channel="sms")
            )
        customers[1].email = False  # its SMS is refused and it has no e-mail: it fails
        for customer in customers:
            self._ar_invoice(customer, 1000, self.days_before(7))
        reminders = self.plan()
        self.assertEqual(reminders.mapped("channel"), ["sms"] * 5)
        self.twilio.script["+919845067890"] = [INVALID_NUMBER]  # customer_b
        self.twilio.script["+919845022222"] = [OUTAGE]
        self.dispatch()
        states = {r.partner_id.name: (r.state, r.channel) for r in reminders}
        self.assertEqual(
            states,
            {
                "Bharat Steel Traders": ("sent", "sms"),
                "Coastal Agro Foods": ("failed", "sms"),
                "Customer 0": ("sent", "sms"),
                "Customer 1": ("queued", "sms"),
                "Customer 2": ("sent", "sms"),
            },
        )
        # running again (same day, later): the retry goes, nothing else is sent twice
        self.dispatch(at=time(4, 45))
        self.dispatch(at=time(5, 0))
        self.assertFalse(self.plan())
        self.assertEqual(
            sorted(m["to"] for m in self.twilio.messages),
            ["+919820012345", "+919845011111", "+919845022222", "+919845033333"],
        )
        self.assertEqual(reminders.mapped("state").count("sent"), 4)

    def test_interrupted_sms_fails_for_a_person_to_check(self):
        reminder = self.planned_sms()
        reminder.write({"state": "sending", "date_sending": datetime.combine(TODAY, time(3, 0))})
        with mute_logger("odoo.addons.ar_followup.models.ar_followup_reminder"):
            self.dispatch()
        self.assertEqual((reminder.state, reminder.reason), ("failed", "interrupted"))
        self.assertEqual(len(self.activities(self.customer)), 1)
        self.assertFalse(self.twilio.requests)
