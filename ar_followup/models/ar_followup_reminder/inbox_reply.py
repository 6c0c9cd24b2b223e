# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from odoo import api, fields
from odoo.exceptions import UserError
from odoo.tools import plaintext2html


class ReminderInboxReply:
    """An AR user's answer from the AR inbox, sent on the customer's channel.

    The answer is recorded as a manual reminder (no step, nothing claimed: amount 0,
    no items) linked to the conversation, so the audit trail, the delivery reports
    and the metrics see it as they see any reminder. A channel answers through two
    hooks named after its code:

    ``_ar_<code>_reply_problem(conversation)`` (model method, optional)
        None when the channel can answer the conversation now, else a translated
        text saying why not (WhatsApp outside Meta's 24-hour window).
    ``_ar_<code>_send_reply()`` (required to answer by the channel)
        Send this reminder's text (``body`` for HTML channels, ``text`` otherwise)
        and return the provider's reference; raise to refuse.

    The answer goes in the user's request: nothing is queued, an error is shown to
    the user and nothing is recorded.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    @api.model
    def _ar_reply_problem(self, conversation, channel):
        """None when ``conversation`` can be answered by ``channel`` now, else why not."""
        label = self._ar_channel_label(channel)
        if not channel or not self._ar_channel_hook("send_reply", channel):
            return self.env._("An answer cannot go by %s: answer by e-mail.", label)
        states = self.env["ar.followup.channel"]._ar_get_states(conversation.company_id)
        if states.get(channel) == "disabled":
            return self.env._(
                "%(channel)s is disabled in %(company)s.",
                channel=label,
                company=conversation.company_id.name,
            )
        hook = self._ar_channel_hook("reply_problem", channel)
        return hook(conversation) if hook else None

    @api.model
    def _ar_prepare_reply_vals(self, conversation, channel, body, subject, now):
        """Values of the reminder recording an answer to ``conversation``."""
        html = self.env["ar.followup.channel"]._ar_features(channel)["body_html"]
        return {
            "company_id": conversation.company_id.id,
            "partner_id": conversation.partner_id.id,
            "conversation_id": conversation.id,
            "manual": True,
            # one answer is one reminder: never the same key twice
            "cycle_key": "reply:%s:%s" % (conversation.id, uuid.uuid4().hex),
            "date": conversation.company_id._ar_today(),
            "date_scheduled": now,
            "channel": channel,
            "state": "sending",
            "date_sending": now,
            "amount_residual": 0.0,
            "subject": subject,
            "body": plaintext2html(body) if html else False,
            "text": False if html else body,
            "text_edited": True,
            "edited_by_id": self.env.uid,
            "date_edited": now,
        }

    @api.model
    def _ar_send_reply(self, conversation, channel, body, subject=None):
        """Answer ``conversation`` with ``body`` (plain text) by ``channel``; returns the
        reminder recording it. Raises a ``UserError`` saying why when it cannot go."""
        conversation.ensure_one()
        if not (body or "").strip():
            raise UserError(self.env._("Write the answer first."))
        problem = self._ar_reply_problem(conversation, channel)
        if problem:
            raise UserError(problem)
        now = fields.Datetime.now()
        subject = subject or conversation.last_message_id.subject or False
        reminder = self.sudo().create(
            self._ar_prepare_reply_vals(conversation, channel, body, subject, now)
        )
        # the message on the customer's thread is the trail: its author is this user
        reference = reminder._ar_channel_hook("send_reply")()
        reminder._ar_mark_sent(reference, now)
        return reminder
