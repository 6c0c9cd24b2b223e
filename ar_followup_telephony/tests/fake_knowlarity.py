# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A local stand-in for Knowlarity's click-to-call ``makecall`` (contract:
/work/shared/contracts/knowlarity.md), for tests.

``POST /Basic/v1/account/call/makecall`` with headers ``x-api-key`` and
``Authorization`` (bare key) and a JSON body answers
``{"success": {"status": "success", "message": ..., "call_id": ...}}``; a wrong
key gets ``403 {"message": "Forbidden"}`` as an API gateway answers; a test may
script other answers per customer number.
"""

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "a" * 32
SR_KEY = "0b9e5b4e-1c6f-4a53-9f3e-7f0d5d1e2a11"
FORBIDDEN = (403, {"message": "Forbidden"})


class FakeKnowlarity:
    def __init__(self, api_key=API_KEY, sr_key=SR_KEY):
        self.api_key, self.sr_key = api_key, sr_key
        self.script = {}
        self.requests = []
        self.calls = []
        self._ids = itertools.count(1)
        self._server = None

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return "http://%s:%s" % (host, port)

    def __enter__(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                status, body = fake._answer(self.path, self.headers, self.rfile.read(length))
                payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, path, headers, raw):
        self.requests.append({"path": path, "headers": dict(headers), "body": raw})
        if path != "/Basic/v1/account/call/makecall":
            return 404, {"message": "Not Found"}
        if headers.get("x-api-key") != self.api_key or headers.get("Authorization") != self.sr_key:
            return FORBIDDEN
        if "application/json" not in (headers.get("Content-Type") or ""):
            return 415, {"message": "Unsupported Media Type"}
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, {"message": "Bad Request"}
        scripted = self.script.get(body.get("customer_number"))
        if scripted:
            return scripted.pop(0)
        call = {"call_id": "29ecc330-%012d" % next(self._ids), **body}
        self.calls.append(call)
        return 200, {
            "success": {
                "status": "success",
                "message": "Call successfully placed",
                "call_id": call["call_id"],
            }
        }
