# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from .ar_followup_call import OUTCOMES

#: what a call placed through a provider reports, plus our own states around it
STATUSES = [
    ("manual", "Dialled by hand"),
    ("dialling", "Dialling"),
    ("queued", "Queued"),
    ("in-progress", "In progress"),
    ("completed", "Completed"),
    ("busy", "Busy"),
    ("no-answer", "No answer"),
    ("failed", "Failed"),
    ("uncertain", "Unknown: the provider did not answer"),
    ("error", "Not placed"),
]
#: statuses after which a provider's report changes nothing
FINAL_STATUSES = ("completed", "busy", "no-answer", "failed")


class ArFollowupCallAttempt(models.Model):
    """One call placed to a customer: the call log.

    Who called, which numbers (the collector's phone and the customer's), when,
    how long, the provider's call id, status and recording, and the outcome
    the collector recorded. Numbers are shown here to the AR team; they are
    masked in server logs.
    """

    _name = "ar.followup.call.attempt"
    _description = "Collection Call Placed"
    _order = "date_start desc, id desc"
    _rec_name = "date_start"

    call_id = fields.Many2one(
        "ar.followup.call", "Call Task", required=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="call_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="call_id.company_id", store=True, index=True)
    user_id = fields.Many2one("res.users", "Collector", readonly=True)
    provider = fields.Selection(
        [("manual", "Dialled by hand")], required=True, default="manual", readonly=True
    )
    provider_call_id = fields.Char(
        "Provider Call ID", readonly=True, index="btree_not_null", copy=False
    )
    from_number = fields.Char("Collector's Number", readonly=True)
    to_number = fields.Char("Customer's Number", readonly=True)
    date_start = fields.Datetime("Started", readonly=True, default=fields.Datetime.now)
    date_end = fields.Datetime("Ended", readonly=True)
    duration = fields.Integer("Duration (s)", readonly=True)
    status = fields.Selection(STATUSES, required=True, default="dialling", readonly=True)
    recording_url = fields.Char("Recording", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    note = fields.Text(readonly=True)
    error = fields.Text(readonly=True)

    def _ar_place(self):
        """Place the call through the company's provider (the collector dials by hand
        when the company has none)."""
        self.ensure_one()
        self.write({"provider": "manual", "status": "manual"})
