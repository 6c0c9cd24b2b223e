# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the click-to-call clients share: the error they raise and how it is sorted.

A provider's failure is one of three kinds, which decide what the collector is told
and whether dialling again is safe:

* ``permanent``: the provider refused the request (bad credentials, bad number):
  nothing was dialled; dialling again fails the same way until fixed;
* ``transient``: the provider is unavailable (429, 5xx, connection refused):
  nothing was dialled; try again later;
* ``uncertain``: the request left and no answer came back (timeout, connection
  cut): a phone may be ringing; never dialled again automatically.

>>> kind_of_status(401), kind_of_status(429), kind_of_status(503), kind_of_status(400)
('permanent', 'transient', 'transient', 'permanent')
"""

import requests

from odoo.addons.ar_followup.tools.masking import mask_text

#: seconds to wait for the provider's answer: the collector waits for it
TIMEOUT = 15


class CallError(Exception):
    """A provider did not place the call; ``kind`` says what that means (see the module)."""

    def __init__(self, kind, message, status=None, body=None):
        super().__init__(mask_text(message))
        self.kind = kind
        self.status = status
        self.body = mask_text(body or "")[:2000]


def kind_of_status(status):
    """The kind of failure an HTTP ``status`` of a provider means."""
    return "transient" if status == 429 or status >= 500 else "permanent"


def post(url, timeout=TIMEOUT, **kwargs):
    """POST with ``requests``; a failure that may have left the request is ``uncertain``,
    one that did not is ``transient``."""
    try:
        return requests.post(url, timeout=timeout, **kwargs)
    except requests.exceptions.ConnectionError as exc:
        if isinstance(exc, requests.exceptions.ConnectTimeout) or "refused" in str(exc).lower():
            raise CallError("transient", "provider unreachable") from None
        raise CallError("uncertain", "connection lost waiting for the provider") from None
    except requests.exceptions.Timeout:
        raise CallError("uncertain", "no answer from the provider in time") from None
    except requests.exceptions.RequestException as exc:
        raise CallError("transient", type(exc).__name__) from None
