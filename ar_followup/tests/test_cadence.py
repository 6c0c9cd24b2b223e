# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The cadence engine in the database: planning, dispatch, exactly once, skips, replies."""

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.mail import html_to_inner_content

from ..models.ar_followup_reminder import channel_email as channel_email_module
from ..models.ar_followup_reminder import dispatch as dispatch_module
from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestCadence(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["ar.followup.reminder"]
        cls.standard = cls.env.ref("ar_followup.ar_followup_policy_standard")
        cls.step = {
            key: cls.env.ref("ar_followup.ar_followup_policy_step_standard_%s" % key)
            for key in ("heads_up", "due", "first", "repeat", "final")
        }

    # -- helpers -------------------------------------------------------------

    def run_day(self, day):
        self.plan(day)
        self.dispatch(day)

    def reminders(self, **domain):
        return self.Reminder.search(
            [("company_id", "=", self.company.id), *((k, "=", v) for k, v in domain.items())],
            order="date, id",
        )

    def reminder_messages(self, partner):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "in", partner.ids),
                ("message_type", "=", "comment"),
                ("id", "in", self.reminders().mail_message_id.ids),
            ]
        )

    # -- the scenario --------------------------------------------------------

    def test_120_days_standard_cadence(self):
        """Four months of daily planning and dispatch for two customers, reminder by reminder."""
        a1 = self._ar_invoice(
            self.customer, 1000, self.days_before(-5), invoice_date=TODAY
        )  # 20 June
        a2 = self._ar_invoice(
            self.customer, 2500, self.days_before(-25), invoice_date=TODAY
        )  # 10 July
        b1 = self._ar_invoice(
            self.customer_b, 700, self.days_before(-10), invoice_date=TODAY
        )  # 25 June
        payments = {
            self.days_before(-16): (b1, 700),  # 1 July: B pays in full
            self.days_before(-35): (a2, 500),  # 20 July: A pays part of the July invoice
        }
        for n in range(121):
            day = TODAY + timedelta(days=n)
            if day in payments:
                with self.frozen(day):
                    self._ar_pay(payments[day][0], payments[day][1], pay_date=day)
            self.run_day(day)

        A, B, s = self.customer, self.customer_b, self.step
        got = [
            (r.date, r.partner_id, r.step_id, r.tone_id.code, r.move_ids, r.state)
            for r in self.reminders()
        ]
        D = TODAY.replace
        self.assertEqual(
            got,
            [
                (D(day=17), A, s["heads_up"], "gentle", a1, "sent"),
                (D(day=20), A, s["due"], "neutral", a1, "sent"),
                # B paid on 1 July: its reminders are marked paid, the next one never comes
                (D(day=22), B, s["heads_up"], "gentle", b1, "paid"),
                (D(day=25), B, s["due"], "neutral", b1, "paid"),
                (D(day=27), A, s["first"], "neutral", a1, "sent"),
                (D(month=7, day=5), A, s["repeat"], "neutral", a1, "sent"),
                # A2's heads-up falls two days after the last reminder: a day later, still before due;
                # its due-date notice then falls within the interval and is not sent overdue
                (D(month=7, day=8), A, s["heads_up"], "gentle", a2, "sent"),
                (D(month=7, day=17), A, s["first"], "neutral", a2, "sent"),
                (D(month=7, day=20), A, s["repeat"], "neutral", a1, "sent"),
                (D(month=7, day=25), A, s["repeat"], "neutral", a2, "sent"),
                (D(month=8, day=4), A, s["repeat"], "neutral", a1, "sent"),
                (D(month=8, day=9), A, s["repeat"], "neutral", a2, "sent"),
                (D(month=8, day=19), A, s["repeat"], "neutral", a1, "sent"),
                # A1 enters 61-90 on 20 August; three days after the last reminder, the final notice
                # goes, escalates, and the customer's tone gets firmer
                (D(month=8, day=22), A, s["final"], "firm", a1, "sent"),
                (D(month=8, day=25), A, s["repeat"], "firm", a2, "sent"),
                (D(month=9, day=3), A, s["repeat"], "firm", a1, "sent"),
                (D(month=9, day=8), A, s["repeat"], "firm", a2, "sent"),
                (D(month=9, day=11), A, s["final"], "firm", a2, "sent"),
                (D(month=9, day=18), A, s["repeat"], "formal", a1, "sent"),
                (D(month=9, day=23), A, s["repeat"], "formal", a2, "sent"),
                (D(month=10, day=3), A, s["repeat"], "formal", a1, "sent"),
                (D(month=10, day=8), A, s["repeat"], "formal", a2, "sent"),
            ],
        )
        # what the customer received: one message per reminder on its chatter, the residual
        # of the partly paid invoice, the escalations for the AR owner
        self.assertEqual(len(self.reminder_messages(A)), 20)
        self.assertEqual(len(self.reminder_messages(B)), 2)
        after_payment = self.reminders(partner_id=A.id, date=D(month=7, day=25))
        self.assertEqual(after_payment.amount_residual, 2000)
        self.assertIn("2,000.00", html_to_inner_content(after_payment.mail_message_id.body))
        self.assertEqual(
            after_payment.subject, "Payment overdue: ₹3,000.00 to %s" % self.company.name
        )
        self.assertEqual(A.ar_tone_escalation, 2)
        self.assertEqual(
            A.activity_ids.mapped("summary"),
            [
                "Escalation: Bharat Steel Traders owes ₹\xa01,000.00 (Final notice on entering 61–90 days)",
                "Escalation: Bharat Steel Traders owes ₹\xa02,000.00 (Final notice on entering 61–90 days)",
            ],
        )
        self.assertFalse(self.reminders(state="skipped"))

    def test_planning_cron_at_the_company_hour(self):
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        self.assertEqual(self.company.ar_planning_hour, 10.0)
        Company = self.env["res.company"]
        with freeze_time(datetime.combine(TODAY, time(3, 0))), self.committing():  # 08:30 IST
            Company._cron_ar_plan_reminders()
        self.assertFalse(self.reminders())
        self.assertFalse(self.company.ar_last_plan_date)
        with freeze_time(datetime.combine(TODAY, time(4, 45))), self.committing():  # 10:15 IST
            Company._cron_ar_plan_reminders()
        self.assertEqual(self.reminders().mapped("state"), ["planned"])
        self.assertEqual(self.company.ar_last_plan_date, TODAY)
        with freeze_time(datetime.combine(TODAY, time(6, 0))), self.committing():
            self.assertFalse(self.company._ar_planning_due(), "once a day")
            Company._cron_ar_plan_reminders()
        self.assertEqual(len(self.reminders()), 1)

    def test_preferred_channel_without_sender_falls_back(self):
        """The customer prefers SMS, the step offers e-mail then SMS: SMS cannot reach
        the customer (no number), so the reminder goes by e-mail."""
        self.customer.write({"ar_channel": "sms", "phone": False})
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        [reminder] = self.plan()
        self.assertEqual((reminder.channel, reminder.step_id), ("email", self.step["first"]))

    # -- exactly once ----------------------------------------------------------

    def _overdue_customers(self, count):
        customers = self.env["res.partner"]
        for index in range(count):
            customer = self._ar_create_customer("Overdue Customer %s" % index)
            self._ar_invoice(customer, 100 * (index + 1), self.days_before(7))
            customers |= customer
        return customers

    def test_rerun_same_day_no_duplicates(self):
        invoice = self._ar_invoice(self.customer, 1000, self.days_before(7))
        first = self.plan()
        self.assertEqual(
            (first.partner_id, first.step_id, first.state),
            (self.customer, self.step["first"], "planned"),
        )
        self.assertEqual(first.move_ids, invoice)
        self.assertFalse(self.plan(), "planning the same day again records nothing")
        self.dispatch()
        self.dispatch()
        self.assertFalse(self.plan())
        self.assertEqual(self.reminders().mapped("state"), ["sent"])
        self.assertEqual(len(self.reminder_messages(self.customer)), 1)
        # the database refuses a second reminder for the same customer, step and cycle
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            first.copy({"state": "planned"})

    def test_interrupted_batch_sends_each_once(self):
        customers = self._overdue_customers(5)
        planned = self.plan()
        self.assertEqual(len(planned), 5)
        # e-mails of a batch are committed together: the worker dies at that commit
        self.dispatch(crash_after=0)
        self.assertEqual(
            planned.mapped("state"),
            ["sending"] * 5,
            "the batch claimed (committed), then the worker died before its e-mails were",
        )
        for customer in customers:
            self.assertFalse(self.reminder_messages(customer), "nothing was posted")
        # a dispatcher running right after cannot know the others are dead: it leaves them
        self.dispatch(at=time(4, 40))
        self.assertEqual(planned.mapped("state"), ["sending"] * 5)
        # half an hour later they are recovered: e-mail was never posted, so they go once
        self.dispatch(at=time(5, 1))
        self.assertEqual(planned.mapped("state"), ["sent"] * 5)
        for customer in customers:
            self.assertEqual(len(self.reminder_messages(customer)), 1, customer.name)

    @contextmanager
    def slow_attachments(self, seconds):
        """Each e-mail's attachments take ``seconds`` to produce, on a clock of the test's."""
        clock = [0.0]
        fake = SimpleNamespace(monotonic=lambda: clock[0])

        def attachments(reminder):
            clock[0] += seconds
            return self.env["ir.attachment"]

        with (
            patch.object(dispatch_module, "time", fake),
            patch.object(channel_email_module, "time", fake),
            patch.object(type(self.Reminder), "_ar_get_email_attachments", attachments),
        ):
            yield

    def test_slow_attachments_keep_each_transaction_within_its_budget(self):
        customers = self._overdue_customers(5)
        planned = self.plan()
        # 20 s of PDFs per e-mail: two fit in the 45 s budget, a third would not
        with self.slow_attachments(20):
            commits = self.dispatch()
        self.assertEqual(commits, [2, 2, 1])
        self.assertEqual(planned.mapped("state"), ["sent"] * 5)
        for customer in customers:
            self.assertEqual(len(self.reminder_messages(customer)), 1, customer.name)

    def test_attachments_slower_than_the_budget_still_move_the_queue(self):
        self._overdue_customers(2)
        planned = self.plan()
        with self.slow_attachments(300):
            self.assertEqual(self.dispatch(), [1, 1])
        self.assertEqual(planned.mapped("state"), ["sent"] * 2)

    def test_worker_killed_between_budgeted_transactions_sends_each_once(self):
        customers = self._overdue_customers(5)
        planned = self.plan()
        with self.slow_attachments(20):
            # the worker dies committing the second transaction's e-mails
            self.assertEqual(self.dispatch(crash_after=1), [2])
        # the first transaction's two are sent; the second's claim was committed, its
        # e-mails were not
        self.assertEqual(sorted(planned.mapped("state")), ["sending"] * 3 + ["sent"] * 2)
        with self.slow_attachments(20):
            self.dispatch(at=time(5, 1))  # the dead worker's claim is recovered
        self.assertEqual(planned.mapped("state"), ["sent"] * 5)
        for customer in customers:
            self.assertEqual(len(self.reminder_messages(customer)), 1, customer.name)

    def test_reminder_failing_to_send_does_not_stop_the_batch(self):
        customers = self._overdue_customers(3)
        planned = self.plan()
        original = type(self.Reminder)._ar_get_email_post

        def flaky(reminder, content):
            if reminder.partner_id == customers[1]:
                raise ValueError("SMTP says no")
            return original(reminder, content)

        with patch.object(type(self.Reminder), "_ar_get_email_post", flaky):
            self.dispatch()
        failed = planned.filtered(lambda r: r.partner_id == customers[1])
        self.assertEqual((failed.state, failed.reason), ("failed", "error"))
        # the step's SMS fallback cannot reach the customer (no number): the trail says so
        self.assertEqual(
            failed.error.splitlines(), ["E-mail: SMTP says no", "SMS: no phone number (-)."]
        )
        self.assertFalse(failed.mail_message_id)
        self.assertEqual((planned - failed).mapped("state"), ["sent", "sent"])

    def _count_planning_queries(self, day):
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        with self.frozen(day):
            reminders = self.env["ar.followup.reminder"].sudo()._ar_plan(self.company, day)
        return self.cr.sql_log_count - start, len(reminders)

    def test_planning_is_set_based(self):
        """Planning costs the same queries for 3 customers as for 12."""
        Reminder = self.env["ar.followup.reminder"].sudo()
        self._overdue_customers(3)
        self._count_planning_queries(TODAY)  # warm the caches (record rules, xml ids...)
        Reminder.search([]).unlink()
        few = self._count_planning_queries(TODAY)
        Reminder.search([]).unlink()
        self._overdue_customers(9)
        many = self._count_planning_queries(TODAY)
        self.assertEqual((few[1], many[1]), (3, 12))
        self.assertEqual(few[0], many[0], "as many queries for 12 customers as for 3")

    # -- skips ---------------------------------------------------------------------

    def test_every_email_recipient_checked_alone(self):
        """Odoo mails every address of a contact's e-mail field, so each is checked; a
        contact's own refusal counts; when every invoicing contact is left out, the
        customer is not reminded by e-mail."""
        Partner = self.env["res.partner"]
        shared, refusing, clean = (
            Partner.create(
                {"name": name, "type": "invoice", "parent_id": self.customer.id, "email": email}
            )
            for name, email in (
                ("Shared inbox", "ap@bharat.example.in, cfo@bharat.example.in"),
                ("Refusing clerk", "clerk@bharat.example.in"),
                ("Accounts", "accounts@bharat.example.in"),
            )
        )
        refusing.ar_no_email = True
        self.env["mail.blacklist"].sudo()._add("cfo@bharat.example.in")  # the second address
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        [reminder] = self.plan()
        self.dispatch()
        self.assertEqual(
            (reminder.state, reminder.recipient), ("sent", "accounts@bharat.example.in")
        )
        self.assertEqual(reminder.mail_message_id.partner_ids, clean)
        # the last one opts out too: nobody left, nobody written to (not the main address)
        self.env["mail.blacklist"].sudo()._add(clean.email)
        problems = self.env["ar.followup.reminder"]._ar_email_contact_problems(self.customer)
        self.assertEqual(
            problems[self.customer.id],
            ("do_not_contact", "E-mail: every address is blacklisted or refuses e-mail reminders."),
        )
        self.assertTrue(shared and refusing)

    def test_skip_reasons_recorded_once(self):
        names = (
            "Disputing Co",
            "Promising Co",
            "Paused Co",
            "Silent Co",
            "Unreachable Co",
            "Opted Co",
        )
        disputed, promised, paused, silent, unreachable, opted_out = (
            self._ar_create_customer(name) for name in names
        )
        everyone = disputed | promised | paused | silent | unreachable | opted_out
        invoices = {p: self._ar_invoice(p, 1000, self.days_before(7)) for p in everyone}
        self.env["ar.followup.dispute"].create({"partner_id": disputed.id, "reason": "quality"})
        promise = self.env["ar.followup.promise"].create(
            {
                "partner_id": promised.id,
                "move_ids": [Command.set(invoices[promised].ids)],
                "date_promised": self.days_before(-5),
            }
        )
        paused.ar_pause_until = self.days_before(-10)
        silent.ar_no_email = True
        unreachable.email = False
        self.env["mail.blacklist"].sudo()._add(opted_out.email)
        skipped = self.plan()
        self.assertEqual(
            {r.partner_id: (r.state, r.reason) for r in skipped},
            {
                disputed: ("skipped", "disputed"),
                promised: ("skipped", "promised"),
                paused: ("skipped", "paused"),
                silent: ("skipped", "do_not_contact"),
                unreachable: ("skipped", "no_contact"),
                opted_out: ("skipped", "do_not_contact"),
            },
        )
        by_partner = {r.partner_id: r for r in skipped}
        self.assertEqual(by_partner[disputed].reason_text, "Disputed: DSP/2026/0001")
        self.assertEqual(by_partner[promised].reason_text, promise._ar_hold_reason())
        self.assertIn("Follow-up paused until", by_partner[paused].reason_text)
        self.dispatch()
        self.assertFalse(self.reminder_messages(everyone))
        # the next day, nothing changed: no new record
        self.assertFalse(self.plan(self.days_before(-1)))
        # the dispute is closed: the same stage is reminded now
        self.env["ar.followup.dispute"].search([("partner_id", "=", disputed.id)]).action_cancel()
        [reminder] = self.plan(self.days_before(-2))
        self.assertEqual(
            (reminder.partner_id, reminder.step_id, reminder.state),
            (disputed, self.step["first"], "planned"),
        )
        self.assertEqual(reminder.cycle_key, by_partner[disputed].cycle_key)

    def test_disputed_invoice_left_out(self):
        held = self._ar_invoice(self.customer, 1000, self.days_before(7))
        other = self._ar_invoice(self.customer, 400, self.days_before(7))
        self.env["ar.followup.dispute"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(held.ids)],
                "reason": "wrong_amount",
            }
        )
        [reminder] = self.plan()
        self.assertEqual(
            (reminder.state, reminder.move_ids, reminder.amount_residual), ("planned", other, 400)
        )
        self.assertEqual(reminder.excluded_note, "%s: Disputed: DSP/2026/0001" % held.name)

    def test_paid_meanwhile_cancels_and_partly_paid_carries_residual(self):
        paid = self._ar_invoice(self.customer, 1000, self.days_before(7))
        partly = self._ar_invoice(self.customer_b, 1000, self.days_before(7))
        reminders = self.plan()
        self.assertEqual(reminders.mapped("state"), ["planned", "planned"])
        self._ar_pay(paid, 1000, pay_date=TODAY)
        self._ar_pay(partly, 600, pay_date=TODAY)
        first = reminders.filtered(lambda r: r.partner_id == self.customer)
        self.assertEqual((first.state, first.reason), ("cancelled", "paid"))
        self.dispatch()
        second = reminders - first
        self.assertEqual(second.state, "sent")
        self.assertIn("400.00", html_to_inner_content(second.body))
        self.assertFalse(self.reminder_messages(self.customer))
        # a payment after sending: the reminder is marked paid
        self._ar_pay(partly, 400, pay_date=TODAY)
        self.assertEqual(second.state, "paid")

    def test_invoice_disputed_after_planning_left_out(self):
        kept = self._ar_invoice(self.customer, 1000, self.days_before(7))
        disputed = self._ar_invoice(self.customer, 400, self.days_before(7))
        [reminder] = self.plan()
        self.assertEqual(reminder.move_ids, kept | disputed)
        self.env["ar.followup.dispute"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(disputed.ids)],
                "reason": "duplicate",
            }
        )
        self.dispatch()
        self.assertEqual(reminder.state, "sent")
        body = html_to_inner_content(reminder.mail_message_id.body)
        self.assertIn(kept.name, body)
        self.assertNotIn(disputed.name, body)
        self.assertEqual(reminder.excluded_note, "%s: Disputed: DSP/2026/0001" % disputed.name)

    def test_dispute_raised_between_planning_and_sending(self):
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        [reminder] = self.plan()
        self.env["ar.followup.dispute"].create(
            {"partner_id": self.customer.id, "reason": "pricing"}
        )
        self.dispatch()
        self.assertEqual((reminder.state, reminder.reason), ("skipped", "disputed"))
        self.assertFalse(reminder.mail_message_id)

    # -- window, approval, replies ---------------------------------------------------

    def test_sending_window_in_customer_time_zone(self):
        self.customer.tz = "America/New_York"
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        [reminder] = self.plan()
        # 10:00 in Kolkata is 00:30 in New York: it waits for 08:00 there (12:00 UTC)
        self.assertEqual(reminder.date_scheduled, datetime.combine(TODAY, time(12, 0)))
        self.dispatch(at=time(11, 59))
        self.assertEqual(reminder.state, "planned")
        self.dispatch(at=time(12, 0))
        self.assertEqual(reminder.state, "sent")

    def test_approval_first_policy(self):
        self.customer.ar_segment_id = self.env.ref("ar_followup.ar_followup_segment_vip")
        self._ar_invoice(self.customer, 1000, self.days_before(3))
        [reminder] = self.plan()
        self.assertEqual(
            (reminder.state, reminder.step_id.policy_id.name),
            ("to_approve", "Soft, approval first"),
        )
        self.dispatch()
        self.assertEqual(reminder.state, "to_approve", "not sent before approval")
        clerk_view = reminder.with_user(self.ar_user)
        with self.assertRaises(AccessError):
            clerk_view.write({"state": "queued"})
        clerk_view.action_approve()
        self.assertEqual((reminder.state, reminder.approved_by_id), ("planned", self.ar_user))
        self.dispatch(at=time(4, 45))
        self.assertEqual(reminder.state, "sent")

    def test_batch_posts_as_message_post_would(self):
        """Read ahead for the whole batch, each e-mail's author, reply-to and company are
        the ones ``message_post`` works out for a message of its own."""
        self.ar_manager.email = "meera@shakti.example.in"
        self.customer_b.ar_owner_id = self.ar_manager
        for customer in (self.customer, self.customer_b):
            self._ar_invoice(customer, 1000, self.days_before(7))
        reminders = self.plan()
        self.dispatch()
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        for reminder in reminders:
            customer, message = reminder.partner_id, reminder.mail_message_id
            author = self.ar_manager.partner_id if customer == self.customer_b else None
            author = author or self.company.partner_id
            self.assertEqual(message.author_id, author)
            self.assertEqual(message.email_from, author.email_formatted)
            self.assertEqual(
                message.reply_to,
                customer._notify_get_reply_to(default=author.email_formatted, author_id=author.id)[
                    customer.id
                ],
            )
            self.assertEqual(message.record_company_id, self.company)

    def test_one_customer_reminded_by_two_companies_in_one_batch(self):
        """Each company's e-mail comes from it and is answered to it, though the batch read
        the customer's data once."""
        other = self.setup_other_company(name="Shakti Exports")["company"]
        self.company.email = "ar@shakti.example.in"
        other.email = "accounts@shakti-exports.example.in"
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        self._ar_invoice(self.customer, 2000, self.days_before(7), company=other)
        with self.frozen(TODAY):
            reminders = (self.company | other)._ar_plan_reminders(TODAY)
        self.assertEqual(reminders.company_id, self.company | other)
        with freeze_time(datetime.combine(TODAY, time(4, 30))), self.committing():
            self.env["res.company"]._ar_dispatch_reminders()
        self.env.invalidate_all()
        for reminder in reminders:
            company, message = reminder.company_id, reminder.mail_message_id
            with self.subTest(company=company.name):
                self.assertEqual(reminder.state, "sent")
                self.assertEqual(message.author_id, company.partner_id)
                self.assertEqual(
                    message.reply_to,
                    self.customer._notify_get_reply_to(
                        default=company.partner_id.email_formatted,
                        author_id=company.partner_id.id,
                    )[self.customer.id],
                )
                self.assertIn(company.email, message.reply_to)

    def test_reply_lands_on_customer_thread(self):
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        [reminder] = self.plan()
        self.dispatch()
        self.assertEqual(reminder.state, "sent")
        message = reminder.mail_message_id
        self.assertEqual((message.model, message.res_id), ("res.partner", self.customer.id))
        self.assertEqual(reminder.provider_message_id, message.message_id)
        self.assertEqual(message.notified_partner_ids, self.customer)
        raw = (
            "From: Bharat Steel Accounts <%s>\r\n"
            "To: ar@example.com\r\n"
            "Subject: Re: %s\r\n"
            "Message-Id: <reply-1@bharat.example.in>\r\n"
            "In-Reply-To: %s\r\n"
            "References: %s\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "We will pay on Friday.\r\n"
        ) % (self.customer.email, reminder.subject, message.message_id, message.message_id)
        with self.frozen(TODAY):
            self.env["mail.thread"].message_process(False, raw)
        self.assertIn("We will pay on Friday.", self.chatter(self.customer)[0])
        reply = self.customer.message_ids[0]
        self.assertEqual((reply.message_type, reply.parent_id), ("email", message))
        self.assertEqual(reminder.state, "replied")
        self.assertTrue(reminder.date_replied)
