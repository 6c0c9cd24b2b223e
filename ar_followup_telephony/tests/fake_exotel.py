# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local stand-in for Exotel's voice v1 "connect two numbers" (contract:
/work/shared/contracts/exotel.md), for tests.

``POST /v1/Accounts/{sid}/Calls/connect.json`` with Basic auth (API key, token)
and a form-encoded body (``From``, ``CallerId`` and ``To``, or ``Url`` of a flow
for an automated call to ``From``) answers
``200 {"Call": {"Sid", "Status": "in-progress", ...}}``, or what the test
scripted for the customer's number (``To``): an Exotel error
(``{"RestException": {"Status", "Code", "Message"}}``: 400, 401, 403, 429, 5xx),
or a slow answer held past the client's timeout. :meth:`FakeExotel.status_callback`
builds the JSON body Exotel posts to ``StatusCallback`` when the call ends.
"""

import base64
import itertools
from urllib.parse import parse_qs

from odoo.addons.ar_followup.tests.fake_server import HOLD, FakeServer

SID = "shaktisteel1"
API_KEY = "k" * 40
API_TOKEN = "t" * 40


def exotel_error(status, message, code=None):
    return status, {"RestException": {"Status": status, "Code": code or status, "Message": message}}


UNAUTHORIZED = exotel_error(401, "Authentication is required to view this resource.")
TOO_MANY = exotel_error(429, "Too many requests")
OUTAGE = exotel_error(503, "Service Unavailable")
SLOW = HOLD


class FakeExotel(FakeServer):
    """Run with ``with FakeExotel() as exotel:``; ``exotel.url`` is its base URL.

    ``script[number]``: answers given in turn to calls to that customer number;
    ``calls`` what was accepted; ``requests`` every request (with its headers).
    """

    provider = "exotel"

    def __init__(self, sid=SID, api_key=API_KEY, api_token=API_TOKEN):
        super().__init__()
        self.sid, self.api_key, self.api_token = sid, api_key, api_token
        self.script = {}
        self.requests = []
        self.calls = []
        self._sids = itertools.count(1)

    def _answer_request(self, method, path, headers, raw):
        return self._answer(path, headers, raw.decode())

    def _answer(self, path, headers, raw):
        form = {k: v[0] for k, v in parse_qs(raw).items()}
        self.requests.append({"path": path, "headers": dict(headers), **form})
        if path != "/v1/Accounts/%s/Calls/connect.json" % self.sid:
            return exotel_error(404, "Not found")
        credentials = "Basic " + base64.b64encode(
            ("%s:%s" % (self.api_key, self.api_token)).encode()
        ).decode("ascii")
        if headers.get("Authorization") != credentials:
            return UNAUTHORIZED
        if "x-www-form-urlencoded" not in (headers.get("Content-Type") or ""):
            return exotel_error(400, "Form-encoded body expected")
        for field in ("From", "CallerId"):
            if not form.get(field):
                return exotel_error(400, "Missing parameter %s" % field, code=21201)
        if not form.get("To") and not form.get("Url", "").startswith("http://my.exotel.com/"):
            return exotel_error(400, "Missing parameter To or Url", code=21201)
        # the customer: called second, or alone into a flow
        scripted = self.script.get(form.get("To") or form["From"])
        if scripted:
            answer = scripted.pop(0)
            if answer == SLOW:
                return SLOW, 17  # longer than the client's 15 s read timeout
            return answer
        call = {
            "Sid": "c5797dcb%024d" % next(self._sids),
            "ParentCallSid": None,
            "DateCreated": "2026-06-15 10:00:00",
            "AccountSid": self.sid,
            "To": form.get("To"),
            "Url": form.get("Url"),
            "From": form["From"],
            "PhoneNumberSid": form["CallerId"],
            "Status": "in-progress",
            "Direction": "outbound-api",
            "RecordingUrl": None,
            "CustomField": form.get("CustomField"),
            "StatusCallback": form.get("StatusCallback"),
        }
        self.calls.append(call)
        return 200, {
            "Call": {k: v for k, v in call.items() if k not in ("CustomField", "StatusCallback")}
        }

    def status_callback(self, call, status, duration=0):
        """``(url, JSON body)`` of the terminal status callback Exotel posts for ``call``."""
        body = {
            "CallSid": call["Sid"],
            "EventType": "terminal",
            "Status": status,
            "DateCreated": "2026-06-15 10:00:00",
            "DateUpdated": "2026-06-15 10:01:45",
            "StartTime": "2026-06-15 10:00:05",
            "EndTime": "2026-06-15 10:01:45" if status == "completed" else "",
            "ConversationDuration": duration,
            "To": call["To"],
            "From": call["From"],
            "Direction": "outbound-api",
            "CustomField": call["CustomField"],
            "RecordingUrl": "https://recordings.exotel.com/%s.mp3" % call["Sid"]
            if status == "completed"
            else None,
            "Legs": [{"OnCallDuration": duration, "Status": status, "AnsweredBy": "human"}],
        }
        return call["StatusCallback"], body
