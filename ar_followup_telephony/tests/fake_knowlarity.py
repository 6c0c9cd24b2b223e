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

from odoo.addons.ar_followup.tests.fake_server import FakeServer

API_KEY = "a" * 32
SR_KEY = "0b9e5b4e-1c6f-4a53-9f3e-7f0d5d1e2a11"
FORBIDDEN = (403, {"message": "Forbidden"})


class FakeKnowlarity(FakeServer):
    provider = "knowlarity"

    def __init__(self, api_key=API_KEY, sr_key=SR_KEY):
        super().__init__()
        self.api_key, self.sr_key = api_key, sr_key
        self.script = {}
        self.requests = []
        self.calls = []
        self._ids = itertools.count(1)

    def _answer_request(self, method, path, headers, raw):
        return self._answer(path, headers, raw)

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
