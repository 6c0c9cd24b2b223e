# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Knowlarity click-to-call ("makecall" with an agent and a customer number; contract:
``shared/contracts/knowlarity.md``).

Headers ``x-api-key`` (application key) and ``Authorization`` (the SR API key, bare);
JSON body; success is ``{"success": {"status": "success", "call_id": ...}}``. Error
bodies are undocumented: anything else is a failure whose raw body is kept.
"""

from .call_transport import TIMEOUT, CallError, kind_of_status, post

DEFAULT_URL = "https://kpi.knowlarity.com"


class KnowlarityClient:
    #: seconds to wait for the answer: the collector waits for it
    timeout = TIMEOUT

    def __init__(self, base_url, api_key, sr_key):
        self.base_url = base_url.rstrip("/")
        self.headers = {
            "x-api-key": api_key or "",
            "Authorization": sr_key or "",
            "Content-Type": "application/json",
        }

    def make_call(self, k_number, agent, customer, caller_id, reference):
        """Ring ``agent`` and connect ``customer`` (E.164); returns ``(call id, "queued")``.
        Raises :class:`CallError`."""
        response = post(
            "%s/Basic/v1/account/call/makecall" % self.base_url,
            timeout=self.timeout,
            headers=self.headers,
            json={
                "k_number": k_number,
                "agent_number": agent,
                "customer_number": customer,
                "caller_id": caller_id,
                "additional_params": {"uniqueid": reference},
            },
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        success = body.get("success") if isinstance(body, dict) else None
        if response.status_code >= 300 or not isinstance(success, dict):
            status = response.status_code
            raise CallError(
                kind_of_status(status) if status >= 300 else "permanent",
                "Knowlarity %s: %s"
                % (status, (body or {}).get("message") if isinstance(body, dict) else "error"),
                status=status,
                body=response.text,
            )
        if not success.get("call_id"):
            raise CallError(
                "uncertain", "Knowlarity answered without a call id", body=response.text
            )
        return str(success["call_id"])[:64], "queued"
