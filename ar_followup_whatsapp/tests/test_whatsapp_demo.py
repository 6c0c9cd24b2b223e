# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo company reminds by WhatsApp in test mode: receipts and a reply without Meta.

Loads the core's demo file then this addon's, inside the test's transaction (rolled
back), as ``ar_followup/tests/test_demo.py`` does.
"""

from datetime import datetime, time, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

from odoo.addons.ar_followup.tests.common import TODAY


@tagged("post_install", "-at_install")
class TestWhatsAppDemo(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(datetime.combine(TODAY, time(4, 30))):
            # the channel's own story, on the books without the core demo's history
            env = cls.env(context=dict(cls.env.context, ar_demo_history_days=0))
            for module, path in (
                ("ar_followup", "demo/ar_followup_demo.xml"),
                ("ar_followup_whatsapp", "demo/ar_followup_whatsapp_demo.xml"),
            ):
                convert_file(env, module, path, {}, mode="init", noupdate=True)
        cls.company = cls.env.ref("base.main_company")

    def test_whatsapp_reminders_with_receipts_and_a_reply(self):
        account = self.env["ar.followup.channel"]._ar_whatsapp_account(self.company)
        self.assertEqual(account.state, "test")
        moment = datetime.combine(TODAY, time(4, 30))
        Reminder = self.env["ar.followup.reminder"]
        with (
            freeze_time(moment),
            # the dispatcher's commits stay inside the test's transaction
            patch.object(type(self.env["ir.cron"]), "_commit_progress", lambda *a, **k: 1e9),
        ):
            self.company.write({"ar_attach_invoices": False, "ar_attach_statement": False})
            self.company._ar_plan_reminders(TODAY)
            self.company._ar_dispatch_reminders()
        reminders = Reminder.search([("channel", "=", "whatsapp")])
        self.assertEqual(
            set(reminders.partner_id.mapped("name")),
            {"Indus Logistics Pvt. Ltd.", "Kalinga Steel Fabricators"},
        )
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        Reminder._cron_ar_whatsapp_simulate(now=moment + timedelta(minutes=3))
        self.assertEqual(set(reminders.mapped("state")), {"delivered"})
        Reminder._cron_ar_whatsapp_simulate(now=moment + timedelta(minutes=7))
        self.assertLessEqual(set(reminders.mapped("state")), {"read", "replied"})
        replied = reminders.filtered(lambda r: r.id % 3 == 0)
        self.assertEqual(set(replied.mapped("state")), {"replied"} if replied else set())
        promises = self.env["ar.followup.promise"].search(
            [("source", "=", "whatsapp"), ("partner_id", "in", replied.partner_id.ids)]
        )
        self.assertEqual(promises.partner_id, replied.partner_id)
