# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The call queue: fed by the cadence and the thresholds, one open task per customer,
scored and explained, assigned, worked with *Next call* within calling hours and caps, and
its figures on the collections dashboard."""

from collections import Counter
from datetime import date, datetime, time, timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.ar_followup.tests.common import TODAY
from odoo.addons.ar_followup.tools import provider_urls

from ..tools import call_priority
from .common import ArCallCommon


@tagged("post_install", "-at_install")
class TestCallQueue(ArCallCommon):
    def call_reminder(self, customer=None):
        """An invoice 7 days overdue: the first reminder, by phone call, planned and sent."""
        customer = customer or self.customer
        self.step_first.write({"channel": "call", "fallback_channel": "email"})
        customer.ar_channel = "call"
        self._ar_invoice(customer, 1000, self.days_before(7))
        reminder = self.plan().filtered(lambda r: r.partner_id == customer)
        self.assertEqual((reminder.channel, reminder.state), ("call", "planned"))
        return reminder

    def test_a_call_reminder_queues_the_customer_once(self):
        reminder = self.call_reminder()
        self.dispatch()
        call = self.Call.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(call), 1)
        self.assertEqual(reminder.state, "sent", "sent once the call is queued")
        self.assertEqual(reminder.provider_message_id, "ar.followup.call,%s" % call.id)
        self.assertEqual(reminder.recipient, "+919820012345")
        self.assertEqual(
            (call.state, call.source, call.reminder_ids), ("todo", "cadence", reminder)
        )
        self.assertIn("Call Bharat Steel Traders", reminder.subject, "the call script's purpose")
        # queued again by a user or a threshold: the same task
        self.assertEqual(self.queue(self.customer), call)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.Call.create({"partner_id": self.customer.id, "company_id": self.company.id})
        # once closed, the customer can be queued again
        call.action_cancel()
        self.assertNotEqual(self.queue(self.customer), call)

    def test_customers_who_cannot_be_called_are_not_queued(self):
        """Opted out, on the do-not-disturb list, without a number: the call reminder is
        skipped, or falls back to the step's other channel, with the reason."""
        self.customer.ar_no_call = True
        self.env["phone.blacklist"].sudo().add("+919845067890")
        self.step_first.write({"channel": "call", "fallback_channel": "email"})
        for customer in (self.customer, self.customer_b):
            customer.ar_channel = "call"
            self._ar_invoice(customer, 1000, self.days_before(7))
        reminders = self.plan()
        by_customer = {r.partner_id: r for r in reminders}
        # the step offers e-mail too: both go by e-mail instead, nobody is queued
        self.assertEqual(by_customer[self.customer].channel, "email")
        self.assertEqual(by_customer[self.customer_b].channel, "email")
        self.dispatch()
        self.assertFalse(self.Call.search([]))
        self.assertEqual(
            self.env["ar.followup.reminder"]._ar_call_contact_problems(
                self.customer | self.customer_b
            ),
            {
                self.customer.id: ("do_not_contact", "The customer does not want to be called."),
                self.customer_b.id: (
                    "do_not_contact",
                    "Call: the number +91*******890 is blacklisted.",
                ),
            },
        )

    def test_priority_explained_in_words(self):
        self._ar_invoice(self.customer, 560000, self.days_before(161))
        self._ar_invoice(self.customer_b, 40000, self.days_before(20))
        promise = self.env["ar.followup.promise"].create(
            {
                "partner_id": self.customer.id,
                "date": date(2026, 5, 20),
                "date_promised": date(2026, 5, 28),
                "amount": 100000,
            }
        )
        # broken on 2 June, as the daily check records it
        promise.sudo().write({"state": "broken", "date_done": date(2026, 6, 2)})
        self.refresh_ageing()
        calls = self.queue(self.customer | self.customer_b)
        first, second = calls.sorted()  # the queue's order: priority first
        self.assertEqual(first.partner_id, self.customer)
        self.assertEqual(
            first.priority_text,
            "₹5.6 lakh overdue, 161 days, promise broken on 2 Jun, never contacted",
        )
        self.assertEqual((first.amount_overdue, first.days_overdue), (560000, 161))
        self.assertEqual(first.broken_promise_count, 1)
        self.assertEqual(second.priority_text, "₹40,000 overdue, 20 days, never contacted")
        self.assertGreater(first.priority_score, second.priority_score)
        self.assertEqual(first.priority_score, call_priority.score(560000, 161, 1, None))
        # the next day's refresh: a day older, and called yesterday (silence starts over)
        next_day = TODAY + timedelta(days=1)
        first.attempt_ids = [
            Command.create({"user_id": self.ar_user.id, "date_start": datetime(2026, 6, 15, 6, 0)})
        ]
        self.refresh_ageing(next_day)
        with self.frozen(next_day):
            self.Call._cron_ar_call_queue()
            self.assertEqual(
                first.priority_text, "₹5.6 lakh overdue, 162 days, promise broken on 2 Jun"
            )
            self.assertEqual(first.priority_score, call_priority.score(560000, 162, 1, 0))
            self.assertEqual(second.priority_score, call_priority.score(40000, 21, 0, None))
            # the words are the reader's: a Hindi-speaking collector reads them in Hindi
            self._ar_load_hindi("ar_followup_telephony")
            self.assertEqual(
                first.with_context(lang="hi_IN").priority_text,
                "₹5.6 lakh अतिदेय, 162 दिन, 2 जून को वचन टूटा",
            )

    def test_assigned_to_the_owner_else_the_least_busy_collector(self):
        other = self._ar_create_customer("Deccan Motors", phone="+91 98200 55555")
        self.customer.ar_owner_id = self.ar_manager
        calls = self.queue(self.customer | self.customer_b | other)
        owners = {call.partner_id: call.user_id for call in calls}
        self.assertEqual(owners[self.customer], self.ar_manager, "the AR owner")
        self.assertEqual(
            owners[self.customer_b] | owners[other],
            self.ar_user | self.collector_b,
            "one each, in turn",
        )

    def test_next_call_opens_each_collectors_top_task(self):
        """Two collectors pressing Next call at once get different customers; a callback
        waits for its time."""
        calls = self.queue(self.customer | self.customer_b)
        mine = calls.filtered(lambda c: c.user_id == self.ar_user)
        theirs = calls - mine
        Call = self.Call.with_user(self.ar_user)
        self.assertEqual(Call.action_next_call()["res_id"], mine.id)
        self.assertEqual(Call.with_user(self.collector_b).action_next_call()["res_id"], theirs.id)
        mine.date_next_call = datetime(2026, 6, 15, 8, 30)  # 14:00 in Kolkata
        with self.assertRaisesRegex(UserError, "your queue is empty"):
            Call.action_next_call()
        # an unassigned task is taken by the first who asks
        theirs.user_id = False
        self.assertEqual(Call.action_next_call()["res_id"], theirs.id)
        self.assertEqual(theirs.user_id, self.ar_user)

    def test_next_call_looks_past_a_page_of_customers_not_callable_now(self):
        """The queue is read a page at a time: when the 21 customers on top cannot be
        called now (it is night where they are), Next call finds the one who can."""
        abroad = self.env["res.partner"]
        for index in range(21):
            customer = self._ar_create_customer(
                "Pacific %s" % index, phone="+1 415 555 01%02d" % index, tz="America/Los_Angeles"
            )
            self._ar_invoice(customer, 90000 + index, self.days_before(60))
            abroad |= customer
        self._ar_invoice(self.customer, 1000, self.days_before(10))
        calls = self.queue(abroad | self.customer)
        calls.user_id = self.ar_user
        at_home = calls.filtered(lambda c: c.partner_id == self.customer)
        self.assertEqual(calls.sorted()[-1], at_home, "the smallest debt is last in the queue")
        with freeze_time("2026-06-15 05:30:00"):  # 11:00 in Kolkata, 22:30 in San Francisco
            action = self.Call.with_user(self.ar_user).action_next_call()
        self.assertEqual(action["res_id"], at_home.id)

    def test_calling_hours_and_caps(self):
        call = self.queue(self.customer)
        call.user_id = self.ar_user
        Call = call.with_user(self.ar_user)
        cases = [
            # (UTC time, calls placed today before, problem expected)
            (time(2, 0), 0, "Outside calling hours"),  # 07:30
            (time(2, 30), 0, None),  # 08:00
            (time(13, 29), 1, None),  # 18:59
            (time(13, 30), 0, "Outside calling hours"),  # 19:00
            (time(9, 0), 2, "2 calls to this customer today already"),
        ]
        for at, placed, expected in cases:
            with self.subTest(at=at, placed=placed), self.env.cr.savepoint() as sp:
                now = datetime.combine(date(2026, 6, 15), at)
                for _index in range(placed):
                    self.env["ar.followup.call.attempt"].create(
                        {
                            "call_id": call.id,
                            "date_start": now - timedelta(minutes=1),
                            "status": "completed",
                            "outcome": "no_answer",
                        }
                    )
                with freeze_time(now):
                    problem = Call._ar_dial_problem(now)
                    if expected:
                        self.assertIn(expected, problem)
                        if "hours" in expected:
                            self.assertIn("08:00–19:00 in Asia/Kolkata", problem)
                        with self.assertRaisesRegex(UserError, expected):
                            Call.action_call()
                    else:
                        self.assertIsNone(problem)
                sp.rollback()
        # the week's cap counts the last 7 days
        for day in range(1, 7):
            self.env["ar.followup.call.attempt"].create(
                {
                    "call_id": call.id,
                    "date_start": datetime(2026, 6, 15 - day, 6, 0),
                    "status": "completed",
                    "outcome": "no_answer",
                }
            )
        self.assertIn(
            "6 calls to this customer this week", Call._ar_dial_problem(datetime(2026, 6, 15, 6, 0))
        )

    def test_thresholds_put_customers_in_the_queue(self):
        """The daily refresh queues the customer 90+ days overdue above the amount, at the
        top of its collector's queue, and not those below or held."""
        self.settings.write({"call_threshold_amount": 100000, "call_threshold_days": 90})
        third = self._ar_create_customer("Deccan Motors", phone="+91 98200 55555")
        self._ar_invoice(self.customer, 560000, self.days_before(161))
        self._ar_invoice(self.customer_b, 900000, self.days_before(30))  # not 90 days yet
        self._ar_invoice(third, 300000, self.days_before(120))
        self.env["ar.followup.dispute"].create({"partner_id": third.id, "reason": "quality"})
        self.customer.ar_owner_id = self.ar_user
        self.refresh_ageing()
        self.Call._cron_ar_call_queue()
        call = self.Call.search([])
        self.assertEqual(call.partner_id, self.customer)
        self.assertEqual((call.source, call.user_id), ("threshold", self.ar_user))
        self.assertEqual(self.Call.with_user(self.ar_user).action_next_call()["res_id"], call.id)
        self.Call._cron_ar_call_queue()
        self.assertEqual(self.Call.search([]), call, "never two")

    def test_the_clerk_works_the_queue_of_their_company(self):
        """An AR user queues customers from a list and opens every view of the queue; a
        clerk of another company sees none of it."""
        partners = (self.customer | self.customer_b).with_user(self.ar_user)
        action = partners.action_ar_add_to_call_queue()
        calls = self.Call.with_user(self.ar_user).search(action["domain"])
        self.assertEqual(calls.partner_id, self.customer | self.customer_b)
        self.assertEqual(set(calls.mapped("source")), {"manual"})
        Call = self.Call.with_user(self.ar_user)
        views = Call.get_views(
            [(False, "kanban"), (False, "list"), (False, "form"), (False, "search")]
        )
        form_fields = views["models"]["ar.followup.call"]["fields"]
        call = calls.filtered(lambda c: c.partner_id == self.customer)
        values = call.read(list(form_fields))[0]
        self.assertEqual(values["phone"], "+919820012345")
        self.assertIn("1. GREETING", values["script_body"])
        self.assertIn("No message yet.", values["message_html"])
        # opted out: refused, with the reason
        self.customer.ar_no_call = True
        with self.assertRaisesRegex(UserError, "does not want to be called"):
            self.customer.with_user(self.ar_user).action_ar_add_to_call_queue()
        _other, clerk_b = self._ar_other_company_clerk()
        self.assertFalse(self.Call.with_user(clerk_b).search([]))
        self.assertFalse(self.env["ar.followup.call.attempt"].with_user(clerk_b).search([]))

    def test_tasks_nobody_needs_are_closed_by_the_daily_refresh(self):
        self.settings.write({"call_threshold_amount": 1000, "call_threshold_days": 1})
        invoice = self._ar_invoice(self.customer, 5000, self.days_before(30))
        self._ar_invoice(self.customer_b, 9000, self.days_before(30))
        self.refresh_ageing()
        self.Call._cron_ar_call_queue()
        paid, disputed = (
            self.Call.search([("partner_id", "=", p.id)]) for p in (self.customer, self.customer_b)
        )
        self._ar_pay(invoice, 5000, self.days_before(1))
        self.env["ar.followup.dispute"].create(
            {"partner_id": self.customer_b.id, "reason": "quality"}
        )
        self.refresh_ageing()
        self.Call._cron_ar_call_queue()
        self.assertEqual(
            (paid.state, paid.close_reason), ("cancelled", "Nothing is overdue any more.")
        )
        self.assertEqual(disputed.state, "cancelled")
        self.assertIn("DSP/", disputed.close_reason)
        self.assertFalse(self.Call.search([("state", "in", ("todo", "callback"))]))

    def test_test_mode_simulates_click_to_call(self):
        """In test mode no provider is called: the simulator ends the call by the number's
        last digit (5: answered, 6: not answered)."""
        self.settings.write({"state": "test", "call_provider": "exotel"})
        self.enterContext(provider_urls.redirect("exotel", "http://127.0.0.1:9"))
        silent = self._ar_create_customer("Deccan Motors", phone="+91 98200 12346")
        for customer, status, talked in (
            (self.customer, "completed", 73),
            (silent, "no-answer", 0),
        ):
            with self.subTest(customer=customer.name):
                call = self.queue(customer)
                call.user_id = self.ar_user
                action = call.with_user(self.ar_user).action_call()
                self.assertEqual(action["res_model"], "ar.followup.call.outcome")
                self.assertEqual(
                    call.attempt_ids.read(["provider", "status", "duration"])[0],
                    {
                        "id": call.attempt_ids.id,
                        "provider": "simulator",
                        "status": status,
                        "duration": talked,
                    },
                )

    def test_send_reminder_now_by_phone_call_queues_the_customer(self):
        """*Send reminder now* offers the channel Phone call: the customer is queued."""
        self._ar_invoice(self.customer, 1200, self.days_before(10))
        wizard = (
            self.env["ar.followup.send"]
            .with_user(self.ar_user)
            .with_context(active_model="res.partner", active_id=self.customer.id)
            .create({})
        )
        wizard.line_ids.channel = "call"
        wizard.action_send()
        reminder = wizard.line_ids.reminder_id
        self.dispatch()
        call = self.Call.search([("partner_id", "=", self.customer.id)])
        self.assertEqual((call.reminder_ids, reminder.state), (reminder, "sent"))
        self.assertIn(call.user_id, self.ar_user | self.collector_b)

    def test_call_now_from_the_overdue_invoices(self):
        """*Call now* on an overdue invoice dials its customer at once (the number shown to
        the collector without a provider); on several customers' invoices, it queues them."""
        invoice = self._ar_invoice(self.customer, 1200, self.days_before(95))
        other = self._ar_invoice(self.customer_b, 800, self.days_before(40))
        action = invoice.with_user(self.ar_user).action_ar_call_now()
        call = self.Call.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(action["res_model"], "ar.followup.call.outcome")
        self.assertEqual(call.attempt_ids.mapped("status"), ["manual"])
        self.assertEqual(call.attempt_ids.user_id, self.ar_user)
        action = (invoice | other).with_user(self.ar_user).action_ar_call_now()
        self.assertEqual(action["res_model"], "ar.followup.call")
        queued = self.Call.search([("partner_id", "in", (self.customer | self.customer_b).ids)])
        self.assertEqual(len(queued), 2, "one open task per customer, the first one kept")
        self.assertIn(call, queued)
        # a customer who does not want calls is not dialled
        self.customer_b.ar_no_call = True
        with self.assertRaisesRegex(UserError, "does not want to be called"):
            other.with_user(self.ar_user).action_ar_call_now()

    def test_call_queue_figures_open_the_calls_behind_them(self):
        deccan = self._ar_create_customer("Deccan Motors", phone="+91 98220 11111")
        purana = self._ar_create_customer("Purana Mills", phone="+91 98220 22222")
        customers = self.customer | self.customer_b | deccan | purana
        for customer in customers:
            self._ar_invoice(customer, 1000, self.days_before(40))
        self.refresh_ageing()
        calls = {customer: self.queue(customer) for customer in customers}
        # a callback due at 10:30 today, one tomorrow, and a call closed with a promise
        self.record(calls[self.customer_b], "callback", callback_at=datetime(2026, 6, 15, 5, 0))
        self.record(calls[deccan], "callback", callback_at=datetime(2026, 6, 16, 5, 0))
        self.record(
            calls[purana], "promise", promise_date=self.days_before(-7), promise_amount=1000
        )
        calls[self.customer].user_id = self.collector_b
        moment = datetime(2026, 6, 15, 8, 0)  # 13:30 in Kolkata: the first callback is late
        with freeze_time(moment):
            all_calls = self.Call.search([("company_id", "=", self.company.id)])
            open_calls = all_calls.filtered(lambda c: c.state in ("todo", "callback"))
            due_today = open_calls.filtered(
                # before midnight in Kolkata
                lambda c: not c.date_next_call or c.date_next_call < datetime(2026, 6, 15, 18, 30)
            )
            late = all_calls.filtered(lambda c: c.state == "callback" and c.date_next_call < moment)
            self.assertEqual(open_calls.partner_id, self.customer | self.customer_b | deccan)
            self.assertEqual(due_today.partner_id, self.customer | self.customer_b)
            self.assertEqual(late.partner_id, self.customer_b)
            Snapshot = self.env["ar.followup.snapshot"].with_user(self.ar_user)
            [company] = Snapshot.search(Snapshot._ar_action_dashboard()["domain"])
            self.assertEqual(
                (
                    company.call_open_count,
                    company.call_due_today_count,
                    company.call_callback_overdue_count,
                ),
                (len(open_calls), len(due_today), len(late)),
            )
            for metric, expected in (
                ("call_open_count", open_calls),
                ("call_due_today_count", due_today),
                ("call_callback_overdue_count", late),
            ):
                with self.subTest(metric=metric):
                    opened = company.with_context(ar_metric=metric).action_ar_open_metric()
                    self.assertEqual(opened["res_model"], "ar.followup.call")
                    found = self.Call.with_user(self.ar_user).search(opened["domain"])
                    self.assertEqual(set(found.ids), set(expected.ids))
            # by collector: the open calls grouped by who makes them
            opened = company.action_ar_open_calls_by_collector()
            self.assertEqual(opened["context"]["group_by"], ["user_id"])
            by_collector = {
                user: count
                for user, count in self.Call.with_user(self.ar_user)._read_group(
                    opened["domain"], ["user_id"], ["__count"]
                )
            }
            self.assertEqual(by_collector, dict(Counter(c.user_id for c in open_calls)))
            self.assertIn(self.collector_b, by_collector, "the call given to Collector B")
