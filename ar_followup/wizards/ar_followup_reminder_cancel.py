# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ArFollowupReminderCancel(models.TransientModel):
    """Cancel waiting reminders, saying why (kept on each reminder and the customer)."""

    _name = "ar.followup.reminder.cancel"
    _description = "Cancel Reminders"

    reminder_ids = fields.Many2many("ar.followup.reminder", string="Reminders", required=True)
    reason = fields.Char(required=True, help="Why these reminders must not go out.")

    def action_cancel(self):
        self.ensure_one()
        self.reminder_ids.with_context(ar_cancel_reason=self.reason).action_cancel()
        return {"type": "ir.actions.act_window_close"}
