# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.ar_followup.tools import masking


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_no_call = fields.Boolean(
        "No Calls",
        tracking=True,
        groups="ar_followup.ar_followup_group_user",
        help="Never call this customer about payments.",
    )

    def _ar_export_followup_data(self):
        data = super()._ar_export_followup_data()
        attempts = self.env["ar.followup.call.attempt"].search(
            [("partner_id", "=", self.id)], order="id"
        )
        data["calls"] = [
            {
                "id": attempt.id,
                "company": attempt.company_id.name,
                "date_start": fields.Datetime.to_string(attempt.date_start),
                "to_number": attempt.to_number or None,
                "duration": attempt.duration,
                "status": attempt.status,
                "outcome": attempt.outcome or None,
                "note": attempt.note or None,
                "recording_url": attempt.recording_url or None,
            }
            for attempt in attempts
        ]
        return data

    def _ar_erase_followup_data(self):
        """Calls: the number dialled masked, the recording's link dropped; the call, its
        date, duration and outcome stay."""
        counts = super()._ar_erase_followup_data()
        attempts = self.env["ar.followup.call.attempt"].search(
            [
                ("partner_id", "=", self.id),
                "|",
                ("to_number", "!=", False),
                ("recording_url", "!=", False),
            ]
        )
        # one write per number, not per call
        for number, same in attempts.grouped("to_number").items():
            same.write({"to_number": masking.mask_number(number) or False, "recording_url": False})
        counts["recipients"] = counts.get("recipients", 0) + len(attempts)
        return counts

    def action_ar_add_to_call_queue(self):
        """Put these customers in the call queue of the current company (their open task
        when they have one)."""
        company = self.env.company
        partners = self.commercial_partner_id
        refused = partners.filtered(lambda p: not p._ar_is_channel_allowed("call"))
        if refused and refused == partners:
            raise UserError(
                self.env._("%s does not want to be called.", ", ".join(refused.mapped("name")))
            )
        calls = self.env["ar.followup.call"]._ar_enqueue(company, partners - refused, "manual")
        if len(calls) == 1:
            return calls._ar_action_open()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call Queue"),
            "res_model": "ar.followup.call",
            "view_mode": "list,form",
            "domain": [("id", "in", calls.ids)],
        }

    def action_ar_call_now(self):
        """Call this customer now: its call task (made when it has none), dialled at once."""
        partner = self.commercial_partner_id
        partner.ensure_one()
        if not partner._ar_is_channel_allowed("call"):
            raise UserError(self.env._("%s does not want to be called.", partner.name))
        call = self.env["ar.followup.call"]._ar_enqueue(self.env.company, partner, "manual")
        return call.action_call()
