# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo company reminds by WhatsApp in test mode: receipts and a reply without Meta.

Loads the core's demo file then this addon's, inside the test's transaction (rolled
back), as ``ar_followup/tests/test_demo.py`` does.
"""

from datetime import datetime, time, timedelta

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
        """Yesterday's exchange: reminded by WhatsApp, delivered and read, then a written
        reply, a tap on *I will pay on…*, and a message from an unknown number."""
        account = self.env["ar.followup.channel"]._ar_whatsapp_account(self.company)
        self.assertEqual(account.state, "test")
        Reminder = self.env["ar.followup.reminder"]
        reminders = Reminder.search([("channel", "=", "whatsapp")])
        chambal = self.env.ref("ar_followup.demo_partner_chambal")
        # the other is a customer who prefers WhatsApp; both were sent (nothing held them)
        writer = reminders.partner_id - chambal
        self.assertEqual(len(reminders.partner_id), 2)
        self.assertIn(chambal, reminders.partner_id)
        self.assertEqual(writer.ar_channel, "whatsapp")
        yesterday = TODAY - timedelta(days=1)
        for reminder in reminders:
            self.assertEqual(reminder.date_sent.date(), yesterday)
            self.assertLess(reminder.date_sent, reminder.date_delivered)
            self.assertLess(reminder.date_delivered, reminder.date_read)
            self.assertEqual(reminder.state, "replied")
        # the WhatsApp Messages menu: the stranger first (its default filter), then all
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ar_followup_whatsapp.ar_followup_whatsapp_message_action"
        )
        Message = self.env["ar.followup.whatsapp.message"]
        [stranger] = Message.search([("state", "=", "unmatched")])
        self.assertIn("search_default_unmatched", action["context"])
        self.assertFalse(stranger.partner_id)
        self.assertIn("ledger", stranger.body)
        matched = Message.search([("state", "=", "matched")])
        self.assertEqual(
            {(m.partner_id, m.message_type) for m in matched},
            {(writer, "text"), (chambal, "button")},
        )
        self.assertEqual(matched.reminder_id, reminders)
        # the written reply waits in the AR inbox; the tap made a promise
        conversation = self.env["ar.followup.conversation"].search(
            [("partner_id", "=", writer.id), ("state", "=", "open")]
        )
        self.assertIn("release it on Friday", str(conversation.last_message_id.body))
        promise = self.env["ar.followup.promise"].search(
            [("source", "=", "whatsapp"), ("partner_id", "=", chambal.id)]
        )
        self.assertEqual(promise.state, "open")
