# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What happened to each SMS an Odoo SMS API call sent, for retries and fallbacks.

Odoo's SMS API classes (``sms/tools/sms_api.py``, ``sms_twilio``) report a
failed SMS with a failure type only: a Twilio 503 and an unknown 4xx both come
back as ``unknown``, a connection refused and a read timeout both as
``server_error``. The dispatcher needs to tell them apart (retry, fall back, or
stop because the SMS may have left), so :func:`recording_api_class` derives a
class from the company's API class that also records, per SMS uuid, the HTTP
status or the kind of network error of its request.

Its Twilio requests go where :mod:`.provider_urls` says (a local fake server in
tests), which Odoo's Twilio class does not allow.

>>> outcome_kind(201), outcome_kind(400), outcome_kind(503), outcome_kind(429)
('ok', 'permanent', 'transient', 'transient')
>>> outcome_kind(CONNECT_ERROR), outcome_kind(READ_TIMEOUT), outcome_kind(None)
('transient', 'uncertain', None)
"""

import requests
import urllib3

from . import provider_urls

#: the request never reached the provider (refused, DNS, connect timeout)
CONNECT_ERROR = "connect_error"
#: the request left and no answer came: the SMS may have been sent
READ_TIMEOUT = "read_timeout"
TWILIO_BASE_URL = "https://api.twilio.com"


def outcome_kind(outcome):
    """``ok``, ``transient``, ``permanent`` or ``uncertain`` for a recorded outcome
    (an HTTP status or one of the constants above); None when nothing was recorded."""
    if outcome is None:
        return None
    if outcome == CONNECT_ERROR:
        return "transient"
    if outcome == READ_TIMEOUT:
        return "uncertain"
    if 200 <= outcome < 300:
        return "ok"
    if outcome == 429 or outcome >= 500:
        return "transient"
    return "permanent"


def network_outcome(exc):
    """:data:`CONNECT_ERROR` when ``exc`` (a ``requests`` error) shows the request never
    reached the provider, else :data:`READ_TIMEOUT`: a connection reset or a timeout
    after the request was written may hide a sent SMS, so it counts as uncertain.

    >>> network_outcome(requests.exceptions.ConnectTimeout())
    'connect_error'
    >>> network_outcome(requests.exceptions.ReadTimeout())
    'read_timeout'
    >>> network_outcome(requests.exceptions.ConnectionError("Connection aborted."))
    'read_timeout'
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return CONNECT_ERROR
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(exc, requests.exceptions.ConnectionError) and isinstance(
        reason, urllib3.exceptions.NewConnectionError
    ):
        return CONNECT_ERROR  # refused or unresolved: nothing was written
    return READ_TIMEOUT


class _RecordingSession:
    """A ``requests`` session stand-in: records the outcome of each POST, may change its host."""

    def __init__(self, session, outcomes, key):
        self._session = session
        self._outcomes = outcomes
        self._key = key

    def post(self, url, *args, **kwargs):
        base_url = provider_urls.base_url("twilio", TWILIO_BASE_URL)
        if url.startswith(TWILIO_BASE_URL):
            url = base_url.rstrip("/") + url[len(TWILIO_BASE_URL) :]
        try:
            response = self._session.post(url, *args, **kwargs)
        except requests.exceptions.RequestException as exc:
            self._outcomes[self._key] = network_outcome(exc)
            raise
        self._outcomes[self._key] = response.status_code
        return response

    def __getattr__(self, name):
        return getattr(self._session, name)


def recording_api_class(api_class):
    """A subclass of ``api_class`` whose instances record ``outcomes`` ``{sms uuid: outcome}``.

    Only providers sending one HTTP request per SMS through
    ``_sms_twilio_send_request`` can be recorded (Odoo's Twilio class);
    others are returned unchanged, and the caller reads the SMS failure type.
    """
    if not hasattr(api_class, "_sms_twilio_send_request"):
        return api_class

    class RecordingSmsApi(api_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.outcomes = {}

        def _sms_twilio_send_request(self, session, to_number, body, uuid):
            recording = _RecordingSession(session, self.outcomes, uuid)
            return super()._sms_twilio_send_request(recording, to_number, body, uuid)

    RecordingSmsApi.__name__ = "Recording%s" % api_class.__name__
    return RecordingSmsApi
