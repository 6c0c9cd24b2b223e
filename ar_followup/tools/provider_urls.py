# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Where the requests to an outside provider (Twilio, Meta's Graph API, Exotel,
Knowlarity) go.

Each client asks :func:`base_url` for the provider's address: the provider's own,
unless code running in this process redirected it with :func:`redirect` (the tests
and ``make bench``, towards their local fake servers). It is not a setting: a
redirected request carries the company's credentials, so nothing stored in the
database (a system parameter a clerk's RPC or a restored dump could set) may
change it, and only an address on this machine is accepted.

>>> base_url("twilio", "https://api.twilio.com")
'https://api.twilio.com'
>>> with redirect("twilio", "http://127.0.0.1:8999"):
...     base_url("twilio", "https://api.twilio.com")
'http://127.0.0.1:8999'
>>> base_url("twilio", "https://api.twilio.com")
'https://api.twilio.com'
>>> with redirect("twilio", "https://evil.example.com"):
...     pass
Traceback (most recent call last):
...
ValueError: https://evil.example.com is not on this machine
"""

from contextlib import contextmanager
from urllib.parse import urlsplit

LOCAL_HOSTS = ("127.0.0.1", "localhost")

_redirects = {}


def base_url(provider, default):
    """The base URL of ``provider`` (``twilio``, ``graph``, ``exotel``, ``knowlarity``):
    ``default``, or where this process redirected it."""
    return _redirects.get(provider, default)


@contextmanager
def redirect(provider, url):
    """Send ``provider``'s requests to ``url`` (on this machine) while in the block."""
    if urlsplit(url).hostname not in LOCAL_HOSTS:
        raise ValueError("%s is not on this machine" % url)
    previous = _redirects.get(provider)
    _redirects[provider] = url
    try:
        yield url
    finally:
        if previous is None:
            _redirects.pop(provider, None)
        else:
            _redirects[provider] = previous
