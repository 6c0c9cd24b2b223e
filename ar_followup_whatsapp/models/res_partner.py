# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from odoo.addons.ar_followup.tools import masking


class ResPartner(models.Model):
    """The customer's WhatsApp opt-out: the core reads ``ar_no_whatsapp`` as it reads the
    other channels' flags (``_ar_is_channel_allowed``); when and how it was set are kept
    as the proof of consent Indian and Meta rules ask for."""

    _inherit = "res.partner"

    ar_no_whatsapp = fields.Boolean(
        "No WhatsApp Reminders",
        tracking=True,
        groups="ar_followup.ar_followup_group_user",
        help="Never send this customer payment reminders by WhatsApp.",
    )
    ar_no_whatsapp_date = fields.Datetime(
        "WhatsApp Opt-out On",
        readonly=True,
        copy=False,
        groups="ar_followup.ar_followup_group_user",
    )
    ar_no_whatsapp_source = fields.Selection(
        [
            ("manual", "Set by a user"),
            ("reply", "Customer's WhatsApp reply"),
            ("portal", "Customer's receivables page"),
        ],
        "WhatsApp Opt-out Source",
        readonly=True,
        copy=False,
        groups="ar_followup.ar_followup_group_user",
    )

    def write(self, vals):
        if "ar_no_whatsapp" in vals and "ar_no_whatsapp_source" not in vals:
            # the receivables page is the customer's own doing; any other change a user's
            portal = self.env.context.get("ar_consent_source") == "portal"
            vals = {
                **vals,
                "ar_no_whatsapp_date": fields.Datetime.now() if vals["ar_no_whatsapp"] else False,
                "ar_no_whatsapp_source": vals["ar_no_whatsapp"]
                and ("portal" if portal else "manual"),
            }
        return super().write(vals)

    def _ar_export_followup_data(self):
        data = super()._ar_export_followup_data()
        messages = self.env["ar.followup.whatsapp.message"].search(
            [("partner_id", "=", self.id)], order="id"
        )
        data["whatsapp_messages"] = [
            {
                "id": message.id,
                "company": message.company_id.name,
                "date": fields.Datetime.to_string(message.date),
                "number": message.number or None,
                "profile_name": message.profile_name or None,
                "type": message.message_type or None,
                "body": message.body or None,
            }
            for message in messages
        ]
        return data

    def _ar_erase_followup_data(self):
        """WhatsApp replies received: the sender's number masked, the WhatsApp name
        dropped; what was said stays with the conversation it belongs to."""
        counts = super()._ar_erase_followup_data()
        messages = self.env["ar.followup.whatsapp.message"].search(
            [
                ("partner_id", "=", self.id),
                "|",
                ("number", "!=", False),
                ("profile_name", "!=", False),
            ]
        )
        # one write per number, not per message
        for number, same in messages.grouped("number").items():
            same.write({"number": masking.mask_number(number) or False, "profile_name": False})
        counts["recipients"] = counts.get("recipients", 0) + len(messages)
        return counts

    def _ar_whatsapp_opt_out(self, source="reply"):
        """The customer asked for no more WhatsApp reminders (``source``): recorded with
        the date, and said on its chatter."""
        for partner in self.commercial_partner_id.filtered(lambda p: not p.ar_no_whatsapp):
            partner.with_context(ar_consent_source="whatsapp").write(
                {
                    "ar_no_whatsapp": True,
                    "ar_no_whatsapp_date": fields.Datetime.now(),
                    "ar_no_whatsapp_source": source,
                }
            )
            partner.message_post(
                body=self.env._(
                    "The customer asked by WhatsApp to receive no more reminders there."
                ),
                subtype_xmlid="mail.mt_note",
            )
