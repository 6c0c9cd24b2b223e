# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ArFollowupChannel(models.Model):
    """Phone calls as a reminder channel: its place in the one list of channels.

    Today the addon holds call scripts (templates of this channel) for the AR
    clerk; no call is placed automatically (no ``_ar_call_send`` hook), so a
    company's call channel starts disabled and a step naming it falls back to
    its next channel.
    """

    _inherit = "ar.followup.channel"

    code = fields.Selection(selection_add=[("call", "Phone call")], ondelete={"call": "cascade"})

    def _compute_feature_support_fields(self):
        result = super()._compute_feature_support_fields()
        self.filtered(lambda c: c.code == "call").update(
            {"contact_kind": "phone", "obeys_calling_hours": True}
        )
        return result
