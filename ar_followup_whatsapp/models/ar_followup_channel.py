# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ArFollowupChannel(models.Model):
    """WhatsApp as a reminder channel: its place in the one list of channels.

    Today the addon checks WhatsApp templates against Meta's rules; nothing is
    sent yet (no ``_ar_whatsapp_send`` hook), so a company's WhatsApp channel
    starts disabled and a step naming WhatsApp falls back to its next channel.
    """

    _inherit = "ar.followup.channel"

    code = fields.Selection(
        selection_add=[("whatsapp", "WhatsApp")], ondelete={"whatsapp": "cascade"}
    )

    def _compute_feature_support_fields(self):
        result = super()._compute_feature_support_fields()
        self.filtered(lambda c: c.code == "whatsapp").update({"contact_kind": "phone"})
        return result
