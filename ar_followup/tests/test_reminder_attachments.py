# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""E-mail reminders carry the invoice PDFs and the statement of account."""

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestReminderAttachments(ArFollowupCommon):
    def send(self, partner, **context):
        reminder = (
            self.env["ar.followup.reminder"]
            .sudo()
            .search([("partner_id", "=", partner.id), ("state", "=", "planned")])
        )
        self.assertEqual(len(reminder), 1)
        now = fields.Datetime.now()
        reminder.write({"state": "sending", "date_sending": now})
        problem = reminder._ar_check_before_send(now).get(reminder.id)
        reminder.with_context(**context)._ar_dispatch_one(problem, now)
        self.assertEqual(reminder.state, "sent")
        return reminder

    def test_invoices_and_statement_attached_unless_switched_off(self):
        self.assertTrue(self.company.ar_attach_invoices)
        self.assertTrue(self.company.ar_attach_statement)
        old = self._ar_invoice(self.customer, 125000, self.days_before(20))
        recent = self._ar_invoice(self.customer, 5000, self.days_before(10))
        # an invoice already sent keeps its PDF: the same file goes with the reminder
        sent_pdf = self.env["ir.attachment"].create(
            {
                "name": "%s.pdf" % recent.name.replace("/", "_"),
                "raw": b"%PDF-1.4 sent earlier",
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": recent.id,
            }
        )
        recent.message_main_attachment_id = sent_pdf
        self._ar_invoice(self.customer_b, 7000, self.days_before(10))
        self.company._ar_plan_reminders(TODAY)

        # real PDFs (Odoo's tests print HTML unless told otherwise; needs wkhtmltopdf)
        reminder = self.send(self.customer, force_report_rendering=True)
        attachments = reminder.mail_message_id.attachment_ids
        self.assertEqual(
            sorted(attachments.mapped("name")),
            [
                "%s.pdf" % old.name.replace("/", "_"),
                sent_pdf.name,
                "Statement of Account - Bharat Steel Traders.pdf",
            ],
        )
        self.assertIn(sent_pdf, attachments)
        for attachment in attachments - sent_pdf:
            self.assertEqual(attachment.mimetype, "application/pdf")
            self.assertTrue(attachment.raw.startswith(b"%PDF"), attachment.name)
        self.assertFalse(reminder.error)
        # the mail queued for the customer carries them
        mail = self.env["mail.mail"].search([("mail_message_id", "=", reminder.mail_message_id.id)])
        self.assertEqual(mail.attachment_ids, attachments)

        self.company.write({"ar_attach_invoices": False, "ar_attach_statement": False})
        reminder_b = self.send(self.customer_b)
        self.assertFalse(reminder_b.mail_message_id.attachment_ids)

    def test_a_pdf_that_fails_does_not_stop_the_reminder(self):
        invoice = self._ar_invoice(self.customer, 125000, self.days_before(20))
        self.env.ref("ar_followup.action_report_statement").report_name = "ar_followup.no_such"
        self.company._ar_plan_reminders(TODAY)
        with mute_logger("odoo.addons.ar_followup.models.ar_followup_reminder_email"):
            reminder = self.send(self.customer)
        names = reminder.mail_message_id.attachment_ids.mapped("name")
        self.assertEqual(len(names), 1)
        self.assertTrue(names[0].startswith(invoice.name.replace("/", "_")))
        self.assertIn("Sent without Statement of Account", reminder.error)
