# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def action_ar_call_now(self):
        """*Call now* on overdue invoices: one customer is dialled at once, several are
        put in the call queue."""
        partners = self.commercial_partner_id
        if len(partners) == 1:
            return partners.action_ar_call_now()
        return partners.action_ar_add_to_call_queue()
