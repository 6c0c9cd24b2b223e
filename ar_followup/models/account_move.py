# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from ..tools.ageing import days_overdue
from .account_move_line import _search_days_overdue


class AccountMove(models.Model):
    _inherit = "account.move"

    # Oldest open due line of the invoice; kept by account.move.line._ar_refresh_ageing.
    ar_oldest_due_date = fields.Date(
        "Oldest Open Due Date", readonly=True, copy=False,
        help="Due date of the oldest instalment still open.",
    )
    ar_days_overdue = fields.Integer(
        "Days Overdue", compute="_compute_ar_days_overdue", search="_search_ar_days_overdue",
        help="Days since the oldest open instalment fell due (negative: not due yet).",
    )
    ar_bucket_id = fields.Many2one(
        "ar.followup.bucket", "Ageing Bucket", readonly=True, copy=False,
        index="btree_not_null", group_expand="_read_group_ar_bucket_id",
    )
    ar_transition_ids = fields.One2many(
        "ar.followup.bucket.transition", "move_id", "Bucket Transitions", readonly=True
    )

    @api.depends("ar_oldest_due_date")
    @api.depends_context("company")
    def _compute_ar_days_overdue(self):
        today = {company: company._ar_today() for company in self.company_id}
        for move in self:
            due = move.ar_oldest_due_date
            move.ar_days_overdue = days_overdue(due, today[move.company_id]) if due else 0

    def _search_ar_days_overdue(self, operator, value):
        return _search_days_overdue(self.env, "ar_oldest_due_date", operator, value, [("ar_bucket_id", "!=", False)])

    def _read_group_ar_bucket_id(self, buckets, domain):
        return buckets.search([("company_id", "in", self.env.companies.ids)])

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._ar_refresh_ageing()
        return posted

    def button_draft(self):
        res = super().button_draft()
        self._ar_refresh_ageing()
        return res

    def _ar_refresh_ageing(self):
        """Bring these invoices' ageing up to date right away (not waiting for the daily run)."""
        receivable = self.filtered(lambda m: m.is_sale_document(include_receipts=True) or m.ar_bucket_id)
        if receivable:
            self.env["account.move.line"].sudo()._ar_refresh_ageing(
                companies=receivable.company_id, move_ids=receivable.ids
            )

    def action_ar_refresh_ageing(self):
        self._ar_refresh_ageing()
        return True
