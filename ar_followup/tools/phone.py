# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customer phone numbers for SMS, WhatsApp and calls: E.164 or a reason why not.

Plain Python over `phonenumbers`; the region comes from the customer's country.
A number that cannot be used gives an error code, never an exception, so a
batch goes on and the reminder is skipped with its reason. Numbers are masked
before they reach a log by ``masking.mask_number``.

>>> normalize("098450 12345", "IN")
PhoneCheck(e164='+919845012345', error=None)
>>> normalize("+91 20 2712 4455", None)
PhoneCheck(e164='+912027124455', error=None)
>>> normalize("12345", "IN")
PhoneCheck(e164=None, error='invalid')
>>> normalize("call the office", "IN")
PhoneCheck(e164=None, error='unparsable')
>>> normalize("  ", "IN")
PhoneCheck(e164=None, error='missing')
"""

from collections import namedtuple

import phonenumbers

PhoneCheck = namedtuple("PhoneCheck", "e164 error")

#: error code -> English explanation (models translate them)
ERRORS = {
    "missing": "no phone number",
    "unparsable": "not a phone number",
    "invalid": "not a valid number for its country",
}


def normalize(number, region=None):
    """``number`` in E.164 with ``region`` (ISO country code) for national numbers.

    Returns ``PhoneCheck(e164, None)`` or ``PhoneCheck(None, error)`` with an
    error code of :data:`ERRORS`.

    >>> normalize("+1 650 253 0000", "IN").e164
    '+16502530000'
    >>> normalize("9845012345", None).error  # national number, no country to read it in
    'unparsable'
    """
    number = (number or "").strip()
    if not number:
        return PhoneCheck(None, "missing")
    try:
        parsed = phonenumbers.parse(number, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return PhoneCheck(None, "unparsable")
    if not phonenumbers.is_valid_number(parsed):
        return PhoneCheck(None, "invalid")
    return PhoneCheck(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), None)
