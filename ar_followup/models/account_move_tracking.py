# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountMove(models.Model):
    """The reminders of an invoice, and what the customer did with them."""

    _inherit = "account.move"  # pylint: disable=consider-merging-classes-inherited

    ar_reminder_ids = fields.Many2many(
        "ar.followup.reminder",
        string="Reminders",
        compute="_compute_ar_reminder_ids",
        groups="ar_followup.ar_followup_group_user",
    )
    ar_reminder_count = fields.Integer(
        "Reminders Sent",
        compute="_compute_ar_reminder_tracking",
        groups="ar_followup.ar_followup_group_user",
    )
    ar_reminder_clicked_on = fields.Datetime(
        "Reminder Link Followed",
        compute="_compute_ar_reminder_tracking",
        groups="ar_followup.ar_followup_group_user",
        help="When the customer first followed a link of a reminder about this invoice.",
    )

    def _compute_ar_reminder_ids(self):
        """The reminders with an item of the invoice, newest first: three queries for
        all of ``self``."""
        lines = self.env["ar.followup.reminder.line"].search_fetch(
            [("move_line_id.move_id", "in", self._origin.ids)], ["reminder_id", "move_line_id"]
        )
        lines.move_line_id.fetch(["move_id"])
        by_move = {}
        for line in lines:
            by_move.setdefault(line.move_line_id.move_id.id, set()).add(line.reminder_id.id)
        ordered = self.env["ar.followup.reminder"].search([("id", "in", lines.reminder_id.ids)])
        for move in self:
            ids = by_move.get(move._origin.id, ())
            move.ar_reminder_ids = ordered.filtered(lambda r, ids=ids: r.id in ids)

    def _compute_ar_reminder_tracking(self):
        for move in self:
            sent = move.ar_reminder_ids.filtered("date_sent")
            clicks = sent.filtered("date_clicked").mapped("date_clicked")
            move.ar_reminder_count = len(sent)
            move.ar_reminder_clicked_on = min(clicks) if clicks else False

    def _ar_record_portal_view(self):
        """Every visit of the customer also marks the reminders sent about the invoice viewed
        (the first visit after each one was sent)."""
        res = super()._ar_record_portal_view()
        self.env["ar.followup.reminder"].sudo()._ar_record_view(self)
        return res
