# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local stand-in for Meta's Graph API (WhatsApp Cloud API), for tests.

A real HTTP server on 127.0.0.1 (contract: /work/shared/contracts/whatsapp-cloud-api.md)
that checks the bearer token, validates each request body against the schema
Meta's OpenAPI spec gives for its path (a body the spec refuses is answered 400
and recorded in ``invalid``, which tests assert empty), and answers:

* ``GET /{version}/{phone-number-id}``: the phone number;
* ``POST /{version}/{phone-number-id}/messages``: ``{"messages": [{"id": "wamid..."}]}``,
  or what the test scripted for the recipient (a Graph error of the contract's
  table, no answer);
* ``GET``/``POST /{version}/{waba-id}/message_templates``: the templates, a submission.

:func:`webhook` builds the signed POST Meta sends to the callback URL.
"""

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

from odoo.addons.ar_followup.tests.fake_server import HOLD, FakeServer

SPEC = Path("/work/shared/contracts/meta-whatsapp-business-messaging-api_v23.0.yaml")
TOKEN = "EAAG" + "x" * 60
APP_SECRET = "0123456789abcdef0123456789abcdef"
VERIFY_TOKEN = "ar-followup-verify"
WABA_ID = "102290129340398"
PHONE_NUMBER_ID = "106540352242922"
DISPLAY_NUMBER = "+91 22 4000 1234"
NO_ANSWER = HOLD
#: the request read, then the connection closed with no answer (a server gone mid-call)
DROPPED = "dropped"
#: connections waiting to be accepted, as many as a dispatcher opens at once and more
BACKLOG = 128
#: patterns of the spec that contradict Meta's own examples: the button ``index``
#: pattern is a character class that refuses "0", the index of a template's first button
SPEC_ERRATA = {"^[2-6, 11-14]$"}
#: JSON Schema types and the Python types they accept
TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
}


def graph_error(code, message, http_status=400, subcode=None):
    """A Graph error answer: ``(status, body)``."""
    return http_status, {
        "error": {
            "message": "(#%s) %s" % (code, message),
            "type": "OAuthException",
            "code": code,
            "error_subcode": subcode,
            "fbtrace_id": "AXsg3Fake",
        }
    }


THROUGHPUT = graph_error(130429, "Rate limit hit", 429)
PAIR_LIMIT = graph_error(131056, "(Business Account, Consumer Account) pair rate limit hit")
UNDELIVERABLE = graph_error(131026, "Message undeliverable")
TEMPLATE_MISSING = graph_error(132001, "Template name does not exist in the translation", 404)
PARAMETER_MISMATCH = graph_error(132000, "Number of parameters does not match")
TOKEN_EXPIRED = graph_error(190, "Error validating access token: Session has expired", 401)
OUTAGE = graph_error(2, "Service temporarily unavailable", 503)


class Spec:
    """The request-body schemas of Meta's OpenAPI spec, and a validator of the subset of
    JSON Schema they use (``$ref``, ``allOf``, ``oneOf`` with a discriminator, ``type``,
    ``required``, ``properties``, ``enum``, ``items``, lengths, ``pattern``)."""

    _cache = None

    def __init__(self):
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with SPEC.open() as handle:
            self.doc = yaml.load(handle, Loader=loader)

    @classmethod
    def get(cls):
        if cls._cache is None:
            cls._cache = cls()
        return cls._cache

    def body_schema(self, path, method):
        operation = self.doc["paths"][path][method]
        return operation["requestBody"]["content"]["application/json"]["schema"]

    def resolve(self, schema):
        while "$ref" in schema:
            node = self.doc
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def errors(self, value, schema, where="body", known=frozenset()):
        """The list of what in ``value`` ``schema`` refuses (empty: valid).

        ``known``: property names the other parts of an ``allOf`` declare. Meta's spec
        puts ``additionalProperties: false`` in one part of an ``allOf`` (a text
        message), meaning "nothing beyond the properties of all parts": read so.
        """
        schema = self.resolve(schema)
        problems = []
        parts = schema.get("allOf", ())
        names = frozenset(known).union(*(self._property_names(part) for part in parts))
        for part in parts:
            problems += self.errors(value, part, where, names)
        if "oneOf" in schema or "anyOf" in schema:
            problems += self._choice_errors(value, schema, where)
        kind = schema.get("type")
        if kind in TYPES and not isinstance(value, TYPES[kind]):
            return [*problems, "%s: %s expected" % (where, kind)]
        if "enum" in schema and value not in schema["enum"]:
            problems.append("%s: %r not in %s" % (where, value, schema["enum"]))
        if isinstance(value, str):
            problems += self._string_errors(value, schema, where)
        if isinstance(value, dict):
            problems += self._object_errors(value, schema, where, known)
        if isinstance(value, list):
            if len(value) < schema.get("minItems", 0):
                problems.append("%s: too few items" % where)
            for index, item in enumerate(value if "items" in schema else ()):
                problems += self.errors(item, schema["items"], "%s[%s]" % (where, index))
        return problems

    def _choice_errors(self, value, schema, where):
        options = schema.get("oneOf") or schema.get("anyOf")
        mapping = schema.get("discriminator", {}).get("mapping")
        key = schema.get("discriminator", {}).get("propertyName")
        if mapping and isinstance(value, dict) and value.get(key) in mapping:
            return self.errors(value, {"$ref": mapping[value[key]]}, where)
        if mapping:
            return ["%s: %s must be one of %s" % (where, key, sorted(mapping))]
        if all(self.errors(value, option, where) for option in options):
            return ["%s matches none of its schemas" % where]
        return []

    @staticmethod
    def _string_errors(value, schema, where):
        problems = []
        if len(value) > schema.get("maxLength", len(value)):
            problems.append("%s: too long" % where)
        if len(value) < schema.get("minLength", 0):
            problems.append("%s: too short" % where)
        pattern = schema.get("pattern")
        if pattern and pattern not in SPEC_ERRATA and not re.search(pattern, value):
            problems.append("%s: %r does not match %s" % (where, value, pattern))
        return problems

    def _property_names(self, schema):
        schema = self.resolve(schema)
        names = set(schema.get("properties", {}))
        for part in schema.get("allOf", ()):
            names |= self._property_names(part)
        return names

    def _object_errors(self, value, schema, where, known=frozenset()):
        problems = [
            "%s.%s is required" % (where, name)
            for name in schema.get("required", ())
            if name not in value
        ]
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                problems += self.errors(value[name], sub, "%s.%s" % (where, name))
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(schema.get("properties", {})) - known
            if extra:
                problems.append("%s: unknown %s" % (where, sorted(extra)))
        return problems


class FakeGraph(FakeServer):
    """Run with ``with FakeGraph() as graph:``; ``graph.url`` is its base URL.

    ``script[digits]`` lists answers given in turn to messages for that recipient
    (success once it is empty); ``messages`` records accepted send requests,
    ``requests`` every request, ``invalid`` the bodies the spec refused.
    ``latency`` (seconds) delays every answer; ``max_in_flight`` is the most requests
    it had in hand at once; ``arrivals`` the times (seconds of the system's monotonic
    clock, which no frozen clock stops) at which each request came in, ``clients`` the
    client's end of the connection that brought each (address, port).
    """

    provider = "graph"

    protocol_version = "HTTP/1.1"  # a client keeps its connections, as with Meta

    def __init__(self, token=TOKEN, latency=0.0):
        super().__init__()
        self.token = token
        self.latency = latency
        self.script = {}
        self.requests = []
        self.messages = []
        self.invalid = []
        self.templates = []
        self.media = {}  # media id: (mime type, bytes) a customer sent
        self.next_wamids = []  # message ids to give, in turn, before made-up ones
        self.in_flight = 0
        self.max_in_flight = 0
        self.arrivals = []
        self.clients = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.spec = Spec.get()

    def __enter__(self):
        super().__enter__()
        # Meta takes as many connections at once as a dispatcher's pool opens; the
        # backlog of 5 of Python's HTTP server overflows, under load, into connections
        # reset before their request was read, which no Meta endpoint does
        self._server.socket.listen(BACKLOG)
        return self

    def _serve(self, handler, method):
        with self._lock:
            self.arrivals.append(time.clock_gettime(time.CLOCK_MONOTONIC))
            self.clients.append(handler.client_address)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return super()._serve(handler, method)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer_request(self, method, path, headers, raw):
        return self._answer(method.lower(), path, headers, raw)

    def _answer(self, method, path, headers, raw):
        parts = urlsplit(path)
        segments = parts.path.strip("/").split("/")
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return graph_error(100, "Invalid JSON")
        with self._lock:
            self.requests.append(
                {"method": method, "path": parts.path, "query": query, "body": body}
            )
        if headers.get("Authorization") != "Bearer %s" % self.token:
            return TOKEN_EXPIRED
        if segments[0] == "media-download" and segments[1:] and segments[1] in self.media:
            return 200, self.media[segments[1]]
        if not re.match(r"^v\d+\.\d+$", segments[0]):
            return graph_error(2500, "Unknown path components", 400)
        route = segments[1:]
        if method == "get" and route == [PHONE_NUMBER_ID]:
            return 200, {
                "id": PHONE_NUMBER_ID,
                "display_phone_number": DISPLAY_NUMBER,
                "verified_name": "AR Test India",
                "quality_rating": "GREEN",
            }
        if method == "get" and len(route) == 1 and route[0] in self.media:
            return 200, {
                "messaging_product": "whatsapp",
                "url": "%s/media-download/%s" % (self.url, route[0]),
                "mime_type": self.media[route[0]][0],
                "file_size": len(self.media[route[0]][1]),
                "id": route[0],
            }
        if method == "get" and len(route) == 1:
            return graph_error(100, "Unsupported get request. Object does not exist", 400, 33)
        if method == "post" and route == [PHONE_NUMBER_ID, "messages"]:
            problems = self._validate("/{Version}/{Phone-Number-ID}/messages", body)
            if problems:
                return graph_error(100, "Invalid parameter: %s" % "; ".join(problems))
            return self._send(body)
        if route == [WABA_ID, "message_templates"]:
            if method == "get":
                found = [t for t in self.templates if t["name"] == query.get("name", t["name"])]
                return 200, {"data": found, "paging": {"cursors": {}}}
            problems = self._validate("/{Version}/{WABA-ID}/message_templates", body)
            if problems:
                return graph_error(100, "Invalid parameter: %s" % "; ".join(problems))
            template = {**body, "id": str(next(self._ids) + 9000), "status": "PENDING"}
            self.templates.append(template)
            return 200, {"id": template["id"], "status": "PENDING", "category": body["category"]}
        return graph_error(100, "Unsupported %s request" % method, 400, 33)

    def _validate(self, path, body):
        problems = self.spec.errors(body, self.spec.body_schema(path, "post"))
        if problems:
            with self._lock:
                self.invalid.append((path, body, problems))
        return problems

    def _send(self, body):
        scripted = self.script.get(body["to"])
        if scripted:
            answer = scripted.pop(0)
            if answer == NO_ANSWER:
                return NO_ANSWER, 11  # past the 10 s Odoo's test runner gives every request
            if answer == DROPPED:
                return HOLD, 0
            return answer
        wamid = self.next_wamids.pop(0) if self.next_wamids else "wamid.HBgM%s" % next(self._ids)
        with self._lock:
            self.messages.append({**body, "id": wamid})
        return 200, {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": wamid, "message_status": "accepted"}],
        }


def sign(body, secret=APP_SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(value, field="messages", waba=WABA_ID):
    """The webhook envelope Meta posts around one change ``value``."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": waba, "changes": [{"field": field, "value": value}]}],
    }


def metadata(phone_number_id=PHONE_NUMBER_ID):
    return {"display_phone_number": "912240001234", "phone_number_id": phone_number_id}


def status_event(wamid, status, timestamp, recipient, errors=None):
    event = {"id": wamid, "status": status, "timestamp": str(timestamp), "recipient_id": recipient}
    if errors:
        event["errors"] = errors
    return envelope({"messaging_product": "whatsapp", "metadata": metadata(), "statuses": [event]})


def message_event(wamid, sender, timestamp, message, context_id=None, name="Ravi"):
    """An inbound message; ``message``: its type's part, e.g. ``{"type": "text",
    "text": {"body": "Paid"}}``."""
    inbound = {"from": sender, "id": wamid, "timestamp": str(timestamp), **message}
    if context_id:
        inbound["context"] = {"from": "912240001234", "id": context_id}
    return envelope(
        {
            "messaging_product": "whatsapp",
            "metadata": metadata(),
            "contacts": [{"profile": {"name": name}, "wa_id": sender}],
            "messages": [inbound],
        }
    )
