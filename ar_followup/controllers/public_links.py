# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Checks shared by the public links a reminder carries (tracked links, statements)."""

from odoo.http import request
from odoo.tools import consteq

#: the largest id PostgreSQL's ``integer`` columns hold
MAX_ID = 2**31 - 1


def plausible(*ids):
    """Whether the request may be one of our links: an ASCII path (a URL converter also
    reads non-ASCII digits as numbers) and ids that fit a database id. Anything else
    is a 404 before the database is asked, so no input reveals which ids exist."""
    return request.httprequest.path.isascii() and all(0 < id_ <= MAX_ID for id_ in ids)


def signed(expected, token):
    """Whether ``token`` from the URL is ``expected``, compared in constant time."""
    return token.isascii() and consteq(expected, token)
