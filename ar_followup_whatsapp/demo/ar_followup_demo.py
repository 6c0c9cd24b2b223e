# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Demo data only: the demo company reminds by WhatsApp in test mode."""

import uuid
from datetime import time, timedelta

from odoo import api, models

#: yesterday's WhatsApp exchange, in the company's time zone: reminders sent, delivered,
#: read, then the customers' answers
SENT, DELIVERED, READ, ANSWERED = (time(h, m) for h, m in ((11, 0), (11, 5), (11, 20), (12, 10)))
#: the customers reminded by WhatsApp yesterday: the first of those who prefer it
#: (``ar_followup_whatsapp_demo.xml``) that nothing holds then (the history can leave
#: one with a dispute, the other with a reply waiting in the AR inbox), and one the AR
#: manager picks WhatsApp for
PREFERRING = ("indus", "kalinga")
PICKED = "chambal"
#: what the first of them writes back (the AR inbox), and a stranger's message
REPLY = "Sir, {invoice} is approved for payment. Our accounts will release it on Friday."
STRANGER = ("919820041177", "Hello, Ramesh from Om Sai Enterprises here. Please send our ledger.")


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

    @api.model
    def _ar_demo_whatsapp_exchange(self, company_ids):
        """Yesterday, on the clock of the core demo: the AR manager sends two customers
        a reminder by WhatsApp (*Send reminder now*), the test mode's simulator
        reports them delivered and read, then one customer writes back (the AR inbox),
        the other taps *I will pay on…* (a promise), and an unknown number writes in
        (*Unmatched*): the WhatsApp messages and receipts a team sees after a day."""
        company = self.env["res.company"].browse(company_ids)
        company.ensure_one()
        Partner = self.env["res.partner"]
        admin = self.env.ref("base.user_admin")
        Reminder = self.env["ar.followup.reminder"]
        Inbox = self.env["ar.followup.whatsapp.message"]
        yesterday = company._ar_today() - timedelta(days=1)
        preferring = Partner.concat(
            *(self.env.ref("ar_followup.demo_partner_%s" % key) for key in PREFERRING)
        )
        held = {hold[0] for hold in Partner._ar_get_holds(company, yesterday, preferring)}
        free = preferring.filtered(lambda partner: partner.id not in held)
        customers = (free or preferring)[:1] | self.env.ref("ar_followup.demo_partner_" + PICKED)
        with self._ar_demo_clock(company) as clock, self._ar_demo_one_transaction():
            clock(yesterday, SENT)
            wizard = (
                self.env["ar.followup.send"]
                .with_user(admin)
                .with_company(company)
                .with_context(active_model="res.partner", active_ids=customers.ids)
                .create({})
            )
            wizard.line_ids.channel = "whatsapp"
            wizard.action_send()
            # a WhatsApp message leaves through the dispatcher, as every outside call
            company._ar_dispatch_reminders()
            reminders = wizard.line_ids.reminder_id.filtered(
                lambda r: r.channel == "whatsapp" and r.state == "sent"
            ).sudo()
            clock(yesterday, DELIVERED)
            Reminder._cron_ar_whatsapp_simulate()
            clock(yesterday, READ)
            reminders._ar_apply_report("read")
            clock(yesterday, ANSWERED)
            for reminder in reminders:
                message = {
                    "id": "wamid.TESTIN.%s" % uuid.uuid4().hex,
                    "from": reminder.recipient.lstrip("+"),
                    "context": {"id": reminder.provider_message_id},
                }
                if reminder.partner_id == customers[0]:
                    invoice = reminder.move_ids[:1].name
                    message.update(type="text", text={"body": REPLY.format(invoice=invoice)})
                else:
                    message.update(
                        type="button",
                        button={"text": "I will pay on…", "payload": "ar_promise"},
                    )
                Inbox._ar_receive(company, message, {})
            number, body = STRANGER
            Inbox._ar_receive(
                company,
                {
                    "id": "wamid.TESTIN.%s" % uuid.uuid4().hex,
                    "from": number,
                    "type": "text",
                    "text": {"body": body},
                },
                {},
            )
        return True
