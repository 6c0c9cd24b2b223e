# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Exotel voice v1 "connect two numbers": the collector's phone rings first, then the
customer's (contract: ``shared/contracts/exotel.md``).

Basic auth (API key, token); form-encoded body; JSON answers (``.json`` path);
errors as ``{"RestException": {"Status", "Code", "Message"}}``. Status callbacks
carry no signature: the URL holds an unguessable token and only calls we placed
are updated (see ``controllers/exotel.py``).

>>> parse_time("2026-06-15 10:05:30", "Asia/Kolkata")
datetime.datetime(2026, 6, 15, 4, 35, 30)
>>> parse_time("yesterday", "Asia/Kolkata") is None
True
>>> parse_int("95"), parse_int("abc"), parse_int(None)
(95, None, None)
"""

import json
from datetime import datetime

import pytz

from .call_transport import TIMEOUT, CallError, kind_of_status, post

DEFAULT_HOST = "api.exotel.com"
#: statuses Exotel reports on a call
STATUSES = ("queued", "in-progress", "completed", "failed", "busy", "no-answer")


class ExotelClient:
    #: seconds to wait for the answer: the collector waits for it
    timeout = TIMEOUT

    def __init__(self, base_url, sid, api_key, api_token):
        self.base_url = base_url.rstrip("/")
        self.sid = sid
        self.auth = (api_key or "", api_token or "")

    def connect(self, agent, customer, caller_id, reference, status_callback):
        """Ring ``agent`` then ``customer`` (E.164); returns ``(call sid, status)``.

        ``reference`` (ours) goes in ``CustomField``; Exotel posts the call's end to
        ``status_callback``. Raises :class:`CallError`.
        """
        return self._connect(
            {"From": agent, "To": customer, "CallerId": caller_id, "Record": "true"},
            reference,
            status_callback,
        )

    def connect_flow(self, customer, caller_id, app_id, custom, status_callback):
        """Call ``customer`` into the flow ``app_id`` (an automated call); returns
        ``(call sid, status)``. ``custom`` (≤ 128 characters) reaches the flow as
        ``CustomField``. Raises :class:`CallError`."""
        return self._connect(
            {"From": customer, "CallerId": caller_id, "Url": flow_url(self.sid, app_id)},
            custom,
            status_callback,
        )

    def _connect(self, fields, custom, status_callback):
        url = "%s/v1/Accounts/%s/Calls/connect.json" % (self.base_url, self.sid)
        response = post(
            url,
            timeout=self.timeout,
            auth=self.auth,
            data={
                **fields,
                "CallType": "trans",
                "CustomField": custom[:128],
                "StatusCallback": status_callback,
                "StatusCallbackEvents[0]": "terminal",
                "StatusCallbackContentType": "application/json",
            },
        )
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 300:
            error = body.get("RestException") if isinstance(body, dict) else None
            message = (error or {}).get("Message") or response.reason or "error"
            raise CallError(
                kind_of_status(response.status_code),
                "Exotel %s: %s" % (response.status_code, message),
                status=response.status_code,
                body=response.text,
            )
        call = body.get("Call") if isinstance(body, dict) else None
        if not isinstance(call, dict) or not call.get("Sid"):
            # Exotel took the request (2xx) but said nothing we can follow: it may ring
            raise CallError("uncertain", "Exotel answered without a call id", body=response.text)
        status = call.get("Status") if call.get("Status") in STATUSES else "queued"
        return str(call["Sid"])[:64], status


def flow_url(sid, app_id):
    """The ExoML address of the flow (app) ``app_id`` of account ``sid``.

    >>> flow_url("shakti1", "231")
    'http://my.exotel.com/shakti1/exoml/start_voice/231'
    """
    return "http://my.exotel.com/%s/exoml/start_voice/%s" % (sid, app_id)


def parse_callback(body, content_type):
    """The fields of a status callback (JSON or form), as a dict of strings, or {}."""
    if "json" in (content_type or ""):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return {}


def parse_time(value, tz_name):
    """Exotel's ``YYYY-MM-DD HH:mm:ss`` (the account's time zone) as naive UTC, or None."""
    try:
        local = datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return None
    return pytz.timezone(tz_name).localize(local).astimezone(pytz.utc).replace(tzinfo=None)


def parse_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
