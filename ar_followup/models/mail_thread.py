# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from ..tools.reply_reader import auto_reply_reason


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_route_process(self, message, message_dict, routes):
        """Tell what the gateway posts whether the e-mail is an automatic reply.

        The headers that say so (RFC 3834 ``Auto-Submitted``, ``X-Autoreply``...)
        are read here, where the raw message still is, and passed on in the context
        as ``ar_auto_reply`` (the reason) to ``res.partner._message_post_after_hook``.
        """
        reason = auto_reply_reason(dict(message.items()), message_dict.get("subject"))
        return super(MailThread, self.with_context(ar_auto_reply=reason or False))._message_route_process(
            message, message_dict, routes
        )
