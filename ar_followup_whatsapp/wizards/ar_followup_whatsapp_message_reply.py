# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ar_followup.tools import masking

from ..tools import graph_api

#: Meta's customer-service window: free text only this long after the customer's last message
SERVICE_WINDOW = timedelta(hours=24)


class ArFollowupWhatsappMessageReply(models.TransientModel):
    """An AR user's free-text answer to a customer's WhatsApp message.

    Meta allows free text only within 24 hours of the customer's last message;
    after that only an approved template may be sent, which is what reminders
    are: the wizard says so instead of sending.
    """

    _name = "ar.followup.whatsapp.message.reply"
    _description = "Answer a WhatsApp Message"

    message_id = fields.Many2one("ar.followup.whatsapp.message", required=True, readonly=True)
    partner_id = fields.Many2one(related="message_id.partner_id")
    body = fields.Text("Answer", required=True)
    window_end = fields.Datetime("Free Text Until", compute="_compute_window_end")

    @api.depends("message_id")
    def _compute_window_end(self):
        for wizard in self:
            last = wizard.message_id._ar_last_from_number()
            wizard.window_end = last.date + SERVICE_WINDOW if last else False

    def action_send(self):
        self.ensure_one()
        message = self.message_id
        if not message.partner_id or not message.number:
            raise UserError(self.env._("Name the customer of this message first."))
        if not self.window_end or self.window_end < fields.Datetime.now():
            raise UserError(
                self.env._(
                    "More than 24 hours have passed since the customer's last WhatsApp "
                    "message: Meta only allows an approved template now. Send a reminder "
                    "instead (Send reminder now on the customer)."
                )
            )
        account = self.env["ar.followup.channel"]._ar_whatsapp_account(message.company_id)
        if account.state == "disabled":
            raise UserError(self.env._("WhatsApp is disabled for %s.", message.company_id.name))
        if account.state == "enabled":
            api = account._ar_whatsapp_api()
            try:
                api.send_text(account.wa_phone_number_id, message.number, self.body)
            except graph_api.GraphError as error:
                raise UserError(account._ar_whatsapp_error_text(error)) from None
            finally:
                api.close()
        message.partner_id.commercial_partner_id.message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (self.env._("WhatsApp to %s:", masking.mask_number(message.number)), self.body),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
