# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reminder suspensions, free of the ORM.

An open dispute suspends reminders for what it covers until it is closed; a
promise to pay suspends them until its date plus a grace period. Either one
covers some invoices, or, without invoices, the whole customer.

A *hold* is ``(partner_id, move_ids, reason)``: ``move_ids`` empty means the
whole customer. :func:`group_suspensions` folds holds into the shape the
cadence engine reads, one entry per customer:

>>> holds = [
...     (7, (70, 71), "Disputed: DSP/2026/0001"),
...     (7, (71,), "Promised to pay by 06/20/2026"),
...     (8, (), "Disputed: DSP/2026/0002"),
... ]
>>> result = group_suspensions([7, 8, 9], holds)
>>> result[7]["partner"], result[7]["moves"][70]
(None, 'Disputed: DSP/2026/0001')
>>> result[7]["moves"][71]
'Disputed: DSP/2026/0001; Promised to pay by 06/20/2026'
>>> result[8], result[9]
({'partner': 'Disputed: DSP/2026/0002', 'moves': {}}, {'partner': None, 'moves': {}})
"""

from datetime import date, timedelta  # noqa: F401 (date: the doctests use it)

#: separator between two reasons suspending the same thing
REASON_SEPARATOR = "; "


def promise_grace_end(promised_date, grace_days):
    """Last day a promise to pay keeps reminders suspended (inclusive).

    >>> promise_grace_end(date(2026, 6, 20), 3).isoformat()
    '2026-06-23'
    """
    return promised_date + timedelta(days=max(grace_days or 0, 0))


def promise_in_force(promised_date, grace_days, day):
    """Whether a promise still suspends reminders on ``day``.

    >>> [promise_in_force(date(2026, 6, 20), 3, date(2026, 6, d)) for d in (15, 20, 23, 24)]
    [True, True, True, False]
    """
    return day <= promise_grace_end(promised_date, grace_days)


def join_reasons(*reasons):
    """Join reasons, skipping empty ones and repeats, keeping their order.

    >>> join_reasons("Disputed: DSP/1", None, "Disputed: DSP/1", "Promised")
    'Disputed: DSP/1; Promised'
    >>> join_reasons(None, "") is None
    True
    """
    seen = []
    for reason in reasons:
        if reason and reason not in seen:
            seen.append(reason)
    return REASON_SEPARATOR.join(seen) or None


def group_suspensions(partner_ids, holds):
    """``{partner_id: {"partner": reason or None, "moves": {move_id: reason}}}``.

    Every partner of ``partner_ids`` has an entry, suspended or not. A hold
    without invoices suspends the customer ("partner"); ``moves`` lists the
    invoices suspended by name, whatever the customer-level state.
    """
    result = {pid: {"partner": None, "moves": {}} for pid in partner_ids}
    for partner_id, move_ids, reason in holds:
        entry = result.setdefault(partner_id, {"partner": None, "moves": {}})
        if not move_ids:
            entry["partner"] = join_reasons(entry["partner"], reason)
            continue
        for move_id in move_ids:
            entry["moves"][move_id] = join_reasons(entry["moves"].get(move_id), reason)
    return result


def move_suspension(entry, move_id):
    """Reason why one invoice is suspended given its customer's entry, or None.

    >>> move_suspension({"partner": "Promised", "moves": {5: "Disputed"}}, 5)
    'Disputed; Promised'
    >>> move_suspension({"partner": None, "moves": {5: "Disputed"}}, 6) is None
    True
    """
    if not entry:
        return None
    return join_reasons(entry["moves"].get(move_id), entry["partner"])
