# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


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
        [("manual", "Set by a user"), ("reply", "Customer's WhatsApp reply")],
        "WhatsApp Opt-out Source",
        readonly=True,
        copy=False,
        groups="ar_followup.ar_followup_group_user",
    )

    def write(self, vals):
        if "ar_no_whatsapp" in vals and "ar_no_whatsapp_source" not in vals:
            vals = {
                **vals,
                "ar_no_whatsapp_date": fields.Datetime.now() if vals["ar_no_whatsapp"] else False,
                "ar_no_whatsapp_source": "manual" if vals["ar_no_whatsapp"] else False,
            }
        return super().write(vals)

    def _ar_whatsapp_opt_out(self, source="reply"):
        """The customer asked for no more WhatsApp reminders (``source``): recorded with
        the date, and said on its chatter."""
        for partner in self.commercial_partner_id.filtered(lambda p: not p.ar_no_whatsapp):
            partner.write(
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
