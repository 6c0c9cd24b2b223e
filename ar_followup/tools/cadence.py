# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Cadence planning, free of the ORM: who gets which reminder today.

Vocabulary
----------
*item*
    an open receivable due line: an invoice, or one instalment of it
    (:class:`Item`: due date, residual, ageing bucket and the day it entered it).
*step*
    one rung of a policy (:class:`Step`): it fires ``offset_days`` from the due
    date (negative before, 0 on, positive after), or on entering the ageing
    bucket that contains day ``bucket_days``; it may repeat every
    ``repeat_every_days`` while the item stays open, or fire on given days of
    the month (``days_of_month``, e.g. the 5th and the 20th) from its start.
*trigger*
    a date on which a step fires for an item. The *stage* of an item on a day is
    its latest trigger on or before that day, over all the steps of the
    customer's policy (on the same day, the later step wins). A stage is
    reminded once: ``covered`` holds the ``(line id, step id, trigger)``
    already in a reminder.

Every day, per customer: the items whose stage is not covered yet are *due*.
They all go into **one** reminder, at the firmest of their steps, unless the
customer was reminded less than ``min_interval_days`` ago (then everything
waits and goes out together later, at the stage reached by then). Items held
by a dispute or a promise are left out of it, with their reason; a customer
held as a whole (dispute, promise, pause), or unreachable on every channel of
the step, gets a *skip* decision carrying the reason instead.

Decisions carry a *cycle key*: the earliest trigger and a digest of the
``(line, step, trigger)`` they cover. The same situation gives the same key,
so a re-run of the same day, or a skip repeated every day while a dispute
lasts, is recognised (see :func:`new_decisions`); the database enforces it
with a unique index on (company, customer, step, key).

A worked example: one invoice of 1,000 due on 1 June 2026, the Standard steps
(a heads-up 3 days before, one on the due date, +7, +15 repeated every 15 days,
and a final notice on entering the 61-90 bucket), three days between reminders.

>>> from datetime import date, timedelta
>>> ranges = [Bucket(1, None, 0), Bucket(2, 1, 30), Bucket(3, 31, 60), Bucket(4, 61, 90),
...           Bucket(5, 91, None)]
>>> steps = (
...     Step(1, 10, offset_days=-3), Step(2, 20), Step(3, 30, offset_days=7),
...     Step(4, 40, offset_days=15, repeat_every_days=15),
...     Step(5, 50, trigger="bucket", bucket_days=61, escalate_days=61),
... )
>>> policy = Policy(1, min_interval_days=3, steps=steps)
>>> due = date(2026, 6, 1)
>>> sent, covered, last = [], set(), None
>>> for n in range(-5, 100):
...     today = due + timedelta(days=n)
...     bucket = find_bucket(ranges, n)
...     item = Item(11, 10, 7, due, 1000.0, bucket, due + timedelta(days=ranges_low(ranges, bucket)))
...     customer = Customer(7, 1, (item,), last_reminder=last, contact={"email": None})
...     for decision in plan([customer], {1: policy}, today, ranges, covered):
...         covered.update(decision.coverage())
...         last = today
...         sent.append((n, decision.step_id, decision.escalate))
>>> sent
[(-3, 1, False), (0, 2, False), (7, 3, False), (15, 4, False), (30, 4, False), \
(45, 4, False), (60, 4, False), (63, 5, True), (75, 4, False), (90, 4, False)]

On day 61 the final notice waited three days after the +60 reminder, then went
out: its stage stays due until it is covered.

A policy may remind before each customer's *usual payment day* (the day of the
month it pays on most often): an overdue stage then waits from its trigger to
the first day ``pay_day_lead`` days before that day (:func:`pay_day_reminder_date`).
A step may test two templates (*A/B*): :func:`ab_arm` draws each customer's arm.
"""

import hashlib
from collections import namedtuple
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import pytz

#: a bucket's range in days past due, as ``tools.ageing.bucket_ranges`` makes them
Bucket = namedtuple("Bucket", "bucket_id low high")

#: what a decision is about: one item at one stage
Stage = namedtuple("Stage", "line_id move_id step_id trigger residual")

SEND = "send"
SKIP = "skip"
#: not a decision yet: ``channel`` must be checked for the customer first (see
#: :func:`choose_channel`); :func:`plan_checking` checks it for all such
#: customers at once, then chooses their channel again
CHECK = "check"

#: why a customer or an invoice is not reminded (``ar.followup.reminder.reason``)
NO_CONTACT = "no_contact"
DO_NOT_CONTACT = "do_not_contact"
#: a channel's contact data not checked yet (``Customer.contact``)
UNCHECKED = "unchecked"


# slots: a planning pass holds every open item at once, a quarter of the memory a
# __dict__ each would take
@dataclass(frozen=True, slots=True)
class Item:
    """An open receivable due line of a customer."""

    line_id: int
    move_id: int
    partner_id: int
    due: date
    residual: float
    bucket_id: int = None
    #: day the item entered ``bucket_id`` (None: computed from the due date)
    entered: date = None


@dataclass(frozen=True)
class Step:
    """One step of a cadence policy, as plain data."""

    id: int
    sequence: int = 10
    trigger: str = "offset"  # "offset" or "bucket"
    offset_days: int = 0
    bucket_days: int = 0
    repeat_every_days: int = 0
    days_of_month: tuple = ()
    #: channels in preference order
    channels: tuple = ("email",)
    escalate_amount: float = 0.0
    escalate_days: int = 0
    need_approval: bool = False


@dataclass(frozen=True)
class Policy:
    id: int
    min_interval_days: int = 0
    need_approval: bool = False
    steps: tuple = ()
    #: remind this many days before a customer's usual payment day (see
    #: :func:`pay_day_reminder_date`); None: on the steps' own days
    pay_day_lead: int = None


@dataclass(frozen=True, slots=True)
class Customer:
    """What planning knows of a customer today.

    ``hold``: ``(reason, text)`` when everything is on hold (a dispute or a
    promise covering the whole customer, a pause); ``move_holds``: ``{move id:
    (reason, text)}`` for invoices held by name. ``contact``: ``{channel: None
    when usable, else the reason why not}``; a channel missing from it is
    unusable, one set to :data:`UNCHECKED` is checked only if a decision needs it.
    ``advance``: a broken promise asks for the next step now.
    """

    partner_id: int
    policy_id: int
    items: tuple = ()
    last_reminder: date = None
    hold: tuple = None
    move_holds: dict = field(default_factory=dict)
    contact: dict = field(default_factory=dict)
    preferred_channel: str = None
    advance: bool = False
    #: the day of the month the customer usually pays on, when known
    pay_day: int = None


@dataclass(frozen=True, slots=True)
class Decision:
    """One reminder to record: sent (``action`` "send") or skipped with a reason."""

    partner_id: int
    policy_id: int
    step_id: int
    cycle_key: str
    action: str
    stages: tuple
    channel: str = None
    reason: str = None
    reason_text: str = None
    #: ``(move id, reason, text)`` of invoices due but held, left out of a sent reminder
    excluded: tuple = ()
    escalate: bool = False
    need_approval: bool = False

    def coverage(self):
        """``{(line id, step id, trigger)}`` this reminder covers once recorded (sent only)."""
        if self.action != SEND:
            return set()
        held = {move_id for move_id, _reason, _text in self.excluded}
        return {(s.line_id, s.step_id, s.trigger) for s in self.stages if s.move_id not in held}

    @property
    def key(self):
        return (self.partner_id, self.step_id, self.cycle_key)


# -- dates -----------------------------------------------------------------


def parse_days_of_month(text):
    """``"5, 20"`` -> ``(5, 20)``; raises ``ValueError`` outside 1-31.

    >>> parse_days_of_month("20,5, 5")
    (5, 20)
    >>> parse_days_of_month("") == ()
    True
    >>> parse_days_of_month("0")
    Traceback (most recent call last):
    ...
    ValueError: days of the month go from 1 to 31, not 0
    """
    return parse_day_list(text, 1, 31, "days of the month go from 1 to 31, not %s")


def parse_day_list(text, low, high, error):
    """The distinct whole numbers of ``text`` ("5, 20" or "5;20"), sorted.

    Raises ``ValueError`` (``error % day``) for one outside ``low``..``high``
    (``high`` None: no upper bound), and for what is not a whole number.

    >>> parse_day_list("3; 1,3", 1, None, "%s is too small")
    (1, 3)
    """
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        day = int(part)
        if day < low or (high is not None and day > high):
            raise ValueError(error % day)
        days.add(day)
    return tuple(sorted(days))


def _month_dates(year, month, days):
    """The dates of ``days`` in a month, a day past its end meaning its last day."""
    first_next = date(year + month // 12, month % 12 + 1, 1)
    last = (first_next - timedelta(days=1)).day
    return sorted({date(year, month, min(day, last)) for day in days})


def last_day_of_month_on(days, start, today):
    """Latest date on one of ``days`` of the month within ``[start, today]``, or None.

    The 31st is the last day of shorter months.

    >>> last_day_of_month_on((5, 20), date(2026, 6, 8), date(2026, 7, 4)).isoformat()
    '2026-06-20'
    >>> last_day_of_month_on((31,), date(2026, 2, 1), date(2026, 3, 1)).isoformat()
    '2026-02-28'
    >>> last_day_of_month_on((5,), date(2026, 6, 6), date(2026, 7, 4)) is None
    True
    """
    year, month = today.year, today.month
    while (year, month) >= (start.year, start.month):
        for day in reversed(_month_dates(year, month, days)):
            if start <= day <= today:
                return day
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def pay_day_reminder_date(trigger, pay_day, lead_days):
    """First day on or after ``trigger`` falling ``lead_days`` before a usual payment
    day: the ``pay_day`` of a month, its last day in a shorter month.

    A reminder read just before the customer's payment run is more likely to be
    in it than one read the day after.

    >>> pay_day_reminder_date(date(2026, 6, 8), 25, 3).isoformat()
    '2026-06-22'
    >>> pay_day_reminder_date(date(2026, 6, 23), 25, 3).isoformat()  # missed: next month's
    '2026-07-22'
    >>> pay_day_reminder_date(date(2026, 2, 20), 31, 2).isoformat()  # paid on the 28th
    '2026-02-26'
    >>> pay_day_reminder_date(date(2026, 6, 25), 2, 5).isoformat()  # July's, in June
    '2026-06-27'
    """
    # from the trigger's month: a pay day earlier in it may bring the date before
    # the trigger, then the next month's pay day is the one
    year, month = trigger.year, trigger.month
    while True:
        candidate = _month_dates(year, month, (pay_day,))[0] - timedelta(days=lead_days)
        if candidate >= trigger:
            return candidate
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)


def ab_arm(partner_id, step_id):
    """``"a"`` or ``"b"``: the arm of a step's A/B test a customer is in.

    Random-looking but stable: a digest of the customer and the step, so the
    customer gets the same template every time the step reminds them, and the
    arms of two steps are drawn independently.

    >>> ab_arm(7, 3) == ab_arm(7, 3)
    True
    >>> sorted({ab_arm(partner_id, 3) for partner_id in range(1, 20)})
    ['a', 'b']
    """
    digest = hashlib.sha256(b"ar-ab:%d:%d" % (partner_id, step_id)).digest()
    return "b" if digest[0] & 1 else "a"


def ranges_low(ranges, bucket_id):
    """First day past due of a bucket (``0`` for the open-started "not due" one).

    >>> ranges_low([Bucket(1, None, 0), Bucket(2, 1, 30)], 2)
    1
    """
    for rng in ranges:
        if rng.bucket_id == bucket_id:
            return rng.low or 0
    return 0


def find_bucket(ranges, days):
    """Bucket containing ``days`` past due (see ``tools.ageing.find_bucket``).

    >>> find_bucket([Bucket(1, None, 0), Bucket(2, 1, 30), Bucket(3, 31, None)], 61)
    3
    """
    for rng in ranges:
        if rng.high is None or days <= rng.high:
            return rng.bucket_id
    return None


def _bucket_order(ranges):
    return {rng.bucket_id: index for index, rng in enumerate(ranges)}


def step_start(step, item, ranges):
    """First day ``step`` fires for ``item``, or None when it never can yet.

    A bucket step starts the day the item entered the bucket containing
    ``bucket_days`` (recorded by the ageing refresh), or, when the item is
    already past that bucket, the day it would have entered it.
    """
    if step.trigger != "bucket":
        return item.due + timedelta(days=step.offset_days)
    target = find_bucket(ranges, step.bucket_days)
    order = _bucket_order(ranges)
    if target is None or item.bucket_id not in order or order[item.bucket_id] < order[target]:
        return None
    if item.bucket_id == target and item.entered:
        return item.entered
    return item.due + timedelta(days=ranges_low(ranges, target))


def latest_trigger(step, item, today, ranges):
    """The latest day on or before ``today`` ``step`` fires for ``item``, or None.

    A step that does not repeat fires once, on its start; one on or before the
    due date (a heads-up, a due-date notice) only until the due date: it makes
    no sense once the invoice is overdue.

    >>> item = Item(1, 1, 1, date(2026, 6, 1), 100.0)
    >>> latest_trigger(Step(1, offset_days=15, repeat_every_days=15), item, date(2026, 7, 10), [])
    datetime.date(2026, 7, 1)
    >>> latest_trigger(Step(1, offset_days=-3), item, date(2026, 6, 2), []) is None
    True
    >>> latest_trigger(Step(1, offset_days=1, days_of_month=(5, 20)), item, date(2026, 7, 4), [])
    datetime.date(2026, 6, 20)
    """
    start = step_start(step, item, ranges)
    if start is None or start > today:
        return None
    if step.days_of_month:
        return last_day_of_month_on(step.days_of_month, start, today)
    if step.repeat_every_days > 0:
        return start + timedelta(
            days=(today - start).days // step.repeat_every_days * step.repeat_every_days
        )
    if start <= item.due and today > item.due:
        return None
    return start


def item_stage(steps, item, today, ranges):
    """``(step, trigger)`` the item has reached on ``today``, or None before the first step.

    >>> item = Item(1, 1, 1, date(2026, 6, 1), 100.0)
    >>> steps = (Step(1, 10, offset_days=-3), Step(2, 20), Step(3, 30, offset_days=7))
    >>> step, trigger = item_stage(steps, item, date(2026, 6, 1), [])
    >>> step.id, trigger.isoformat()
    (2, '2026-06-01')
    >>> item_stage(steps, item, date(2026, 6, 5), []) is None  # +7 not yet, the rest past
    True
    """
    return StageFinder(steps, ranges)(item, today)


class StageFinder:
    """:func:`item_stage` for many items of one policy: what :func:`step_start` and
    :func:`latest_trigger` derive from a step and the buckets alone (offsets as
    ``timedelta``, the bucket a bucket step waits for) worked out once, not for each
    of a company's items and steps.

    >>> ranges = [Bucket(1, None, 0), Bucket(2, 1, 30), Bucket(3, 31, None)]
    >>> steps = (Step(1, 10, offset_days=7, repeat_every_days=7),
    ...          Step(2, 20, trigger="bucket", bucket_days=31))
    >>> item = Item(1, 1, 1, date(2026, 6, 1), 100.0, 3, date(2026, 7, 3))
    >>> def latest(day):  # the definition: the latest trigger, the later step on a tie
    ...     found = [(latest_trigger(s, item, day, ranges), s.sequence, s.id, s) for s in steps]
    ...     rank = max(f for f in found if f[0])
    ...     return rank[3], rank[0]
    >>> find = StageFinder(steps, ranges)
    >>> [find(item, day) == latest(day) for day in (date(2026, 6, 8), date(2026, 7, 20))]
    [True, True]
    >>> find(item, date(2026, 7, 3))[1].isoformat()
    '2026-07-03'
    """

    __slots__ = ("order", "steps")

    def __init__(self, steps, ranges):
        self.order = _bucket_order(ranges)
        compiled = []
        for step in steps:
            if step.trigger == "bucket":
                target = find_bucket(ranges, step.bucket_days)
                # (bucket id, its rank, the delay from the due date to entering it)
                bucket = target is not None and (
                    target,
                    self.order[target],
                    timedelta(days=ranges_low(ranges, target)),
                )
            else:
                bucket = None
            compiled.append(
                (
                    step,
                    (step.sequence, step.id),
                    timedelta(days=step.offset_days),
                    bucket,
                    step.days_of_month,
                    step.repeat_every_days,
                )
            )
        self.steps = compiled

    def __call__(self, item, today):
        due = item.due
        best = None
        for step, order, offset, bucket, days_of_month, repeat in self.steps:
            # step_start
            if bucket is None:
                start = due + offset
            elif bucket is False:
                continue
            else:
                target, rank, delay = bucket
                current = self.order.get(item.bucket_id)
                if current is None or current < rank:
                    continue
                if item.bucket_id == target and item.entered:
                    start = item.entered
                else:
                    start = due + delay
            # latest_trigger
            if start > today:
                continue
            if days_of_month:
                trigger = last_day_of_month_on(days_of_month, start, today)
                if trigger is None:
                    continue
            elif repeat > 0:
                trigger = start + timedelta(days=(today - start).days // repeat * repeat)
            elif start <= due < today:
                continue
            else:
                trigger = start
            rank = (trigger, *order)
            if best is None or rank > best[0]:
                best = (rank, step, trigger)
        return best and best[1:]


def _next_step(steps, step):
    ordered = sorted(steps, key=lambda s: (s.sequence, s.id))
    index = ordered.index(step)
    return ordered[index + 1] if index + 1 < len(ordered) else step


# -- keys, channels, windows -------------------------------------------------


def cycle_key(stages):
    """Identifies what a decision covers: earliest trigger, then a digest.

    >>> cycle_key([Stage(12, 1, 4, date(2026, 7, 1), 10.0), Stage(11, 1, 3, date(2026, 6, 8), 5.0)])
    '2026-06-08/15690d76af6d'
    """
    ordered = sorted((s.line_id, s.step_id, s.trigger.isoformat()) for s in stages)
    digest = hashlib.sha1(";".join("%s:%s:%s" % row for row in ordered).encode()).hexdigest()
    return "%s/%s" % (min(s.trigger for s in stages).isoformat(), digest[:12])


def choose_channel(channels, contact, preferred=None):
    """``(channel, None)`` to send by, or ``(None, reason)`` when none can be used.

    The customer's preferred channel goes first when the step offers it; the
    reason reported is the first channel's.

    >>> choose_channel(("email", "sms"), {"email": "no_contact", "sms": None})
    ('sms', None)
    >>> choose_channel(("email", "sms"), {"email": None, "sms": None}, preferred="sms")
    ('sms', None)
    >>> choose_channel(("email",), {"email": "do_not_contact"})
    (None, 'do_not_contact')

    A channel to try whose contact data is :data:`UNCHECKED` comes back as
    ``(channel, UNCHECKED)``: checking a channel (parsing phone numbers...) costs,
    and most customers are reached by their first one.

    >>> choose_channel(("email", "sms"), {"email": None, "sms": UNCHECKED})
    ('email', None)
    >>> choose_channel(("email", "sms"), {"email": "no_contact", "sms": UNCHECKED})
    ('sms', 'unchecked')
    """
    order = [c for c in channels if c]
    if preferred in order:
        order.remove(preferred)
        order.insert(0, preferred)
    for channel in order:
        if contact.get(channel, NO_CONTACT) == UNCHECKED:
            return channel, UNCHECKED
        if channel in contact and contact[channel] is None:
            return channel, None
    return None, (contact.get(order[0]) or NO_CONTACT) if order else NO_CONTACT


def _local(now_utc, tz_name):
    return pytz.utc.localize(now_utc).astimezone(pytz.timezone(tz_name or "UTC"))


def _hour_time(hour):
    """``8.5`` -> 08:30 (hours as the ``float_time`` widget shows them)."""
    minutes = min(round(hour * 60), 24 * 60 - 1)
    return time(minutes // 60, minutes % 60)


def in_window(now_utc, tz_name, start_hour, end_hour):
    """Whether ``now_utc`` (naive UTC) falls in ``[start, end)`` hours in ``tz_name``.

    >>> in_window(datetime(2026, 6, 15, 4, 30), "Asia/Kolkata", 8, 19)
    True
    >>> in_window(datetime(2026, 6, 15, 14, 0), "Asia/Kolkata", 8, 19)
    False
    """
    local = _local(now_utc, tz_name)
    hour = local.hour + local.minute / 60
    return start_hour <= hour < end_hour


def window_opening(now_utc, tz_name, start_hour, end_hour):
    """The first moment (naive UTC) from ``now_utc`` inside the sending window.

    >>> window_opening(datetime(2026, 6, 15, 4, 30), "Asia/Kolkata", 8, 19)
    datetime.datetime(2026, 6, 15, 4, 30)
    >>> window_opening(datetime(2026, 6, 15, 0, 0), "Asia/Kolkata", 8, 19)  # 05:30 there
    datetime.datetime(2026, 6, 15, 2, 30)
    >>> window_opening(datetime(2026, 6, 15, 14, 0), "Asia/Kolkata", 8, 19)  # 19:30 there
    datetime.datetime(2026, 6, 16, 2, 30)
    """
    if in_window(now_utc, tz_name, start_hour, end_hour):
        return now_utc
    tz = pytz.timezone(tz_name or "UTC")
    local = _local(now_utc, tz_name)
    day = local.date()
    if local.hour + local.minute / 60 >= start_hour:
        day += timedelta(days=1)
    opening = tz.localize(datetime.combine(day, _hour_time(start_hour)))
    return opening.astimezone(pytz.utc).replace(tzinfo=None)


# -- planning ----------------------------------------------------------------


def plan_customer(customer, policy, today, ranges, covered, find=None):
    """The decision for one customer today, or None (nothing due, or too soon).

    ``find``: the policy's :class:`StageFinder` (made here when not given).
    """
    steps = policy.steps
    find = find or StageFinder(steps, ranges)
    due, reached = [], []
    for item in customer.items:
        stage = find(item, today)
        if not stage:
            continue
        step, trigger = stage
        reached.append((item, step, trigger))
        if _waits_for_pay_day(customer, policy, item, trigger, today):
            continue
        if (item.line_id, step.id, trigger) not in covered:
            due.append(Stage(item.line_id, item.move_id, step.id, trigger, item.residual))
    if customer.advance and steps:
        # a broken promise: whatever was already reminded moves one step on, today
        pending = {s.line_id for s in due}
        for item, step, _trigger in reached:
            if item.line_id in pending:
                continue
            following = _next_step(steps, step)
            if (item.line_id, following.id, today) not in covered:
                due.append(Stage(item.line_id, item.move_id, following.id, today, item.residual))
    if not due:
        return None
    if (
        not customer.advance
        and customer.last_reminder
        and (today - customer.last_reminder).days < policy.min_interval_days
    ):
        return None
    by_id = {step.id: step for step in steps}
    excluded = tuple(
        (move_id, *customer.move_holds[move_id])
        for move_id in sorted({s.move_id for s in due})
        if move_id in customer.move_holds
    )
    held = {move_id for move_id, _reason, _text in excluded}
    included = [s for s in due if s.move_id not in held]
    lead = max(
        (by_id[s.step_id] for s in (included or due)), key=lambda step: (step.sequence, step.id)
    )
    common = {
        "partner_id": customer.partner_id,
        "policy_id": policy.id,
        "step_id": lead.id,
        "cycle_key": cycle_key(due),
        "stages": tuple(sorted(due)),
    }
    if customer.hold:
        return Decision(
            **common,
            action=SKIP,
            channel=lead.channels[0] if lead.channels else None,
            reason=customer.hold[0],
            reason_text=customer.hold[1],
        )
    if not included:
        return Decision(
            **common,
            action=SKIP,
            channel=lead.channels[0] if lead.channels else None,
            reason=excluded[0][1],
            reason_text="; ".join(dict.fromkeys(text for _m, _r, text in excluded)),
            excluded=excluded,
        )
    send = Decision(
        **common,
        action=SEND,
        excluded=excluded,
        escalate=_escalates(lead, included, customer.items, ranges),
        need_approval=policy.need_approval or lead.need_approval,
    )
    return with_channel(send, lead.channels, customer)


def _waits_for_pay_day(customer, policy, item, trigger, today):
    """Whether an overdue item's stage waits for the days before the customer's
    usual payment day (the policy's option, when the day is known).

    Heads-ups and due-date notices keep their day: moved past the due date they
    would never go out.
    """
    if policy.pay_day_lead is None or not customer.pay_day or trigger <= item.due:
        return False
    return pay_day_reminder_date(trigger, customer.pay_day, policy.pay_day_lead) > today


def with_channel(decision, channels, customer):
    """``decision`` (to send, or waiting for a check) with the channel it goes by:
    sent, skipped when no channel reaches the customer, or :data:`CHECK` while a
    channel to try is :data:`UNCHECKED`."""
    channel, problem = choose_channel(channels, customer.contact, customer.preferred_channel)
    if problem == UNCHECKED:
        return replace(decision, action=CHECK, channel=channel)
    if not channel:
        return replace(
            decision,
            action=SKIP,
            channel=channels[0] if channels else None,
            reason=problem,
            escalate=False,
            need_approval=False,
        )
    return replace(decision, action=SEND, channel=channel)


def _escalates(step, stages, items, ranges):
    """Whether a reminder at ``step`` over ``stages`` calls for an escalation.

    When the amount reminded exceeds ``escalate_amount``, or an item reminded
    sits in the bucket containing day ``escalate_days`` or an older one.
    """
    if step.escalate_amount and sum(s.residual for s in stages) > step.escalate_amount:
        return True
    if step.escalate_days:
        order = _bucket_order(ranges)
        threshold = order.get(find_bucket(ranges, step.escalate_days))
        lines = {s.line_id for s in stages}
        return threshold is not None and any(
            order.get(item.bucket_id, -1) >= threshold for item in items if item.line_id in lines
        )
    return False


def plan(customers, policies, today, ranges, covered):
    """Decisions for ``today``: at most one per customer.

    :param customers: :class:`Customer` list
    :param policies: ``{policy id: Policy}``
    :param ranges: the company's :class:`Bucket` list, youngest first
    :param covered: ``{(line id, step id, trigger)}`` already reminded
    """
    decisions = []
    finders = {}
    for customer in customers:
        policy = policies.get(customer.policy_id)
        if policy is None or not policy.steps:
            continue
        if policy.id not in finders:
            finders[policy.id] = StageFinder(policy.steps, ranges)
        decision = plan_customer(customer, policy, today, ranges, covered, finders[policy.id])
        if decision:
            decisions.append(decision)
    return decisions


def plan_checking(customers, policies, today, ranges, covered, check):
    """:func:`plan`, checking contact data only where a decision needs it.

    ``check(channel, partner_ids)`` returns ``{partner id: None or reason}``; it is
    called once per channel and round, for every customer waiting on that channel,
    and their ``contact`` is updated in place. Decisions keep the customers' order.

    >>> from datetime import date
    >>> step = Step(3, offset_days=7, channels=("email", "sms"))
    >>> policies = {1: Policy(1, steps=(step,))}
    >>> def customer(partner_id, email):
    ...     item = Item(partner_id * 10, partner_id * 20, partner_id, date(2026, 1, 1), 100.0)
    ...     return Customer(partner_id, 1, (item,), contact={"email": email, "sms": UNCHECKED})
    >>> customers = [customer(7, None), customer(8, NO_CONTACT)]
    >>> asked = []
    >>> def check(channel, ids):
    ...     asked.append((channel, ids))
    ...     return dict.fromkeys(ids)
    >>> [(d.partner_id, d.channel) for d in plan_checking(
    ...     customers, policies, date(2026, 1, 8), [], set(), check)]
    [(7, 'email'), (8, 'sms')]
    >>> asked
    [('sms', [8])]
    """
    by_id = {customer.partner_id: customer for customer in customers}
    steps = {step.id: step for policy in policies.values() for step in policy.steps}
    decided, waiting = {}, plan(customers, policies, today, ranges, covered)
    while waiting:
        checks = {}
        for decision in waiting:
            if decision.action == CHECK:
                checks.setdefault(decision.channel, []).append(decision)
            else:
                decided[decision.partner_id] = decision
        for channel, pending in checks.items():
            partner_ids = [d.partner_id for d in pending]
            problems = check(channel, partner_ids)
            for partner_id in partner_ids:
                by_id[partner_id].contact[channel] = problems.get(partner_id, NO_CONTACT)
        # only the channel is chosen again: the rest of each decision stands
        waiting = [
            with_channel(d, steps[d.step_id].channels, by_id[d.partner_id])
            for pending in checks.values()
            for d in pending
        ]
    return [decided[c.partner_id] for c in customers if c.partner_id in decided]


def new_decisions(decisions, live_keys, all_keys):
    """Drop what is already recorded.

    A reminder is planned once per key while it is not skipped
    (``live_keys``); a skip is recorded once per key, whatever happened to the
    key since (``all_keys``), so a dispute lasting a month leaves one record.

    >>> send = Decision(7, 1, 3, "k1", SEND, ())
    >>> skip = Decision(8, 1, 3, "k2", SKIP, (), reason="disputed")
    >>> new_decisions([send, skip], live_keys=set(), all_keys={(8, 3, "k2")}) == [send]
    True
    >>> new_decisions([send], live_keys={(7, 3, "k1")}, all_keys={(7, 3, "k1")})
    []
    """
    return [d for d in decisions if d.key not in (live_keys if d.action == SEND else all_keys)]
