# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A customer's rights over its follow-up data (DPDP Act 2023): the export of everything
held, the erasure of what no law requires to keep, and the retention periods applied
every month."""

import base64
import json

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.mail import html_to_inner_content

from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestPersonalData(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._ar_invoice(cls.customer, 12345, cls.days_before(7))

    def setUp(self):
        super().setUp()
        self.refresh_ageing()
        self.reminder = self.plan().filtered(lambda r: r.partner_id == self.customer)
        self.dispatch()
        self.assertEqual(self.reminder.state, "sent")
        self.reminder._ar_record_click("pay", "Mozilla/5.0")
        self.customer.write({"ar_no_sms": True})

    def test_export_everything_held_for_managers_only(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.ar_user).action_ar_export_data()
        action = self.customer.with_user(self.ar_manager).action_ar_export_data()
        attachment_id = int(action["url"].split("/")[3].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        data = json.loads(base64.b64decode(attachment.datas))
        [reminder] = data["reminders"]
        self.assertEqual(reminder["subject"], self.reminder.subject)
        self.assertEqual(reminder["recipient"], self.customer.email)
        self.assertEqual(reminder["amount_residual"], 12345.0)
        self.assertEqual([c["kind"] for c in data["clicks"]], ["pay"])
        self.assertEqual(
            [(c["channel"], c["state"], c["source"]) for c in data["consents"]],
            [("sms", "opt_out", "form")],
        )
        self.assertEqual(data["customer"]["contacts"][0]["email"], self.customer.email)
        self.assertIn("Follow-up data exported by AR Manager.", self.chatter(self.customer.sudo()))

    def test_erase_keeps_what_accounting_must_keep(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.ar_user).action_ar_erase_data()
        self.company.ar_retention_message_days = 30
        subject = self.reminder.subject
        message = self.reminder.mail_message_id.sudo()
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        text = html_to_inner_content(message.body)
        self.assertIn("12,345.00", text)
        self.assertIn(text, self.chatter(self.customer.sudo()))
        self.assertIn("12,345.00", mail.body_html)
        day = self.days_before(-31)
        with self.frozen(day):
            self.customer.with_user(self.ar_manager).action_ar_erase_data()
        self.env.invalidate_all()
        self.assertFalse(self.reminder.click_ids)
        self.assertEqual(self.reminder.recipient, "b***@example.in")
        self.assertFalse(self.reminder.body)
        # the trail and the accounts stay: who was reminded of what, when, for how much
        self.assertEqual(
            (self.reminder.state, self.reminder.amount_residual, self.reminder.subject),
            ("read", 12345.0, subject),
        )
        self.assertTrue(self.reminder.date_sent)
        # its copies on the customer's thread and in the mail queue are erased too; the
        # message stays as a trace (subject, date, recipients), its text gone
        self.assertFalse(html_to_inner_content(message.body))
        self.assertNotIn(text, self.chatter(self.customer.sudo()))
        self.assertEqual(message.subject, subject)
        self.assertFalse(mail.body_html)
        self.assertEqual(self.invoice.amount_residual, 12345.0)
        self.assertEqual(len(self.customer.ar_consent_ids), 1, "the opt-out is still honoured")
        self.assertIn(
            "Follow-up data erased by AR Manager: 1 link clicks, 1 addresses and numbers, "
            "1 message texts past retention. Invoices, payments, amounts and dates are kept.",
            self.chatter(self.customer.sudo()),
        )

    def test_monthly_retention(self):
        Reminder = self.env["ar.followup.reminder"]
        # within both periods: nothing goes
        with self.frozen(self.days_before(-100)), self.committing():
            Reminder._cron_ar_apply_retention()
        self.env.invalidate_all()
        self.assertTrue(self.reminder.click_ids)
        self.assertTrue(self.reminder.body)
        # past the clicks' 180 days, then the texts' 730 days
        with self.frozen(self.days_before(-181)), self.committing():
            Reminder._cron_ar_apply_retention()
        self.env.invalidate_all()
        self.assertFalse(self.reminder.click_ids)
        self.assertTrue(self.reminder.body)
        self.assertTrue(self.reminder.mail_message_id.body)
        with self.frozen(self.days_before(-731)), self.committing():
            Reminder._cron_ar_apply_retention()
        self.env.invalidate_all()
        self.assertFalse(self.reminder.body)
        self.assertFalse(html_to_inner_content(self.reminder.mail_message_id.body))
        self.assertEqual(self.reminder.recipient, self.customer.email)
        self.assertEqual(self.reminder.date, TODAY)
