# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ArFollowupConversationReply(models.TransientModel):
    """An AR user's answer from the AR inbox.

    It goes out on the channel the customer last wrote on (the conversation's
    channel), else on the one the user picks; when that channel cannot answer now
    (WhatsApp after Meta's 24-hour window, a phone call) the wizard says why and
    offers e-mail. Sent through ``ar.followup.reminder._ar_send_reply``, which
    records the answer as a reminder of the conversation.
    """

    _name = "ar.followup.conversation.reply"
    _description = "Answer a Customer from the AR Inbox"

    conversation_id = fields.Many2one(
        "ar.followup.conversation", required=True, readonly=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="conversation_id.partner_id")
    channel = fields.Selection(
        selection="_selection_channel",
        compute="_compute_channel",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        help="The channel the customer last wrote on; e-mail when that one cannot answer.",
    )
    problem = fields.Char("Cannot Answer", compute="_compute_problem")
    subject = fields.Char(compute="_compute_subject", store=True, precompute=True, readonly=False)
    body = fields.Text("Answer", required=True)

    @api.model
    def _selection_channel(self):
        return self.env["ar.followup.channel"]._ar_selection()

    @api.depends("conversation_id")
    def _compute_channel(self):
        for wizard in self:
            wizard.channel = wizard.conversation_id.channel or "email"

    @api.depends("conversation_id", "channel")
    def _compute_problem(self):
        Reminder = self.env["ar.followup.reminder"]
        for wizard in self:
            wizard.problem = (
                Reminder._ar_reply_problem(wizard.conversation_id, wizard.channel)
                if wizard.conversation_id and wizard.channel
                else False
            )

    @api.depends("conversation_id")
    def _compute_subject(self):
        for wizard in self:
            subject = wizard.conversation_id.last_message_id.subject
            wizard.subject = subject or wizard.env._(
                "Your account with %s", wizard.conversation_id.company_id.name
            )

    def action_use_email(self):
        """Answer by e-mail instead of a channel that cannot answer now."""
        self.ensure_one()
        self.channel = "email"
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_send(self):
        self.ensure_one()
        self.env["ar.followup.reminder"]._ar_send_reply(
            self.conversation_id, self.channel, self.body, subject=self.subject
        )
        return {"type": "ir.actions.act_window_close"}
