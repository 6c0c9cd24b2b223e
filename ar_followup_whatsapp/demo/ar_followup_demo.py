# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Demo data only: the demo company reminds by WhatsApp in test mode."""

from odoo import api, models


class ArFollowupDemo(models.AbstractModel):
    _inherit = "ar.followup.demo"

    @api.model
    def _ar_demo_whatsapp_test_mode(self, company_ids):
        """Put these companies' WhatsApp channel in test mode: messages go to the simulator
        (delivered, read, some answered) instead of Meta, no account needed."""
        companies = self.env["res.company"].browse(company_ids)
        Channel = self.env["ar.followup.channel"]
        Channel._ar_create_missing(companies)
        for company in companies:
            Channel._ar_whatsapp_account(company).state = "test"
