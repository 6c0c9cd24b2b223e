# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reminders by WhatsApp against a local fake Graph API: the account, the request Meta's
spec expects, the errors of the contract's table mapped to retry, fallback, stops."""

import os
import threading
from datetime import time

from odoo import fields, sql_db
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.ar_followup.tests.common import TODAY
from odoo.addons.ar_followup.tools import provider_urls

from . import fake_graph
from .common import DIGITS, NUMBER, WhatsAppCommon


@tagged("post_install", "-at_install")
class TestWhatsAppAccount(WhatsAppCommon):
    def test_test_connection_reads_the_number(self):
        action = self.account.action_wa_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.account.wa_display_number, fake_graph.DISPLAY_NUMBER)
        [request] = self.graph.requests
        self.assertEqual(request["path"], "/v23.0/%s" % fake_graph.PHONE_NUMBER_ID)

    def test_test_connection_says_what_is_wrong(self):
        self.account.wa_access_token = "expired"
        with self.assertRaisesRegex(UserError, "refused the access token"):
            self.account.action_wa_test_connection()
        self.account.write({"wa_access_token": fake_graph.TOKEN, "wa_phone_number_id": "42"})
        with self.assertRaisesRegex(UserError, "no phone number with this ID"):
            self.account.action_wa_test_connection()
        self.enterContext(provider_urls.redirect("graph", "http://127.0.0.1:9"))
        with self.assertRaisesRegex(UserError, "could not be reached"):
            self.account.action_wa_test_connection()

    def test_credentials_for_administrators_only(self):
        account = self.account.with_user(self.ar_manager)
        self.assertEqual(account.wa_phone_number_id, fake_graph.PHONE_NUMBER_ID)
        for name in ("wa_access_token", "wa_app_secret", "wa_verify_token"):
            self.assertNotIn(name, account.fields_get())
        with self.assertRaises(ValidationError):
            self.account.write({"wa_access_token": False})

    def test_new_company_starts_disabled(self):
        other, _clerk = self._ar_other_company_clerk()
        account = self.env["ar.followup.channel"]._ar_whatsapp_account(other)
        self.assertEqual(account.state, "disabled")
        account.state = "test"  # the simulator needs no Meta account


@tagged("post_install", "-at_install")
class TestWhatsAppSend(WhatsAppCommon):
    def test_template_sent_with_parameters_and_buttons(self):
        """The approved template, its body parameters rendered in order, the Pay Now
        button's suffix the tracked link, the number without +; the wamid is kept."""
        reminder = self.planned()
        self.dispatch()
        self.assertFalse(reminder.error)
        [message] = self.graph.messages
        self.assertEqual(message["to"], DIGITS)
        self.assertEqual(message["template"]["name"], "ar_payment_overdue")
        self.assertEqual(message["template"]["language"]["code"], "en")
        body, url, promise, dispute = message["template"]["components"]
        params = [p["text"] for p in body["parameters"]]
        self.assertEqual(len(params), len(self.overdue_template._ar_whatsapp_param_lines()))
        self.assertIn("₹1,000.00", params)
        self.assertEqual((url["sub_type"], url["index"]), ("url", "0"))
        self.assertRegex(url["parameters"][0]["text"], r"^ar_followup/r/%s/\w+/pay$" % reminder.id)
        self.assertEqual(promise["parameters"][0]["payload"], "ar_promise")
        self.assertEqual(dispute["parameters"][0]["payload"], "ar_dispute")
        self.assertEqual((reminder.state, reminder.recipient), ("sent", NUMBER))
        self.assertEqual(
            reminder.recipient_note, "To: Bharat Steel Traders (the customer's own address)"
        )
        self.assertEqual(reminder.provider_message_id, message["id"])
        self.assertIn("₹1,000.00", reminder.text)

    def test_throughput_limit_retried_later(self):
        reminder = self.planned()
        self.graph.script[DIGITS] = [fake_graph.THROUGHPUT]
        self.dispatch()
        self.assertEqual(
            (reminder.state, reminder.channel, reminder.attempt_count), ("queued", "whatsapp", 1)
        )
        self.assertIn("130429", reminder.error)
        self.graph.script[DIGITS] = [fake_graph.PAIR_LIMIT]
        self.dispatch(at=reminder.date_scheduled.time())
        self.assertEqual((reminder.state, reminder.attempt_count), ("queued", 2))
        self.dispatch(at=reminder.date_scheduled.time())
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(len(self.graph.messages), 1)

    def test_undeliverable_falls_back_at_once(self):
        reminder = self.planned()
        self.graph.script[DIGITS] = [fake_graph.UNDELIVERABLE]
        self.dispatch()
        self.assertEqual((reminder.state, reminder.channel), ("sent", "email"))
        self.assertEqual(reminder.channels_tried, "whatsapp")
        self.assertIn("131026", reminder.error)
        self.assertEqual(len(self.graph.requests), 1)

    def test_no_answer_never_sent_twice(self):
        reminder = self.planned()
        self.graph.script[DIGITS] = [fake_graph.NO_ANSWER]
        with mute_logger("odoo.addons.ar_followup.models.ar_followup_reminder.send_retry"):
            self.dispatch()
        self.assertEqual(reminder.state, "failed")
        self.assertIn("may have been sent", reminder.error)
        self.assertIn("Payment reminder not sent", self.customer.activity_ids.mapped("summary")[0])

    def test_connection_closed_without_answer_never_sent_twice(self):
        """The request read, the connection closed: Meta may have taken it."""
        reminder = self.planned()
        self.graph.script[DIGITS] = [fake_graph.DROPPED]
        with mute_logger("odoo.addons.ar_followup.models.ar_followup_reminder.send_retry"):
            self.dispatch()
            self.dispatch()
        self.assertEqual(reminder.state, "failed")
        self.assertIn("may have been sent", reminder.error)
        self.assertEqual(len(self.graph.requests), 1)

    def test_template_error_stops_the_template(self):
        reminder = self.planned()
        self.graph.script[DIGITS] = [fake_graph.PARAMETER_MISMATCH]
        self.dispatch()
        self.assertEqual(self.overdue_template.wa_status, "stopped")
        self.assertIn("132000", self.overdue_template.wa_status_reason)
        activity = self.company.partner_id.activity_ids
        self.assertIn("ar_payment_overdue", activity.note)
        self.assertEqual((reminder.channel, reminder.state), ("email", "sent"))
        # the stopped template is not tried again: the next reminder goes by e-mail at once
        other = self.planned(self.customer_b)
        self.dispatch()
        self.assertEqual((other.channel, other.state), ("email", "sent"))
        self.assertEqual(len(self.graph.requests), 1)

    def test_expired_token_stops_the_account_and_reminders_wait(self):
        reminder = self.planned()
        self.graph.script[DIGITS] = [fake_graph.TOKEN_EXPIRED]
        self.dispatch()
        self.assertIn("190", self.account.wa_token_error)
        self.assertEqual((reminder.state, reminder.channel), ("queued", "whatsapp"))
        self.assertIn("renew the access token", self.company.partner_id.activity_ids.summary)
        # the next attempt does not call Meta; a successful Test Connection restarts it
        self.dispatch(at=reminder.date_scheduled.time())
        self.assertEqual(len(self.graph.requests), 1)
        self.account.action_wa_test_connection()
        self.assertFalse(self.account.wa_token_error)
        self.dispatch(at=reminder.date_scheduled.time())
        self.assertEqual(reminder.state, "sent")

    def test_stopped_on_the_receivables_page(self):
        """The debtor's page offers WhatsApp among the channels to stop: stopping it there
        is the customer's own opt-out, recorded as such, and WhatsApp reminders stop."""
        customer = self.customer.sudo()
        self.assertIn(
            ("whatsapp", "WhatsApp", False), customer._ar_portal_opt_out_channels(self.company)
        )
        customer._ar_portal_set_opt_out(self.company, "whatsapp", True, actor="Ravi Kumar")
        self.assertEqual(
            (customer.ar_no_whatsapp, customer.ar_no_whatsapp_source), (True, "portal")
        )
        consent = customer.ar_consent_ids.filtered(lambda c: c.channel == "whatsapp")
        self.assertEqual(
            (consent.source, consent.state, consent.by_customer), ("portal", "opt_out", True)
        )
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        reminder = self.plan().filtered(lambda r: r.partner_id == self.customer)
        self.assertEqual(reminder.channel, "email")

    def test_contact_problems(self):
        """Opted out, no valid number, no approved template: planning falls back with why."""
        self.customer.ar_no_whatsapp = True
        self.assertEqual(self.customer.ar_no_whatsapp_source, "manual")
        self.customer_b.phone = "12345"
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        self._ar_invoice(self.customer_b, 1000, self.days_before(7))
        reminders = self.plan()
        self.assertEqual(set(reminders.mapped("channel")), {"email"})
        problems = self.Reminder._ar_get_contact_problems(
            "whatsapp", self.customer | self.customer_b, self.company
        )
        self.assertIn("does not want WhatsApp", problems[self.customer.id][1])
        self.assertIn("not a valid number", problems[self.customer_b.id][1])
        self.templates.write({"wa_status": "pending"})
        problems = self.Reminder._ar_get_contact_problems("whatsapp", self.customer_b, self.company)
        self.assertIn("no template", problems[self.customer_b.id][1])

    def test_not_approved_template_falls_back(self):
        reminder = self.planned()
        self.overdue_template.write({"wa_status": "rejected", "wa_status_reason": "INVALID_FORMAT"})
        self.dispatch()
        self.assertEqual(reminder.channel, "email")
        self.assertIn("not approved by Meta (Rejected: INVALID_FORMAT)", reminder.error)
        self.assertFalse(self.graph.requests)

    def test_invoicing_contact_mobile_first(self):
        self.env["res.partner"].create(
            {
                "name": "Accounts",
                "parent_id": self.customer.id,
                "type": "invoice",
                "phone": "+91 98450 11111",
            }
        )
        reminder = self.sent()
        self.assertEqual(reminder.recipient, "+919845011111")
        self.assertEqual(reminder.recipient_note, "To: Accounts (invoicing contact)")
        self.assertEqual(self.graph.messages[0]["to"], "919845011111")

    def test_sent_to_names_the_followup_contact(self):
        """A *To* follow-up contact taking WhatsApp gets the message instead, and the
        reminder's *Sent To* says whom and why, as e-mail and SMS reminders do."""
        priya = self.env["res.partner"].create(
            {"name": "Priya Nair", "parent_id": self.customer.id, "phone": "+91 98200 55555"}
        )
        self.env["ar.followup.contact"].create(
            {"partner_id": self.customer.id, "contact_id": priya.id, "role": "to"}
        )
        reminder = self.sent()
        self.assertEqual(self.graph.messages[0]["to"], "919820055555")
        self.assertEqual(
            (reminder.recipient, reminder.recipient_note),
            ("+919820055555", "To: Priya Nair (follow-up contact)"),
        )

    def test_test_mode_simulates_receipts_and_replies(self):
        """Test mode: nothing reaches Meta; the simulator delivers, reads, and answers."""
        self.account.state = "test"
        reminder = self.sent()
        self.assertTrue(reminder.provider_message_id.startswith("wamid.TEST."))
        self.assertFalse(self.graph.requests)
        later = reminder.date_sent
        self.Reminder._cron_ar_whatsapp_simulate(now=later + fake_graph_minutes(3))
        self.assertEqual(reminder.state, "delivered")
        self.Reminder._cron_ar_whatsapp_simulate(now=later + fake_graph_minutes(7))
        self.assertEqual(reminder.state, "read" if reminder.id % 3 else "replied")


def fake_graph_minutes(minutes):
    from datetime import timedelta

    return timedelta(minutes=minutes)


@tagged("post_install", "-at_install")
class TestWhatsAppTemplateRegistry(WhatsAppCommon):
    def test_submit_then_sync(self):
        """Submitted as Utility with its parameters' examples and buttons; Meta's review
        then decides what is sent."""
        template = self.overdue_template
        template.wa_status = "draft"
        template.action_wa_submit()
        self.assertEqual(template.wa_status, "pending")
        [submitted] = self.graph.templates
        self.assertEqual(
            (submitted["name"], submitted["language"], submitted["category"]),
            ("ar_payment_overdue", "en", "UTILITY"),
        )
        body, buttons = submitted["components"]
        self.assertEqual(body["text"], template.wa_template_text)
        self.assertEqual(
            len(body["example"]["body_text"][0]), len(template._ar_whatsapp_param_lines())
        )
        self.assertEqual(
            [(b["type"], b["text"]) for b in buttons["buttons"]],
            [
                ("URL", "Pay now"),
                ("QUICK_REPLY", "I will pay on…"),
                ("QUICK_REPLY", "I dispute this"),
            ],
        )
        self.assertTrue(buttons["buttons"][0]["url"].endswith("/{{1}}"))
        submitted.update({"status": "REJECTED", "rejected_reason": "INVALID_FORMAT"})
        template.action_wa_sync_status()
        self.assertEqual(template.wa_status, "rejected")
        self.assertEqual(template.wa_status_reason, "INVALID_FORMAT (en)")
        submitted.update({"status": "APPROVED", "rejected_reason": "NONE"})
        template.action_wa_sync_status()
        self.assertEqual((template.wa_status, template.wa_status_reason), ("approved", False))
        self.assertEqual(template.wa_meta_id, submitted["id"])

    def test_sync_of_a_template_meta_does_not_know(self):
        self.overdue_template.action_wa_sync_status()
        self.assertEqual(self.overdue_template.wa_status, "draft")


@tagged("post_install", "-at_install")
class TestWhatsAppThroughput(WhatsAppCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"].browse(
            [
                cls._ar_create_customer(
                    "Customer %02d" % n, phone="+91 98200 100%02d" % n, ar_channel="whatsapp"
                ).id
                for n in range(20)
            ]
        )
        for customer in cls.customers:
            cls._ar_invoice(customer, 1000, cls.days_before(7))

    def test_concurrent_calls_within_the_rate(self):
        """Calls to Meta overlap, never more at once than the account's rate, and a
        second round starts a second after the first at the earliest."""
        self.account.wa_rate_limit = 10
        self.graph.latency = 0.3
        reminders = self.plan().filtered(lambda r: r.partner_id in self.customers)
        self.assertEqual(len(reminders), 20)
        started = os.times().elapsed
        self.dispatch()
        elapsed = os.times().elapsed - started
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(len(set(reminders.mapped("provider_message_id"))), 20)
        self.assertEqual(len(self.graph.messages), 20)
        self.assertGreater(self.graph.max_in_flight, 1)
        self.assertLessEqual(self.graph.max_in_flight, 10)
        self.assertGreaterEqual(elapsed, 1.0)
        self.assertLess(elapsed, 20 * 0.3)

    def test_no_second_holds_more_calls_than_the_rate(self):
        """Calls go on as soon as the rate allows, without waiting for the others of a
        batch, and no span of a second, wherever it starts, holds more of them than
        the account's messages per second."""
        self.account.wa_rate_limit = 6
        self.graph.latency = 0.05
        reminders = self.plan().filtered(lambda r: r.partner_id in self.customers)
        self.dispatch()
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        arrivals = sorted(self.graph.arrivals)
        self.assertEqual(len(arrivals), 20)
        # the 7th call after any one came at least a second after it; a little less at
        # the server, where a call may arrive sooner after its start than another
        gaps = [later - first for first, later in zip(arrivals, arrivals[6:], strict=False)]
        self.assertGreater(min(gaps), 0.9)
        # 20 calls at 6 a second: the 19th cannot start before 3 s have passed
        self.assertGreater(arrivals[-1] - arrivals[0], 2.9)

    def test_connections_to_meta_kept_from_one_run_to_the_next(self):
        """The dispatcher keeps its connections to Meta open: a run soon after another
        sends over the connections the first one opened, without opening more."""
        self.account.wa_rate_limit = 4
        # calls that overlap, as Meta's do: the first run opens the connections it needs
        self.graph.latency = 0.05
        reminders = self.plan().filtered(lambda r: r.partner_id in self.customers)
        later = reminders[10:]
        later.date_scheduled = fields.Datetime.to_datetime("%s 05:00:00" % TODAY)
        self.dispatch(at=time(4, 30))
        self.assertEqual(set((reminders - later).mapped("state")), {"sent"})
        self.assertEqual(set(later.mapped("state")), {"planned"})
        first_run = set(self.graph.clients)
        self.assertLessEqual(len(first_run), 4)
        self.dispatch(at=time(5, 30))
        self.assertEqual(set(later.mapped("state")), {"sent"})
        self.assertEqual(len(self.graph.messages), 20)
        self.assertLessEqual(set(self.graph.clients[10:]), first_run)

    def test_crash_after_the_calls_sends_nothing_twice(self):
        """Each round is committed once Meta answered: a worker dying afterwards loses
        none of the message ids, and the next dispatcher sends nothing again."""
        self.account.wa_rate_limit = 8
        reminders = self.plan().filtered(lambda r: r.partner_id in self.customers)
        self.dispatch(crash_after=0)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertTrue(all(reminders.mapped("provider_message_id")))
        self.dispatch()
        self.assertEqual(len(self.graph.messages), 20)

    def test_no_time_to_start_leaves_the_batch_to_the_next_run(self):
        """A dispatcher whose transaction budget is spent before its first round gives
        the batch back and stops, instead of claiming it again and again."""
        reminder = self.planned()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("ar_followup.dispatch_transaction_seconds", "0")
        self.dispatch()
        self.assertEqual((reminder.state, len(self.graph.messages)), ("queued", 0))
        params.set_param("ar_followup.dispatch_transaction_seconds", "60")
        self.dispatch()
        self.assertEqual(reminder.state, "sent")

    def test_errors_in_a_round_each_handled(self):
        self.account.wa_rate_limit = 20
        reminders = self.plan().filtered(lambda r: r.partner_id in self.customers)
        by_number = {r.partner_id.phone_sanitized.lstrip("+"): r for r in reminders}
        numbers = sorted(by_number)
        self.graph.script[numbers[0]] = [fake_graph.THROUGHPUT]
        self.graph.script[numbers[1]] = [fake_graph.UNDELIVERABLE]
        self.graph.script[numbers[2]] = [fake_graph.OUTAGE]
        self.dispatch()
        self.assertEqual(by_number[numbers[0]].state, "queued")
        self.assertEqual(by_number[numbers[1]].channel, "email")
        self.assertEqual(by_number[numbers[2]].state, "queued")
        self.assertEqual(len(reminders.filtered(lambda r: r.state == "sent")), 18)

    def test_one_sending_turn_per_company_across_dispatchers(self):
        """Another dispatcher holds the company's sending turn for a round: this one waits
        for it to end before calling Meta, so together they keep to the company's rate."""
        reminders = self.plan().filtered(lambda r: r.partner_id in self.customers)
        # the other dispatcher: a connection of its own, outside the test's transaction
        other = sql_db.db_connect(self.env.cr.dbname).cursor()
        other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x57410001, self.company.id])
        release = threading.Timer(1.5, other.close)  # its round ends, its turn with it
        release.start()
        self.addCleanup(release.cancel)
        started = os.times().elapsed
        self.dispatch()
        self.assertGreaterEqual(os.times().elapsed - started, 1.5)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(len(self.graph.messages), 20)

    def test_calls_go_on_from_one_batch_to_the_next(self):
        """The last calls of a batch are still running while the next batch is claimed;
        their answers are recorded all the same, each reminder sent once."""
        self.account.wa_rate_limit = 20
        self.graph.latency = 0.3
        reminders = self.plan().filtered(lambda r: r.partner_id in self.customers)
        self.dispatch(batch_size=6)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(len(set(reminders.mapped("provider_message_id"))), 20)
        self.assertEqual(len(self.graph.messages), 20)

    def test_dying_between_two_batches_sends_nothing_twice(self):
        """A dispatcher dying after handing a batch's calls over, before their answers
        are recorded, leaves those reminders ``sending``: failed as interrupted once the
        next dispatcher finds them, never sent again; the rest go once."""
        self.account.wa_rate_limit = 20
        self.graph.latency = 0.3
        reminders = self.plan().filtered(lambda r: r.partner_id in self.customers)
        # the batch's commit (after its calls were handed over) is where it dies
        self.dispatch(batch_size=10, crash_after=0)
        first = reminders.filtered(lambda r: r.state != "queued")
        self.assertEqual(len(first), 10)
        self.assertEqual(len(self.graph.messages), 10)
        # answers recorded before it died are kept; the last call was still running
        sending = first.filtered(lambda r: r.state == "sending")
        self.assertTrue(sending)
        self.assertLessEqual(set((first - sending).mapped("state")), {"sent"})
        # the next run, once the interrupted ones are found
        self.dispatch(at=time(5, 30), batch_size=10)
        self.assertEqual(set(sending.mapped("state")), {"failed"})
        self.assertEqual(set(sending.mapped("reason")), {"interrupted"})
        self.assertEqual(set((reminders - sending).mapped("state")), {"sent"})
        self.assertEqual(len(self.graph.messages), 20)
        numbers = [message["to"] for message in self.graph.messages]
        self.assertEqual(len(set(numbers)), 20)
