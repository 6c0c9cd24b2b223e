# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Meta's webhook: the subscription check, signatures, receipts, replies, buttons, STOP,
template status changes; and the whole path from planning to a promise."""

import json
import time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from . import fake_graph
from .common import DIGITS, WEBHOOK, WhatsAppCommon

MUTE = "odoo.addons.ar_followup_whatsapp.controllers.whatsapp_webhook"


@tagged("post_install", "-at_install")
class TestWhatsAppWebhook(WhatsAppCommon):
    def now(self):
        return int(time.time())

    def test_subscription_check(self):
        query = "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=%s"
        response = self.url_open(WEBHOOK + query % fake_graph.VERIFY_TOKEN)
        self.assertEqual((response.status_code, response.text), (200, "1158201444"))
        with mute_logger(MUTE):
            response = self.url_open(WEBHOOK + query % "guess")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.url_open(WEBHOOK).status_code, 403)

    def test_unsigned_or_forged_refused(self):
        reminder = self.sent()
        event = fake_graph.status_event(reminder.provider_message_id, "read", self.now(), DIGITS)
        with mute_logger(MUTE):
            for signature in ("", "sha256=" + "0" * 64, fake_graph.sign(b"other body")):
                self.assertEqual(self.post_webhook(event, signature=signature).status_code, 403)
            forged = fake_graph.sign(b"x", secret="not the app secret")
            self.assertEqual(self.post_webhook(event, signature=forged).status_code, 403)
        self.assertEqual(reminder.state, "sent")

    def test_receipts_forward_only_and_repeats_harmless(self):
        reminder = self.sent()
        wamid = reminder.provider_message_id
        read = fake_graph.status_event(wamid, "read", self.now(), DIGITS)
        self.assertEqual(self.post_webhook(read).status_code, 200)
        self.assertEqual(reminder.state, "read")
        self.assertTrue(reminder.date_read)
        # delivered after read (out of order), then read again: nothing goes back
        self.post_webhook(fake_graph.status_event(wamid, "delivered", self.now(), DIGITS))
        self.post_webhook(read)
        self.assertEqual(reminder.state, "read")
        self.assertTrue(reminder.date_delivered)

    def test_failed_undeliverable_falls_back(self):
        reminder = self.sent()
        errors = [{"code": 131026, "title": "Message undeliverable"}]
        event = fake_graph.status_event(
            reminder.provider_message_id, "failed", self.now(), DIGITS, errors
        )
        self.assertEqual(self.post_webhook(event).status_code, 200)
        self.assertEqual((reminder.state, reminder.channel), ("queued", "email"))
        self.assertIn("131026 Message undeliverable", reminder.error)
        self.post_webhook(event)  # Meta repeats it: the e-mail is not disturbed
        self.assertEqual((reminder.state, reminder.channel), ("queued", "email"))

    def test_bad_events_acknowledged(self):
        """Malformed JSON, unknown wamids, other accounts and numbers: 200, nothing changes."""
        reminder = self.sent()
        with mute_logger(
            MUTE, "odoo.addons.ar_followup_whatsapp.models.ar_followup_whatsapp_message"
        ):
            self.assertEqual(self.post_webhook(None, raw=b"{not json").status_code, 200)
            for event in (
                fake_graph.status_event("wamid.unknown", "read", self.now(), DIGITS),
                fake_graph.envelope({"statuses": "nonsense"}),
                {
                    **fake_graph.status_event(reminder.provider_message_id, "read", 1, DIGITS),
                    "entry": [{"id": "999", "changes": []}],
                },
                {"object": "page", "entry": []},
                [],
            ):
                self.assertEqual(self.post_webhook(event).status_code, 200)
        self.assertEqual(reminder.state, "sent")

    def test_reply_lands_on_customer_and_marks_replied(self):
        self.customer.ar_owner_id = self.ar_user
        reminder = self.sent()
        event = fake_graph.message_event(
            "wamid.IN1",
            DIGITS,
            self.now(),
            {"type": "text", "text": {"body": "Paid yesterday"}},
            context_id=reminder.provider_message_id,
        )
        self.post_webhook(event)
        self.post_webhook(event)  # a repeat is received once
        self.assertEqual(reminder.state, "replied")
        self.assertIn("Paid yesterday", self.chatter(self.customer)[0])
        self.assertEqual(self.chatter(self.customer).count(self.chatter(self.customer)[0]), 1)
        inbound = self.env["ar.followup.whatsapp.message"].search([("wamid", "=", "wamid.IN1")])
        self.assertEqual(
            (inbound.partner_id, inbound.reminder_id, inbound.state),
            (self.customer, reminder, "matched"),
        )
        # the AR owner finds it in the inbox
        self.assertIn(self.ar_user.partner_id, inbound.mail_message_id.notified_partner_ids)
        conversation = self.env["ar.followup.conversation"].search(
            [("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(
            (conversation.channel, conversation.user_id, conversation.last_excerpt),
            ("whatsapp", self.ar_user, "Paid yesterday"),
        )
        self.assertEqual(conversation.suggestion_ids.mapped("kind"), ["paid"])

    def test_message_matched_by_number_or_kept_unmatched(self):
        self.post_webhook(
            fake_graph.message_event(
                "wamid.IN2", "919845067890", self.now(), {"type": "text", "text": {"body": "Hello"}}
            )
        )
        self.post_webhook(
            fake_graph.message_event(
                "wamid.IN3",
                "919999900000",
                self.now(),
                {"type": "image", "image": {"id": "1", "caption": "our receipt"}},
            )
        )
        Message = self.env["ar.followup.whatsapp.message"]
        known = Message.search([("wamid", "=", "wamid.IN2")])
        self.assertEqual((known.partner_id, known.state), (self.customer_b, "matched"))
        unknown = Message.search([("wamid", "=", "wamid.IN3")])
        self.assertEqual((unknown.partner_id.id, unknown.state), (False, "unmatched"))
        self.assertIn("our receipt", unknown.body)
        unknown.partner_id = self.customer
        unknown.action_post_on_customer()
        self.assertEqual(unknown.state, "matched")
        self.assertIn("our receipt", self.chatter(self.customer)[0])

    def test_stop_opts_out(self):
        reminder = self.sent()
        self.post_webhook(
            fake_graph.message_event(
                "wamid.IN4",
                DIGITS,
                self.now(),
                {"type": "text", "text": {"body": " बंद करें "}},
                context_id=reminder.provider_message_id,
            )
        )
        self.assertTrue(self.customer.ar_no_whatsapp)
        self.assertEqual(self.customer.ar_no_whatsapp_source, "reply")
        self.assertTrue(self.customer.ar_no_whatsapp_date)
        # the customer's form shows it in the consent history, made by the customer
        self.assertEqual(
            self.customer.ar_consent_ids.mapped(
                lambda c: (c.channel, c.state, c.source, c.by_customer)
            ),
            [("whatsapp", "opt_out", "whatsapp", True)],
        )
        problems = self.Reminder._ar_get_contact_problems("whatsapp", self.customer, self.company)
        self.assertEqual(problems[self.customer.id][0], "do_not_contact")
        # acted on at once: nothing waits in the AR inbox
        self.assertFalse(
            self.env["ar.followup.conversation"].search([("partner_id", "=", self.customer.id)])
        )

    def test_dispute_button(self):
        reminder = self.sent()
        self.post_webhook(
            fake_graph.message_event(
                "wamid.IN5",
                DIGITS,
                self.now(),
                {"type": "button", "button": {"text": "I dispute this", "payload": "ar_dispute"}},
                context_id=reminder.provider_message_id,
            )
        )
        dispute = self.env["ar.followup.dispute"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((dispute.source, dispute.state), ("whatsapp", "open"))
        self.assertEqual(dispute.move_ids, reminder.move_ids)
        self.assertIn("Review the dispute", dispute.activity_ids.summary)

    def test_template_status_webhook(self):
        self.overdue_template.wa_meta_id = "594425479261596"
        value = {
            "event": "REJECTED",
            "message_template_id": 594425479261596,
            "message_template_name": "ar_payment_overdue",
            "message_template_language": "en",
            "reason": "INCORRECT_CATEGORY",
        }
        self.post_webhook(fake_graph.envelope(value, field="message_template_status_update"))
        self.assertEqual(self.overdue_template.wa_status, "rejected")
        self.assertEqual(self.overdue_template.wa_status_reason, "INCORRECT_CATEGORY (en)")
        # the Hindi version approved meanwhile: Hindi customers may get it, English not
        value.update({"event": "APPROVED", "message_template_language": "hi", "reason": "NONE"})
        self.post_webhook(fake_graph.envelope(value, field="message_template_status_update"))
        self.assertEqual(self.overdue_template.wa_status, "rejected")
        self.assertTrue(self.overdue_template.wa_approved_any)
        self.assertFalse(self.overdue_template._ar_whatsapp_not_sendable(True, "hi"))
        self.assertIn("Rejected", self.overdue_template._ar_whatsapp_not_sendable(True, "en"))

    def test_full_path_to_promise(self):
        """Plan → send → delivered → read → reply → *I will pay on…* → promise, cadence held."""
        reminder = self.sent()
        wamid = reminder.provider_message_id
        for status in ("sent", "delivered", "read"):
            self.post_webhook(fake_graph.status_event(wamid, status, self.now(), DIGITS))
            self.assertEqual(reminder.state, "sent" if status == "sent" else status)
        self.post_webhook(
            fake_graph.message_event(
                "wamid.IN6",
                DIGITS,
                self.now(),
                {"type": "button", "button": {"text": "I will pay on…", "payload": "ar_promise"}},
                context_id=wamid,
            )
        )
        self.assertEqual(reminder.state, "replied")
        promise = self.env["ar.followup.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((promise.source, promise.state), ("whatsapp", "open"))
        self.assertEqual(promise.move_ids, reminder.move_ids)
        self.assertIn("Confirm the promise", promise.activity_ids.summary)
        # the next planning holds the customer: the promise suspends reminders
        later = self.plan(self.days_before(-8)).filtered(lambda r: r.partner_id == self.customer)
        self.assertEqual(set(later.mapped("state")), {"skipped"})
        self.assertEqual(set(later.mapped("reason")), {"promised"})

    def test_media_kept_as_attachment(self):
        """A photo of a payment receipt: noted on the thread at once, the file downloaded
        from Meta afterwards and attached to that message."""
        reminder = self.sent()
        self.graph.media["4490709327"] = ("image/jpeg", b"\xff\xd8\xff fake receipt")
        self.post_webhook(
            fake_graph.message_event(
                "wamid.IN7",
                DIGITS,
                self.now(),
                {
                    "type": "image",
                    "image": {
                        "id": "4490709327",
                        "mime_type": "image/jpeg",
                        "caption": "NEFT receipt",
                    },
                },
                context_id=reminder.provider_message_id,
            )
        )
        inbound = self.env["ar.followup.whatsapp.message"].search([("wamid", "=", "wamid.IN7")])
        self.assertEqual(inbound.media_state, "pending")
        self.assertIn("NEFT receipt", self.chatter(self.customer)[0])
        with self.committing():
            inbound._cron_ar_whatsapp_fetch_media()
        self.assertEqual(inbound.media_state, "done")
        [attachment] = inbound.mail_message_id.attachment_ids
        self.assertEqual(
            (attachment.mimetype, attachment.raw), ("image/jpeg", b"\xff\xd8\xff fake receipt")
        )
        self.assertEqual(
            (attachment.res_model, attachment.res_id), ("res.partner", self.customer.id)
        )

    def test_free_text_answer_within_24_hours_only(self):
        reminder = self.sent()
        self.post_webhook(
            fake_graph.message_event(
                "wamid.IN8",
                DIGITS,
                self.now(),
                {"type": "text", "text": {"body": "Which invoice?"}},
                context_id=reminder.provider_message_id,
            )
        )
        inbound = self.env["ar.followup.whatsapp.message"].search([("wamid", "=", "wamid.IN8")])
        Reply = self.env["ar.followup.whatsapp.message.reply"].with_user(self.ar_user)
        Reply.create({"message_id": inbound.id, "body": "INV/2026/00001, thank you"}).action_send()
        text = self.graph.messages[-1]
        self.assertEqual((text["type"], text["to"]), ("text", DIGITS))
        self.assertEqual(text["text"]["body"], "INV/2026/00001, thank you")
        self.assertIn("INV/2026/00001, thank you", self.chatter(self.customer)[0])
        with self.frozen(self.days_before(-2)):
            wizard = Reply.create({"message_id": inbound.id, "body": "Any news?"})
            with self.assertRaisesRegex(UserError, "More than 24 hours"):
                wizard.action_send()
        self.assertEqual(len(self.graph.messages), 2)

    def test_inbox_answers_on_whatsapp_within_24_hours(self):
        """The inbox's answer to a WhatsApp reply goes by WhatsApp, recorded as a reminder;
        after Meta's window the answer says why not and offers e-mail."""
        reminder = self.sent()
        self.post_webhook(
            fake_graph.message_event(
                "wamid.IN10",
                DIGITS,
                self.now(),
                {"type": "text", "text": {"body": "Which invoice is this?"}},
                context_id=reminder.provider_message_id,
            )
        )
        conversation = self.env["ar.followup.conversation"].search(
            [("partner_id", "=", self.customer.id)]
        )
        Reply = self.env["ar.followup.conversation.reply"].with_user(self.ar_user)
        wizard = Reply.create({"conversation_id": conversation.id, "body": "INV/2026/00001"})
        self.assertEqual((wizard.channel, wizard.problem), ("whatsapp", False))
        wizard.action_send()
        text = self.graph.messages[-1]
        self.assertEqual(
            (text["type"], text["to"], text["text"]["body"]), ("text", DIGITS, "INV/2026/00001")
        )
        answer = conversation.answer_ids
        self.assertEqual(
            (answer.channel, answer.state, answer.manual, answer.provider_message_id),
            ("whatsapp", "sent", True, text["id"]),
        )
        self.assertEqual((answer.recipient, answer.text), ("+" + DIGITS, "INV/2026/00001"))
        self.assertIn("INV/2026/00001", self.chatter(self.customer)[0])
        # Meta's receipt of the answer reaches its reminder
        self.post_webhook(fake_graph.status_event(text["id"], "delivered", self.now(), DIGITS))
        self.assertEqual(answer.state, "delivered")
        with self.frozen(self.days_before(-2)):
            late = Reply.create({"conversation_id": conversation.id, "body": "Any news?"})
            self.assertIn("More than 24 hours", late.problem)
            with self.assertRaisesRegex(UserError, "More than 24 hours"):
                late.action_send()
            late.action_use_email()
            self.assertEqual((late.channel, late.problem), ("email", False))
        self.assertEqual(len(self.graph.messages), 2)

    def test_unmatched_media_follows_the_message_to_the_customer(self):
        self.graph.media["77"] = ("application/pdf", b"%PDF-1.4 remittance")
        self.post_webhook(
            fake_graph.message_event(
                "wamid.IN9",
                "919999900001",
                self.now(),
                {"type": "document", "document": {"id": "77", "filename": "remittance.pdf"}},
            )
        )
        inbound = self.env["ar.followup.whatsapp.message"].search([("wamid", "=", "wamid.IN9")])
        with self.committing():
            inbound._cron_ar_whatsapp_fetch_media()
        self.assertEqual(inbound.attachment_ids.res_model, "ar.followup.whatsapp.message")
        inbound.partner_id = self.customer_b
        inbound.action_post_on_customer()
        self.assertEqual(inbound.mail_message_id.attachment_ids, inbound.attachment_ids)
        self.assertEqual(
            (inbound.attachment_ids.res_model, inbound.attachment_ids.res_id),
            ("res.partner", self.customer_b.id),
        )

    def test_failed_template_error_stops_the_template(self):
        reminder = self.sent()
        errors = [{"code": 132001, "title": "Template name does not exist in the translation"}]
        self.post_webhook(
            fake_graph.status_event(
                reminder.provider_message_id, "failed", self.now(), DIGITS, errors
            )
        )
        self.assertEqual(self.overdue_template.wa_status, "stopped")
        self.assertEqual((reminder.state, reminder.channel), ("queued", "email"))

    def test_other_company_account_and_isolation(self):
        """Two companies, two WhatsApp numbers: an event reaches the reminder of the
        account it names only, and each company's clerks see their own messages."""
        other, clerk_b = self._ar_other_company_clerk()
        account_b = self.env["ar.followup.channel"]._ar_whatsapp_account(other)
        account_b.write(
            {
                "wa_business_account_id": "200000000000001",
                "wa_phone_number_id": "200000000000002",
                "wa_access_token": fake_graph.TOKEN,
                "wa_app_secret": "another app secret",
                "wa_verify_token": "another verify token",
                "state": "enabled",
            }
        )
        reminder = self.sent()
        # company B's number reports on company A's message id: not believed
        event = fake_graph.status_event(reminder.provider_message_id, "read", self.now(), DIGITS)
        event["entry"][0]["id"] = "200000000000001"
        event["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "200000000000002"
        body = json.dumps(event).encode()
        self.post_webhook(None, raw=body, signature=fake_graph.sign(body, "another app secret"))
        self.assertEqual(reminder.state, "sent")
        # a message to company B's number from company A's customer stays in company B
        message = fake_graph.message_event(
            "wamid.B1", DIGITS, self.now(), {"type": "text", "text": {"body": "hello B"}}
        )
        message["entry"][0]["id"] = "200000000000001"
        message["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = (
            "200000000000002"
        )
        body = json.dumps(message).encode()
        self.post_webhook(None, raw=body, signature=fake_graph.sign(body, "another app secret"))
        Message = self.env["ar.followup.whatsapp.message"]
        received = Message.search([("wamid", "=", "wamid.B1")])
        self.assertEqual(received.company_id, other)
        self.assertFalse(Message.with_user(self.ar_user).search([("wamid", "=", "wamid.B1")]))
        self.assertTrue(Message.with_user(clerk_b).search([("wamid", "=", "wamid.B1")]))

    def test_receipt_before_the_message_id_was_recorded(self):
        """Meta reports *delivered* before the dispatcher committed the message id: the
        receipt is kept and applied once the id is there, not lost."""
        early = fake_graph.status_event("wamid.EARLY", "delivered", self.now(), DIGITS)
        self.assertEqual(self.post_webhook(early).status_code, 200)
        self.graph.next_wamids = ["wamid.EARLY"]
        reminder = self.planned()
        self.dispatch()
        self.assertEqual(
            (reminder.provider_message_id, reminder.state), ("wamid.EARLY", "delivered")
        )
        self.assertFalse(self.env["ar.followup.whatsapp.status"].search([]))
