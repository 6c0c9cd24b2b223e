# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ArFollowupReminderLine(models.Model):
    """An item a reminder claims: one due line of an invoice, at one step.

    Read by the planner: an item reminded at a step on a trigger date is not
    reminded again for it (unless the reminder was skipped).
    """

    _name = "ar.followup.reminder.line"
    _description = "Payment Reminder Item"
    _order = "reminder_id, date_maturity, id"
    # written once by the planner, by the hundred thousand on a first run: no
    # create/write stamps (their reminder has them), no stored company or invoice, so
    # an item costs three foreign-key checks instead of eight
    _log_access = False

    reminder_id = fields.Many2one(
        "ar.followup.reminder", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="reminder_id.company_id")
    move_line_id = fields.Many2one(
        "account.move.line", "Due Line", required=True, ondelete="cascade", index=True
    )
    # read through the due line, not stored: one foreign-key check less per item
    move_id = fields.Many2one(related="move_line_id.move_id", string="Invoice")
    # a manual reminder's items follow no step
    step_id = fields.Many2one("ar.followup.policy.step", "Step", ondelete="restrict")
    trigger_date = fields.Date("Step Date", required=True)
    date_maturity = fields.Date("Due Date")
    currency_id = fields.Many2one(related="reminder_id.currency_id")
    amount_residual = fields.Monetary("Due When Planned")
    amount_residual_now = fields.Monetary("Due Now", compute="_compute_amount_residual_now")

    @api.depends("move_line_id.amount_residual")
    def _compute_amount_residual_now(self):
        for line in self:
            line.amount_residual_now = line.move_line_id.amount_residual
