# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import secrets

from odoo import api, fields, models


class ArFollowupChannel(models.Model):
    """Phone calls as a reminder channel, and the call settings of a company.

    A reminder of this channel puts its customer in the company's call queue
    (``ar.followup.call``) instead of sending a message; the company's record of
    the channel holds how the queue is fed and worked (thresholds, collectors,
    attempt caps) and the click-to-call provider's account (Exotel or
    Knowlarity), whose credentials only system administrators read.
    """

    _inherit = "ar.followup.channel"

    code = fields.Selection(
        selection_add=[("call", "Phone call"), ("ivr", "Automated call")],
        ondelete={"call": "cascade", "ivr": "cascade"},
    )
    # the queue
    call_team_ids = fields.Many2many(
        "res.users",
        "ar_followup_channel_call_team_rel",
        "channel_id",
        "user_id",
        string="Collectors",
        domain=[("share", "=", False)],
        help="Who calls customers without an AR owner, in turn (the one with the fewest open "
        "calls first). Empty: every AR Follow-up user of the company.",
    )
    call_threshold_amount = fields.Monetary(
        "Queue Customers Owing",
        currency_field="call_currency_id",
        help="The daily queue refresh puts in the call queue every customer whose overdue "
        "amount reaches this (0: only reminders of the channel Phone call do).",
    )
    call_threshold_days = fields.Integer(
        "And Overdue For (days)",
        default=0,
        help="With the amount above: only customers whose oldest overdue invoice is at least "
        "this many days overdue.",
    )
    call_on_broken_promise = fields.Boolean(
        "Queue Broken Promises",
        help="The daily queue refresh puts in the call queue customers who broke a promise to "
        "pay in the last week.",
    )
    call_max_per_day = fields.Integer(
        "Calls per Customer and Day",
        default=2,
        help="Calls placed to one customer in a day (its time zone), answered or not.",
    )
    call_max_per_week = fields.Integer(
        "Calls per Customer and Week",
        default=6,
        help="Calls placed to one customer over the last 7 days, answered or not.",
    )
    call_retry_minutes = fields.Integer(
        "Call Again After (minutes)",
        default=120,
        help="An unanswered call comes back in the queue this long after, within calling hours.",
    )
    call_currency_id = fields.Many2one(related="company_id.currency_id", string="Call Currency")
    # click-to-call: the provider's account, for system administrators only
    call_provider = fields.Selection(
        [("none", "None: the collector dials"), ("exotel", "Exotel"), ("knowlarity", "Knowlarity")],
        "Click-to-Call",
        required=True,
        default="none",
        groups="base.group_system",
        help="Who connects the collector's phone to the customer when the collector presses "
        "Call; None: the collector dials the number shown.",
    )
    call_callback_token = fields.Char(
        "Status Callback Token",
        default=lambda self: secrets.token_urlsafe(24),
        copy=False,
        groups="base.group_system",
        help="The secret part of the URL the provider reports calls to.",
    )
    exotel_host = fields.Char(
        "Exotel API Host",
        default="api.exotel.com",
        groups="base.group_system",
        help="api.exotel.com (Singapore cluster) or api.in.exotel.com (India cluster).",
    )
    exotel_sid = fields.Char("Exotel Account SID", groups="base.group_system")
    exotel_api_key = fields.Char("Exotel API Key", groups="base.group_system")
    exotel_api_token = fields.Char("Exotel API Token", groups="base.group_system")
    exotel_caller_id = fields.Char(
        "ExoPhone", groups="base.group_system", help="The number customers see calling."
    )
    knowlarity_api_key = fields.Char(
        "Knowlarity Application Key", groups="base.group_system", help="Sent as x-api-key."
    )
    knowlarity_sr_key = fields.Char(
        "Knowlarity SR API Key", groups="base.group_system", help="Sent as Authorization."
    )
    knowlarity_k_number = fields.Char("Knowlarity Number", groups="base.group_system")
    knowlarity_caller_id = fields.Char("Knowlarity Caller ID", groups="base.group_system")
    # automated reminder calls (channel "ivr"), through the company's Exotel account
    ivr_app_en = fields.Char(
        "Exotel Flow (English)",
        help="The id of the Exotel flow (app) announcing the amount in English.",
    )
    ivr_app_hi = fields.Char(
        "Exotel Flow (Hindi)",
        help="The id of the Exotel flow for Hindi-speaking customers; empty: the English one.",
    )
    ivr_max_attempts = fields.Integer(
        "Automated Calls per Reminder",
        default=3,
        help="Calls of one reminder not answered (no answer, busy, failed) before it ends in "
        "an SMS with the amount overdue.",
    )
    ivr_retry_minutes = fields.Integer(
        "Automated Call Again After (minutes)",
        default=60,
        help="Wait after an unanswered automated call, within calling hours.",
    )

    _call_caps_positive = models.Constraint(
        "CHECK(call_max_per_day >= 1 AND call_max_per_week >= call_max_per_day "
        "AND call_retry_minutes >= 1 AND ivr_max_attempts >= 1 AND ivr_retry_minutes >= 1)",
        "At least one call a day, no more a day than a week, and a wait before calling again.",
    )

    def _compute_feature_support_fields(self):
        result = super()._compute_feature_support_fields()
        # a reminder of this channel queues a call task in the transaction marking it
        # sent: an interrupted one left nothing behind and is queued again
        self.filtered(lambda c: c.code == "call").update(
            {
                "contact_kind": "phone",
                "obeys_calling_hours": True,
                "support_delivery_report": True,
                "support_read_report": True,
                "resend_interrupted": True,
            }
        )
        # an automated call may have been placed when its worker died: never again blindly
        self.filtered(lambda c: c.code == "ivr").update(
            {
                "contact_kind": "phone",
                "obeys_calling_hours": True,
                "support_delivery_report": True,
                "costs_money": True,
                # the amount overdue still reaches a customer who never answered
                "ends_with": "sms",
            }
        )
        return result

    @api.model
    def _ar_prepare_channel_vals(self, company, code, label):
        vals = super()._ar_prepare_channel_vals(company, code, label)
        if code == "ivr":
            # needs the company's Exotel account and flows first
            vals["state"] = "disabled"
        return vals

    @api.model
    def _ar_ivr_settings(self, company):
        """``company``'s record of the channel Automated call (as superuser), or an empty one."""
        return self.sudo().search([("company_id", "=", company.id), ("code", "=", "ivr")], limit=1)

    @api.model
    def _ar_call_account(self, company):
        """``company``'s record of the channel Phone call (as superuser), or an empty one."""
        return self.sudo().search([("company_id", "=", company.id), ("code", "=", "call")], limit=1)
