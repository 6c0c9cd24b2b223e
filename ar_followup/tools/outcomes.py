# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What sent reminders led to, free of the ORM: outcome rates and how sure they are.

Vocabulary
----------
*sent reminder*
    a reminder a channel took (it has a sending date); planned, skipped,
    cancelled and failed reminders have no outcome.
*outcome*
    what followed a sent reminder, counted from the day it was sent:

    ``paid_7`` / ``paid_14``
        every item it claimed is settled, the last reconciliation touching them
        dated from the day it was sent to 7 (14) days after;
    ``replied``
        the customer answered it;
    ``promised``
        the customer made a promise to pay within 14 days of it;
    ``no_reaction``
        none of the above within 14 days, and its links never followed.
*rate*
    the share of a group's sent reminders that had an outcome (``hits / sent``).
*interval*
    how far the true rate may lie from the rate seen: the Wilson score interval
    at 95 % confidence. Unlike ``rate ± 1.96·√(rate(1−rate)/sent)``, it stays
    within 0 and 1 and is honest about small groups: 2 paid out of 2 does not
    prove a template always works.

A group is *ranked* by the lower bound of its interval, so a template that
worked 9 times out of 10 comes after one that worked 80 times out of 100:

>>> round(rate(9, 10), 2), round(rate(80, 100), 2)
(0.9, 0.8)
>>> [round(bound, 3) for bound in wilson_interval(9, 10)]
[0.596, 0.982]
>>> [round(bound, 3) for bound in wilson_interval(80, 100)]
[0.711, 0.867]
>>> sorted([("A", 9, 10), ("B", 80, 100)], key=lambda g: rank_key(g[1], g[2]))
[('B', 80, 100), ('A', 9, 10)]
"""

import math

#: z-score of the two-sided 95 % confidence level
Z_95 = 1.959963984540054

#: the outcomes of a sent reminder, as the ranking lists them
OUTCOMES = ("paid_7", "paid_14", "replied", "promised", "no_reaction")

#: days after sending within which a payment counts (``paid_<days>``); the longest
#: is also the window of a promise and of "no reaction"
PAID_WITHIN = (7, 14)


def rate(hits, sent):
    """Share of ``sent`` that had the outcome; 0.0 for an empty group.

    >>> rate(3, 4)
    0.75
    >>> rate(0, 0)
    0.0
    """
    return hits / sent if sent else 0.0


def wilson_interval(hits, sent, z=Z_95):
    """``(low, high)``: the Wilson score interval of the proportion ``hits / sent``.

    An empty group says nothing: ``(0.0, 1.0)``.

    >>> wilson_interval(0, 0)
    (0.0, 1.0)
    >>> [round(bound, 3) for bound in wilson_interval(0, 10)]
    [0.0, 0.278]
    >>> [round(bound, 3) for bound in wilson_interval(10, 10)]
    [0.722, 1.0]
    >>> [round(bound, 3) for bound in wilson_interval(50, 100)]
    [0.404, 0.596]
    """
    if hits < 0 or sent < 0 or hits > sent:
        raise ValueError("hits must lie between 0 and sent, not %s of %s" % (hits, sent))
    if not sent:
        return 0.0, 1.0
    p = hits / sent
    z2 = z * z
    centre = (p + z2 / (2 * sent)) / (1 + z2 / sent)
    margin = z / (1 + z2 / sent) * math.sqrt(p * (1 - p) / sent + z2 / (4 * sent * sent))
    return max(0.0, centre - margin), min(1.0, centre + margin)


def rank_key(hits, sent):
    """Sort key ranking groups best first: the higher lower bound, then more evidence.

    >>> sorted([(1, 1), (30, 40), (0, 0)], key=lambda g: rank_key(*g))
    [(30, 40), (1, 1), (0, 0)]
    """
    return (-wilson_interval(hits, sent)[0], -sent)
