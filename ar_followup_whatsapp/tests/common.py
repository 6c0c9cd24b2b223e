# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fixtures of the WhatsApp tests: the test company's WhatsApp account pointed at a local
fake Graph API, its templates approved, customers preferring WhatsApp on a first step
that sends by WhatsApp then e-mail."""

import json

from odoo.tests import HttpCase

from odoo.addons.ar_followup.tests.common import ArFollowupCommon

from . import fake_graph

NUMBER = "+919820012345"  # the first customer's number (core common.py: "+91 98200 12345")
DIGITS = NUMBER.lstrip("+")
WEBHOOK = "/ar_followup_whatsapp/webhook"


class WhatsAppCommon(HttpCase, ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["ar.followup.reminder"]
        cls.account = cls.env["ar.followup.channel"]._ar_whatsapp_account(cls.company)
        cls.account.write(
            {
                "wa_business_account_id": fake_graph.WABA_ID,
                "wa_phone_number_id": fake_graph.PHONE_NUMBER_ID,
                "wa_access_token": fake_graph.TOKEN,
                "wa_app_secret": fake_graph.APP_SECRET,
                "wa_verify_token": fake_graph.VERIFY_TOKEN,
                "state": "enabled",
            }
        )
        cls.templates = cls.env["ar.followup.template"].search([("channel", "=", "whatsapp")])
        cls.templates.write({"wa_status": "approved"})
        cls.overdue_template = cls.env.ref("ar_followup_whatsapp.template_whatsapp_overdue")
        cls.overdue_template.write({"wa_url_button": True, "wa_reply_buttons": True})
        cls.step_first = cls.env.ref("ar_followup.ar_followup_policy_step_standard_first")
        cls.step_first.write({"channel": "whatsapp", "fallback_channel": "email"})
        (cls.customer | cls.customer_b).ar_channel = "whatsapp"

    def setUp(self):
        super().setUp()
        self.graph = self.enterContext(fake_graph.FakeGraph())
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("ar_followup_whatsapp.graph_read_timeout", "1")
        params.set_param("web.base.url", self.base_url())
        # every request the code sent was one Meta's spec accepts
        self.addCleanup(lambda: self.assertEqual(self.graph.invalid, []))

    def planned(self, customer=None, amount=1000):
        """An invoice 7 days overdue for ``customer``: its first reminder, by WhatsApp."""
        customer = customer or self.customer
        self._ar_invoice(customer, amount, self.days_before(7))
        reminder = self.plan().filtered(lambda r: r.partner_id == customer)
        self.assertEqual((reminder.channel, reminder.state), ("whatsapp", "planned"))
        return reminder

    def sent(self, customer=None):
        reminder = self.planned(customer)
        self.dispatch()
        self.assertEqual(reminder.state, "sent")
        return reminder

    def post_webhook(self, payload, signature=None, raw=None):
        """POST ``payload`` to the webhook as Meta does (signed with the app secret unless
        ``signature`` is given); returns the response."""
        body = raw if raw is not None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        headers["X-Hub-Signature-256"] = (
            signature if signature is not None else fake_graph.sign(body)
        )
        self.env.flush_all()
        response = self.url_open(WEBHOOK, data=body, headers=headers)
        self.env.invalidate_all()
        return response
