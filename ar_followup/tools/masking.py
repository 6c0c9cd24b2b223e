# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Personal data and secrets made fit for a server log: the one place that masks them.

The DPDP Act asks for minimal personal data in logs, and a log line must never hand
out a credential. Three kinds of text are masked here, for every addon of the suite:

* phone numbers (:func:`mask_number` for a known number, :data:`PHONE` in free text),
* e-mail addresses (:func:`mask_email`),
* secrets in URLs: a user and password, the values of query parameters that name a
  token, key, signature or password, and path segments that look like a token
  (:func:`mask_urls`).

:func:`mask_text` applies all three to free text: a provider's error message, an
exception. :class:`MaskingFilter` applies it to every record the suite's loggers
emit, the formatted traceback included (:func:`install_log_filter`), so a number
quoted by an exception deep in a provider's library is masked too.

>>> mask_text("The 'To' number +919820012345 is not a valid phone number.")
"The 'To' number +91*******345 is not a valid phone number."
>>> mask_text("550 5.1.1 <ravi.kumar@bharat.example.in>: mailbox unavailable")
'550 5.1.1 <r***@bharat.example.in>: mailbox unavailable'
>>> mask_text("call 098200 12345 or 020-2712-4455 about invoice INV/2026/00042")
'call ********345 or ********455 about invoice INV/2026/00042'
>>> mask_text("recipient 919820012345 (WhatsApp), +91 98200 12345")
'recipient *********345 (WhatsApp), +91*******345'
>>> mask_text("400 for url: https://api.twilio.com/x/Messages.json?To=%2B919820012345")
'400 for url: https://api.twilio.com/x/Messages.json?To=+91*******345'
>>> mask_text("Error 21211 at 2026-06-15 04:30:00, line 1234567")
'Error 21211 at 2026-06-15 04:30:00, line 1234567'
>>> mask_text(None)
''
"""

import logging
import re
from urllib.parse import quote

import phonenumbers

#: an e-mail address: its local part is hidden but for the first character
EMAIL = re.compile(r"([\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]*(@[\w-]+(?:\.[\w-]+)+)")
#: a phone number: 10 digits or more (an Indian mobile), with the separators people
#: write, its ``+`` maybe URL-encoded; not a part of a longer word or number, nor a
#: date followed by its time
PHONE = re.compile(r"(?<![\w-])(?:\+|%2[bB])?\d(?:[\s().-]?\d){9,}(?![\w:])")
#: an absolute URL, up to what usually ends one in a text
URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>\"'`]+")
#: ``user:password@`` after a URL's scheme
USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@]+@")
#: a query parameter whose name says its value is a secret
SECRET_PARAM = re.compile(
    r"([?&;][\w.-]*(?:token|secret|signature|sig|key|password|passwd|pwd|auth|hash)[\w.-]*=)"
    r"[^&#\s]+",
    re.IGNORECASE,
)
#: a path segment that looks like a token or signature: 16 characters or more of
#: letters and digits (both), as links and account ids are built
TOKEN_SEGMENT = re.compile(r"(?<=/)(?=[\w-]*\d)(?=[\w-]*[a-zA-Z])[\w-]{16,}(?=[/?#;]|$)")
#: what a hidden secret reads as
HIDDEN = "***"


def mask_number(number, keep=3):
    """The number with all but its country prefix and last ``keep`` digits hidden, for logs.

    >>> mask_number("+919845012345"), mask_number("+16502530000")
    ('+91*******345', '+1*******000')
    >>> mask_number("98450"), mask_number(None)
    ('**450', '')
    """
    number = number or ""
    prefix = ""
    if number.startswith("+"):
        try:
            code = str(phonenumbers.parse(number).country_code)
        except phonenumbers.NumberParseException:
            code = ""
        prefix, number = "+" + code, number[1 + len(code) :]
    hidden = max(len(number) - keep, 0)
    return prefix + "*" * hidden + number[hidden:]


def mask_email(address):
    """The address with its local part hidden but for its first character.

    >>> mask_email("accounts@coastal.example.in")
    'a***@coastal.example.in'
    """
    return EMAIL.sub(r"\1***\2", address or "")


def mask_urls(text):
    """``text`` with the secrets of every absolute URL in it hidden: user and password,
    secret query values, token-like path segments. The host and the route stay, so
    the log still says what was called.

    >>> mask_urls("GET https://api:s3cret@api.exotel.com/v1/Accounts/x/Calls/connect.json")
    'GET https://***@api.exotel.com/v1/Accounts/x/Calls/connect.json'
    >>> mask_urls("https://odoo.example.in/my/receivables/12/3f9a0c1d2e4b5a6c7d8e9f00?x=1")
    'https://odoo.example.in/my/receivables/12/***?x=1'
    >>> mask_urls("see https://graph.example.com/v23.0/me?access_token=EAAG12x&fields=id.")
    'see https://graph.example.com/v23.0/me?access_token=***&fields=id.'
    >>> mask_urls("https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef/Messages.json")
    'https://api.twilio.com/2010-04-01/Accounts/***/Messages.json'
    """
    return URL.sub(_mask_url, text or "")


def _mask_url(match):
    url = USERINFO.sub(r"\1" + quote(HIDDEN, safe="*") + "@", match.group(0))
    url = SECRET_PARAM.sub(r"\1" + HIDDEN, url)
    scheme, _sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return "%s://%s%s%s" % (scheme, host, slash, TOKEN_SEGMENT.sub(HIDDEN, path))


def _mask_phone(match):
    number = match.group(0)
    digits = re.sub(r"\D", "", number)
    if number[:3].upper() == "%2B":
        digits = digits[1:]  # the 2 of %2B
    return mask_number(("+" if number.startswith(("+", "%")) else "") + digits)


def mask_text(text):
    """``text`` (an error message, an exception) with every secret in a URL, e-mail
    address and phone number in it masked."""
    text = str(text) if text is not None else ""
    return PHONE.sub(_mask_phone, mask_email(mask_urls(text)))


class MaskingFilter(logging.Filter):
    """Masks a log record before any handler sees it: its message with its arguments,
    its traceback and its stack (:func:`mask_text`).

    The traceback is formatted here, masked, and kept as the record's ``exc_text``
    (what formatters print) in place of the exception itself, so no handler can
    format the original again.
    """

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format must still reach the log, masked
            message = "%s %% %r" % (record.msg, record.args)
        record.msg, record.args = mask_text(message), ()
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


#: the one filter of the suite's loggers
LOG_FILTER = MaskingFilter()
#: the suite's loggers: those of ``ar_followup`` and of every ``ar_followup_*`` addon
LOGGER_PREFIX = "odoo.addons.ar_followup"


def _masked_record(*args, **kwargs):
    """The log record factory while :func:`install_log_filter` is in place: the
    previous factory's record, masked by :data:`LOG_FILTER` when a logger of the
    suite made it."""
    record = _previous_factory(*args, **kwargs)
    if record.name.startswith(LOGGER_PREFIX):
        LOG_FILTER.filter(record)
    return record


_previous_factory = None


def install_log_filter():
    """Mask every record a logger of the suite makes, from now on (each addon's
    ``__init__`` calls it once its modules are imported). The masking happens where
    records are made (``logging.setLogRecordFactory``): a logger's filters see only
    the records it makes itself, and a logger created later (a module imported on
    demand) would have none."""
    global _previous_factory
    if _previous_factory is None:
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_masked_record)
    # the loggers created so far also mask with a filter of their own, should the
    # logging set-up put another record factory in place later
    for name, logger in list(logging.getLogger().manager.loggerDict.items()):
        if (
            name.startswith(LOGGER_PREFIX)
            and isinstance(logger, logging.Logger)
            and LOG_FILTER not in logger.filters
        ):
            logger.addFilter(LOG_FILTER)
