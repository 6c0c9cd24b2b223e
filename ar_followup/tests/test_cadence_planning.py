# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The cadence planning maths (``tools/cadence.py``) on plain data: no database."""

import doctest
from dataclasses import replace
from datetime import date, datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..tools import bulk_insert, cadence
from ..tools.cadence import (
    SEND,
    SKIP,
    Bucket,
    Customer,
    Item,
    Policy,
    StageFinder,
    Step,
    find_bucket,
    latest_trigger,
    new_decisions,
    plan,
    ranges_low,
)

RANGES = [
    Bucket(1, None, 0),
    Bucket(2, 1, 30),
    Bucket(3, 31, 60),
    Bucket(4, 61, 90),
    Bucket(5, 91, None),
]
HEADS_UP, DUE, FIRST, REPEAT, FINAL = 1, 2, 3, 4, 5
STANDARD = Policy(
    1,
    min_interval_days=3,
    steps=(
        Step(HEADS_UP, 10, offset_days=-3),
        Step(DUE, 20),
        Step(FIRST, 30, offset_days=7, channels=("email", "sms")),
        Step(REPEAT, 40, offset_days=15, repeat_every_days=15),
        Step(FINAL, 50, trigger="bucket", bucket_days=61, escalate_days=61),
    ),
)
JUNE_1 = date(2026, 6, 1)


def item(line_id, due, residual=1000.0, today=None, move_id=None, partner_id=7):
    """An open item as the ageing refresh leaves it on ``today``."""
    days = ((today or due) - due).days
    bucket = find_bucket(RANGES, days)
    entered = due + timedelta(days=ranges_low(RANGES, bucket))
    return Item(line_id, move_id or line_id * 10, partner_id, due, residual, bucket, entered)


@tagged("post_install", "-at_install")
class TestCadencePlanning(BaseCase):
    """Plain Python: decisions for customers described as data."""

    def simulate(self, dues, first, last, policies=None, **customer):
        """Run the planner every day from ``first`` to ``last``; [(day, decision)] recorded."""
        covered, last_sent, log = set(), None, []
        live, seen = set(), set()
        for n in range((last - first).days + 1):
            today = first + timedelta(days=n)
            items = tuple(item(line_id, due, today=today) for line_id, due in dues)
            who = Customer(
                7, 1, items, last_reminder=last_sent, contact={"email": None}, **customer
            )
            decisions = new_decisions(
                plan([who], policies or {1: STANDARD}, today, RANGES, covered), live, seen
            )
            for decision in decisions:
                seen.add(decision.key)
                if decision.action == SEND:
                    live.add(decision.key)
                    covered.update(decision.coverage())
                    last_sent = today
                log.append((today, decision))
        return log

    def test_doctests(self):
        result = doctest.testmod(cadence, optionflags=doctest.ELLIPSIS)
        self.assertFalse(result.failed)
        self.assertGreater(result.attempted, 15)

    def test_bulk_insert_doctests(self):
        """The rows the planner streams into ``COPY``: escaping, arrays, a row's layout."""
        result = doctest.testmod(bulk_insert)
        self.assertFalse(result.failed)
        self.assertGreater(result.attempted, 5)

    def test_stage_finder_reaches_the_stage_each_step_defines(self):
        """The planner's stage of an item (worked out once per policy) is the latest
        trigger of any step (``latest_trigger``), the later step on the same day: for
        items due on many days, in every bucket, entered on time or late, any day."""
        steps = (
            *STANDARD.steps,
            Step(6, 45, offset_days=1, days_of_month=(5, 20, 31)),
            Step(7, 60, trigger="bucket", bucket_days=31, repeat_every_days=10),
            Step(8, 70, trigger="bucket", bucket_days=91),
        )
        find = StageFinder(steps, RANGES)
        checked = reached = 0
        for due_offset in range(-40, 140, 7):
            due = JUNE_1 + timedelta(days=due_offset)
            for late in (0, 4):  # the bucket entered on its day, or recorded late
                for today in (JUNE_1 + timedelta(days=n) for n in range(0, 200, 3)):
                    line = item(1, due, today=today)
                    line = replace(line, entered=line.entered + timedelta(days=late))
                    found = [
                        (latest_trigger(step, line, today, RANGES), step.sequence, step.id, step)
                        for step in steps
                    ]
                    found = [rank for rank in found if rank[0]]
                    expected = found and (max(found)[3], max(found)[0])
                    self.assertEqual(find(line, today) or [], expected or [], (due, late, today))
                    checked += 1
                    reached += bool(expected)
        self.assertGreater(reached, checked // 2)

    def test_one_reminder_per_customer_covering_every_item_due(self):
        """Two invoices reaching a step the same day: one reminder, at the firmer step."""
        log = self.simulate(
            [(1, JUNE_1), (2, date(2026, 6, 11))], date(2026, 5, 25), date(2026, 6, 20)
        )
        summary = [(day, d.step_id, sorted(s.line_id for s in d.stages)) for day, d in log]
        self.assertEqual(
            summary,
            [
                (date(2026, 5, 29), HEADS_UP, [1]),
                (date(2026, 6, 1), DUE, [1]),
                # line 1 reaches +7 the day line 2 reaches its heads-up: one reminder, step +7
                (date(2026, 6, 8), FIRST, [1, 2]),
                (date(2026, 6, 11), DUE, [2]),
                (date(2026, 6, 16), REPEAT, [1]),
                # line 2 reaches +7 on the 18th, two days after the last reminder: waits a day
                (date(2026, 6, 19), FIRST, [2]),
            ],
        )
        self.assertTrue(all(d.action == SEND and d.channel == "email" for _day, d in log))

    def test_minimum_interval_defers_and_merges(self):
        """Line 2 reaches +7 a day after line 1 got +15: it waits for the interval, then goes."""
        log = self.simulate(
            [(1, JUNE_1), (2, date(2026, 6, 10))], date(2026, 6, 16), date(2026, 6, 20)
        )
        self.assertEqual(
            [(day, d.step_id, [s.line_id for s in d.stages]) for day, d in log],
            [(date(2026, 6, 16), REPEAT, [1]), (date(2026, 6, 19), FIRST, [2])],
        )

    def test_same_day_rerun_and_missed_days(self):
        today = date(2026, 6, 8)
        who = Customer(7, 1, (item(1, JUNE_1, today=today),), contact={"email": None})
        first = plan([who], {1: STANDARD}, today, RANGES, set())
        again = plan([who], {1: STANDARD}, today, RANGES, set())
        self.assertEqual(first, again, "the same situation gives the same decision and key")
        self.assertEqual(new_decisions(again, {first[0].key}, {first[0].key}), [])
        self.assertEqual(plan([who], {1: STANDARD}, today, RANGES, first[0].coverage()), [])
        # the planner did not run for three days: the stage reached is still reminded
        late = date(2026, 6, 11)
        who = Customer(7, 1, (item(1, JUNE_1, today=late),), contact={"email": None})
        [decision] = plan([who], {1: STANDARD}, late, RANGES, set())
        self.assertEqual((decision.step_id, decision.stages[0].trigger), (FIRST, date(2026, 6, 8)))

    def test_whole_customer_hold_is_skipped_once_per_key(self):
        log = self.simulate(
            [(1, JUNE_1)],
            date(2026, 6, 7),
            date(2026, 6, 20),
            hold=("disputed", "Disputed: DSP/2026/0001"),
        )
        self.assertEqual(
            [(day, d.action, d.step_id, d.reason, d.reason_text) for day, d in log],
            [
                (date(2026, 6, 8), SKIP, FIRST, "disputed", "Disputed: DSP/2026/0001"),
                (date(2026, 6, 16), SKIP, REPEAT, "disputed", "Disputed: DSP/2026/0001"),
            ],
            "recorded when the step changes, not every day",
        )

    def test_held_invoice_left_out_or_whole_reminder_skipped(self):
        today = date(2026, 6, 8)
        items = (item(1, JUNE_1, today=today), item(2, JUNE_1, today=today))
        holds = {20: ("promised", "Promised to pay by 06/20/2026")}
        who = Customer(7, 1, items, move_holds=holds, contact={"email": None})
        [decision] = plan([who], {1: STANDARD}, today, RANGES, set())
        self.assertEqual(decision.action, SEND)
        self.assertEqual(decision.excluded, ((20, "promised", "Promised to pay by 06/20/2026"),))
        self.assertEqual({line for line, _step, _trigger in decision.coverage()}, {1})
        holds[10] = ("disputed", "Disputed: DSP/2026/0001")
        [decision] = plan([who], {1: STANDARD}, today, RANGES, set())
        self.assertEqual((decision.action, decision.reason), (SKIP, "disputed"))
        self.assertEqual(
            decision.reason_text, "Disputed: DSP/2026/0001; Promised to pay by 06/20/2026"
        )
        self.assertEqual(decision.coverage(), set())

    def test_channels_in_preference_order(self):
        today = date(2026, 6, 8)  # step +7 offers e-mail then SMS
        items = (item(1, JUNE_1, today=today),)

        def decide(contact, preferred=None):
            who = Customer(7, 1, items, contact=contact, preferred_channel=preferred)
            [decision] = plan([who], {1: STANDARD}, today, RANGES, set())
            return decision.action, decision.channel, decision.reason

        self.assertEqual(decide({"email": None, "sms": None}), (SEND, "email", None))
        self.assertEqual(decide({"email": None, "sms": None}, "sms"), (SEND, "sms", None))
        self.assertEqual(decide({"email": "no_contact", "sms": None}), (SEND, "sms", None))
        self.assertEqual(decide({"email": "do_not_contact"}), (SKIP, "email", "do_not_contact"))
        self.assertEqual(decide({}), (SKIP, "email", "no_contact"))

    def test_final_notice_escalates_and_amount_threshold(self):
        today = date(2026, 8, 1)  # day 61: entering 61-90
        who = Customer(7, 1, (item(1, JUNE_1, today=today),), contact={"email": None})
        [decision] = plan([who], {1: STANDARD}, today, RANGES, set())
        self.assertEqual((decision.step_id, decision.escalate), (FINAL, True))
        big = Policy(2, steps=(Step(1, offset_days=7, escalate_amount=5000.0),))
        small, large = (
            Customer(
                7, 2, (item(1, JUNE_1, residual=amount, today=today),), contact={"email": None}
            )
            for amount in (5000.0, 5000.01)
        )
        today = date(2026, 6, 8)
        self.assertEqual(
            [d.escalate for d in plan([small, large], {2: big}, today, RANGES, set())],
            [False, True],
        )

    def test_days_of_month_schedule(self):
        """Government: from the day after the due date, on the 5th and the 20th."""
        formal = Policy(
            3,
            min_interval_days=7,
            steps=(
                Step(1, 10),
                Step(2, 20, offset_days=1, days_of_month=(5, 20)),
            ),
        )
        log = self.simulate(
            [(1, date(2026, 6, 10))], date(2026, 6, 1), date(2026, 8, 10), {1: formal}
        )
        self.assertEqual(
            [(day, d.step_id) for day, d in log],
            [
                (date(2026, 6, 10), 1),
                (date(2026, 6, 20), 2),
                (date(2026, 7, 5), 2),
                (date(2026, 7, 20), 2),
                (date(2026, 8, 5), 2),
            ],
        )

    def test_broken_promise_advances_one_step_now(self):
        today = date(2026, 6, 10)
        items = (item(1, JUNE_1, today=today),)
        covered = {(1, FIRST, date(2026, 6, 8))}
        who = Customer(7, 1, items, last_reminder=date(2026, 6, 8), contact={"email": None})
        self.assertEqual(
            plan([who], {1: STANDARD}, today, RANGES, covered), [], "covered, too soon"
        )
        who = Customer(
            7, 1, items, last_reminder=date(2026, 6, 8), contact={"email": None}, advance=True
        )
        [decision] = plan([who], {1: STANDARD}, today, RANGES, covered)
        self.assertEqual((decision.step_id, decision.stages[0].trigger), (REPEAT, today))

    def test_sending_window(self):
        # Kolkata 08:00-19:00 is 02:30-13:30 UTC
        self.assertEqual(
            cadence.window_opening(datetime(2026, 6, 15, 13, 45), "Asia/Kolkata", 8, 19),
            datetime(2026, 6, 16, 2, 30),
        )
        # Paris in summer (UTC+2), 08:30 opening
        self.assertEqual(
            cadence.window_opening(datetime(2026, 6, 15, 5, 0), "Europe/Paris", 8.5, 19),
            datetime(2026, 6, 15, 6, 30),
        )
        self.assertTrue(cadence.in_window(datetime(2026, 6, 15, 6, 30), "Europe/Paris", 8.5, 19))
