# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

from .ar_followup_snapshot import ACTIVITY_SUBCHANNEL


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        """An AR user listens to the follow-up activity of each of their companies, so the
        collections dashboard refreshes its activity without reloading; nobody else does,
        the notifications naming customers' reminders and payments."""
        channels = super()._build_bus_channel_list(channels)
        user = self.env.user
        if user and user.has_group("ar_followup.ar_followup_group_user"):
            channels.extend((company, ACTIVITY_SUBCHANNEL) for company in user.company_ids)
        return channels
