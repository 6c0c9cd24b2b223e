# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.exceptions import UserError

#: what :meth:`ArFollowupChannel._compute_feature_support_fields` sets, with the value a
#: channel that declares nothing gets
FEATURES = {
    "send_together": False,
    "contact_kind": "none",
    "support_delivery_report": False,
    "support_read_report": False,
    "support_reply": False,
    "costs_money": False,
    "obeys_calling_hours": False,
    "resend_interrupted": False,
    "body_html": False,
    "dispatcher_only": False,
    "ends_with": False,
}


class ArFollowupChannel(models.Model):
    """A way reminders reach customers, and its account in one company.

    Modelled on Odoo's ``payment.provider``: ``code`` is *the* list of channels.
    The customer's preferred channel, a policy step's channel and fallback, a
    template's channel and a reminder's channel all offer the codes of this
    selection, so a channel addon adds itself once::

        code = fields.Selection(
            selection_add=[("whatsapp", "WhatsApp")], ondelete={"whatsapp": "cascade"}
        )

    then declares what it can do in :meth:`_compute_feature_support_fields` and
    implements the reminder hooks named after its code (``readme/DEVELOP.md``).
    A record holds the channel's account in a company: whether it is enabled,
    and, for channels that have them, credentials (fields restricted to system
    administrators and cleared by ``data/neutralize.sql``). One record per
    company and code, created with the company and when a channel is installed.
    """

    _name = "ar.followup.channel"
    _description = "Reminder Channel"
    _order = "company_id, sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    code = fields.Selection(
        [("email", "E-mail"), ("sms", "SMS")],
        required=True,
        help="The channel: what a customer's preference, a step and a template name.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    state = fields.Selection(
        [("enabled", "Enabled"), ("test", "Test Mode"), ("disabled", "Disabled")],
        required=True,
        default="enabled",
        help="Disabled: reminders of this company do not use the channel; a step falls back "
        "to its next channel. Test mode: messages go to the channel's simulator, not to "
        "customers (channels that have one).",
    )
    # capabilities, declared per code in _compute_feature_support_fields
    send_together = fields.Boolean(
        "Posted Together",
        compute="_compute_feature_support_fields",
        help="A dispatch batch's messages are recorded together and committed at once; "
        "otherwise each is committed on its own right after the provider took it.",
    )
    contact_kind = fields.Selection(
        [("email", "E-mail address"), ("phone", "Phone number"), ("none", "Nothing")],
        "Needs",
        compute="_compute_feature_support_fields",
    )
    support_delivery_report = fields.Boolean(
        "Reports Delivery", compute="_compute_feature_support_fields"
    )
    support_read_report = fields.Boolean("Reports Reads", compute="_compute_feature_support_fields")
    support_reply = fields.Boolean("Can Be Answered", compute="_compute_feature_support_fields")
    costs_money = fields.Boolean("Costs Money", compute="_compute_feature_support_fields")
    obeys_calling_hours = fields.Boolean(
        "Calling Hours Only",
        compute="_compute_feature_support_fields",
        help="Sent only within the company's calling hours, in the customer's time zone.",
    )
    resend_interrupted = fields.Boolean(
        "Safe to Resend",
        compute="_compute_feature_support_fields",
        help="A send interrupted by a dying worker left nothing behind and is queued again; "
        "otherwise the reminder fails for a person to check with the provider.",
    )
    body_html = fields.Boolean(
        "Formatted Text",
        compute="_compute_feature_support_fields",
        help="Messages are HTML (e-mail); otherwise plain text.",
    )
    dispatcher_only = fields.Boolean(
        "Sent by the Dispatcher Only",
        compute="_compute_feature_support_fields",
        help="A manual send is queued for the dispatcher, never sent from the user's "
        "request: the channel calls an outside service that must not be called twice. "
        "Always the case for a channel committed reminder by reminder.",
    )

    ends_with = fields.Selection(
        selection="_ar_selection",
        string="Ends With",
        compute="_compute_feature_support_fields",
        help="When a message of this channel fails and its step names no channel left, this "
        "channel takes over, manual reminders included: it is part of how the channel works.",
    )

    _company_code_unique = models.UniqueIndex(
        "(company_id, code)", "A company has one account per channel."
    )

    @api.depends("code")
    def _compute_feature_support_fields(self):
        """What each channel can do: the one place capabilities are declared.

        A channel addon calls ``super()``, then sets its own records'
        (``self.filtered(lambda c: c.code == "whatsapp").update({...})``).
        """
        declared = {
            "email": {
                "send_together": True,
                "contact_kind": "email",
                "support_delivery_report": True,
                "support_reply": True,
                "resend_interrupted": True,
                "body_html": True,
            },
            "sms": {
                "contact_kind": "phone",
                "support_delivery_report": True,
                # received through Twilio's incoming-message webhook (sms_incoming.py)
                "support_reply": True,
                "costs_money": True,
                "obeys_calling_hours": True,
            },
        }
        for channel in self:
            channel.update({**FEATURES, **declared.get(channel.code, {})})

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        codes = set(self.mapped("code"))
        if (
            self.env["ar.followup.reminder"]
            .sudo()
            .search_count(
                [("channel", "in", list(codes)), ("company_id", "in", self.company_id.ids)], limit=1
            )
        ):
            raise UserError(
                self.env._(
                    "Reminders were sent by this channel: disable it instead of deleting it."
                )
            )

    def write(self, vals):
        if "code" in vals and any(channel.code != vals["code"] for channel in self):
            raise UserError(self.env._("A channel's code cannot change."))
        return super().write(vals)

    # -- business methods ----------------------------------------------------------

    @api.model
    def _ar_selection(self):
        """``[(code, label)]``: the channels, for every field that names one."""
        return self._fields["code"]._description_selection(self.env)

    @api.model
    @tools.ormcache("code")
    def _ar_features(self, code):
        """``{capability: value}`` of the channel ``code`` (see :data:`FEATURES`)."""
        channel = self.new({"code": code})
        return {name: channel[name] for name in FEATURES}

    @api.model
    def _ar_get_states(self, company):
        """``{code: state}`` of ``company``'s channels; a code without record is disabled."""
        channels = self.sudo().search_fetch([("company_id", "=", company.id)], ["code", "state"])
        states = dict.fromkeys((code for code, _label in self._ar_selection()), "disabled")
        states.update({channel.code: channel.state for channel in channels})
        return states

    @api.model
    def _ar_create_missing(self, companies=None):
        """Give every company (or ``companies``) a record of each channel it lacks
        (see :meth:`_ar_prepare_channel_vals`)."""
        companies = companies or self.env["res.company"].sudo().search([])
        existing = {
            (channel.company_id.id, channel.code)
            for channel in self.sudo().with_context(active_test=False).search([])
        }
        labels = dict(self._ar_selection())
        vals_list = [
            self._ar_prepare_channel_vals(company, code, labels[code])
            for company in companies
            for code in labels
            if (company.id, code) not in existing
        ]
        return self.sudo().create(vals_list)

    @api.model
    def _ar_prepare_channel_vals(self, company, code, label):
        """Values of ``company``'s new record of channel ``code``: enabled when the
        channel can send (it implements a send hook), else disabled. A channel whose
        account needs configuring first (credentials) starts disabled in its addon's
        override; e-mail and SMS use Odoo's own mail servers and SMS settings."""
        Reminder = self.env["ar.followup.reminder"]
        can_send = any(Reminder._ar_channel_hook(hook, code) for hook in ("send", "send_together"))
        return {
            "name": label,
            "code": code,
            "company_id": company.id,
            "state": "enabled" if can_send else "disabled",
        }
