# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

#: where a change of consent came from; the context key ``ar_consent_source`` names it
SOURCES = [
    ("form", "Customer form"),
    ("reply_stop", "Reply STOP"),
    ("unsubscribe", "Unsubscribe link"),
    ("whatsapp", "WhatsApp opt-out word"),
    ("import", "Import"),
    ("portal", "Receivables page"),
]


class ArFollowupConsent(models.Model):
    """A change of a customer's (or contact's) consent to reminders on one channel.

    The ``ar_no_<channel>`` flags of ``res.partner`` stay what the cadence engine
    reads; every change of one writes a row here (``res.partner.write``), so the
    customer form shows who changed which channel, when, how and why. The rows are
    the proof of consent the DPDP Act and Meta's rules ask for: written by the
    system only, read by the AR team, never edited; a system administrator alone
    may delete them.
    """

    _name = "ar.followup.consent"
    _description = "Reminder Consent"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner",
        "Contact",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        help="The customer or contact whose consent changed.",
    )
    customer_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        help="The commercial entity of the contact, whose form shows the history.",
    )
    channel = fields.Selection(selection="_selection_channel", required=True, readonly=True)
    state = fields.Selection(
        [("opt_in", "Opted in"), ("opt_out", "Opted out")], required=True, readonly=True
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    source = fields.Selection(SOURCES, required=True, readonly=True, default="form")
    user_id = fields.Many2one(
        "res.users",
        "Changed By",
        readonly=True,
        ondelete="set null",
        help="The user who made the change; empty when the customer made it.",
    )
    by_customer = fields.Boolean("By the Customer", readonly=True)
    address = fields.Char(
        readonly=True, help="The address or number the change was made from, when known."
    )
    note = fields.Char(readonly=True)

    @api.model
    def _selection_channel(self):
        return self.env["ar.followup.channel"]._ar_selection()

    @api.model
    def _ar_record(self, partners, channel, opted_out, source=None, note=None, address=None):
        """Record that ``partners`` opted in or out (``opted_out``) of ``channel``.

        ``source`` defaults to the context's ``ar_consent_source``, else the
        customer form (else an import, when the change comes from one). A change
        from the unsubscribe link, a reply or the receivables page is the customer's
        own (``by_customer``); the user is the one who made or confirmed it (the
        portal user on the page), none for a public route or a webhook.
        """
        context = self.env.context
        source = (
            source
            or context.get("ar_consent_source")
            or ("import" if context.get("import_file") else "form")
        )
        by_customer = source in ("reply_stop", "unsubscribe", "whatsapp", "portal")
        user = self.env.user
        user_id = False if user._is_public() or user._is_superuser() else user.id
        return self.sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "customer_id": partner.commercial_partner_id.id,
                    "channel": channel,
                    "state": "opt_out" if opted_out else "opt_in",
                    "source": source,
                    "user_id": user_id,
                    "by_customer": by_customer,
                    "address": address or context.get("ar_consent_address"),
                    "note": note or context.get("ar_consent_note"),
                }
                for partner in partners
            ]
        )
