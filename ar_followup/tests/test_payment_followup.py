# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retries after a failed online payment, with Odoo's demo payment provider."""

from datetime import timedelta
from urllib.parse import urlparse

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestPaymentRetry(HttpCase, ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = (
            cls.env["payment.provider"]
            .sudo()
            .search([("code", "=", "demo"), ("company_id", "=", cls.company.id)], limit=1)
        )
        cls.provider.state = "test"
        cls.step = cls.env.ref("ar_followup.ar_followup_policy_step_payment_retry")

    def setUp(self):
        super().setUp()
        self.invoice = self._ar_invoice(self.customer, 125000, self.days_before(10))
        self.refresh_ageing()

    def transaction(self, reference, invoices=None):
        invoices = invoices or self.invoice
        return (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": self.provider.id,
                    "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
                    "reference": reference,
                    "amount": sum(invoices.mapped("amount_residual")),
                    "currency_id": invoices.currency_id.id,
                    "partner_id": self.customer.id,
                    "operation": "online_redirect",
                    "invoice_ids": [Command.set(invoices.ids)],
                }
            )
        )

    def retries(self, transaction=None):
        domain = [("step_id", "=", self.step.id), ("partner_id", "=", self.customer.id)]
        if transaction:
            domain.append(("transaction_id", "=", transaction.id))
        return self.env["ar.followup.reminder"].sudo().search(domain, order="date, id")

    def test_failed_payment_plans_retries_with_a_fresh_link(self):
        tx = self.transaction("AR-TX-1")
        tx.action_demo_set_error()
        self.assertEqual(tx.state, "error")
        retries = self.retries(tx)
        self.assertEqual(
            [(r.date, r.state, r.stage, r.channel, r.cycle_key) for r in retries],
            [
                (TODAY + timedelta(days=n), "planned", "payment_failed", "email", key)
                for n, key in (
                    (1, "payment_failed:%s:1" % tx.id),
                    (3, "payment_failed:%s:3" % tx.id),
                    (7, "payment_failed:%s:7" % tx.id),
                )
            ],
        )
        self.assertEqual(retries.move_ids, self.invoice)
        self.assertEqual(retries.mapped("amount_residual"), [125000.0] * 3)

        # the provider notifies the same failure again: nothing more is planned
        tx._set_error("Declined again")
        self.env["ar.followup.reminder"]._ar_plan_payment_followups(tx)
        self.assertEqual(self.retries(), retries)

        # the next day, the first retry leaves with a fresh payment link that works
        day = TODAY + timedelta(days=1)
        with self.frozen(day):
            now = fields.Datetime.now()
            self.env["ar.followup.reminder"].sudo()._ar_release(self.company, now)
            first = retries[0]
            self.assertEqual(first.state, "queued")
            first.write({"state": "sending", "date_sending": now})
            first._ar_dispatch_one(first._ar_check_before_send(now).get(first.id), now)
        self.assertEqual(first.state, "sent")
        self.assertEqual(first.subject, "Your payment did not go through: ₹1,25,000.00 still due")
        self.assertIn("did not go through", first.body)
        pay = first._ar_tracked_url("pay")
        self.assertIn(pay, first.body)
        response = self.url_open(urlparse(pay).path)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(urlparse(response.url).path, "/my/invoices/%s" % self.invoice.id)
        self.assertIn("portal_pay", response.text)
        first.invalidate_recordset()
        self.assertEqual(first.click_count, 1)

    def test_cancelled_payment_supersedes_and_payment_settles(self):
        tx1 = self.transaction("AR-TX-1")
        tx1.action_demo_set_error()
        self.assertEqual(len(self.retries(tx1)), 3)
        # the customer tries again and cancels: the newer retries replace the waiting ones
        tx2 = self.transaction("AR-TX-2")
        tx2.action_demo_set_canceled()
        self.assertEqual(tx2.state, "cancel")
        self.assertEqual(self.retries(tx2).mapped("state"), ["planned"] * 3)
        self.assertEqual(
            [(r.state, r.reason) for r in self.retries(tx1)], [("cancelled", "superseded")] * 3
        )
        self.assertIn("AR-TX-2", self.retries(tx1)[0].reason_text)
        # then pays online: the payment is reconciled, the retries still waiting are cancelled
        tx3 = self.transaction("AR-TX-3")
        tx3.action_demo_set_done()
        tx3._post_process()
        self.assertTrue(tx3.payment_id)
        self.assertIn(self.invoice.payment_state, ("in_payment", "paid"))
        self.assertFalse(self.invoice.amount_residual)
        self.assertEqual(
            [(r.state, r.reason) for r in self.retries(tx2)], [("cancelled", "paid")] * 3
        )

    def test_no_retry_when_switched_off_or_nothing_due(self):
        with self.assertRaisesRegex(ValidationError, "whole days from 1 on"):
            self.company.ar_payment_retry_days = "0, 3"
        self.company.ar_payment_retry_days = ""
        self.transaction("AR-TX-1").action_demo_set_error()
        self.assertFalse(self.retries())
        self.company.ar_payment_retry_days = "2"
        self._ar_pay(self.invoice, 125000, pay_date=TODAY)
        self.transaction("AR-TX-2").action_demo_set_error()
        self.assertFalse(self.retries(), "a paid invoice needs no retry")
        other = self._ar_invoice(self.customer, 5000, self.days_before(1))
        tx = self.transaction("AR-TX-3", other)
        tx.action_demo_set_error()
        self.assertEqual(self.retries(tx).mapped("date"), [TODAY + timedelta(days=2)])

    def test_retries_planned_ahead_do_not_hold_back_todays_step(self):
        """A retry planned for tomorrow counts as contact from tomorrow: the step due
        today still goes out today (the policy's minimum interval looks back only)."""
        tx = self.transaction("AR-TX-AHEAD")
        tx.action_demo_set_error()
        self.assertEqual(self.retries(tx)[0].date, TODAY + timedelta(days=1))
        with self.frozen(TODAY):
            self.env.invalidate_all()
            planned = self.company._ar_plan_reminders(TODAY)
        self.assertEqual(
            [(r.partner_id, r.step_id, r.date, r.state) for r in planned],
            [
                (
                    self.customer,
                    self.env.ref("ar_followup.ar_followup_policy_step_standard_first"),
                    TODAY,
                    "planned",
                )
            ],
        )
