# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Ageing maths, free of the ORM so it can be tested and reused without a database.

A company's buckets are described by their inclusive upper bound in days past
due; the last one is open-ended. "Not due" is the bucket whose bound is 0, so
an invoice due today is not yet overdue.

>>> ranges = bucket_ranges([(1, 0), (2, 30), (3, 60), (4, 90), (5, None)])
>>> ranges[0], ranges[1], ranges[-1]
(BucketRange(bucket_id=1, low=None, high=0), BucketRange(bucket_id=2, low=1, high=30), \
BucketRange(bucket_id=5, low=91, high=None))
>>> [find_bucket(ranges, d) for d in (-5, 0, 1, 30, 31, 60, 61, 90, 91, 4000)]
[1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
"""

from collections import namedtuple
from datetime import date  # noqa: F401 (the doctests use it)

BucketRange = namedtuple("BucketRange", "bucket_id low high")


def bucket_ranges(bounds):
    """Turn ``[(bucket_id, max_days or None)]`` into contiguous ranges.

    Buckets are sorted by their bound (the open-ended one last); each range starts
    the day after the previous one ends. Raises ``ValueError`` when the bounds do
    not describe a partition (two open-ended buckets, or the same bound twice).
    """
    closed = sorted((b for b in bounds if b[1] is not None), key=lambda b: b[1])
    opened = [b for b in bounds if b[1] is None]
    if len(opened) > 1:
        raise ValueError("only one ageing bucket can be open-ended")
    ranges, low = [], None
    for bucket_id, high in closed + opened:
        if ranges and high is not None and high == ranges[-1].high:
            raise ValueError("two ageing buckets end on the same day")
        ranges.append(BucketRange(bucket_id, low, high))
        low = None if high is None else high + 1
    return ranges


def find_bucket(ranges, days_overdue):
    """Return the bucket id for a number of days past due (negative: not yet due)."""
    for rng in ranges:
        if rng.high is None or days_overdue <= rng.high:
            return rng.bucket_id
    return None


def days_overdue(due_date, today):
    """Whole days between the due date and today; negative before the due date.

    >>> days_overdue(date(2026, 1, 1), date(2026, 1, 31))
    30
    """
    return (today - due_date).days
