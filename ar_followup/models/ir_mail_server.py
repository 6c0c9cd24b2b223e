# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import email.policy

from odoo import models

#: headers whose value is a list of URLs (RFC 2369, RFC 8058)
LIST_HEADERS = {"list-unsubscribe", "list-unsubscribe-post"}


class _ListHeadersPolicy(type(email.policy.SMTP)):
    """Odoo's SMTP policy, except that the list headers are folded at RFC 5322's 998
    characters: at 78, Python encodes a longer URL (RFC 2047), and mail clients no longer
    read it as a link, so the unsubscribe button disappears."""

    def _fold(self, name, value, *args, **kwargs):
        if name.lower() in LIST_HEADERS:
            return super(_ListHeadersPolicy, self.clone(max_line_length=998))._fold(
                name, value, *args, **kwargs
            )
        return super()._fold(name, value, *args, **kwargs)


LIST_HEADERS_POLICY = _ListHeadersPolicy(linesep=email.policy.SMTP.linesep)


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    def _build_email__(self, *args, **kwargs):
        message = super()._build_email__(*args, **kwargs)
        if any(name.lower() in LIST_HEADERS for name in message):
            message.policy = LIST_HEADERS_POLICY
        return message
