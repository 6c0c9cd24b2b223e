# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import format_date

from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestPromise(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_1 = cls._ar_invoice(cls.customer, 1000, cls.days_before(40))
        cls.invoice_2 = cls._ar_invoice(cls.customer, 2500, cls.days_before(10))
        cls.Promise = cls.env["ar.followup.promise"].with_user(cls.ar_user)
        cls.pay_by = cls.days_before(-5)  # Saturday 20 June 2026

    def _promise(self, moves=None, **vals):
        return self.Promise.create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(moves.ids)] if moves else [],
                "date_promised": self.pay_by,
                "source": "call",
                **vals,
            }
        )

    def _suspended_on(self, day, records):
        with self.frozen(day):
            self.env.invalidate_all()
            return {r: r.ar_followup_suspension_reason for r in records if r.ar_followup_suspended}

    def _run_cron(self, day):
        with self.frozen(day):
            self.env.invalidate_all()
            self.env["ar.followup.promise"]._cron_ar_check_promises()
        self.env.invalidate_all()

    def _pay_customer(self, amount, day=TODAY):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "date": day,
                "partner_id": self.customer.id,
                "amount": amount,
            }
        )
        payment.action_post()
        return payment

    def test_promise_suspends_until_date_plus_grace(self):
        promise = self._promise(self.invoice_1)
        self.assertEqual(promise.name, "PTP/2026/0001")
        self.assertEqual(
            (promise.state, promise.amount, promise.currency_id), ("open", 1000, self.inr)
        )
        self.assertEqual(self.company.ar_promise_grace_days, 3)
        self.assertEqual(promise.date_grace_end, self.days_before(-8))
        reason = "Promised to pay by %s" % format_date(self.env, self.pay_by)
        invoices = self.invoice_1 | self.invoice_2
        for day in (TODAY, self.pay_by, self.days_before(-8)):
            self.assertEqual(self._suspended_on(day, invoices), {self.invoice_1: reason}, day)
            self.assertEqual(
                self.customer._ar_get_suspensions(day)[self.customer.id]["moves"],
                {self.invoice_1.id: reason},
            )
        self.assertEqual(
            self._suspended_on(self.days_before(-9), invoices), {}, "not after the grace"
        )
        self.assertEqual(
            self.customer._ar_get_suspensions(self.days_before(-9))[self.customer.id]["moves"], {}
        )
        self.assertEqual(self.invoice_1.ar_promise_count, 1)
        self.assertIn(
            "Promise to pay %s recorded: ₹\xa01,000.00 by %s. Reminders are suspended until %s."
            % (
                promise.name,
                format_date(self.env, self.pay_by),
                format_date(self.env, self.days_before(-8)),
            ),
            self.chatter(self.invoice_1),
        )

    def test_grace_is_configured_in_settings(self):
        promise = self._promise()
        settings = Form(self.env["res.config.settings"])
        self.assertEqual(settings.ar_promise_grace_days, 3)
        settings.ar_promise_grace_days = 0
        settings.save().execute()
        self.assertEqual(self.company.ar_promise_grace_days, 0)
        self.assertEqual(promise.date_grace_end, self.pay_by)
        self.assertTrue(self._suspended_on(self.pay_by, self.customer))
        self.assertFalse(self._suspended_on(self.days_before(-6), self.customer))

    def test_whole_customer_promise_suspends_the_customer(self):
        promise = self._promise()
        self.assertEqual(promise.amount, 3500, "defaults to the total due")
        reason = "Promised to pay by %s" % format_date(self.env, self.pay_by)
        self.assertEqual(
            self._suspended_on(TODAY, self.customer | self.customer_b), {self.customer: reason}
        )
        self.assertEqual(
            self._suspended_on(TODAY, self.invoice_1 | self.invoice_2),
            {self.invoice_1: reason, self.invoice_2: reason},
        )

    def test_promise_kept_when_its_invoice_is_paid(self):
        promise = self._promise(self.invoice_1 | self.invoice_2)
        self._ar_pay(self.invoice_1, 1000)
        self.assertEqual(promise.state, "open", "one invoice of two is paid")
        self._ar_pay(self.invoice_2, 2000)
        self.assertEqual(promise.state, "open", "partly paid")
        self._ar_pay(self.invoice_2, 500)
        self.assertEqual((promise.state, promise.date_done), ("kept", TODAY))
        self.assertFalse(self._suspended_on(TODAY, self.invoice_1 | self.invoice_2))
        self.assertIn("Promise to pay kept: %s." % promise.name, self.chatter(self.customer))
        self.assertEqual(self.invoice_1.with_user(self.ar_user).ar_promise_count, 0)
        # a kept promise is not broken later
        self._run_cron(self.days_before(-30))
        self.assertEqual(promise.state, "kept")
        self.assertEqual(self.customer.ar_tone_escalation, 0)

    def test_promise_on_a_credited_invoice_is_cancelled_not_broken(self):
        promise = self._promise(self.invoice_1)
        self.invoice_1._reverse_moves(cancel=True)
        self.assertEqual(self.invoice_1.payment_state, "reversed")
        self.assertEqual(promise.state, "cancelled")
        self._run_cron(self.days_before(-30))
        self.assertEqual((promise.state, self.customer.ar_tone_escalation), ("cancelled", 0))

    def test_promise_against_the_total_kept_by_payments(self):
        self._pay_customer(400, day=self.days_before(1))  # before the promise: does not count
        promise = self._promise(amount=1500)
        self._ar_pay(self.invoice_1, 1000, pay_date=TODAY)
        self.assertEqual(promise.state, "open")
        self._pay_customer(499)
        self.assertEqual(promise.state, "open")
        self._pay_customer(1)
        self.assertEqual(promise.state, "kept", "1000 + 499 + 1 received since the promise")

    def test_cron_keeps_what_was_paid_without_the_hooks(self):
        promise = self._promise(amount=300)
        # a payment coming in through a path that skips the hooks (an import, say)
        with patch.object(type(self.env["account.move"]), "_ar_check_promises", lambda moves: None):
            self._pay_customer(300)
        self.assertEqual(promise.state, "open")
        self._run_cron(self.days_before(-20))
        self.assertEqual(promise.state, "kept", "the daily run looks before it breaks")
        self.assertEqual(self.customer.ar_tone_escalation, 0)

    def test_promise_broken_after_grace_escalates(self):
        self.customer.ar_owner_id = self.ar_manager
        promise = self._promise(self.invoice_1, amount=800)
        # on the last day of grace it is still open
        self._run_cron(self.days_before(-8))
        self.assertEqual(promise.state, "open")
        self._ar_pay(self.invoice_1, 800)  # not all of it
        broken_on = self.days_before(-9)
        self._run_cron(broken_on)
        self.assertEqual(
            (promise.state, promise.date_done, promise.escalate_next_step),
            ("broken", broken_on, True),
        )
        self.assertEqual(self.customer.ar_tone_escalation, 1)
        summary = "Promise to pay broken: %s promised ₹\xa0800.00 by %s" % (
            self.customer.name,
            format_date(self.env, self.pay_by),
        )
        activity = promise.activity_ids
        self.assertEqual(
            (activity.user_id, activity.summary, activity.activity_type_id, activity.date_deadline),
            (self.ar_manager, summary, self.env.ref("mail.mail_activity_data_todo"), broken_on),
        )
        self.assertEqual(
            self.chatter(promise)[0], "%s. Reminders resume one step firmer." % summary
        )
        self.assertIn(
            "Promise to pay %s broken: ₹\xa0800.00 was due by %s. Reminders resume one step firmer."
            % (promise.name, format_date(self.env, self.pay_by)),
            self.chatter(self.customer),
        )
        self.assertFalse(self._suspended_on(broken_on, self.invoice_1))
        # the cadence engine consumes the escalation once
        self.assertEqual(promise._ar_consume_escalations(), promise)
        self.assertFalse(promise.escalate_next_step)
        # the next run does not break it again
        self._run_cron(self.days_before(-10))
        self.assertEqual(self.customer.ar_tone_escalation, 1)
        self.assertEqual(len(promise.activity_ids), 1)

    def test_broken_promise_activity_falls_back_to_salesperson_then_recorder(self):
        self.customer.user_id = self.ar_manager
        promise_1 = self._promise()
        promise_2 = self.Promise.create(
            {
                "partner_id": self.customer_b.id,
                "date_promised": self.pay_by,
                "amount": 100,
            }
        )
        self._run_cron(self.days_before(-9))
        self.assertEqual(promise_1.activity_ids.user_id, self.ar_manager)
        self.assertEqual(promise_2.activity_ids.user_id, self.ar_user)
        self.assertEqual(
            (self.customer.ar_tone_escalation, self.customer_b.ar_tone_escalation), (1, 1)
        )

    def test_record_promise_button_and_dates(self):
        action = self.invoice_2.with_user(self.ar_user).action_ar_record_promise()
        form = Form(self.Promise.with_context(**action["context"]))
        self.assertEqual(
            (form.partner_id, form.move_ids.ids, form.amount),
            (self.customer, self.invoice_2.ids, 2500),
        )
        form.date_promised = self.pay_by
        form.amount = 2000
        promise = form.save()
        self.assertEqual(
            (promise.amount, promise.date, promise.user_id), (2000, TODAY, self.ar_user)
        )
        with self.assertRaises(ValidationError):
            self._promise(date_promised=self.days_before(1))
        action = self.customer.with_user(self.ar_user).action_ar_open_promises()
        self.assertEqual(self.Promise.search(action["domain"]), promise)
        promise.action_cancel()
        self.assertEqual(promise.state, "cancelled")
        self.assertFalse(self._suspended_on(TODAY, self.invoice_2))

    def test_other_company_cannot_see_promises(self):
        _other, clerk_b = self._ar_other_company_clerk()
        promise = self._promise(self.invoice_1)
        Promise_b = self.env["ar.followup.promise"].with_user(clerk_b)
        self.assertFalse(Promise_b.search([]))
        with self.assertRaises(AccessError):
            Promise_b.browse(promise.id).read(["name", "amount"])
        with self.assertRaises(AccessError):
            promise.unlink()
        with self.assertRaises(AccessError):
            promise.with_user(self.ar_manager).unlink()
        promise.with_user(self._ar_system_admin()).unlink()
        self.assertFalse(promise.exists())

    def test_suspensions_are_set_based(self):
        """Reading suspensions costs the same for 2 customers as for 8."""
        customers = self.env["res.partner"].browse(
            [self._ar_create_customer("Customer %s" % i).id for i in range(8)]
        )
        Promise = self.env["ar.followup.promise"]
        Promise.create(
            [{"partner_id": c.id, "date_promised": self.pay_by, "amount": 100} for c in customers]
        )
        self.env["ar.followup.dispute"].create(
            [{"partner_id": c.id, "reason": "other"} for c in customers]
        )
        # the first search on a per-company field loads the defaults once (cached after)
        customers[:1]._ar_get_suspensions(TODAY)
        counts = []
        for partners in (customers[:2], customers):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            result = partners._ar_get_suspensions(TODAY)
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(len(result), len(partners))
            self.assertTrue(all(entry["partner"] for entry in result.values()))
        self.assertEqual(counts[0], counts[1])
