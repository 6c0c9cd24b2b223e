# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._ar_refresh_reconciled_moves()
        moves = (partials.debit_move_id | partials.credit_move_id).move_id
        moves._ar_check_promises()
        # cadence: reminders whose invoices are now paid are cancelled, or marked paid if sent
        self.env["ar.followup.reminder"].sudo()._ar_settle(moves)
        # the collections dashboard's activity: a payment matched with a customer invoice
        paid = partials.filtered(
            lambda p: (
                p.debit_move_id.account_type == "asset_receivable"
                and p.debit_move_id.move_id.move_type in ("out_invoice", "out_receipt")
                and p.credit_move_id.move_id.move_type == "entry"
            )
        )
        self.env["ar.followup.snapshot"]._ar_notify_activity("paid", paid.debit_move_id.move_id)
        return partials

    def unlink(self):
        moves = (self.debit_move_id | self.credit_move_id).move_id
        res = super().unlink()
        moves.exists()._ar_refresh_ageing()
        return res

    def _ar_refresh_reconciled_moves(self):
        """A payment or credit note changes what is still due: re-age the invoices it touches."""
        (self.debit_move_id | self.credit_move_id).move_id._ar_refresh_ageing()
