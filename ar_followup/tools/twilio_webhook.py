# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Twilio's incoming-message webhook: its signature and the words that opt out.

Twilio signs each request it makes to a webhook with ``X-Twilio-Signature``: the
base64 HMAC-SHA1, keyed by the account's auth token, of the full URL it called
followed by every POST parameter, sorted by name, as name then value. Odoo's
``sms_twilio`` computes the same digest only for its status callback URL
(``generate_twilio_sms_callback_signature`` builds that URL itself), so the
incoming-message route signs its own URL here.

Twilio's documented example (Webhooks security):

>>> sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
...      {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675310", "Digits": "1234",
...       "From": "+14158675310", "To": "+18005551212"})
'GvWf1cFY/Q7PnoempGyD5oXAezc='
>>> check_signature("12345", "https://a.example/x", {"Body": "hi"},
...                 sign("12345", "https://a.example/x", {"Body": "hi"}))
True
>>> check_signature("12345", "https://a.example/x", {"Body": "hi!"},
...                 sign("12345", "https://a.example/x", {"Body": "hi"}))
False
>>> check_signature("12345", "https://a.example/x", {}, None)
False
"""

import base64
import hashlib
import hmac
import re

#: Twilio's opt-out keywords (it stops delivering to a number that sends one, and
#: still forwards the message) and the Hindi "stop": the reminders stop too
STOP_WORDS = {
    "stop",
    "stopall",
    "unsubscribe",
    "cancel",
    "end",
    "quit",
    "बंद करें",
    "बंद",
    "बन्द करें",
}
#: the answer Twilio expects: TwiML that sends nothing back
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
#: what a Twilio account SID looks like
ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
#: what a Twilio message SID looks like (SMS "SM…", MMS "MM…")
MESSAGE_SID = re.compile(r"(?:SM|MM)[0-9a-fA-F]{32}")


def sign(auth_token, url, params):
    """Twilio's signature of a POST to ``url`` with the form ``params`` (a mapping,
    or ``(name, value)`` pairs when a name repeats)."""
    items = params.items() if hasattr(params, "items") else params
    data = url + "".join("%s%s" % (name, value) for name, value in sorted(items))
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def check_signature(auth_token, url, params, signature):
    """Whether ``signature`` (the header's value) is Twilio's for this request."""
    if not auth_token or not isinstance(signature, str) or not signature:
        return False
    return hmac.compare_digest(sign(auth_token, url, params).encode(), signature.encode())


def is_stop(body):
    """Whether the message ``body`` is one opt-out word, case, spaces and a final
    full stop aside.

    >>> is_stop(" Stop. "), is_stop("STOPALL"), is_stop("बंद करें"), is_stop("stop it later")
    (True, True, True, False)
    """
    words = " ".join((body or "").split()).strip(" .!।").lower()
    return words in STOP_WORDS
