# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which customer to call first: the priority score of a call task, free of the ORM.

A score adds four parts, each capped so that no single fact drowns the others:

* **amount at stake**: ``AMOUNT_POINTS`` per tenfold of the amount overdue in
  units of ``unit`` (₹1,000 for a company in INR), up to ``AMOUNT_CAP``: a
  customer owing ₹10 lakh does not outrank ten owing ₹1 lakh by ten times;
* **days overdue** of the oldest overdue invoice: one point per
  ``DAYS_PER_POINT`` days, up to ``DAYS_CAP``;
* **broken promises** (last 12 months): ``PROMISE_POINTS`` each, up to
  ``PROMISE_CAP``: a customer who broke their word is called before one who
  did not;
* **days since the last contact** (a reminder sent or a call placed): one point
  per ``SILENCE_DAYS_PER_POINT`` days, up to ``SILENCE_CAP``; never contacted
  counts as the cap.

>>> score(560000, 161, 1, 3)
65.3
>>> score(560000, 161, 0, 3) < score(560000, 161, 1, 3)
True
>>> score(0, 0, 0, 0)
0.0
>>> score(10**12, 5000, 9, None)  # every part at its cap
110.0

Amounts in words, the way a collector says them (Indian numbering for INR):

>>> compact_amount(560000, "₹", indian=True)
'₹5.6 lakh'
>>> compact_amount(23500000, "₹", indian=True)
'₹2.35 crore'
>>> compact_amount(56000, "₹", indian=True)
'₹56,000'
>>> compact_amount(2500000, "$")
'$2.5M'
>>> compact_amount(56400, "$")
'$56.4k'
"""

import math

from odoo.tools import SQL

AMOUNT_POINTS = 10.0
AMOUNT_CAP = 50.0
DAYS_PER_POINT = 6.0
DAYS_CAP = 30.0
PROMISE_POINTS = 10.0
PROMISE_CAP = 20.0
SILENCE_DAYS_PER_POINT = 3.0
SILENCE_CAP = 10.0


def score(amount_overdue, days_overdue, broken_promises, days_since_contact, unit=1000.0):
    """The priority of calling a customer, 0 (nothing to call about) to 110.

    ``days_since_contact`` None: never contacted.

    >>> score(1000, 0, 0, 0)
    3.0
    >>> score(-500, -3, 0, 0)  # a credit balance, not yet due
    0.0
    """
    amount = max(amount_overdue or 0.0, 0.0) / (unit or 1.0)
    parts = (
        min(AMOUNT_POINTS * math.log10(1 + amount), AMOUNT_CAP),
        min(max(days_overdue or 0, 0) / DAYS_PER_POINT, DAYS_CAP),
        min(PROMISE_POINTS * max(broken_promises or 0, 0), PROMISE_CAP),
        SILENCE_CAP
        if days_since_contact is None
        else min(max(days_since_contact, 0) / SILENCE_DAYS_PER_POINT, SILENCE_CAP),
    )
    if amount <= 0 and not broken_promises:
        return 0.0
    return round(sum(parts), 1)


def score_sql(amount_overdue, days_overdue, broken_promises, days_since_contact, unit):
    """:func:`score` as a PostgreSQL expression over the given SQL terms: the daily
    refresh scores every open task in the statement that writes the scores.

    >>> score_sql(SQL("a"), SQL("d"), SQL("p"), SQL("s"), 1000.0).code.count("LEAST")
    4
    """
    amount = SQL("GREATEST(COALESCE(%s, 0), 0)::float8 / %s", amount_overdue, unit or 1.0)
    return SQL(
        """CASE WHEN %(amount)s <= 0 AND COALESCE(%(promises)s, 0) = 0 THEN 0
                ELSE round((
                    LEAST(%(amount_points)s * log(1 + %(amount)s), %(amount_cap)s)
                    + LEAST(GREATEST(COALESCE(%(days)s, 0), 0) / %(days_per_point)s, %(days_cap)s)
                    + LEAST(%(promise_points)s * GREATEST(COALESCE(%(promises)s, 0), 0),
                            %(promise_cap)s)
                    + CASE WHEN %(silence)s IS NULL THEN %(silence_cap)s
                           ELSE LEAST(GREATEST(%(silence)s, 0) / %(silence_per_point)s,
                                      %(silence_cap)s) END
                )::numeric, 1) END""",
        amount=amount,
        promises=broken_promises,
        days=days_overdue,
        silence=days_since_contact,
        amount_points=AMOUNT_POINTS,
        amount_cap=AMOUNT_CAP,
        days_per_point=DAYS_PER_POINT,
        days_cap=DAYS_CAP,
        promise_points=PROMISE_POINTS,
        promise_cap=PROMISE_CAP,
        silence_per_point=SILENCE_DAYS_PER_POINT,
        silence_cap=SILENCE_CAP,
    )


def compact_amount(amount, symbol, indian=False):
    """``amount`` rounded the way it is said: lakh and crore when ``indian``, else k and M.

    >>> compact_amount(100000, "₹", indian=True)
    '₹1 lakh'
    >>> compact_amount(999, "€")
    '€999'
    """
    amount = float(amount or 0.0)
    if indian:
        steps = ((1e7, " crore"), (1e5, " lakh"))
    else:
        steps = ((1e9, "B"), (1e6, "M"), (1e3, "k"))
    for size, word in steps:
        if abs(amount) >= size:
            return "%s%s%s" % (symbol, _short(amount / size), word)
    if indian:
        return "%s%s" % (symbol, _indian_grouping(round(amount)))
    return "%s%s" % (symbol, _short(amount))


def _short(value):
    """``value`` with at most two decimals, trailing zeros dropped."""
    return ("%.2f" % value).rstrip("0").rstrip(".")


def _indian_grouping(value):
    """``value`` grouped as in India (the last three digits, then pairs).

    >>> _indian_grouping(1234567)
    '12,34,567'
    """
    sign, digits = ("-", str(-value)) if value < 0 else ("", str(value))
    head, tail = digits[:-3], digits[-3:]
    pairs = []
    while head:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return sign + ",".join([*pairs, tail])
