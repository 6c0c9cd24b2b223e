# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The base of the tests' local stand-ins for outside services (SMS, WhatsApp, calls).

A subclass plays one provider's documented contract; this class runs it on
127.0.0.1 on a free port, in a thread, for the time of a ``with`` block.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..tools import provider_urls

#: the status of an answer that never comes: ``(HOLD, seconds)`` holds the connection
#: that long, past a client's timeout, then closes it
HOLD = "hold"


class FakeServer:
    """Run with ``with Fake() as fake:``; ``fake.url`` is its base URL.

    A subclass answers each request in :meth:`_answer_request` with ``(status,
    body)``: a body of JSON data, a text sent as it is, ``(content type, bytes)``,
    or ``(HOLD, seconds)`` to give no answer. ``latency`` seconds pass before
    each answer, as on a provider far away. While the block runs, the requests
    of the code to :attr:`provider` come here (``tools/provider_urls.py``).
    """

    protocol_version = "HTTP/1.0"
    latency = 0
    #: the ``provider_urls`` name of the provider this server stands in for
    provider = None

    def __init__(self):
        self._server = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return "http://%s:%s" % (host, port)

    def __enter__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = fake.protocol_version

            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._serve(self, "GET")

            def do_POST(self):
                fake._serve(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self._redirect = provider_urls.redirect(self.provider, self.url)
        self._redirect.__enter__()
        return self

    def __exit__(self, *exc):
        self._redirect.__exit__(*exc)
        self._server.shutdown()
        self._server.server_close()

    def _answer_request(self, method, path, headers, raw):
        """``(status, body)`` for a request (``raw``: its body, bytes)."""
        raise NotImplementedError

    def _serve(self, handler, method):
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        status, body = self._answer_request(method, handler.path, handler.headers, raw)
        if status == HOLD:
            time.sleep(body)
            return
        if self.latency:
            time.sleep(self.latency)
        kind = "application/json"
        if isinstance(body, tuple):
            kind, payload = body
        elif isinstance(body, str):
            payload = body.encode()
        else:
            payload = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
