# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Free text made fit for a server log: phone numbers and e-mail addresses masked.

A provider's error message or an exception may quote the number or address it was
given; the DPDP Act asks for minimal personal data in logs, so any text that may
quote one goes through :func:`mask_text` before it is logged. Known numbers use
``phone.mask`` directly.

>>> mask_text("The 'To' number +919820012345 is not a valid phone number.")
"The 'To' number +91*******345 is not a valid phone number."
>>> mask_text("550 5.1.1 <ravi.kumar@bharat.example.in>: mailbox unavailable")
'550 5.1.1 <r***@bharat.example.in>: mailbox unavailable'
>>> mask_text("call 098200 12345 or 020-2712-4455 about invoice INV/2026/00042")
'call ********345 or ********455 about invoice INV/2026/00042'
>>> mask_text(None)
''
"""

import re

from .phone import mask

#: an e-mail address: its local part is hidden but for the first character
EMAIL = re.compile(r"([\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]*(@[\w-]+(?:\.[\w-]+)+)")
#: a phone number: 10 digits or more (an Indian mobile), with the separators people write
PHONE = re.compile(r"\+?\d(?:[\s().-]?\d){9,}")


def mask_email(address):
    """The address with its local part hidden but for its first character.

    >>> mask_email("accounts@coastal.example.in")
    'a***@coastal.example.in'
    """
    return EMAIL.sub(r"\1***\2", address or "")


def _mask_phone(match):
    number = match.group(0)
    digits = re.sub(r"\D", "", number)
    return mask(("+" if number.startswith("+") else "") + digits)


def mask_text(text):
    """``text`` (an error message, an exception) with every e-mail address and phone
    number in it masked."""
    return PHONE.sub(_mask_phone, mask_email(str(text) if text is not None else ""))
