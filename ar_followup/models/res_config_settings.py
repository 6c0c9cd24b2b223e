# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ar_reply_hold = fields.Selection(related="company_id.ar_reply_hold", readonly=False)
    ar_reply_hold_days = fields.Integer(related="company_id.ar_reply_hold_days", readonly=False)
    ar_inbox_alias_name = fields.Char(
        "AR Inbox Alias",
        help="The part before @ of the address customers write to (e.g. ar): each e-mail "
        "opens or adds to the sender's conversation in the AR inbox.",
    )
    ar_inbox_alias_domain = fields.Char(related="company_id.alias_domain_id.name")
    ar_possible_payment_hold = fields.Boolean(
        related="company_id.ar_possible_payment_hold", readonly=False
    )
    ar_promise_grace_days = fields.Integer(
        related="company_id.ar_promise_grace_days", readonly=False
    )
    ar_promise_max_days = fields.Integer(related="company_id.ar_promise_max_days", readonly=False)
    ar_pause_max_days = fields.Integer(related="company_id.ar_pause_max_days", readonly=False)
    ar_retention_message_days = fields.Integer(
        related="company_id.ar_retention_message_days", readonly=False
    )
    ar_retention_tracking_days = fields.Integer(
        related="company_id.ar_retention_tracking_days", readonly=False
    )
    ar_portal_link_days = fields.Integer(related="company_id.ar_portal_link_days", readonly=False)
    ar_portal_promise_min_share = fields.Float(
        related="company_id.ar_portal_promise_min_share", readonly=False
    )
    ar_portal_partial_payment = fields.Boolean(
        related="company_id.ar_portal_partial_payment", readonly=False
    )
    ar_portal_partial_min = fields.Monetary(
        related="company_id.ar_portal_partial_min", readonly=False
    )
    ar_sms_dlt_entity_id = fields.Char(related="company_id.ar_sms_dlt_entity_id", readonly=False)
    ar_sms_dlt_header = fields.Char(related="company_id.ar_sms_dlt_header", readonly=False)
    ar_send_max_attempts = fields.Integer(related="company_id.ar_send_max_attempts", readonly=False)
    ar_send_retry_minutes = fields.Integer(
        related="company_id.ar_send_retry_minutes", readonly=False
    )

    # DSO
    ar_dso_period_days = fields.Integer(related="company_id.ar_dso_period_days", readonly=False)

    # cadence
    ar_planning_hour = fields.Float(related="company_id.ar_planning_hour", readonly=False)
    ar_policy_id = fields.Many2one(related="company_id.ar_policy_id", readonly=False)
    # e-mail reminders and failed online payments
    ar_attach_invoices = fields.Boolean(related="company_id.ar_attach_invoices", readonly=False)
    ar_attach_invoices_format = fields.Selection(
        related="company_id.ar_attach_invoices_format", readonly=False
    )
    ar_attach_statement = fields.Boolean(related="company_id.ar_attach_statement", readonly=False)
    ar_payment_retry_days = fields.Char(related="company_id.ar_payment_retry_days", readonly=False)
    # channels
    ar_calling_hour_start = fields.Float(related="company_id.ar_calling_hour_start", readonly=False)
    ar_calling_hour_end = fields.Float(related="company_id.ar_calling_hour_end", readonly=False)

    @api.model
    def get_values(self):
        res = super().get_values()
        res["ar_inbox_alias_name"] = self.env.company.sudo().ar_inbox_alias_id.alias_name
        return res

    def set_values(self):
        res = super().set_values()
        for settings in self:
            company = settings.company_id
            if (settings.ar_inbox_alias_name or False) != (
                company.sudo().ar_inbox_alias_id.alias_name or False
            ):
                company._ar_set_inbox_alias(settings.ar_inbox_alias_name)
        return res
