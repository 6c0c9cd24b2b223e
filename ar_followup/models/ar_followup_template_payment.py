# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ArFollowupTemplate(models.Model):
    _inherit = "ar.followup.template"  # pylint: disable=consider-merging-classes-inherited

    stage = fields.Selection(
        selection_add=[("payment_failed", "Online payment failed")],
        ondelete={"payment_failed": "cascade"},
    )
