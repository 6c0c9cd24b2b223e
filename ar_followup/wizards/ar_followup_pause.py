# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class ArFollowupPause(models.TransientModel):
    """Pause follow-up until a date for one or more customers (form button or list action)."""

    _name = "ar.followup.pause"
    _description = "Pause Follow-up"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    date_until = fields.Date(
        "Pause Until", required=True, help="No reminder goes out up to and including this day."
    )
    reason = fields.Char(required=True, help="Why reminders stop, shown on the customer.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if "partner_ids" in fields_list and context.get("active_model") == "res.partner":
            values["partner_ids"] = [Command.set(context.get("active_ids") or [])]
        return values

    def action_pause(self):
        self.ensure_one()
        today = self.env.company._ar_today()
        if self.date_until < today:
            raise UserError(self.env._("Pause follow-up until today or a later day."))
        self.partner_ids._ar_check_pause_until(self.date_until)
        partners = self.partner_ids.commercial_partner_id._ar_sudo_for_followup()
        # one explicit note rather than a tracking message per field
        partners.with_context(mail_notrack=True).write(
            {
                "ar_pause_until": self.date_until,
                "ar_pause_reason": self.reason,
            }
        )
        body = self.env._(
            "Follow-up paused until %(date)s: %(reason)s",
            date=format_date(self.env, self.date_until),
            reason=self.reason,
        )
        for partner in partners:
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_window_close"}
