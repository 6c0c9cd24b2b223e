# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which reminder a customer gets today: the cadence decisions as plain functions.

The planning pass reads, in a few set-based queries, every open due line with
its due date and bucket, the policy steps, what earlier reminders already
covered, and each customer's holds; these functions decide, without a database:

* a step is **due** for a line when its trigger is reached: ``offset`` days from
  the due date (negative: before it), optionally only on some days of the month,
  or on the line being in the step's ``bucket``;
* a step already sent for a line is done, unless it repeats every N days and N
  days have passed; a later step sent for a line supersedes the earlier ones;
* **one reminder per customer per run**: the most advanced step due on any of
  the customer's lines, covering every line that has a step due;
* held lines (disputed, promised) are left out; if nothing is left the customer
  is skipped with the reason; a customer-wide block (paused, no way to contact)
  skips too; within the policy's minimum interval since the last reminder,
  nothing is decided (the lines stay due and are caught up later).

>>> from datetime import date
>>> steps = [
...     Step(1, 10, "offset", -3), Step(2, 20, "offset", 0),
...     Step(3, 30, "offset", 7, repeat_every=15), Step(4, 40, "bucket", bucket_id=4),
... ]
>>> lines = [Line(101, date(2026, 6, 1), 5000.0, 2), Line(102, date(2026, 6, 20), 800.0, 1)]
>>> plan_customer(lines, steps, date(2026, 6, 17), covered={})
Decision(step_id=3, move_ids=(101, 102), cycle_key='2026-06-17', skip_reason=None)
"""

from collections import namedtuple
from datetime import timedelta

Step = namedtuple(
    "Step",
    "id sequence trigger offset bucket_id repeat_every days_of_month",
    defaults=(0, None, 0, ()),
)
Step.__doc__ = """A policy step: ``trigger`` is "offset" (``offset`` days from the due date)
or "bucket" (the line is in ``bucket_id``); ``repeat_every`` days (0: once);
``days_of_month``: fire only on these days (e.g. (5, 20)), else any day."""

Line = namedtuple("Line", "move_id due residual bucket_id")
Line.__doc__ = "An open due line of a customer (one per instalment)."

Decision = namedtuple("Decision", "step_id move_ids cycle_key skip_reason")


def step_reached(step, line, today):
    """Whether ``step``'s trigger is reached for ``line`` on ``today``.

    >>> from datetime import date
    >>> line = Line(1, date(2026, 6, 10), 100.0, 2)
    >>> step_reached(Step(1, 10, "offset", -3), line, date(2026, 6, 6))
    False
    >>> step_reached(Step(1, 10, "offset", -3), line, date(2026, 6, 7))
    True
    >>> step_reached(Step(2, 20, "offset", 0, days_of_month=(5, 20)), line, date(2026, 6, 15))
    False
    >>> step_reached(Step(2, 20, "offset", 0, days_of_month=(5, 20)), line, date(2026, 6, 20))
    True
    >>> step_reached(Step(3, 30, "bucket", bucket_id=2), line, date(2026, 6, 20))
    True
    """
    if step.trigger == "bucket":
        return line.bucket_id == step.bucket_id
    if today < line.due + timedelta(days=step.offset):
        return False
    return not step.days_of_month or today.day in step.days_of_month


def step_done(step, line, steps, covered, today):
    """Whether ``step`` needs nothing more for ``line``.

    ``covered`` maps (move id, step id) to the last date a reminder of that step
    covered the move. A later step covering the line supersedes a one-off step.

    >>> from datetime import date
    >>> line, steps = Line(1, date(2026, 6, 1), 100.0, 2), [Step(1, 10, "offset", 0),
    ...     Step(2, 20, "offset", 7, repeat_every=15)]
    >>> step_done(steps[0], line, steps, {(1, 2): date(2026, 6, 8)}, date(2026, 6, 9))
    True
    >>> step_done(steps[1], line, steps, {(1, 2): date(2026, 6, 8)}, date(2026, 6, 22))
    True
    >>> step_done(steps[1], line, steps, {(1, 2): date(2026, 6, 8)}, date(2026, 6, 23))
    False
    """
    last = covered.get((line.move_id, step.id))
    if last is not None:
        return not step.repeat_every or today < last + timedelta(days=step.repeat_every)
    if step.repeat_every:
        return False
    return any(
        later.sequence > step.sequence and (line.move_id, later.id) in covered for later in steps
    )


def line_step(line, steps, covered, today):
    """The most advanced step due for ``line`` today, or None."""
    due = [
        step
        for step in steps
        if step_reached(step, line, today) and not step_done(step, line, steps, covered, today)
    ]
    return max(due, key=lambda step: step.sequence, default=None)


def plan_customer(
    lines,
    steps,
    today,
    covered,
    last_reminder=None,
    min_interval=0,
    held=None,
    block=None,
):
    """The decision for one customer today, or None when nothing is due.

    ``held`` maps move ids to the reason they are held (e.g. "disputed",
    "promised"); ``block`` is a customer-wide skip reason (e.g. "paused",
    "no_contact"). Skips are decisions too, so they can be recorded.

    >>> from datetime import date
    >>> steps = [Step(1, 10, "offset", 0), Step(2, 20, "offset", 10)]
    >>> lines = [Line(7, date(2026, 6, 1), 900.0, 2), Line(8, date(2026, 6, 14), 50.0, 2)]
    >>> plan_customer(lines, steps, date(2026, 6, 15), {(7, 1): date(2026, 6, 1)})
    Decision(step_id=2, move_ids=(7, 8), cycle_key='2026-06-15', skip_reason=None)
    >>> plan_customer(lines, steps, date(2026, 6, 15), {(7, 2): date(2026, 6, 11)})
    Decision(step_id=1, move_ids=(8,), cycle_key='2026-06-15', skip_reason=None)
    >>> plan_customer(lines, steps, date(2026, 6, 15), {}, last_reminder=date(2026, 6, 13),
    ...               min_interval=3) is None
    True
    >>> plan_customer(lines, steps, date(2026, 6, 15), {}, held={7: "disputed", 8: "promised"})
    Decision(step_id=2, move_ids=(7, 8), cycle_key='2026-06-15', skip_reason='disputed')
    >>> plan_customer(lines, steps, date(2026, 6, 15), {}, held={7: "disputed"})
    Decision(step_id=1, move_ids=(8,), cycle_key='2026-06-15', skip_reason=None)
    >>> plan_customer(lines, steps, date(2026, 6, 15), {}, block="paused").skip_reason
    'paused'
    >>> plan_customer(lines, steps, date(2026, 5, 30), {}) is None
    True
    """
    held = held or {}
    due = {}
    for line in lines:
        step = line_step(line, steps, covered, today)
        if step is not None:
            due[line.move_id] = step
    if not due:
        return None
    if last_reminder is not None and today < last_reminder + timedelta(days=min_interval):
        return None
    cycle_key = today.isoformat()
    free = {move_id: step for move_id, step in due.items() if move_id not in held}
    if block or not free:
        step = max(due.values(), key=lambda s: s.sequence)
        reason = block or held[min(due)]
        return Decision(step.id, tuple(sorted(due)), cycle_key, reason)
    step = max(free.values(), key=lambda s: s.sequence)
    return Decision(step.id, tuple(sorted(free)), cycle_key, None)
