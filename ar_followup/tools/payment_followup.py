# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reminders after a failed online payment, free of the ORM.

Not to be confused with send retries, when a channel fails
(``models/ar_followup_reminder/send_retry.py``).

>>> parse_followup_days("7,1, 3")
(1, 3, 7)
>>> parse_followup_days("") == ()
True
>>> followup_keys(42, (1, 3, 7))
['payment_failed:42:1', 'payment_failed:42:3', 'payment_failed:42:7']
"""

from .cadence import parse_day_list

#: first part of the cycle keys of these reminders: ``payment_failed:<transaction id>:<days>``
FOLLOWUP_KEY = "payment_failed"


def parse_followup_days(text):
    """``"1, 3,7"`` -> ``(1, 3, 7)``: the days after a failure on which to remind.

    Raises ``ValueError`` for anything but whole days from 1 on.

    >>> parse_followup_days("0")
    Traceback (most recent call last):
    ...
    ValueError: days after a failed payment start at 1, not 0
    """
    return parse_day_list(text, 1, None, "days after a failed payment start at 1, not %s")


def followup_keys(transaction_id, days):
    """The cycle keys of the reminders after one failed transaction, one per day: the same
    failure notified twice gives the same keys, so it is planned once."""
    return ["%s:%s:%s" % (FOLLOWUP_KEY, transaction_id, n) for n in days]
