# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local stand-in for Twilio's Messages API, for tests (contract: /work/shared/contracts/sms-india.md).

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with Basic auth (SID,
token) and form fields ``To``, ``From``, ``Body``, ``StatusCallback`` answers
``201 {"sid": "SM...", "status": "queued", "error_code": null, ...}``, or what
the test scripted for the number: a Twilio error
(``{"code": 21211, "message": ..., "more_info": ..., "status": 400}``), a
5xx outage, or no answer at all (the connection is held past the client's
timeout). :meth:`FakeTwilio.status_callback` builds the signed status callback
Twilio posts to ``StatusCallback``.
"""

import base64
import hashlib
import hmac
import itertools
from urllib.parse import parse_qs

from .fake_server import HOLD, FakeServer

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "f" * 32


def twilio_error(code, message, status=400):
    """A Twilio error answer: ``(status, body)``."""
    return status, {
        "code": code,
        "message": message,
        "more_info": "https://www.twilio.com/docs/errors/%s" % code,
        "status": status,
    }


#: answers a test can script for a number
INVALID_NUMBER = twilio_error(21211, "The 'To' number is not a valid phone number.")
OUTAGE = twilio_error(20500, "Internal Server Error", status=500)
UNAVAILABLE = twilio_error(20503, "Service Unavailable", status=503)
NO_ANSWER = HOLD


class FakeTwilio(FakeServer):
    """Run with ``with FakeTwilio() as twilio:``; ``twilio.url`` is its base URL.

    ``script[number]`` is a list of answers given in turn to messages for that
    number (success once it is empty); ``messages`` records what was accepted,
    ``requests`` every request.
    """

    provider = "twilio"

    def __init__(self, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN):
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.script = {}
        self.requests = []
        self.messages = []
        self._sids = itertools.count(1)

    def _answer_request(self, method, path, headers, raw):
        if method != "POST":
            return 405, {"code": 20004, "message": "Method not allowed", "status": 405}
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        return self._answer(path, headers.get("Authorization"), form)

    def _answer(self, path, authorization, form):
        self.requests.append({"path": path, **form})
        expected = "/2010-04-01/Accounts/%s/Messages.json" % self.account_sid
        credentials = "Basic " + base64.b64encode(
            ("%s:%s" % (self.account_sid, self.auth_token)).encode()
        ).decode("ascii")
        if path != expected:
            return 404, {"code": 20404, "message": "Not found", "status": 404}
        if authorization != credentials:
            return twilio_error(20003, "Authenticate", status=401)
        if not form.get("To"):
            return twilio_error(21604, "A 'To' phone number is required.")
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return twilio_error(21603, "A 'From' phone number is required.")
        scripted = self.script.get(form["To"])
        if scripted:
            answer = scripted.pop(0)
            if answer == NO_ANSWER:
                return NO_ANSWER, 8  # longer than the Twilio client's 5 s timeout
            return answer
        sid = "SM%032d" % next(self._sids)
        message = {
            "sid": sid,
            "account_sid": self.account_sid,
            "to": form["To"],
            "from": form.get("From"),
            "body": form.get("Body", ""),
            "status": "queued",
            "error_code": None,
            "error_message": None,
            "status_callback": form.get("StatusCallback"),
        }
        self.messages.append(message)
        return 201, {k: v for k, v in message.items() if k != "status_callback"}

    def status_callback(self, message, status, error_code=None, error_message=None):
        """``(url, form, headers)`` of Twilio's status callback for ``message``, signed
        like Twilio does (HMAC-SHA1 of the URL and the sorted parameters, auth token)."""
        form = {
            "AccountSid": self.account_sid,
            "MessageSid": message["sid"],
            "SmsSid": message["sid"],
            "MessageStatus": status,
            "SmsStatus": status,
            "To": message["to"],
            "From": message["from"] or "",
        }
        if error_code:
            form["ErrorCode"] = str(error_code)
            form["ErrorMessage"] = error_message or ""
        url = message["status_callback"]
        data = url + "".join("%s%s" % (k, v) for k, v in sorted(form.items()))
        signature = base64.b64encode(
            hmac.new(self.auth_token.encode(), data.encode(), hashlib.sha1).digest()
        ).decode()
        return url, form, {"X-Twilio-Signature": signature}

    def incoming(self, url, number, body, sid=None, to="+15005550006", **extra):
        """``(form, headers)`` of Twilio's incoming-message webhook posting an SMS from
        ``number`` to ``url``, signed like Twilio does (HMAC-SHA1 of the URL and the
        sorted parameters, auth token)."""
        sid = sid or "SM%032x" % next(self._sids)
        form = {
            "ToCountry": "US",
            "ToState": "CA",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "FromCountry": "IN",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": body,
            "To": to,
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": self.account_sid,
            "From": number,
            "ApiVersion": "2010-04-01",
            **extra,
        }
        return form, {"X-Twilio-Signature": self.signature(url, form)}

    def signature(self, url, form, auth_token=None):
        """Twilio's ``X-Twilio-Signature`` of a POST of ``form`` to ``url``."""
        data = url + "".join("%s%s" % (k, v) for k, v in sorted(form.items()))
        return base64.b64encode(
            hmac.new((auth_token or self.auth_token).encode(), data.encode(), hashlib.sha1).digest()
        ).decode()
