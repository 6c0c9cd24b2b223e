# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.tools import email_normalize

from ..tools.reply_reader import auto_reply_reason
from .ar_followup_reminder.states import SENT_STATES

#: the conversation model, whose company aliases are the AR inbox's addresses
CONVERSATION = "ar.followup.conversation"


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """Where a customer's e-mail goes, on top of Odoo's routing.

        - To a company's AR inbox alias (``res.company.ar_inbox_alias_id``): from a
          known address, to that customer's thread (in answer to the reminder it
          names in ``In-Reply-To``, if any), which opens or adds to the customer's
          conversation; from an unknown address, to a conversation of its own that
          waits unmatched in the inbox (Odoo's alias route).
        - Without a route (no thread, no alias) or written straight to the catchall,
          from the address of one customer who was sent reminders: to that
          customer's thread as a reply, instead of Odoo's refusal or bounce. An
          unknown sender is still refused or bounced as Odoo does, and bounces are
          Odoo's before any of this.
        """
        try:
            routes = super().message_route(
                message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
            )
        except ValueError:
            route = self._ar_customer_route(message_dict)
            if not route:
                raise
            message_dict["ar_customer_reply"] = True
            return [route]
        return [self._ar_inbox_alias_route(route, message_dict) for route in routes]

    @api.model
    def _ar_inbox_alias_route(self, route, message_dict):
        """``route`` unless it is an AR inbox alias's and the sender is known: then the
        route to the customer's thread, the company said in ``message_dict``."""
        model, _thread_id, values, user_id, alias = route
        if model != CONVERSATION or not alias or not isinstance(values, dict):
            return route
        customer = self._ar_sender_customer(message_dict)
        if not customer:
            return route
        message_dict["ar_customer_reply"] = True
        message_dict["ar_company_id"] = values.get("company_id")
        # an answer to a reminder sent to the alias is still that reminder's answer
        parent = self._ar_replied_message(message_dict, customer)
        if parent:
            message_dict["parent_id"] = parent.id
        return ("res.partner", customer.id, {}, user_id, None)

    @api.model
    def _ar_sender_customer(self, message_dict):
        """The one customer whose contacts use the sender's address, else empty."""
        email = email_normalize(message_dict.get("email_from") or "")
        if not email or message_dict.get("is_bounce"):
            return self.env["res.partner"]
        customers = (
            self.env["res.partner"]
            .sudo()
            .search([("email_normalized", "=", email)])
            .commercial_partner_id
        )
        return customers if len(customers) == 1 else self.env["res.partner"]

    @api.model
    def _ar_replied_message(self, message_dict, customer):
        """The message of ``customer``'s thread the e-mail answers (``In-Reply-To``)."""
        references = (message_dict.get("in_reply_to") or "").split()
        if not references:
            return self.env["mail.message"]
        return (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("message_id", "in", references),
                    ("model", "=", "res.partner"),
                    ("res_id", "=", customer.id),
                ],
                limit=1,
            )
        )

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

    @api.model
    def _detect_write_to_catchall(self, msg_dict):
        """An e-mail written straight to the catchall by a customer who was sent
        reminders is not bounced: it reaches the customer's thread (see
        :meth:`message_route`)."""
        return super()._detect_write_to_catchall(msg_dict) and not self._ar_customer_route(msg_dict)

    def _message_route_process(self, message, message_dict, routes):
        """Tell what the gateway posts whether the e-mail is an automatic reply, whether
        it is a customer's reply routed by its sender, and the company of the AR inbox
        alias it was sent to.

        The headers that say so (RFC 3834 ``Auto-Submitted``, ``X-Autoreply``...)
        are read here, where the raw message still is, and passed on in the context
        as ``ar_auto_reply`` (the reason) to ``res.partner._message_post_after_hook``.
        """
        reason = auto_reply_reason(dict(message.items()), message_dict.get("subject"))
        customer_reply = message_dict.pop("ar_customer_reply", False)
        company_id = message_dict.pop("ar_company_id", False)
        return super(
            MailThread,
            self.with_context(
                ar_auto_reply=reason or False,
                ar_customer_reply=customer_reply,
                ar_inbox_company_id=company_id,
            ),
        )._message_route_process(message, message_dict, routes)
