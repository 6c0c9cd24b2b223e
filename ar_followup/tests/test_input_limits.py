# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Absurd values are refused with a clear message, and what the follow-up sets itself
cannot be written by hand, whatever a client sends."""

from datetime import date, timedelta

import psycopg2

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestInputLimits(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._ar_invoice(cls.customer, 1000, cls.days_before(40))

    def test_settings_refuse_absurd_retries(self):
        settings = self.env["res.config.settings"]  # as an administrator
        for values in (
            {"ar_send_retry_minutes": -15},
            {"ar_send_retry_minutes": 0},
            {"ar_send_retry_minutes": 100000},
            {"ar_send_max_attempts": 0},
            {"ar_send_max_attempts": 10**9},
            {"ar_promise_max_days": 0},
            {"ar_pause_max_days": -1},
        ):
            with (
                self.subTest(values=values),
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.CheckViolation),
                self.env.cr.savepoint(),
            ):
                settings.create(values).execute()
                self.env.flush_all()
        self.assertEqual(
            (self.company.ar_send_retry_minutes, self.company.ar_send_max_attempts), (15, 3)
        )

    def test_retry_waits_twice_as_long_at_most_a_day(self):
        self.company.write({"ar_send_retry_minutes": 1440, "ar_send_max_attempts": 10})
        reminder = self.plan()
        self.assertEqual(len(reminder), 1)
        from ..exceptions import ArTransientError

        now = reminder.date_scheduled
        for attempt in range(1, 10):
            reminder.write({"state": "sending", "attempt_count": attempt - 1})
            reminder._ar_handle_send_error(ArTransientError("provider down"), now)
            with self.subTest(attempt=attempt):
                self.assertEqual(reminder.state, "queued")
                self.assertEqual(reminder.date_scheduled - now, timedelta(days=1))

    def test_promise_and_pause_within_the_company_limits(self):
        Promise = self.env["ar.followup.promise"].with_user(self.ar_user)
        vals = {"partner_id": self.customer.id, "source": "call", "amount": 1}
        with self.assertRaisesRegex(ValidationError, "at most 180 days after it is made"):
            Promise.create({**vals, "date_promised": date(2099, 1, 1)})
        self.assertTrue(Promise.create({**vals, "date_promised": TODAY + timedelta(days=180)}))
        pause = self.env["ar.followup.pause"].with_user(self.ar_user)
        with self.assertRaisesRegex(ValidationError, "paused at most 90 days ahead"):
            pause.create(
                {
                    "partner_ids": [Command.set(self.customer.ids)],
                    "date_until": date(2999, 1, 1),
                    "reason": "forever",
                }
            ).action_pause()
        with self.assertRaisesRegex(ValidationError, "paused at most 90 days ahead"):
            self.customer.ar_pause_until = date(2999, 1, 1)
        self.company.ar_pause_max_days = 400
        self.customer.ar_pause_until = TODAY + timedelta(days=400)

    def test_what_the_follow_up_sets_is_read_only_for_users(self):
        promise = (
            self.env["ar.followup.promise"]
            .with_user(self.ar_user)
            .create({"partner_id": self.customer.id, "source": "call", "date_promised": TODAY})
        )
        dispute = (
            self.env["ar.followup.dispute"]
            .with_user(self.ar_user)
            .create({"partner_id": self.customer.id, "reason": "pricing"})
        )
        for record, values in (
            (promise, {"name": "PTP/FAKE"}),
            (promise, {"escalate_next_step": True}),
            (promise, {"date_done": TODAY}),
            (dispute, {"name": "DSP/FAKE"}),
            (dispute, {"date_resolved": TODAY}),
        ):
            with self.subTest(values=values), self.assertRaisesRegex(AccessError, "set by the"):
                record.write(values)
        for record, state in (
            (promise, "kept"),
            (promise, "broken"),
            (dispute, "in_review"),
            (dispute, "resolved"),
            (dispute, "cancelled"),
        ):
            with (
                self.subTest(record=record, state=state),
                self.assertRaisesRegex(AccessError, "changes through its buttons only"),
            ):
                record.write({"state": state})
        self.assertEqual((promise.state, promise.escalate_next_step), ("open", False))
        self.assertEqual(dispute.state, "open")
        # what users may do, they still do through the actions
        promise.action_cancel()
        self.assertEqual((promise.state, promise.date_done), ("cancelled", TODAY))
        dispute.action_start_review()
        dispute.write({"ar_response": "Checking the delivery notes."})
        self.assertEqual(dispute.state, "in_review")
        dispute.action_cancel()
        self.assertEqual((dispute.state, dispute.date_resolved), ("cancelled", TODAY))
