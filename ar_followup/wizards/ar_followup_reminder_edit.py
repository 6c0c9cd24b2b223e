# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ArFollowupReminderEdit(models.TransientModel):
    """Preview a waiting reminder and edit its text before approving it."""

    _name = "ar.followup.reminder.edit"
    _description = "Preview / Edit Reminder"

    reminder_id = fields.Many2one(
        "ar.followup.reminder", "Reminder", required=True, readonly=True, ondelete="cascade"
    )
    state = fields.Selection(related="reminder_id.state")
    channel = fields.Selection(related="reminder_id.channel")
    is_html = fields.Boolean(compute="_compute_is_html")
    preview_error = fields.Char(related="reminder_id.preview_error")
    subject = fields.Char()
    body = fields.Html(sanitize_style=True)
    body_text = fields.Text("Text")

    @api.depends("channel")
    def _compute_is_html(self):
        Channel = self.env["ar.followup.channel"]
        for wizard in self:
            wizard.is_html = (
                bool(wizard.channel) and Channel._ar_features(wizard.channel)["body_html"]
            )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        reminder = self.env["ar.followup.reminder"].browse(
            values.get("reminder_id") or self.env.context.get("default_reminder_id")
        )
        if reminder:
            values["subject"] = reminder.preview_subject or False
            if reminder._ar_channel_features()["body_html"]:
                values["body"] = reminder.preview_body or False
            else:
                values["body_text"] = reminder.preview_text or False
        return values

    def action_save(self):
        """Store the text on the reminder: it goes out as written."""
        self.ensure_one()
        body = self.body if self.is_html else self.body_text
        self.reminder_id._ar_set_text(self.subject, body or "")
        return {"type": "ir.actions.act_window_close"}

    def action_save_approve(self):
        self.action_save()
        self.reminder_id.action_approve()
        return {"type": "ir.actions.act_window_close"}
