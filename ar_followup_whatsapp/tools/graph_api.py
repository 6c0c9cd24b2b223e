# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A client of Meta's WhatsApp Cloud API (Graph API), plain Python over ``requests``.

One session per client, timeouts on every call, Graph errors sorted into what
the caller does next (:data:`KINDS`), phone numbers masked before they reach a
log, the access token never logged. The base URL is configurable so tests
point it at a local fake server.

>>> error_kind(429, 130429), error_kind(400, 131026), error_kind(401, 190)
('transient', 'undeliverable', 'token')
>>> error_kind(400, 132001), error_kind(400, 100), error_kind(503, None)
('template', 'permanent', 'transient')
>>> sign(b"secret", b'{"a": 1}')[:16]
'sha256=9efa14a18'
>>> check_signature(b"secret", b'{"a": 1}', sign(b"secret", b'{"a": 1}'))
True
>>> check_signature(b"secret", b'{"a": 2}', sign(b"secret", b'{"a": 1}'))
False
>>> check_signature(b"secret", b"x", None), check_signature(b"", b"x", "sha256=00")
(False, False)
"""

import hashlib
import hmac
import logging
import re
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from odoo.addons.ar_followup.tools import masking

_logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
#: where Meta serves the media customers send (the token goes with the request)
MEDIA_HOST = "lookaside.fbsbx.com"
#: WhatsApp's own limit for documents
MAX_MEDIA_BYTES = 100 * 1024 * 1024
#: ``v<major>.<minor>``: the Graph API versions Meta publishes
VERSION = re.compile(r"^v\d{1,3}\.\d{1,2}$")
#: seconds to connect and to wait for an answer: a send whose answer is late may have
#: left, so the wait is generous
TIMEOUT = 20

#: what a Graph error means for the caller
KINDS = {
    "transient": "nothing left, try again later (rate limits, outages)",
    "uncertain": "the request may have been taken: never repeat it",
    "undeliverable": "the number cannot receive WhatsApp messages: use another channel",
    "template": "the template or its parameters are refused: fix the template",
    "token": "the access token expired or is invalid: an administrator must renew it",
    "permanent": "refused for another reason: do not repeat",
}
#: throughput (130429), pair (131056), spam (131048) limits, temporary errors (1, 2, 4, 80007,
#: 131000, 131016), service unavailable (133004)
TRANSIENT_CODES = {1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131048, 131056, 133004}
UNDELIVERABLE_CODES = {131026, 131047, 131049}
#: template missing or not approved, parameter count/format, paused, disabled, and the other
#: template errors of Meta's table (132005 text too long, 132007 policy, 132068 flow)
TEMPLATE_CODES = {132000, 132001, 132005, 132007, 132012, 132015, 132016, 132068, 132069}
TOKEN_CODES = {190}


def _connected(exc):
    """Whether a ``requests`` connection error came once the connection was made, when
    the request may have gone out; a TLS handshake that failed sent nothing."""
    if isinstance(exc, requests.exceptions.SSLError):
        return False
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
    return not isinstance(reason, NewConnectionError)


def error_kind(http_status, code):
    """The kind (:data:`KINDS`) of a Graph error answered with ``http_status`` and ``code``."""
    if code in TOKEN_CODES or http_status == 401:
        return "token"
    if code in UNDELIVERABLE_CODES:
        return "undeliverable"
    if code in TEMPLATE_CODES:
        return "template"
    if code in TRANSIENT_CODES or http_status == 429 or (http_status or 0) >= 500:
        return "transient"
    return "permanent"


def sign(secret, body):
    """``X-Hub-Signature-256`` of ``body`` (bytes) under the app ``secret`` (bytes)."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def check_signature(secret, body, header):
    """Whether ``header`` is the signature of the raw ``body`` under ``secret``
    (constant-time comparison; no secret, no header: False)."""
    if not secret or not header or not isinstance(header, str):
        return False
    return hmac.compare_digest(sign(secret, body).encode(), header.strip().lower().encode())


class GraphError(Exception):
    """A call failed: ``kind`` (:data:`KINDS`), Meta's ``code`` and ``http_status`` when
    it answered, and its message (numbers masked)."""

    def __init__(self, kind, message, code=None, http_status=None):
        super().__init__(message)
        self.kind = kind
        self.code = code
        self.http_status = http_status


class GraphApi:
    """The calls AR Follow-up makes to the Cloud API for one account (token)."""

    def __init__(self, token, version=DEFAULT_VERSION, base_url=None, timeout=TIMEOUT, pool_size=1):
        """``pool_size``: the connections kept open, one per thread calling at once."""
        if not VERSION.match(version or ""):
            raise ValueError("API version must look like v23.0")
        self.base = "%s/%s" % ((base_url or DEFAULT_BASE_URL).rstrip("/"), version)
        self.timeout = timeout
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=pool_size)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({"Authorization": "Bearer %s" % token})

    def close(self):
        self.session.close()

    def _call(self, method, path, json=None, params=None, sending=False):
        """The decoded JSON answer of ``method path``; raises :class:`GraphError`.

        ``sending``: the call sends a message, so a read timeout or a broken answer is
        *uncertain* (it may have left), not transient.
        """
        url = "%s/%s" % (self.base, path.lstrip("/"))
        try:
            response = self.session.request(
                method, url, json=json, params=params, timeout=self.timeout
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise GraphError("transient", "connection timed out") from exc
        except requests.exceptions.ReadTimeout as exc:
            raise GraphError("uncertain" if sending else "transient", "no answer in time") from exc
        except requests.exceptions.ConnectionError as exc:
            # a connection never made (refused, unreachable, no such name) sent nothing;
            # one lost once made (reset, closed without an answer) may have carried the
            # request to Meta, which a send must then never repeat
            kind = "uncertain" if sending and _connected(exc) else "transient"
            raise GraphError(kind, "Graph API unreachable") from exc
        except requests.exceptions.RequestException as exc:
            raise GraphError("uncertain" if sending else "transient", "request failed") from exc
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.ok and isinstance(payload, dict):
            return payload
        error = (payload or {}).get("error") if isinstance(payload, dict) else None
        error = error if isinstance(error, dict) else {}
        code = error.get("code") if isinstance(error.get("code"), int) else None
        if response.ok:
            # taken (2xx) but unreadable: a send may have gone
            kind = "uncertain" if sending else "transient"
        else:
            kind = error_kind(response.status_code, code)
        message = masking.mask_text(
            str(error.get("error_user_msg") or error.get("message") or response.reason or "")
        )[:500]
        _logger.info(
            "WhatsApp %s %s: HTTP %s, code %s (%s)",
            method,
            path.split("/")[-1],
            response.status_code,
            code,
            kind,
        )
        raise GraphError(kind, message, code=code, http_status=response.status_code)

    def get_phone_number(self, phone_number_id):
        """The phone number's ``{"display_phone_number", "verified_name", ...}``."""
        return self._call(
            "GET",
            phone_number_id,
            params={"fields": "display_phone_number,verified_name,quality_rating"},
        )

    def send_template(self, phone_number_id, to, name, language, components):
        """Send the approved template ``name`` in ``language`` to ``to`` (E.164 with or
        without ``+``, sent without); returns the message id (wamid)."""
        digits = (to or "").lstrip("+")
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": digits,
            "type": "template",
            "template": {
                "name": name,
                "language": {"policy": "deterministic", "code": language},
                "components": components,
            },
        }
        answer = self._call("POST", "%s/messages" % phone_number_id, json=payload, sending=True)
        messages = answer.get("messages")
        wamid = messages[0].get("id") if isinstance(messages, list) and messages else None
        if not isinstance(wamid, str) or not wamid:
            raise GraphError("uncertain", "accepted without a message id")
        _logger.info("WhatsApp template %s sent to %s", name, masking.mask_number("+" + digits))
        return wamid

    def get_media(self, media_id):
        """``{"url", "mime_type", "file_size", ...}`` of a media a customer sent."""
        return self._call("GET", media_id)

    def download_media(self, url, max_bytes=MAX_MEDIA_BYTES):
        """The bytes at a media ``url`` Meta gave (:meth:`get_media`), sent only to Meta's
        media host or this client's own host; None when refused or too large."""
        host = urlsplit(url or "").hostname
        if host not in (MEDIA_HOST, urlsplit(self.base).hostname):
            _logger.warning("WhatsApp media URL on an unexpected host refused")
            return None
        try:
            response = self.session.get(url, timeout=self.timeout, stream=True)
            if not response.ok:
                return None
            content = response.raw.read(max_bytes + 1, decode_content=True)
        except requests.exceptions.RequestException:
            return None
        return content if len(content) <= max_bytes else None

    def send_text(self, phone_number_id, to, body):
        """Send free text to ``to`` (allowed within 24 hours of the customer's last
        message only); returns the message id (wamid)."""
        digits = (to or "").lstrip("+")
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": digits,
            "type": "text",
            "text": {"preview_url": False, "body": body},
        }
        answer = self._call("POST", "%s/messages" % phone_number_id, json=payload, sending=True)
        messages = answer.get("messages")
        wamid = messages[0].get("id") if isinstance(messages, list) and messages else None
        if not isinstance(wamid, str) or not wamid:
            raise GraphError("uncertain", "accepted without a message id")
        _logger.info("WhatsApp text sent to %s", masking.mask_number("+" + digits))
        return wamid

    def list_templates(self, waba_id, name=None):
        """The WABA's message templates (``name``: only those), every page."""
        params = {"fields": "id,name,status,category,language,rejected_reason", "limit": 100}
        if name:
            params["name"] = name
        templates, path = [], "%s/message_templates" % waba_id
        for _page in range(50):
            answer = self._call("GET", path, params=params)
            templates.extend(t for t in answer.get("data") or () if isinstance(t, dict))
            after = ((answer.get("paging") or {}).get("cursors") or {}).get("after")
            if not after or not (answer.get("paging") or {}).get("next"):
                break
            params = {**params, "after": after}
        return templates

    def create_template(self, waba_id, payload):
        """Submit a template for review; returns ``{"id", "status", "category"}``."""
        return self._call("POST", "%s/message_templates" % waba_id, json=payload)
