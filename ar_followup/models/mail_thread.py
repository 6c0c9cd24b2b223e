# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.tools import email_normalize

from ..tools.reply_reader import auto_reply_reason
from .ar_followup_reminder.states import SENT_STATES


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """An e-mail Odoo finds no route for (no thread, no alias), from the address of
        one customer who was sent reminders, goes to that customer's thread as a reply.

        This is the mailbox of the AR team fetched without a model: a customer writing
        a new e-mail instead of answering the reminder still reaches the AR inbox.
        """
        try:
            return super().message_route(
                message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
            )
        except ValueError:
            route = self._ar_customer_route(message_dict)
            if not route:
                raise
            message_dict["ar_customer_reply"] = True
            return [route]

    @api.model
    def _ar_customer_route(self, message_dict):
        """The route to the one customer reminded whose contact wrote, else None."""
        email = email_normalize(message_dict.get("email_from") or "")
        if not email or message_dict.get("is_bounce"):
            return None
        customers = (
            self.env["res.partner"]
            .sudo()
            .search([("email_normalized", "=", email)])
            .commercial_partner_id
        )
        reminded = (
            self.env["ar.followup.reminder"]
            .sudo()
            .search([("partner_id", "in", customers.ids), ("state", "in", SENT_STATES)])
            .partner_id
        )
        if len(reminded) != 1:
            return None
        user = self._mail_find_user_for_gateway(message_dict["email_from"])
        return ("res.partner", reminded.id, {}, user.id or self.env.uid, None)

    def _message_route_process(self, message, message_dict, routes):
        """Tell what the gateway posts whether the e-mail is an automatic reply, and
        whether it is a customer's reply routed by its sender.

        The headers that say so (RFC 3834 ``Auto-Submitted``, ``X-Autoreply``...)
        are read here, where the raw message still is, and passed on in the context
        as ``ar_auto_reply`` (the reason) to ``res.partner._message_post_after_hook``.
        """
        reason = auto_reply_reason(dict(message.items()), message_dict.get("subject"))
        customer_reply = message_dict.pop("ar_customer_reply", False)
        return super(
            MailThread,
            self.with_context(ar_auto_reply=reason or False, ar_customer_reply=customer_reply),
        )._message_route_process(message, message_dict, routes)
