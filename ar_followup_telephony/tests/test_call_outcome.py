# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a collector sees on a call task, and what each outcome of a call does."""

from datetime import date, datetime

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ArCallCommon


@tagged("post_install", "-at_install")
class TestCallOutcome(ArCallCommon):
    def setUp(self):
        super().setUp()
        self.step_first.write({"channel": "call", "fallback_channel": "email"})
        self.customer.ar_channel = "call"
        self.invoice = self._ar_invoice(self.customer, 125000, self.days_before(7))
        self.reminder = self.plan().filtered(lambda r: r.partner_id == self.customer)
        self.dispatch()
        self.call = self.Call.search([("partner_id", "=", self.customer.id)])
        self.call.user_id = self.ar_user
        self.assertEqual(self.reminder.state, "sent")

    def test_context_on_screen(self):
        self._ar_pay(self.invoice, 25000, self.days_before(3))
        self.customer.message_post(body="Customer says the cheque is ready", message_type="comment")
        self.env["ar.followup.dispute"].create(
            {"partner_id": self.customer_b.id, "reason": "quality"}
        )
        self.env.invalidate_all()
        call = self.call.with_user(self.ar_user)
        self.assertIn("Customer says the cheque is ready", call.message_html)
        self.assertEqual(call.last_payment_date, self.days_before(3))
        self.assertEqual(call.last_payment_amount, 25000)
        self.assertIn("₹", call.ageing_html)
        self.assertEqual(call.tone_id.code, "neutral")
        self.assertTrue(call.tone_reason)
        self.assertFalse(call.dispute_id, "another customer's dispute")
        self.assertEqual(
            call.script_subject, "Call Bharat Steel Traders: ₹1,00,000.00 overdue, oldest 7 days"
        )
        self.assertIn("Last payment: ₹25,000.00 on 12 Jun 2026.", call.script_body)
        self.assertEqual(call.phone, "+919820012345")

    def test_promise_to_pay_suspends_the_cadence(self):
        self.call.with_user(self.ar_user).action_call()
        self.record(
            self.call,
            "promise",
            promise_date=date(2026, 6, 22),
            promise_amount=125000,
            note="Will pay by NEFT",
        )
        promise = self.env["ar.followup.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(
            (promise.amount, promise.date_promised, promise.source),
            (125000, date(2026, 6, 22), "call"),
        )
        self.assertTrue(self.customer.ar_followup_suspended)
        self.assertEqual((self.call.state, self.call.outcome), ("done", "promise"))
        self.assertEqual(self.call.attempt_ids.outcome, "promise")
        self.assertEqual(self.call.attempt_ids.note, "Will pay by NEFT")
        self.assertEqual(self.reminder.state, "read", "the customer was reached")
        note = self.chatter(self.customer)[0]
        self.assertIn("Call by AR Clerk: Promise to pay.", note)
        self.assertIn("125,000.00 by 06/22/2026 (%s)." % promise.name, note)
        self.assertIn("Will pay by NEFT", note)
        with self.assertRaisesRegex(UserError, "closed already"):
            self.record(self.call, "no_answer")

    def test_outcomes(self):
        """Each outcome: the task's stage after it, when it comes back, the reminder."""
        cases = [
            # outcome, values, task state, next call (UTC), reminder state, reminder channel
            ("no_answer", {}, "todo", datetime(2026, 6, 15, 6, 30), "sent", "call"),
            ("voicemail", {}, "todo", datetime(2026, 6, 15, 6, 30), "delivered", "call"),
            (
                "callback",
                {"callback_at": datetime(2026, 6, 16, 5, 0)},
                "callback",
                datetime(2026, 6, 16, 5, 0),
                "read",
                "call",
            ),
            ("refused", {}, "done", False, "read", "call"),
            ("paid", {}, "done", False, "read", "call"),
            ("dispute", {"dispute_reason": "quality"}, "done", False, "read", "call"),
            (
                "wrong_number",
                {"note": "Number belongs to someone else"},
                "done",
                False,
                "queued",
                "email",
            ),
        ]
        for outcome, vals, state, next_call, reminder_state, channel in cases:
            with self.subTest(outcome=outcome), self.env.cr.savepoint() as sp:
                self.record(self.call, outcome, **vals)
                self.assertEqual(
                    (
                        self.call.state,
                        self.call.date_next_call,
                        self.reminder.state,
                        self.reminder.channel,
                    ),
                    (state, next_call, reminder_state, channel),
                )
                self.assertIn("Call by AR Clerk", self.chatter(self.customer)[0])
                sp.rollback()
                self.env.invalidate_all()

    def test_an_outcome_needs_its_details(self):
        for outcome, message in (
            ("promise", "needs a date and an amount"),
            ("dispute", "what the customer disputes"),
            ("callback", "when to call back"),
        ):
            with self.subTest(outcome=outcome), self.assertRaisesRegex(UserError, message):
                self.record(self.call, outcome)

    def test_sent_a_copy_the_customer_asked_for(self):
        """The customer asks for a copy: the invoices chosen, or the statement, go by
        e-mail on the customer's thread in one click, the call and its note say so and
        the task comes back the next day."""
        older = self._ar_invoice(self.customer, 40000, self.days_before(40))
        self.call.with_user(self.ar_user).action_call()
        self.record(self.call, "copy", copy_move_ids=[Command.set(self.invoice.ids)])
        sent = self.customer.message_ids.filtered(lambda m: m.attachment_ids)
        self.assertEqual(len(sent), 1)
        self.assertIn("please find the documents attached", sent.body)
        self.assertEqual(sent.attachment_ids, self.invoice.invoice_pdf_report_id)
        self.assertNotIn(older.invoice_pdf_report_id, sent.attachment_ids)
        self.assertEqual(sent.notified_partner_ids, self.customer)
        self.assertEqual(
            (self.call.state, self.call.outcome, self.call.date_next_call),
            ("todo", "copy", datetime(2026, 6, 16, 4, 30)),
        )
        self.assertEqual(self.call.attempt_ids.outcome, "copy")
        self.assertEqual(self.reminder.state, "read", "the customer was reached")
        note = self.chatter(self.customer)[0]
        self.assertIn("Call by AR Clerk: Sent a copy.", note)
        self.assertIn("%s sent by e-mail to Bharat Steel Traders." % sent.attachment_ids.name, note)
        self.assertFalse(self.inbox(), "sent already: nothing left for the AR inbox")
        # asked again, for the statement of account
        self.record(self.call, "copy", copy_document="statement")
        statement = self.customer.message_ids.filtered(lambda m: m.attachment_ids)[0]
        self.assertNotEqual(statement, sent)
        self.assertEqual(len(statement.attachment_ids), 1)
        self.assertEqual(statement.notified_partner_ids, self.customer)
        self.assertEqual(len(self.call.attempt_ids), 2)
        # another customer's invoice is never sent
        theirs = self._ar_invoice(self.customer_b, 9000, self.days_before(10))
        with (
            self.assertRaisesRegex(UserError, "Only the customer's own invoices"),
            self.env.cr.savepoint(),
        ):
            self.record(self.call, "copy", copy_move_ids=[Command.set(theirs.ids)])
        self.env.invalidate_all()
        # nowhere to send it: said, and nothing recorded
        self.customer.email = False
        with (
            self.assertRaisesRegex(UserError, "no e-mail address to send the copy to"),
            self.env.cr.savepoint(),
        ):
            self.record(self.call, "copy", copy_document="statement")
        self.env.invalidate_all()
        self.assertEqual(len(self.call.attempt_ids), 2)

    def test_next_call_asks_for_the_last_outcome_first(self):
        self.call.with_user(self.ar_user).action_call()
        action = self.Call.with_user(self.ar_user).action_next_call()
        self.assertEqual(action["res_model"], "ar.followup.call.outcome")
        self.assertEqual(action["context"]["default_attempt_id"], self.call.attempt_ids.id)

    def test_paid_already_looks_for_the_money_in_the_bank(self):
        journal = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id)], limit=1
        )
        self.env["account.bank.statement.line"].create(
            {
                "journal_id": journal.id,
                "date": self.days_before(1),
                "payment_ref": "NEFT BHARAT STEEL",
                "partner_id": self.customer.id,
                "amount": 125000,
            }
        )
        self.record(self.call, "paid")
        note = self.chatter(self.customer)[0]
        self.assertIn("1 bank receipt(s) of the customer are not matched yet", note)
        self.assertIn(
            "Ask Bharat Steel Traders for the remittance advice",
            self.customer.activity_ids.mapped("summary"),
        )

    def inbox(self):
        return self.env["ar.followup.conversation"].search(
            [("partner_id", "=", self.customer.id), ("state", "=", "open")]
        )

    def test_outcomes_that_need_a_person_feed_the_inbox(self):
        self.customer.ar_owner_id = self.collector_b
        self.record(self.call, "no_answer")
        self.record(self.call, "voicemail")
        self.assertFalse(self.inbox(), "nothing to follow up yet")
        self.record(
            self.call,
            "callback",
            callback_at=datetime(2026, 6, 16, 5, 0),
            note="Accounts head back tomorrow, call at 10:30",
        )
        conversation = self.inbox()
        self.assertEqual(
            (conversation.channel, conversation.user_id, conversation.message_count),
            ("call", self.collector_b, 1),
        )
        self.assertIn("Call by AR Clerk: Call back.", conversation.last_excerpt)
        self.assertIn("call at 10:30", conversation.last_excerpt)
        self.assertEqual(
            (conversation.last_message_id.model, conversation.last_message_id.res_id),
            ("res.partner", self.customer.id),
        )
        # the collector's note is not read as the customer's words
        self.assertFalse(conversation.suggestion_ids)
        self.assertTrue(conversation.activity_ids.filtered(lambda a: a.user_id == self.collector_b))
        # the waiting customer is held, as after a reply
        self.assertIn(
            "AR inbox",
            self.customer._ar_get_suspensions(self.company._ar_today())[self.customer.id][
                "partner"
            ],
        )
        # a later outcome updates the same conversation
        self.record(self.call, "wrong_number", note="Number belongs to a courier")
        self.assertEqual(self.inbox(), conversation)
        self.assertEqual(conversation.message_count, 2)
        self.assertIn("Wrong number", conversation.last_excerpt)
        # nobody can be answered by a phone call from the inbox: e-mail is offered
        wizard = (
            self.env["ar.followup.conversation.reply"]
            .with_user(self.ar_user)
            .create({"conversation_id": conversation.id, "body": "Please share a number."})
        )
        self.assertEqual(wizard.channel, "call")
        self.assertIn("answer by e-mail", wizard.problem)
        with self.assertRaisesRegex(UserError, "answer by e-mail"):
            wizard.action_send()
        wizard.action_use_email()
        self.assertFalse(wizard.problem)
        wizard.action_send()
        answer = conversation.answer_ids
        self.assertEqual((answer.channel, answer.state), ("email", "sent"))
        self.assertEqual(answer.mail_message_id.partner_ids, self.customer)
