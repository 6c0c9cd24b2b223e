# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from odoo.addons.ar_followup.tests.common import ArFollowupCommon


@tagged("post_install", "-at_install")
class TestInstall(ArFollowupCommon):
    def test_installed_on_top_of_core(self):
        module = self.env["ir.module.module"].search([("name", "=", "ar_followup_whatsapp")])
        self.assertEqual(module.state, "installed")
        self.assertIn("ar_followup", module.dependencies_id.mapped("name"))
        self.assertEqual(self.company.currency_id.name, "INR")
