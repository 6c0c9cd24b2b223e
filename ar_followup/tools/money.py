# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Money as a debtor reads it: the currency symbol, and Indian digit grouping for rupees.

Odoo groups digits by the reader's language; a rupee amount written to an
Indian customer reads in lakhs and crores (₹1,25,000.00) whatever the language
of the e-mail, so the grouping follows the currency here.

>>> format_money(125000, "INR", "₹")
'₹1,25,000.00'
>>> format_money(-12345678.5, "INR", "₹")
'-₹1,23,45,678.50'
>>> format_money(125000, "EUR", "€", position="after")
'125,000.00 €'
>>> format_money(999.999, "USD", "$")
'$1,000.00'
"""

from decimal import ROUND_HALF_UP, Decimal

#: currencies written with the Indian grouping (3, then 2 by 2)
INDIAN_GROUPING = {"INR", "NPR"}


def group_digits(digits, indian=False):
    """Insert thousands separators in a string of digits.

    >>> group_digits("1234567"), group_digits("1234567", indian=True), group_digits("999", True)
    ('1,234,567', '12,34,567', '999')
    """
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    size = 2 if indian else 3
    groups = []
    while head:
        groups.insert(0, head[-size:])
        head = head[:-size]
    return ",".join(groups + [tail])


def format_money(amount, currency_code, symbol, position="before", decimals=2):
    """``amount`` rounded half-up to ``decimals``, grouped for ``currency_code``, with its symbol."""
    quantum = Decimal(1).scaleb(-decimals)
    value = Decimal(str(amount)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    integer, _dot, fraction = f"{abs(value):.{decimals}f}".partition(".")
    number = group_digits(integer, indian=currency_code in INDIAN_GROUPING)
    if fraction:
        number = f"{number}.{fraction}"
    if position == "after":
        return f"{sign}{number} {symbol}"
    return f"{sign}{symbol}{number}"
