# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # Worst open due line of the invoice; kept by account.move.line._ar_refresh_ageing.
    ar_days_overdue = fields.Integer("Days Overdue", readonly=True, copy=False)
    ar_bucket_id = fields.Many2one(
        "ar.followup.bucket", "Ageing Bucket", readonly=True, copy=False,
        index="btree_not_null", group_expand="_read_group_ar_bucket_id",
    )
    ar_transition_ids = fields.One2many(
        "ar.followup.bucket.transition", "move_id", "Bucket Transitions", readonly=True
    )

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
