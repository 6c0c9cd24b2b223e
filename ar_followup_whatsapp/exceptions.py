# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the WhatsApp channel raises beyond the core's errors (``ar_followup/exceptions.py``)."""

from odoo.exceptions import UserError

from odoo.addons.ar_followup.exceptions import ArTransientError


class WhatsAppTemplateError(UserError):
    """Meta refused the template or its parameters: the template is stopped until fixed,
    and the reminder falls back to its next channel (a permanent error)."""

    def __init__(self, message, template):
        super().__init__(message)
        self.template = template


class WhatsAppTokenError(ArTransientError):
    """Meta refused the access token: the account is stopped, the administrators are told;
    the reminder waits (retried later) and falls back when its attempts run out."""
