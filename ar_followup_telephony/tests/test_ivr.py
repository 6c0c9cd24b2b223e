# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Automated reminder calls (channel "ivr") through a fake Exotel: the customer's language,
up to three calls not answered, then one SMS with the amount overdue (fake Twilio)."""

import json
from datetime import datetime, time
from unittest import SkipTest

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from odoo.addons.ar_followup.tests import fake_twilio
from odoo.addons.ar_followup.tests.common import TODAY

from ..tools import exotel
from . import fake_exotel
from .common import ArCallCommon

CUSTOMER = "+919820012345"


@tagged("post_install", "-at_install")
class TestIvr(HttpCase, ArCallCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "sms_provider" not in cls.env["res.company"]._fields:
            raise SkipTest("sms_twilio is not installed (setup/test.sh installs it)")
        cls.settings.write(
            {
                "call_provider": "exotel",
                "exotel_sid": fake_exotel.SID,
                "exotel_api_key": fake_exotel.API_KEY,
                "exotel_api_token": fake_exotel.API_TOKEN,
                "exotel_caller_id": "+918047112233",
            }
        )
        cls.ivr = cls.env["ar.followup.channel"]._ar_ivr_settings(cls.company)
        cls.ivr.write({"state": "enabled", "ivr_app_en": "231", "ivr_app_hi": "232"})
        # SMS through Twilio, DLT-registered, as the core's SMS tests set it up
        cls._ar_setup_sms()
        cls.step_first.write({"channel": "ivr", "fallback_channel": "sms"})
        cls.customer.ar_channel = "ivr"

    def setUp(self):
        super().setUp()
        self.exotel = self.enterContext(fake_exotel.FakeExotel())
        self.twilio = self.enterContext(fake_twilio.FakeTwilio())
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        self.reminder = self.plan().filtered(lambda r: r.partner_id == self.customer)
        self.assertEqual(self.reminder.channel, "ivr")

    def callback(self, status, at=time(4, 31)):
        """Exotel posts the end of the last call at ``at`` (UTC)."""
        url, body = self.exotel.status_callback(self.exotel.calls[-1], status, duration=20)
        with freeze_time(datetime.combine(TODAY, at)):
            response = self.url_open(
                url, data=json.dumps(body), headers={"Content-Type": "application/json"}
            )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()

    def test_three_calls_not_answered_then_one_sms(self):
        self.dispatch()
        self.assertEqual(self.reminder.state, "sent")
        [first] = self.exotel.calls
        self.assertEqual((first["From"], first["To"]), (CUSTOMER, None))
        self.assertEqual(first["Url"], exotel.flow_url(fake_exotel.SID, "231"))
        attempt = self.reminder.ar_call_attempt_ids
        self.assertEqual(first["CustomField"], "%s|1000.00|en" % attempt.reference)
        self.assertEqual(self.reminder.provider_message_id, first["Sid"])
        # each call ends a minute after it left; the next leaves an hour later
        cases = [
            # status reported, when, the reminder then, its next call (UTC)
            ("no-answer", time(4, 31), "queued", time(5, 31)),
            ("busy", time(5, 32), "queued", time(6, 32)),
            ("failed", time(6, 33), "queued", None),
        ]
        labels = {"no-answer": "No answer", "busy": "Busy", "failed": "Failed"}
        for index, (status, at, state, next_call) in enumerate(cases, start=1):
            self.callback(status, at)
            self.assertIn(
                "Automated call %s of 3: %s" % (index, labels[status]), self.reminder.error
            )
            self.assertEqual(self.reminder.state, state)
            if next_call:
                self.assertEqual(self.reminder.date_scheduled, datetime.combine(TODAY, next_call))
                self.dispatch(at=next_call)
                self.assertEqual((self.reminder.state, len(self.exotel.calls)), ("sent", index + 1))
        self.assertEqual(
            self.reminder.ar_call_attempt_ids.mapped("status"), ["failed", "busy", "no-answer"]
        )
        # the third not answered: the step's next channel, an SMS with the amount overdue
        self.assertEqual((self.reminder.state, self.reminder.channel), ("queued", "sms"))
        self.dispatch(at=time(7, 40))
        self.assertEqual((self.reminder.state, self.reminder.channel), ("sent", "sms"))
        [sms] = self.twilio.messages
        self.assertEqual(sms["to"], CUSTOMER)
        self.assertIn("₹1,000.00 overdue", sms["body"])
        self.assertEqual(len(self.exotel.calls), 3, "no fourth call")

    def test_answered_call_is_delivered_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("hi_IN")
        self.customer.lang = "hi_IN"
        self.dispatch()
        [call] = self.exotel.calls
        self.assertEqual(call["Url"], exotel.flow_url(fake_exotel.SID, "232"))
        self.assertTrue(call["CustomField"].endswith("|1000.00|hi"))
        self.callback("completed")
        self.callback("completed")  # Exotel's retry
        self.assertEqual(self.reminder.state, "delivered")
        self.assertEqual(self.reminder.ar_call_attempt_ids.status, "completed")
        self.assertFalse(self.twilio.messages)

    def test_without_exotel_the_step_falls_back(self):
        self.settings.call_provider = "none"
        self.reminder.unlink()
        reminder = self.plan(self.days_before(-1)).filtered(lambda r: r.partner_id == self.customer)
        self.assertEqual(reminder.channel, "sms")

    def test_test_mode_simulates_three_unanswered_calls_then_the_sms(self):
        """In test mode nothing reaches Exotel: the simulator ends each call by the number's
        last digit (6: not answered), so the whole path shows without an account."""
        self.settings.call_provider = "none"
        self.ivr.state = "test"
        self.customer.phone = "+91 98200 12346"
        for at in (time(4, 30), time(5, 30), time(6, 30), time(6, 31)):
            self.dispatch(at=at)
        attempts = self.reminder.ar_call_attempt_ids
        self.assertEqual(attempts.mapped("provider"), ["simulator"] * 3)
        self.assertEqual(attempts.mapped("status"), ["no-answer"] * 3)
        self.assertEqual((self.reminder.state, self.reminder.channel), ("sent", "sms"))
        self.assertEqual(len(self.twilio.messages), 1)
        self.assertFalse(self.exotel.requests)

    def test_unanswered_calls_end_in_an_sms_whatever_the_step_says(self):
        """The SMS belongs to the automated call: with a step naming no fallback, and for
        a reminder sent from *Send reminder now*, three calls not answered end in one SMS."""
        self.settings.call_provider = "none"
        self.ivr.state = "test"
        self.customer.phone = "+91 98200 12346"
        self.step_first.fallback_channel = False
        planned = self.reminder
        for at in (time(4, 30), time(5, 30), time(6, 30), time(6, 31)):
            self.dispatch(at=at)
        self.assertEqual((planned.state, planned.channel), ("sent", "sms"))
        self.assertEqual(len(self.twilio.messages), 1)

        other = self.env["res.partner"].create(
            {"name": "Manual IVR", "phone": "+91 98200 54326", "ar_channel": "ivr"}
        )
        self._ar_invoice(other, 500, self.days_before(20))
        wizard = (
            self.env["ar.followup.send"]
            .with_context(active_model="res.partner", active_ids=other.ids)
            .create({})
        )
        self.assertEqual(wizard.line_ids.channel, "ivr")
        wizard.action_send()
        manual = self.env["ar.followup.reminder"].search([("partner_id", "=", other.id)])
        self.assertFalse(manual.step_id)
        for at in (time(4, 40), time(5, 41), time(6, 42), time(6, 43)):
            self.dispatch(at=at)
        self.assertEqual(len(manual.ar_call_attempt_ids), 3)
        self.assertEqual((manual.state, manual.channel), ("sent", "sms"))
        self.assertEqual(self.twilio.messages[-1]["to"], "+919820054326")
        self.assertIn("₹500.00", self.twilio.messages[-1]["body"])
