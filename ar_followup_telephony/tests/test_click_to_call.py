# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Click-to-call through Exotel and Knowlarity, against local fake servers: the collector's
phone first, then the customer; the call log filled by Exotel's status callbacks."""

import json
import socket
from datetime import datetime
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.ar_followup.tools import provider_urls

from ..models import ar_followup_call_attempt as attempt_module
from ..tools import exotel
from . import fake_exotel, fake_knowlarity
from .common import ArCallCommon

CUSTOMER = "+919820012345"  # common.py: "+91 98200 12345"
COLLECTOR = "+919900011111"


@tagged("post_install", "-at_install")
class TestClickToCall(HttpCase, ArCallCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ar_user.phone = "099000 11111"
        cls.settings.write(
            {
                "call_provider": "exotel",
                "exotel_sid": fake_exotel.SID,
                "exotel_api_key": fake_exotel.API_KEY,
                "exotel_api_token": fake_exotel.API_TOKEN,
                "exotel_caller_id": "+918047112233",
                "knowlarity_api_key": fake_knowlarity.API_KEY,
                "knowlarity_sr_key": fake_knowlarity.SR_KEY,
                "knowlarity_k_number": "+918047100000",
                "knowlarity_caller_id": "+918047100001",
            }
        )

    def setUp(self):
        super().setUp()
        self.exotel = self.enterContext(fake_exotel.FakeExotel())
        self.knowlarity = self.enterContext(fake_knowlarity.FakeKnowlarity())
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self.call = self.queue(self.customer)
        self.call.user_id = self.ar_user

    def dial(self):
        """The collector presses Call; returns (action, the call placed)."""
        action = self.call.with_user(self.ar_user).action_call()
        self.env.invalidate_all()
        return action, self.call.attempt_ids[:1]

    def post_callback(self, url, body, content_type="application/json"):
        data = (
            json.dumps(body)
            if content_type == "application/json" and not isinstance(body, str)
            else body
        )
        return self.url_open(url, data=data, headers={"Content-Type": content_type})

    def test_exotel_rings_the_collector_then_the_customer(self):
        # what the server log gets (INFO is below the tests' log level)
        with patch.object(attempt_module._logger, "info") as info:
            action, attempt = self.dial()
        self.assertEqual(action["res_model"], "ar.followup.call.outcome")
        [placed] = self.exotel.calls
        self.assertEqual((placed["From"], placed["To"]), (COLLECTOR, CUSTOMER))
        self.assertEqual(placed["PhoneNumberSid"], "+918047112233")
        self.assertEqual(placed["CustomField"], attempt.reference)
        token = self.settings.call_callback_token
        self.assertEqual(
            placed["StatusCallback"],
            "%s/ar_followup_telephony/exotel/%s/status" % (self.base_url(), token),
        )
        self.assertEqual(
            (attempt.provider, attempt.provider_call_id, attempt.status),
            ("exotel", placed["Sid"], "in-progress"),
        )
        self.assertEqual((attempt.from_number, attempt.to_number), (COLLECTOR, CUSTOMER))
        log = "\n".join(args[0] % args[1:] for args, _kwargs in info.call_args_list)
        for secret in (CUSTOMER, COLLECTOR, fake_exotel.API_TOKEN, token):
            self.assertNotIn(secret, log)
        self.assertIn("+91*******345", log)
        # Exotel posts the end of the call, then again (its retry): the same call log
        url, body = self.exotel.status_callback(placed, "completed", duration=95)
        for _again in range(2):
            response = self.post_callback(url, body)
            self.assertEqual((response.status_code, response.text), (200, "ok"))
            self.env.invalidate_all()
            self.assertEqual(
                (attempt.status, attempt.duration, attempt.date_end, attempt.recording_url),
                (
                    "completed",
                    95,
                    datetime(2026, 6, 15, 4, 31, 45),
                    "https://recordings.exotel.com/%s.mp3" % placed["Sid"],
                ),
            )
        # a late report of an earlier state changes nothing
        url, body = self.exotel.status_callback(placed, "no-answer")
        self.post_callback(url, body)
        self.env.invalidate_all()
        self.assertEqual(attempt.status, "completed")
        self.record(
            self.call, "promise", promise_date=datetime(2026, 6, 20).date(), promise_amount=1000
        )
        self.assertEqual((attempt.outcome, self.call.state), ("promise", "done"))

    def test_exotel_failures_are_recorded_and_never_dial_twice(self):
        cases = [
            # scripted answer, status of the call, what the collector reads
            (fake_exotel.UNAUTHORIZED, "error", "Refused by the provider: Exotel 401"),
            (fake_exotel.TOO_MANY, "error", "unavailable, try again later: Exotel 429"),
            (fake_exotel.OUTAGE, "error", "unavailable, try again later: Exotel 503"),
            (
                (400, {"RestException": {"Message": "Invalid To %s" % CUSTOMER}}),
                "error",
                "Invalid To +91*******345",
            ),
            ((200, {"Call": {}}), "uncertain", "may have been placed"),
            (fake_exotel.SLOW, "uncertain", "may have been placed"),
        ]
        for answer, status, text in cases:
            with self.subTest(answer=answer), self.env.cr.savepoint() as sp:
                self.exotel.script[CUSTOMER] = [answer]
                with (
                    patch.object(exotel.ExotelClient, "timeout", 1),
                    mute_logger(
                        "odoo.addons.ar_followup_telephony.models.ar_followup_call_attempt"
                    ),
                ):
                    action, attempt = self.dial()
                self.assertEqual(attempt.status, status)
                self.assertIn(text, attempt.error)
                self.assertNotIn(CUSTOMER, attempt.error)
                if status == "error":
                    self.assertEqual(action["tag"], "display_notification")
                    self.assertIn(text, action["params"]["message"])
                    # nothing was dialled: the collector may try again
                    self.dial()
                    self.assertEqual(len(self.exotel.calls), 1)
                    self.exotel.calls.clear()
                else:
                    self.assertEqual(action["res_model"], "ar.followup.call.outcome")
                    with self.assertRaisesRegex(UserError, "still going on"):
                        self.dial()
                sp.rollback()
                self.env.invalidate_all()

    def test_exotel_unreachable(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.enterContext(provider_urls.redirect("exotel", "http://127.0.0.1:%s" % port))
        with mute_logger("odoo.addons.ar_followup_telephony.models.ar_followup_call_attempt"):
            _action, attempt = self.dial()
        self.assertEqual(attempt.status, "error")
        self.assertIn("provider unreachable", attempt.error)

    def test_a_provider_needs_the_collectors_phone(self):
        self.ar_user.phone = False
        with self.assertRaisesRegex(UserError, "Set a valid phone number in your preferences"):
            self.dial()
        self.assertFalse(self.call.attempt_ids)

    @mute_logger("odoo.addons.ar_followup_telephony.controllers.exotel")
    def test_callbacks_never_500_and_touch_only_our_calls(self):
        _action, attempt = self.dial()
        placed = self.exotel.calls[0]
        url, good = self.exotel.status_callback(placed, "completed", duration=30)
        other, _clerk = self._ar_other_company_clerk()
        other_settings = self.env["ar.followup.channel"]._ar_call_account(other)
        other_url = url.replace(
            self.settings.call_callback_token, other_settings.call_callback_token
        )
        bodies = [
            ("{not json", "application/json"),
            ("[1, 2]", "application/json"),
            ({"Status": "completed"}, "application/json"),
            ({**good, "CallSid": "c" * 500}, "application/json"),
            ({**good, "CallSid": ["a", "b"]}, "application/json"),
            ({**good, "CallSid": "unknown"}, "application/json"),
            ({**good, "Status": "exploded"}, "application/json"),
            ("CallSid=%s&Status=%%ff%%fe" % placed["Sid"], "application/x-www-form-urlencoded"),
            ("\x00\x01binary", "application/octet-stream"),
        ]
        for body, content_type in bodies:
            with self.subTest(body=body):
                response = self.post_callback(url, body, content_type)
                self.assertEqual(response.status_code, 200)
        # another company's token does not reach this company's call
        self.assertEqual(self.post_callback(other_url, good).status_code, 200)
        # a wrong token is not ours
        self.assertEqual(
            self.post_callback(url.replace("/exotel/", "/exotel/x"), good).status_code, 404
        )
        self.assertEqual(self.url_open(url.replace("/status", "")).status_code, 404)
        self.env.invalidate_all()
        self.assertEqual((attempt.status, attempt.duration), ("in-progress", 0))
        # a form-encoded callback is read as well
        form = "CallSid=%s&Status=busy&DateUpdated=2026-06-15 10:00:30" % placed["Sid"]
        self.post_callback(url, form, "application/x-www-form-urlencoded")
        self.env.invalidate_all()
        self.assertEqual(attempt.status, "busy")

    def test_knowlarity_makecall(self):
        self.settings.call_provider = "knowlarity"
        action, attempt = self.dial()
        self.assertEqual(action["res_model"], "ar.followup.call.outcome")
        [request] = self.knowlarity.requests
        self.assertEqual(request["headers"]["x-api-key"], fake_knowlarity.API_KEY)
        self.assertEqual(request["headers"]["Authorization"], fake_knowlarity.SR_KEY)
        [placed] = self.knowlarity.calls
        self.assertEqual(
            (placed["k_number"], placed["agent_number"], placed["customer_number"]),
            ("+918047100000", COLLECTOR, CUSTOMER),
        )
        self.assertEqual(placed["additional_params"], {"uniqueid": attempt.reference})
        self.assertEqual(
            (attempt.provider, attempt.provider_call_id, attempt.status),
            ("knowlarity", placed["call_id"], "queued"),
        )
        self.record(self.call, "no_answer")
        # a wrong key: refused, the raw answer kept
        self.settings.knowlarity_sr_key = "wrong"
        self.call.date_next_call = False
        with mute_logger("odoo.addons.ar_followup_telephony.models.ar_followup_call_attempt"):
            action, attempt = self.dial()
        self.assertEqual(attempt.status, "error")
        self.assertIn("Knowlarity 403: Forbidden", attempt.error)
        self.assertIn('{"message": "Forbidden"}', attempt.error)
        self.assertNotIn("wrong", self.knowlarity.url)

    def test_credentials_for_system_administrators_only(self):
        settings = self.settings.with_user(self.ar_manager)
        self.assertEqual(settings.call_max_per_day, 2)
        for field in (
            "exotel_api_token",
            "knowlarity_sr_key",
            "call_callback_token",
            "call_provider",
        ):
            with self.subTest(field=field), self.assertRaises(AccessError):
                settings.read([field])
        sql = Path(__file__).parent.parent.joinpath("data", "neutralize.sql").read_text()
        self.env.flush_all()
        self.env.cr.execute(sql)
        self.env.invalidate_all()
        self.assertEqual(
            self.settings.read(
                ["call_provider", "exotel_api_token", "knowlarity_sr_key", "call_callback_token"]
            )[0],
            {
                "id": self.settings.id,
                "call_provider": "none",
                "exotel_api_token": False,
                "knowlarity_sr_key": False,
                "call_callback_token": False,
            },
        )
        # without a provider, the collector dials
        _action, attempt = self.dial()
        self.assertEqual((attempt.provider, attempt.status), ("manual", "manual"))
        self.assertFalse(self.exotel.requests)
