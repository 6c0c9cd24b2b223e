# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How the demo customers answer the reminders of the demo's history, as plain data.

Used only by the demo data (``ar.followup.demo._ar_demo_play_history``); tests never
rely on it. The demo plays the last :data:`HISTORY_DAYS` days through the real
engine; each reminder that went out meets a customer who, drawn from a seeded
generator, ignores it, opens an invoice online, follows a link, or answers by
e-mail with a promise, a dispute or a claim that it paid. The same draws come out
whenever the demo is loaded, so the story is the same.

>>> import random
>>> rng = random.Random(SEED)
>>> reactions = [react(rng) for _ in range(400)]
>>> sorted(set(reactions))
['click', 'dispute', 'ignore', 'paid', 'promise', 'view']
>>> 0.4 < reactions.count("ignore") / len(reactions) < 0.6
True
>>> [react(random.Random(SEED)) for _ in range(3)] == [react(random.Random(SEED))] * 3
True
"""

from datetime import timedelta

#: how many days of follow-up the demo plays before its "today"
HISTORY_DAYS = 90

SEED = 2026

#: (reaction, weight): what a customer does the day after a reminder reached it
REACTIONS = (
    ("ignore", 50),
    ("view", 18),
    ("click", 14),
    ("promise", 10),
    ("dispute", 4),
    ("paid", 4),
)

#: the customer's answer by e-mail for each reaction that is a reply; ``{invoice}``
#: is the first invoice of the reminder, ``{day}`` the day of the month promised
REPLIES = {
    "promise": (
        "Dear Sir, we will clear {invoice} on {day}.\n\nRegards,\nAccounts",
        "Noted. Payment of {invoice} will be released by {day}.",
        "Sir, funds are tight this month. We shall pay {invoice} on {day}.",
    ),
    "dispute": (
        (
            "We have not received the full material against {invoice}: only 80 of the 100 "
            "lots reached us."
        ),
        (
            "Goods received against {invoice} were defective, we are holding the payment "
            "till replacement."
        ),
    ),
    "paid": ("We have paid {invoice} yesterday by NEFT, UTR {utr}. Kindly check.",),
}

#: the AR team's answer when it closes a dispute raised by a reply
DISPUTE_ANSWER = "Checked the signed delivery challan: the full quantity was received."


def react(rng):
    """One customer's reaction to a reminder (see :data:`REACTIONS`)."""
    kinds, weights = zip(*REACTIONS, strict=True)
    return rng.choices(kinds, weights)[0]


def ordinal(day_of_month):
    """The day of the month as a customer writes it.

    >>> [ordinal(d) for d in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 30)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '30th']
    """
    if 10 < day_of_month % 100 < 14:
        return "%dth" % day_of_month
    return "%d%s" % (day_of_month, {1: "st", 2: "nd", 3: "rd"}.get(day_of_month % 10, "th"))


def reply_text(rng, kind, invoice, day):
    """The text of a reply of ``kind`` about ``invoice`` written on ``day``; a promise
    names a day of the month four to twelve days later.

    >>> import random
    >>> from datetime import date
    >>> reply_text(random.Random(1), "promise", "INV/2026/00042", date(2026, 6, 20))
    'Sir, funds are tight this month. We shall pay INV/2026/00042 on 26th.'
    """
    promised = day + timedelta(days=rng.randint(4, 12))
    return rng.choice(REPLIES[kind]).format(
        invoice=invoice, day=ordinal(promised.day), utr="HDFCN%08d" % rng.randint(0, 10**8 - 1)
    )
