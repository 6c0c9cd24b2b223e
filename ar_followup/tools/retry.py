# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retries after a failed online payment, free of the ORM.

>>> parse_retry_days("7,1, 3")
(1, 3, 7)
>>> parse_retry_days("") == ()
True
>>> retry_keys(42, (1, 3, 7))
['payment_failed:42:1', 'payment_failed:42:3', 'payment_failed:42:7']
"""

from .cadence import parse_day_list

#: first part of the cycle keys of retry reminders: ``payment_failed:<transaction id>:<days>``
RETRY_KEY = "payment_failed"


def parse_retry_days(text):
    """``"1, 3,7"`` -> ``(1, 3, 7)``: the days after a failure on which to remind.

    Raises ``ValueError`` for anything but whole days from 1 on.

    >>> parse_retry_days("0")
    Traceback (most recent call last):
    ...
    ValueError: retry days start at 1, not 0
    """
    return parse_day_list(text, 1, None, "retry days start at 1, not %s")


def retry_keys(transaction_id, days):
    """The cycle keys of the retries of one failed transaction, one per day: the same
    failure notified twice gives the same keys, so it is planned once."""
    return ["%s:%s:%s" % (RETRY_KEY, transaction_id, n) for n in days]
