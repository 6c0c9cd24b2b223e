# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customers' SMS answers through Twilio's incoming-message webhook, over real HTTP:
signed, matched to the customer, into the AR inbox, STOP, unknown numbers, and the
route under malformed, mutated and forged posts."""

import random
from unittest import SkipTest

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..controllers.sms_incoming import ROUTE
from .common import ArFollowupCommon
from .fake_twilio import FakeTwilio

NUMBER = "+919820012345"  # the customer's number in E.164 (common.py: "+91 98200 12345")
UNKNOWN = "+919811100000"
FUZZ_POSTS = 2000
#: values a mutation puts in place of a field
ODD_VALUES = [
    "",
    "0",
    "-1",
    "1e9",
    "x" * 5000,
    "\u0000",
    "👍",
    "STOP",
    "+",
    "+91",
    "9820012345",
    NUMBER,
    "SM",
    "SM" + "g" * 32,
    "AC" + "0" * 32,
    "<Response/>",
    "'; DROP TABLE res_partner; --",
]


@tagged("post_install", "-at_install")
class TestSmsIncoming(HttpCase, ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "sms_provider" not in cls.env["res.company"]._fields:
            raise SkipTest("sms_twilio is not installed (setup/test.sh installs it)")
        cls._ar_setup_sms()
        cls.customer.ar_channel = "sms"
        cls.Message = cls.env["ar.followup.sms.message"]
        cls.Conversation = cls.env["ar.followup.conversation"]

    def setUp(self):
        super().setUp()
        self.twilio = self.enterContext(FakeTwilio())
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", self.base_url())
        self.url = self.base_url() + ROUTE

    def sent_sms(self):
        """The customer's first reminder, sent by SMS to :data:`NUMBER`."""
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        reminder = self.plan().filtered(lambda r: r.partner_id == self.customer)
        self.dispatch()
        self.assertEqual(
            (reminder.channel, reminder.state, reminder.recipient), ("sms", "sent", NUMBER)
        )
        return reminder

    def post(self, form, headers):
        return self.url_open(self.url, data=form, headers=headers)

    def receive(self, body, number=NUMBER, **kwargs):
        """Twilio posting the SMS ``body`` from ``number``; returns the response."""
        form, headers = self.twilio.incoming(self.url, number, body, **kwargs)
        response = self.post(form, headers)
        self.assertEqual(response.status_code, 200, response.text)
        return response

    def state(self):
        """What a post may change, to compare before and after."""
        self.env.invalidate_all()
        return (
            self.Message.search_count([]),
            self.Conversation.search_count([]),
            self.customer.sudo().ar_no_sms,
            self.customer.message_ids.ids[:1],
        )

    # -- a customer's answer -------------------------------------------------------

    def test_reply_reaches_the_inbox_and_is_answered_by_sms(self):
        reminder = self.sent_sms()
        response = self.receive("Will pay Rs 1000 on 20th, payment stuck with bank")
        self.assertEqual(response.headers["Content-Type"].split(";")[0], "text/xml")
        self.assertIn("<Response></Response>", response.text)
        # the reminder is answered, the words are on the customer's thread
        self.assertEqual(reminder.state, "replied")
        [message] = self.Message.search([("sid", "!=", False)])
        self.assertEqual(
            (message.state, message.partner_id, message.reminder_id, message.number),
            ("matched", self.customer, reminder, NUMBER),
        )
        self.assertIn("Will pay Rs 1000 on 20th", message.mail_message_id.body)
        self.assertEqual(message.mail_message_id.res_id, self.customer.id)
        # the inbox: a conversation on the SMS channel, read into a promise
        conversation = self.Conversation.search([("partner_id", "=", self.customer.id)])
        self.assertEqual((conversation.state, conversation.channel), ("open", "sms"))
        self.assertIn("Will pay Rs 1000", conversation.last_excerpt)
        self.assertEqual(conversation.suggestion_ids.mapped("kind"), ["promise"])
        # the clerk's answer goes back by SMS to the number
        Reply = self.env["ar.followup.conversation.reply"].with_user(self.ar_user)
        wizard = Reply.create({"conversation_id": conversation.id, "body": "Noted, thank you."})
        self.assertEqual((wizard.channel, wizard.problem), ("sms", False))
        wizard.action_send()
        self.assertEqual(
            (self.twilio.messages[-1]["to"], self.twilio.messages[-1]["body"]),
            (NUMBER, "Noted, thank you."),
        )

    def test_twilio_repeating_a_message_changes_nothing(self):
        form, headers = self.twilio.incoming(self.url, NUMBER, "Which invoice is this?")
        self.assertEqual(self.post(form, headers).status_code, 200)
        before = self.state()
        self.assertEqual(self.post(form, headers).status_code, 200)
        self.assertEqual(self.state(), before)
        conversation = self.Conversation.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(conversation.message_count, 1)

    def test_forged_posts_are_refused(self):
        before = self.state()
        form, headers = self.twilio.incoming(self.url, NUMBER, "Already paid")
        other_url = self.base_url() + ROUTE + "?x=1"
        forged = [
            {},
            {"X-Twilio-Signature": ""},
            {"X-Twilio-Signature": "forged"},
            {"X-Twilio-Signature": self.twilio.signature(self.url, form, "0" * 32)},
            {"X-Twilio-Signature": self.twilio.signature(other_url, form)},
            {"X-Twilio-Signature": headers["X-Twilio-Signature"].lower()},
        ]
        with mute_logger("odoo.addons.ar_followup.controllers.sms_incoming"):
            for forged_headers in forged:
                with self.subTest(headers=forged_headers):
                    self.assertEqual(self.post(form, forged_headers).status_code, 403)
            # the body changed after Twilio signed it
            self.assertEqual(self.post(dict(form, Body="STOP"), headers).status_code, 403)
            # signed with the token, for an account no company has
            alien = dict(form, AccountSid="AC" + "9" * 32)
            alien_headers = {"X-Twilio-Signature": self.twilio.signature(self.url, alien)}
            self.assertEqual(self.post(alien, alien_headers).status_code, 403)
            # a company that does not send through Twilio takes no Twilio message
            self.company.sms_provider = "iap"
            self.assertEqual(self.post(form, headers).status_code, 403)
        self.assertEqual(self.state(), before)

    def test_unknown_number_kept_unmatched(self):
        self.receive("Please send the statement", number=UNKNOWN)
        [message] = self.Message.search([])
        self.assertEqual(
            (message.state, message.partner_id.id, message.number), ("unmatched", False, UNKNOWN)
        )
        self.assertFalse(self.Conversation.search_count([]))
        # an AR user names the customer: on its thread and in the inbox
        message.with_user(self.ar_user).partner_id = self.customer
        message.with_user(self.ar_user).action_post_on_customer()
        self.assertEqual(message.state, "matched")
        conversation = self.Conversation.search([("partner_id", "=", self.customer.id)])
        self.assertEqual((conversation.channel, conversation.suggestion_ids.kind), ("sms", "copy"))

    def test_contact_number_reaches_its_customer(self):
        contact = self.env["res.partner"].create(
            {"name": "Ravi (accounts)", "parent_id": self.customer.id, "phone": "+91 98111 22233"}
        )
        self.receive("Cheque no. 004512 handed over", number="+919811122233")
        [message] = self.Message.search([])
        self.assertEqual(message.partner_id, self.customer)
        self.assertEqual(message.mail_message_id.author_id, contact)
        conversation = self.Conversation.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(conversation.suggestion_ids.kind, "paid")

    def test_stop_words_opt_out_of_sms(self):
        reminder = self.sent_sms()
        Consent = self.env["ar.followup.consent"]
        for word in ("STOP", "बंद करें", "unsubscribe", "StopAll"):
            with self.subTest(word=word):
                self.customer.sudo().ar_no_sms = False
                self.receive(word)
                self.assertTrue(self.customer.sudo().ar_no_sms)
                consent = Consent.search([("customer_id", "=", self.customer.id)], limit=1)
                self.assertEqual(
                    (consent.channel, consent.state, consent.source, consent.by_customer),
                    ("sms", "opt_out", "reply_stop", True),
                )
                self.assertEqual((consent.address, consent.note), (NUMBER, word))
        self.assertEqual(reminder.state, "replied")
        notes = self.customer.message_ids.filtered(
            lambda m: "asked by SMS to receive no more reminders" in (m.body or "")
        )
        self.assertEqual(len(notes), 4)
        # an opt-out acts at once: nothing waits in the inbox for it
        self.assertFalse(self.Conversation.search_count([]))
        # the next SMS reminder is not sent
        problems = self.env["ar.followup.reminder"]._ar_sms_contact_problems(self.customer)
        self.assertTrue(problems[self.customer.id])

    # -- malformed input ---------------------------------------------------------------

    def test_fuzz(self):
        """2,000 mutated, garbled and forged posts: never a 500, nothing changed by a post
        without a valid signature."""
        rng = random.Random(16)
        seeds = [
            self.twilio.incoming(self.url, NUMBER, "Will pay tomorrow")[0],
            self.twilio.incoming(self.url, UNKNOWN, "who is this")[0],
            self.twilio.incoming(self.url, NUMBER, "STOP", NumMedia="2")[0],
        ]
        forged, signed = [], []
        for index in range(FUZZ_POSTS):
            form = dict(rng.choice(seeds))
            for _mutation in range(rng.randint(1, 3)):
                key = rng.choice([*sorted(form), "Extra", "Body"])
                if rng.random() < 0.2:
                    form.pop(key, None)
                else:
                    form[key] = rng.choice(ODD_VALUES)
            if rng.random() < 0.03:
                # a new message SID: a message to record rather than a repeat
                form["MessageSid"] = "SM%032x" % rng.getrandbits(128)
            signature = self.twilio.signature(self.url, form)
            if index % 4 == 0:
                signed.append((form, signature))
                continue
            if rng.random() < 0.1:
                # bytes that are not a form at all
                form = bytes(rng.randrange(256) for _i in range(rng.randrange(1, 200)))
            forged.append(
                (
                    form,
                    rng.choice(
                        [
                            "",
                            signature[:-2],
                            self.twilio.signature(self.url, form, "e" * 32)
                            if isinstance(form, dict)
                            else "x",
                            self.twilio.signature(self.url, dict(form, Body="forged"))
                            if isinstance(form, dict) and form.get("Body") != "forged"
                            else "y",
                            "=" * 28,
                        ]
                    ),
                )
            )
        form_type = {"Content-Type": "application/x-www-form-urlencoded"}
        with mute_logger(
            "odoo.addons.ar_followup.controllers.sms_incoming",
            "odoo.addons.ar_followup.models.ar_followup_sms_message",
        ):
            before = self.state()
            for form, signature in forged:
                response = self.post(form, {**form_type, "X-Twilio-Signature": signature})
                self.assertEqual(response.status_code, 403, form)
            self.assertEqual(self.state(), before, "a forged post changed something")
            for form, signature in signed:
                response = self.post(form, {"X-Twilio-Signature": signature})
                self.assertIn(response.status_code, (200, 403), form)
        self.assertGreater(self.Message.search_count([]), 0)
