# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.http import request

from odoo.addons.account.controllers.portal import PortalAccount


class ArFollowupPortalAccount(PortalAccount):
    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        # the debtor (public with the link's token, or a portal user), not our own staff
        if not request.env.user._is_internal():
            invoice._ar_record_portal_view()
        return super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
