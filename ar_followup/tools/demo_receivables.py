# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo company's invoices as plain data: who bought what, when, and when they paid.

Used only by the demo data (``ar.followup.demo._ar_demo_load_receivables``); tests
never rely on it. Every customer has a payment habit. Invoices are issued over
the customer's history and settled the way the habit says, so what is still
unpaid today *is* the open position, spread over the ageing buckets the way
such habits spread it: government buyers fill 61–90 and 90+, new customers
pile up late invoices, VIPs are never overdue, the twelve-year strategic
account pays on time. Dates are relative to ``today`` and the generator is
seeded, so the story is the same whenever the demo is loaded.

>>> from datetime import date
>>> today = date(2026, 6, 15)
>>> plans = plan_invoices(today)
>>> 170 <= len(plans) <= 230
True
>>> all(p.date <= today and (p.paid_on is None or p.date <= p.paid_on <= today) for p in plans)
True
>>> min(p.date for p in plans if p.customer == "kaveri") < date(2014, 7, 1)
True
>>> ranges = bucket_ranges([("not_due", 0), ("1_30", 30), ("31_60", 60), ("61_90", 90), ("90+", None)])
>>> sorted({find_bucket(ranges, days_overdue(p.due, today)) for p in plans if p.paid_on is None})
['1_30', '31_60', '61_90', '90+', 'not_due']
>>> plans == plan_invoices(today)
True
"""

import random
from collections import namedtuple
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from .ageing import bucket_ranges, days_overdue, find_bucket  # noqa: F401 (doctests)

SEED = 2014

TERM_15 = "account.account_payment_term_15days"
TERM_30 = "account.account_payment_term_30days"
TERM_45 = "account.account_payment_term_45days"

#: How a kind of customer buys and pays. ``every``: days between two invoices;
#: ``amount``: untaxed rupees; ``late``: days after the due date it pays
#: (negative: early); ``partial``: chance an overdue open invoice got a part payment.
Habit = namedtuple("Habit", "term term_days every amount late partial")

HABITS = {
    "strategic_early": Habit(TERM_30, 30, (200, 250), (150000, 400000), (-4, 0), 0.0),
    "strategic": Habit(TERM_30, 30, (50, 70), (300000, 850000), (-4, 0), 0.0),
    "government": Habit(TERM_45, 45, (25, 35), (180000, 1200000), (60, 200), 0.15),
    "vip": Habit(TERM_30, 30, (15, 25), (80000, 550000), (-6, 0), 0.0),
    "fixed_day": Habit(TERM_30, 30, (20, 28), (40000, 250000), (0, 0), 0.0),
    "new": Habit(TERM_15, 15, (18, 28), (12000, 85000), (12, 80), 0.25),
    "regular": Habit(TERM_30, 30, (18, 28), (45000, 320000), (-2, 18), 0.0),
    "slow": Habit(TERM_30, 30, (18, 28), (35000, 260000), (20, 48), 0.15),
}

#: customer key (xml id ``ar_followup.demo_partner_<key>``) -> [(habit, from, to months ago)]
CUSTOMERS = {
    # twelve years of business: a few large orders a year at first, more now
    "kaveri": [("strategic_early", 144, 24), ("strategic", 24, 0)],
    "mspdcl": [("government", 10, 0)],
    "gnmc": [("government", 9, 0)],
    "dis": [("government", 10, 0)],
    "gwsc": [("government", 9, 0)],
    "sahyadri": [("vip", 3, 0)],
    "narmada": [("vip", 3, 0)],
    "coromandel": [("vip", 3, 0)],
    "punjab_agro": [("vip", 3, 0)],
    "deccan": [("fixed_day", 5, 0)],
    "aravalli": [("fixed_day", 5, 0)],
    "hooghly": [("fixed_day", 5, 0)],
    "konkan": [("fixed_day", 4, 0)],
    "shree_ganesh": [("new", 5, 0)],
    "om_sai": [("new", 4, 0)],
    "balaji": [("new", 4, 0)],
    "lakshmi": [("new", 4, 0)],
    "maa_durga": [("new", 3, 0)],
    "royal": [("new", 3, 0)],
    "malabar": [("regular", 4, 0)],
    "ganga": [("regular", 3, 0)],
    "kalinga": [("slow", 5, 0)],
    "sabarmati": [("regular", 4, 0)],
    "brahmaputra": [("slow", 5, 0)],
    "chambal": [("slow", 4, 0)],
    "godavari": [("regular", 3, 0)],
    "mysore_silk": [("regular", 3, 0)],
    "shivalik": [("regular", 3, 0)],
    "indus": [("regular", 4, 0)],
    "vaigai": [("regular", 3, 0)],
}

#: the day of the month each fixed-day payer pays everything then due
PAY_DAYS = {"deccan": 10, "aravalli": 25, "hooghly": 5, "konkan": 15}

#: unit prices of a lot of hydraulic fittings, in rupees
FITTING_PRICES = (185, 240, 320, 475, 650, 1250)

#: one planned invoice: ``product`` is "fittings" or "amc"; ``paid_on`` is None
#: while it is open today, ``part`` the share of an open invoice already paid
Plan = namedtuple("Plan", "customer term date due product quantity price paid_on part ref")


def plan_invoices(today, seed=SEED):
    """Every customer's invoices, oldest first (so invoice numbers follow dates)."""
    rng = random.Random(seed)
    plans = []
    for customer, periods in CUSTOMERS.items():
        for habit_key, start, end in periods:
            habit = HABITS[habit_key]
            day = today - relativedelta(months=start) + timedelta(days=rng.randint(0, 7))
            while day <= today - relativedelta(months=end):
                plans.append(_plan_invoice(customer, habit, day, today, rng))
                day += timedelta(days=rng.randint(*habit.every))
    return sorted(plans, key=lambda plan: (plan.date, plan.customer))


def _plan_invoice(customer, habit, day, today, rng):
    due = day + timedelta(days=habit.term_days)
    if customer in PAY_DAYS:
        paid_on = next_day_of_month(due, PAY_DAYS[customer])
    else:
        paid_on = max(day, due + timedelta(days=rng.randint(*habit.late)))
    if rng.random() < 0.2:
        product, quantity = "amc", 1
        price = rng.randint(habit.amount[0] // 1000, habit.amount[1] // 1000) * 1000
    else:
        product, price = "fittings", rng.choice(FITTING_PRICES)
        quantity = max(10, round(rng.randint(*habit.amount) / price, -1))
    is_open = paid_on > today
    part = 0.0
    if is_open and due < today and rng.random() < habit.partial:
        part = rng.choice((0.25, 0.4, 0.5))
    ref = "PO/%s/%04d" % (customer[:3].upper(), rng.randint(1, 9999))
    return Plan(
        customer,
        habit.term,
        day,
        due,
        product,
        quantity,
        price,
        None if is_open else paid_on,
        part,
        ref,
    )


def next_day_of_month(day, day_of_month):
    """The first ``day_of_month`` on or after ``day``.

    >>> from datetime import date
    >>> next_day_of_month(date(2026, 6, 11), 10), next_day_of_month(date(2026, 6, 10), 10)
    (datetime.date(2026, 7, 10), datetime.date(2026, 6, 10))
    """
    candidate = day.replace(day=day_of_month)
    return candidate if candidate >= day else candidate + relativedelta(months=1)
