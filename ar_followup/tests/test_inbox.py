# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The AR inbox: customers' e-mail replies to reminders, through the mail gateway."""

import json
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import TODAY, ArFollowupCommon

#: a customer's reply arrives five days after the reminder
REPLY_DAY = TODAY + timedelta(days=5)


@tagged("post_install", "-at_install")
class TestInbox(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.ar_owner_id = cls.ar_user
        cls.clerk_2 = new_test_user(
            cls.env,
            login="ar_clerk_2",
            name="AR Clerk Two",
            tz="Asia/Kolkata",
            groups="ar_followup.ar_followup_group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def send_reminder(self, amount=1000.0):
        """An invoice a week overdue and the e-mail reminder the engine sends for it."""
        invoice = self._ar_invoice(self.customer, amount, self.days_before(7))
        [reminder] = self.plan()
        self.dispatch()
        self.assertEqual(reminder.state, "sent")
        return invoice, reminder

    def receive(
        self, reminder, text, day=REPLY_DAY, headers="", subject=None, msg_id="r1", sender=None
    ):
        """The customer answers ``reminder``'s e-mail: a raw RFC 822 message through the
        mail gateway, threaded by ``In-Reply-To``."""
        message = reminder.mail_message_id
        raw = (
            "From: %(sender)s\r\n"
            "To: ar@example.com\r\n"
            "Subject: %(subject)s\r\n"
            "Message-Id: <%(msg_id)s@bharat.example.in>\r\n"
            "In-Reply-To: %(parent)s\r\n"
            "References: %(parent)s\r\n"
            "%(headers)s"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "%(text)s\r\n"
        ) % {
            "sender": sender or "Bharat Steel Accounts <%s>" % self.customer.email,
            "subject": subject or "Re: %s" % reminder.subject,
            "msg_id": msg_id,
            "parent": message.message_id,
            "headers": headers,
            "text": text,
        }
        with self.frozen(day):
            self.env["mail.thread"].message_process(False, raw.encode())
        self.env.invalidate_all()

    def in_chatter(self, text):
        return any(text in entry for entry in self.chatter(self.customer))

    def conversations(self, user=None):
        Conversation = self.env["ar.followup.conversation"]
        return (Conversation.with_user(user) if user else Conversation).search(
            [("partner_id", "=", self.customer.id)]
        )

    # -- a reply in the inbox ----------------------------------------------------------

    def test_promise_reply_confirmed_in_one_click_suspends_cadence(self):
        invoice, reminder = self.send_reminder()
        self.receive(reminder, "Dear Sir, we will clear %s on 15th.\r\n\r\nRegards" % invoice.name)
        self.assertEqual(reminder.state, "replied")
        conversation = self.conversations(self.ar_user)
        self.assertEqual(len(conversation), 1)
        self.assertEqual(
            (conversation.state, conversation.user_id, conversation.channel),
            ("open", self.ar_user, "email"),
        )
        self.assertIn("we will clear %s on 15th" % invoice.name, conversation.last_excerpt)
        self.assertEqual(conversation.reminder_id, reminder)
        self.assertEqual(conversation.amount_overdue, 1000.0)
        self.assertTrue(conversation.activity_ids.filtered(lambda a: a.user_id == self.ar_user))
        [suggestion] = conversation.suggestion_ids
        # 20 June: "15th" is 15 July; the amount is what the invoice named still owes
        self.assertEqual(
            (suggestion.kind, suggestion.date, suggestion.amount, suggestion.move_ids),
            ("promise", date(2026, 7, 15), 1000.0, invoice),
        )
        self.assertIn("will clear", suggestion.words)
        with self.frozen(REPLY_DAY):
            suggestion.with_user(self.ar_user).action_confirm()
        promise = suggestion.promise_id
        self.assertEqual(
            (
                promise.state,
                promise.date_promised,
                promise.amount,
                promise.move_ids,
                promise.source,
            ),
            ("open", date(2026, 7, 15), 1000.0, invoice, "email"),
        )
        self.assertEqual((suggestion.state, suggestion.decided_by_id), ("confirmed", self.ar_user))
        conversation.with_user(self.ar_user).action_mark_handled()
        # handled: the conversation no longer holds, the promise does
        [later] = self.plan(TODAY + timedelta(days=8))
        self.assertEqual((later.state, later.reason), ("skipped", "promised"))
        self.assertTrue(self.in_chatter("Suggestion confirmed: Promise to pay"))

    def test_promise_without_an_amount_promises_what_is_overdue(self):
        """ "We will pay by 30th" names neither invoice nor amount: confirmed, the
        promise is for what the customer owes overdue."""
        _invoice, reminder = self.send_reminder(amount=2500.0)
        self.receive(reminder, "We will pay by 30th, kindly hold.")
        [suggestion] = self.conversations(self.ar_user).suggestion_ids
        self.assertEqual((suggestion.kind, suggestion.amount), ("promise", 0.0))
        with self.frozen(REPLY_DAY):
            suggestion.with_user(self.ar_user).action_confirm()
        self.assertEqual(suggestion.promise_id.amount, 2500.0)

    def test_promise_without_an_amount_and_nothing_overdue_asks_for_one(self):
        """Paid meanwhile: the clerk is asked for the amount, not shown a database error."""
        invoice, reminder = self.send_reminder(amount=2500.0)
        self.receive(reminder, "We will pay by 30th, kindly hold.")
        [suggestion] = self.conversations(self.ar_user).suggestion_ids
        self._ar_pay(invoice, 2500.0, REPLY_DAY)
        self.env.invalidate_all()
        clerk_suggestion = suggestion.with_user(self.ar_user)
        with self.frozen(REPLY_DAY), self.assertRaisesRegex(UserError, "Set the amount"):
            clerk_suggestion.action_confirm()
        self.assertEqual(suggestion.state, "new")
        clerk_suggestion.amount = 1200.0
        with self.frozen(REPLY_DAY):
            clerk_suggestion.action_confirm()
        self.assertEqual(suggestion.promise_id.amount, 1200.0)

    def test_out_of_office_does_nothing(self):
        _invoice, reminder = self.send_reminder()
        self.receive(
            reminder,
            "I am out of the office until 25 June with limited access to e-mail.",
            headers="Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n",
            subject="Automatic reply: %s" % reminder.subject,
        )
        self.receive(
            reminder,
            "I am on leave, please contact accounts@bharat.example.in.",
            subject="Out of Office: %s" % reminder.subject,
            msg_id="r2",
        )
        self.assertEqual(reminder.state, "sent")
        self.assertFalse(self.conversations())
        # the out-of-office stays on the customer's thread, nothing more
        self.assertTrue(self.in_chatter("out of the office"))
        [later] = self.plan(TODAY + timedelta(days=8))
        self.assertNotEqual(later.state, "skipped")

    def test_colleague_answering_by_email_is_no_customer_reply(self):
        _invoice, reminder = self.send_reminder()
        self.ar_manager.email = "ar.manager@supplier.example.in"
        self.receive(
            reminder,
            "Adding our bank details below.",
            sender="AR Manager <ar.manager@supplier.example.in>",
        )
        self.assertTrue(self.in_chatter("Adding our bank details below."))
        self.assertFalse(self.conversations())
        self.assertEqual(reminder.state, "sent")

    def test_reply_holds_reminders_until_handled(self):
        _invoice, reminder = self.send_reminder()
        self.receive(reminder, "Received, will check with accounts team and revert.")
        conversation = self.conversations()
        self.assertFalse(conversation.suggestion_ids)
        [held] = self.plan(TODAY + timedelta(days=8))
        self.assertEqual((held.state, held.reason), ("skipped", "replied"))
        self.assertIn("AR inbox", held.reason_text)
        self.assertTrue(self.customer.ar_followup_suspended)
        conversation.with_user(self.clerk_2).action_mark_handled()
        [sent] = self.plan(TODAY + timedelta(days=9)).filtered(lambda r: r.state != "skipped")
        self.assertEqual(sent.partner_id, self.customer)

    def test_reply_hold_per_company_setting(self):
        _invoice, reminder = self.send_reminder()
        self.receive(reminder, "Please call me tomorrow.")
        self.company.write({"ar_reply_hold": "days", "ar_reply_hold_days": 2})
        # the reply came on 20 June: held up to 22 June, not on the 23rd
        self.assertTrue(
            self.customer._ar_get_suspensions(REPLY_DAY + timedelta(days=2))[self.customer.id][
                "partner"
            ]
        )
        [sent] = self.plan(TODAY + timedelta(days=8))
        self.assertNotEqual(sent.state, "skipped")
        self.assertEqual(self.conversations().state, "open")
        self.company.ar_reply_hold = "off"
        self.assertFalse(self.customer._ar_get_suspensions(REPLY_DAY)[self.customer.id]["partner"])

    def test_unthreaded_email_from_a_reminded_customer(self):
        _invoice, reminder = self.send_reminder()
        raw = (
            "From: Bharat Steel Accounts <%s>\r\n"
            "To: accounts-receivable@supplier.example.in\r\n"
            "Subject: Outstanding\r\n"
            "Message-Id: <new-1@bharat.example.in>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "Kindly share the statement of account.\r\n"
        ) % self.customer.email
        with self.frozen(REPLY_DAY):
            self.env["mail.thread"].message_process(False, raw.encode())
        self.assertTrue(self.in_chatter("Kindly share the statement of account."))
        conversation = self.conversations()
        self.assertEqual(conversation.company_id, self.company)
        self.assertEqual(conversation.suggestion_ids.mapped("document"), ["statement"])
        # it answers no reminder in particular: the reminder stays as it was
        self.assertEqual(reminder.state, "sent")
        # an unknown sender is still refused, as Odoo does without a route
        with self.assertRaises(ValueError), self.frozen(REPLY_DAY):
            self.env["mail.thread"].message_process(
                False,
                raw.replace(self.customer.email, "someone@else.example")
                .replace("new-1", "new-2")
                .encode(),
            )

    # -- routing by the AR inbox alias and the catchall ----------------------------------

    def set_alias(self):
        """The company's alias domain and, through the settings, its AR inbox alias "ar"."""
        domain = self.env["mail.alias.domain"].create({"name": "supplier.example.in"})
        self.company.alias_domain_id = domain
        self.env["res.config.settings"].create({"ar_inbox_alias_name": "ar"}).execute()
        self.assertEqual(self.company.ar_inbox_alias_id.alias_full_name, "ar@supplier.example.in")
        return domain

    def process(self, sender, to, text, msg_id, in_reply_to=None):
        """A raw RFC 822 e-mail through the mail gateway on the reply day."""
        raw = (
            "From: %(sender)s\r\n"
            "To: %(to)s\r\n"
            "Subject: Outstanding\r\n"
            "Message-Id: <%(msg_id)s@mail.example.in>\r\n"
            "%(thread)s"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "%(text)s\r\n"
        ) % {
            "sender": sender,
            "to": to,
            "msg_id": msg_id,
            "thread": "In-Reply-To: %s\r\n" % in_reply_to if in_reply_to else "",
            "text": text,
        }
        with self.frozen(REPLY_DAY):
            self.env["mail.thread"].message_process(False, raw.encode())
        self.env.invalidate_all()

    def test_alias_from_a_known_address_reaches_the_customer(self):
        self.set_alias()
        # never reminded, writing a new e-mail to the AR address
        self.process(
            "Coastal Agro <%s>" % self.customer_b.email,
            "ar@supplier.example.in",
            "Please send the statement of account.",
            "alias-1",
        )
        conversation = self.env["ar.followup.conversation"].search(
            [("partner_id", "=", self.customer_b.id)]
        )
        self.assertEqual(
            (conversation.company_id, conversation.channel, conversation.state),
            (self.company, "email", "open"),
        )
        self.assertEqual(conversation.suggestion_ids.mapped("document"), ["statement"])
        self.assertEqual(conversation.last_message_id.res_id, self.customer_b.id)
        self.assertIn(
            "Please send the statement of account.",
            self.chatter(self.customer_b)[0],
        )
        # a second e-mail adds to the same conversation
        self.process(
            self.customer_b.email, "ar@supplier.example.in", "Any update on this?", "alias-2"
        )
        self.assertEqual(conversation.message_count, 2)

    def test_alias_from_an_unknown_address_waits_unmatched(self):
        self.set_alias()
        self.process(
            "Ravi Kumar <ravi@newbuyer.example>",
            "ar@supplier.example.in",
            "We paid invoice 4471 last week, please confirm.",
            "alias-4",
        )
        Conversation = self.env["ar.followup.conversation"].with_user(self.ar_user)
        [unmatched] = Conversation.search([("partner_id", "=", False)])
        self.assertEqual(
            (unmatched.email_from, unmatched.state, unmatched.channel, unmatched.company_id),
            ('"Ravi Kumar" <ravi@newbuyer.example>', "open", "email", self.company),
        )
        self.assertIn("We paid invoice 4471", unmatched.last_excerpt)
        self.assertEqual(unmatched.display_name, '"Ravi Kumar" <ravi@newbuyer.example>')
        self.assertIn("We paid invoice 4471", self.chatter(unmatched)[0])
        self.assertEqual(Conversation.ar_get_waiting_count(), 1)
        # it holds nobody until a person names the customer
        self.assertFalse(self.customer._ar_get_suspensions(REPLY_DAY)[self.customer.id]["partner"])
        unmatched.partner_id = self.customer
        self.assertTrue(self.customer._ar_get_suspensions(REPLY_DAY)[self.customer.id]["partner"])
        with self.assertRaises(AccessError):
            unmatched.partner_id = self.customer_b

    def test_alias_in_reply_to_and_catchall_from_a_reminded_customer(self):
        _invoice, reminder = self.send_reminder()
        domain = self.set_alias()
        # an answer to the reminder sent to the AR address still answers the reminder
        self.process(
            self.customer.email,
            "ar@supplier.example.in",
            "Which invoice is this regarding?",
            "alias-3",
            in_reply_to=reminder.mail_message_id.message_id,
        )
        self.assertEqual(reminder.state, "replied")
        conversation = self.conversations()
        self.assertEqual(conversation.reminder_id, reminder)
        self.assertEqual(conversation.last_message_id.parent_id, reminder.mail_message_id)
        # written straight to the catchall: the customer's thread, not a bounce
        self.process(
            self.customer.email, domain.catchall_email, "Kindly share the ledger.", "catch-1"
        )
        self.assertIn("Kindly share the ledger.", self.chatter(self.customer)[0])
        self.assertEqual(conversation.message_count, 2)
        # an unknown sender writing to the catchall is bounced, as Odoo does
        Mail = self.env["mail.mail"].sudo()
        self.process("ravi@newbuyer.example", domain.catchall_email, "Hello", "catch-2")
        self.assertEqual(Mail.search_count([("email_to", "ilike", "newbuyer")]), 1)
        self.assertFalse(
            self.env["ar.followup.conversation"].search([("email_from", "ilike", "newbuyer")])
        )

    def test_second_reply_adds_to_the_open_conversation(self):
        _invoice, reminder = self.send_reminder()
        self.receive(reminder, "Which invoice is this regarding?")
        self.receive(
            reminder, "Paid yesterday, UTR 1234", day=REPLY_DAY + timedelta(days=1), msg_id="r2"
        )
        conversation = self.conversations()
        self.assertEqual(len(conversation), 1)
        self.assertEqual(conversation.message_count, 2)
        self.assertEqual(conversation.last_excerpt, "Paid yesterday, UTR 1234")
        [paid] = conversation.suggestion_ids
        self.assertEqual((paid.kind, paid.reference, paid.date), ("paid", "1234", REPLY_DAY))

    def test_inbox_filters(self):
        _invoice, reminder = self.send_reminder()
        self.receive(reminder, "Which invoice is this regarding?")
        Conversation = self.env["ar.followup.conversation"].with_user(self.ar_user)
        self.assertEqual(
            Conversation.search([("user_id", "=", self.ar_user.id)]).partner_id, self.customer
        )
        with self.frozen(REPLY_DAY):
            self.assertFalse(Conversation.search([("waiting_long", "=", True)]))
        with self.frozen(REPLY_DAY + timedelta(days=2)):
            self.assertEqual(
                Conversation.search([("waiting_long", "=", True)]).partner_id, self.customer
            )

    # -- suggestions ------------------------------------------------------------------

    def test_paid_claim_shows_matching_bank_line(self):
        _invoice, reminder = self.send_reminder(amount=45000.0)
        bank = self.company_data["default_journal_bank"]
        Line = self.env["account.bank.statement.line"]
        theirs = Line.create(
            {
                "journal_id": bank.id,
                "date": REPLY_DAY,
                "payment_ref": "NEFT BHARAT STEEL",
                "amount": 45000.0,
                "partner_id": self.customer.id,
            }
        )
        same_amount = Line.create(
            {
                "journal_id": bank.id,
                "date": REPLY_DAY,
                "payment_ref": "NEFT 99887766",
                "amount": 45000.0,
            }
        )
        Line.create(
            {"journal_id": bank.id, "date": REPLY_DAY, "payment_ref": "OTHER", "amount": 999.0}
        )
        self.receive(reminder, "Payment of Rs 45,000 done yesterday, UTR 99887766.")
        [paid] = self.conversations().suggestion_ids
        with self.frozen(REPLY_DAY):
            self.assertEqual(paid.bank_line_ids, theirs | same_amount)

    def test_stop_opts_out_of_the_channel(self):
        _invoice, reminder = self.send_reminder()
        self.receive(reminder, "Please stop sending these emails.")
        [stop] = self.conversations().suggestion_ids
        self.assertEqual(stop.kind, "stop")
        with self.frozen(REPLY_DAY):
            stop.with_user(self.ar_user).action_confirm()
        self.assertTrue(self.customer.ar_no_email)
        self.assertTrue(self.in_chatter("stopped on 2026-06-20 at the customer's request"))
        # recorded as the customer's will, confirmed by the clerk, with the words read
        [consent] = self.customer.ar_consent_ids
        self.assertEqual(
            (consent.channel, consent.state, consent.source, consent.by_customer),
            ("email", "opt_out", "reply_stop", True),
        )
        self.assertEqual(consent.user_id, self.ar_user)
        self.assertEqual(consent.note, stop.words)

    def test_dispute_on_the_invoice_named(self):
        invoice, reminder = self.send_reminder()
        self.receive(reminder, "The rate in %s is wrong, it is not as per our PO." % invoice.name)
        [dispute] = self.conversations().suggestion_ids
        self.assertEqual((dispute.kind, dispute.move_ids), ("dispute", invoice))
        dispute.with_user(self.ar_user).action_dismiss()
        self.assertEqual(dispute.state, "dismissed")
        self.assertFalse(dispute.dispute_id)
        counts = self.env["ar.followup.suggestion"]._read_group(
            [("kind", "=", "dispute")], ["state"], ["__count"]
        )
        self.assertEqual(counts, [("dismissed", 1)])

    def test_copy_request_sends_the_invoice_in_one_click(self):
        invoice, reminder = self.send_reminder()
        self.receive(reminder, "Please send a copy of the invoice %s." % invoice.name)
        [copy] = self.conversations().suggestion_ids
        self.assertEqual((copy.kind, copy.document, copy.move_ids), ("copy", "invoice", invoice))
        copy.with_user(self.ar_user).action_confirm()
        sent = self.customer.message_ids.filtered(lambda m: m.attachment_ids)[:1]
        self.assertIn("please find the documents attached", sent.body)
        self.assertEqual(sent.attachment_ids, invoice.invoice_pdf_report_id)
        self.assertEqual(sent.parent_id, copy.message_id)
        self.assertIn(self.customer, sent.notified_partner_ids)

    def test_statement_request_sends_the_statement(self):
        _invoice, reminder = self.send_reminder()
        self.receive(reminder, "Kindly share the statement of account for reconciliation.")
        [copy] = self.conversations().suggestion_ids
        self.assertEqual(copy.document, "statement")
        copy.with_user(self.ar_user).action_confirm()
        sent = self.customer.message_ids.filtered(lambda m: m.attachment_ids)[:1]
        self.assertEqual(len(sent.attachment_ids), 1)
        self.assertIn(self.customer, sent.notified_partner_ids)

    def test_dispute_confirmed_on_the_invoice_named(self):
        invoice, reminder = self.send_reminder()
        self._ar_invoice(self.customer, 500, self.days_before(7))
        self.receive(reminder, "Material returned, %s is not payable." % invoice.name)
        [suggestion] = self.conversations().suggestion_ids
        suggestion.with_user(self.ar_user).action_confirm()
        dispute = suggestion.dispute_id
        self.assertEqual(
            (dispute.state, dispute.move_ids, dispute.source, dispute.partner_id),
            ("open", invoice, "email", self.customer),
        )
        self.assertIn("Material returned", dispute.description)

    def test_owner_hears_of_each_reply(self):
        _invoice, reminder = self.send_reminder()
        self.receive(reminder, "Which invoice is this regarding?")
        self.receive(reminder, "Got it, checking.", day=REPLY_DAY + timedelta(days=1), msg_id="r2")
        conversation = self.conversations()
        self.assertEqual(len(conversation.activity_ids), 1)
        self.assertEqual(conversation.activity_ids.user_id, self.ar_user)
        notified = (
            self.env["mail.message"]
            .with_user(self.ar_user)
            .search(
                [
                    ("model", "=", conversation._name),
                    ("res_id", "=", conversation.id),
                    ("partner_ids", "in", self.ar_user.partner_id.ids),
                ]
            )
        )
        # one notification per reply: the activity's assignment, then the later reply
        self.assertEqual(len(notified), 2)
        self.assertIn("Got it, checking.", notified[0].body)
        conversation.with_user(self.ar_user).action_mark_handled()
        self.assertFalse(conversation.activity_ids)

    def answer(self, conversation, body, user=None, **vals):
        """The inbox's *Reply* as ``user`` (the clerk): the wizard, then *Send*; returns
        the reminder recording the answer."""
        action = conversation.with_user(user or self.ar_user).action_reply()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user or self.ar_user)
            .with_context(**action["context"])
            .create({"body": body, **vals})
        )
        with self.frozen(REPLY_DAY):
            wizard.action_send()
        self.env.invalidate_all()
        return conversation.answer_ids[:1]

    def test_reply_from_the_inbox_in_the_same_thread(self):
        _invoice, reminder = self.send_reminder()
        self.receive(reminder, "Which invoice is this regarding?")
        conversation = self.conversations(self.ar_user)
        answer = self.answer(conversation, "It is the invoice attached to our reminder.")
        message = self.customer.message_ids[0]
        self.assertIn("It is the invoice attached", message.body)
        self.assertEqual(message.parent_id, conversation.last_message_id)
        self.assertEqual(message.author_id, self.ar_user.partner_id)
        self.assertIn(self.customer, message.notified_partner_ids)
        self.assertEqual(message.subject, "Re: %s" % reminder.subject)
        # recorded as a reminder: the audit trail and the metrics count it
        self.assertEqual(
            (answer.channel, answer.state, answer.manual, answer.amount_residual),
            ("email", "sent", True, 0.0),
        )
        self.assertFalse(answer.step_id or answer.line_ids)
        self.assertEqual((answer.mail_message_id, answer.edited_by_id), (message, self.ar_user))
        self.assertEqual(answer.recipient, self.customer.email)
        # a second answer is a reminder of its own
        second = self.answer(conversation, "And the statement is on its way.")
        self.assertEqual(len(conversation.answer_ids), 2)
        self.assertNotEqual(second, answer)
        conversation.action_mark_handled()
        self.assertEqual(conversation.handled_by_id, self.ar_user)

    def test_answer_needs_a_channel_that_can_answer(self):
        # a reply of the customer by e-mail, as the mail gateway hands it over
        self.customer._ar_receive_reply("email", "Which invoice?", company=self.company)
        conversation = self.conversations(self.ar_user)
        Wizard = self.env["ar.followup.conversation.reply"].with_user(self.ar_user)
        wizard = Wizard.create({"conversation_id": conversation.id, "body": "  "})
        self.assertEqual((wizard.channel, wizard.problem), ("email", False))
        with self.assertRaisesRegex(UserError, "Write the answer first"):
            wizard.action_send()
        self.env["ar.followup.channel"].search(
            [("company_id", "=", self.company.id), ("code", "=", "email")]
        ).state = "disabled"
        wizard.body = "It is INV/2026/00001."
        wizard.invalidate_recordset(["problem"])
        self.assertIn("disabled in", wizard.problem)
        with self.assertRaisesRegex(UserError, "disabled in"):
            wizard.action_send()
        self.assertFalse(conversation.answer_ids)

    # -- the counter in the menu bar -------------------------------------------------

    def inbox_notices(self):
        """``{partner id}`` the bus told that the inbox changed, since the last call."""
        self.env.cr.precommit.run()
        notices = (
            self.env["bus.bus"]
            .sudo()
            .search([("message", "like", "ar.followup.conversation/count_changed")])
        )
        partners = {json.loads(notice.channel)[2] for notice in notices}
        notices.unlink()
        return partners

    def test_counter_counts_and_tells_the_right_users(self):
        accountant = new_test_user(
            self.env, login="sales_only", name="Sales Only", groups="base.group_user"
        )
        Conversation = self.env["ar.followup.conversation"].with_user(self.ar_user)
        self.assertEqual(Conversation.ar_get_waiting_count(), 0)
        self.inbox_notices()
        # replies as every channel hands them over (see res.partner._ar_receive_reply)
        self.customer._ar_receive_reply("email", "Which invoice?", company=self.company)
        self.assertEqual(Conversation.ar_get_waiting_count(), 1)
        told = self.inbox_notices()
        self.assertIn(self.ar_user.partner_id.id, told)
        self.assertIn(self.clerk_2.partner_id.id, told)
        self.assertNotIn(accountant.partner_id.id, told)
        # a second reply adds to the same conversation: the count stays, nobody is told
        self.customer._ar_receive_reply("email", "Any update?", company=self.company)
        self.assertEqual(Conversation.ar_get_waiting_count(), 1)
        self.assertFalse(self.inbox_notices())
        self.conversations(self.clerk_2).action_mark_handled()
        self.assertEqual(Conversation.ar_get_waiting_count(), 0)
        self.assertIn(self.ar_user.partner_id.id, self.inbox_notices())

    # -- people and companies ------------------------------------------------------------

    def test_two_clerks_handle_one_conversation(self):
        invoice, reminder = self.send_reminder()
        self.receive(reminder, "We will clear %s on 15th." % invoice.name)
        mine = self.conversations(self.ar_user)
        theirs = self.conversations(self.clerk_2)
        [suggestion_2] = theirs.suggestion_ids
        theirs.action_assign_to_me()
        self.assertEqual(mine.user_id, self.clerk_2)
        with self.frozen(REPLY_DAY):
            suggestion_2.action_confirm()
        with self.assertRaisesRegex(UserError, "already confirmed by AR Clerk Two"):
            mine.suggestion_ids.with_user(self.ar_user).action_confirm()
        self.assertEqual(
            self.env["ar.followup.promise"].search_count([("partner_id", "=", self.customer.id)]), 1
        )
        theirs.action_mark_handled()
        mine.action_mark_handled()
        self.assertEqual((mine.state, mine.handled_by_id), ("handled", self.clerk_2))
        with self.assertRaises(AccessError):
            mine.write({"state": "open"})

    def test_company_isolation(self):
        other, clerk_b = self._ar_other_company_clerk()
        _invoice, reminder = self.send_reminder()
        self.inbox_notices()
        self.receive(reminder, "We will pay on Friday.")
        self.assertEqual(len(self.conversations(self.ar_user)), 1)
        Conversation = self.env["ar.followup.conversation"].with_user(clerk_b)
        self.assertFalse(Conversation.search([]))
        self.assertEqual(Conversation.ar_get_waiting_count(), 0)
        self.assertNotIn(clerk_b.partner_id.id, self.inbox_notices())
        self.assertFalse(self.env["ar.followup.suggestion"].with_user(clerk_b).search([]))
        self.assertEqual(other.ar_reply_hold, "handled")
