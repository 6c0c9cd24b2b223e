# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Days Sales Outstanding (DSO) maths, free of the ORM.

DSO says how many days of credit sales the receivables represent. Two methods,
over the same window of ``period_days`` days ending on the measured day:

* **standard**: ``DSO = R / S × D``, with ``R`` the receivables at the end of
  the window, ``S`` the credit sales made during it and ``D`` its length in days;
* **countback**: walk back through the window one period (a month) at a time,
  newest first, consuming the receivables with each period's sales: a period
  whose sales are all still covered by the receivables counts its full days,
  the period where the receivables run out counts the fraction ``remaining /
  sales`` of its days. Unlike the standard method it is not inflated by a
  seasonal dip in sales nor deflated by a peak: it follows the sales the
  receivables come from.

Conventions, shared by both methods:

* a credit balance (``R < 0``: the customer paid in advance or was credited
  more than they owe) counts as no receivables, so DSO is 0;
* without credit sales in the window (``S <= 0``, net of credit notes) there is
  no DSO: the functions return ``None`` rather than a division by zero;
* a period whose net sales are not positive (credit notes above invoices) holds
  no receivables: the countback passes over it, counting its days;
* receivables larger than all the sales of the window are older than the
  window: the countback counts the whole window, then the rest at the window's
  average daily sales (the standard method's rate), so the result stays
  continuous and is never shorter than the window.

>>> dso_standard(39000, 46000, 90)
76.30434782608695
>>> dso_countback(39000, [(10000, 31), (26000, 30), (10000, 29)])
69.7
>>> dso_standard(-500, 1000, 90), dso_countback(-500, [(1000, 90)])
(0.0, 0.0)
>>> dso_standard(1000, 0, 90), dso_countback(1000, [(0, 31), (-200, 30)])
(None, None)
"""

from datetime import timedelta

from dateutil.relativedelta import relativedelta


def window_start(day, period_days):
    """First day of the ``period_days`` days ending on ``day`` (both included).

    >>> from datetime import date
    >>> window_start(date(2026, 6, 15), 90)
    datetime.date(2026, 3, 18)
    """
    if period_days < 1:
        raise ValueError("a DSO period lasts at least one day")
    return day - timedelta(days=period_days - 1)


def month_periods(day, period_days):
    """Split the window ending on ``day`` into month-long periods, newest first.

    Each period ends on the same day of the month as ``day`` (or the month's last
    day when shorter) and starts the day after the previous month's; the oldest
    one is cut at the window's start. Returns ``[(date_from, date_to)]``, both
    ends included, covering the window exactly.

    >>> from datetime import date
    >>> for start, end in month_periods(date(2026, 6, 15), 90):
    ...     print(start, end, (end - start).days + 1)
    2026-05-16 2026-06-15 31
    2026-04-16 2026-05-15 30
    2026-03-18 2026-04-15 29
    >>> month_periods(date(2026, 3, 31), 40)
    [(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)), (datetime.date(2026, 2, 20), datetime.date(2026, 2, 28))]
    """
    first = window_start(day, period_days)
    periods, end, months = [], day, 0
    while end >= first:
        months += 1
        start = max(day - relativedelta(months=months) + timedelta(days=1), first)
        periods.append((start, end))
        end = start - timedelta(days=1)
    return periods


def dso_standard(receivables, credit_sales, period_days):
    """Standard DSO: ``max(R, 0) / S × D``, or ``None`` when ``S <= 0``.

    >>> dso_standard(48000, 58000, 90)
    74.48275862068965
    >>> dso_standard(0, 1000, 30)
    0.0
    """
    if credit_sales <= 0:
        return None
    return max(receivables, 0.0) / credit_sales * period_days


def dso_countback(receivables, periods):
    """Countback DSO over ``[(credit_sales, days)]``, newest period first.

    ``remaining = max(R, 0)``; for each period, newest first: if ``remaining``
    covers the period's sales, add its days and take its sales off
    ``remaining``; otherwise add ``remaining / sales × days`` and stop. A period
    with no positive sales adds its days and consumes nothing. Receivables left
    after the oldest period add ``remaining / S × D`` (whole window's sales and
    days). ``None`` when the window has no positive net sales.

    >>> dso_countback(9000, [(9000, 31), (0, 30), (3000, 29)])
    31.0
    >>> dso_countback(52000, [(19000, 31), (26000, 30), (13000, 29)])  # doctest: +ELLIPSIS
    76.615384...
    >>> dso_countback(5000, [(0, 31), (2000, 30)])  # 31 + 30 + 3000 / 2000 × 61
    152.5
    """
    total_sales = sum(sales for sales, _days in periods)
    if total_sales <= 0:
        return None
    remaining = max(receivables, 0.0)
    dso = 0.0
    for sales, days in periods:
        if remaining <= 0:
            return dso
        if sales <= 0:
            dso += days
        elif remaining >= sales:
            dso += days
            remaining -= sales
        else:
            return dso + remaining / sales * days
    if remaining > 0:
        dso += remaining / total_sales * sum(days for _sales, days in periods)
    return dso
