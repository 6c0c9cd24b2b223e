# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    # e-mail reminders and failed online payments
    ar_attach_invoices = fields.Boolean(related="company_id.ar_attach_invoices", readonly=False)
    ar_attach_invoices_format = fields.Selection(
        related="company_id.ar_attach_invoices_format", readonly=False
    )
    ar_attach_statement = fields.Boolean(related="company_id.ar_attach_statement", readonly=False)
    ar_payment_retry_days = fields.Char(related="company_id.ar_payment_retry_days", readonly=False)
