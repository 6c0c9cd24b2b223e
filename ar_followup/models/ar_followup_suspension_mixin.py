# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ArFollowupSuspensionMixin(models.AbstractModel):
    """What holds the reminders of an invoice or a customer, shown where they are.

    Shared by ``account.move`` and ``res.partner``: disputes and promises to pay
    (``ar.followup.hold.mixin``) and pauses suspend follow-up. Each inheriting
    model computes the fields for its records (an invoice: the holds naming it
    or covering its whole customer; a customer: those covering all it owes).
    """

    _name = "ar.followup.suspension.mixin"
    _description = "Follow-up Suspension"

    ar_followup_suspended = fields.Boolean(
        "Follow-up Suspended",
        compute="_compute_ar_followup_suspension",
        search="_search_ar_followup_suspended",
        help="An open dispute, a promise to pay or a pause holds the reminders.",
    )
    ar_followup_suspension_reason = fields.Char(
        "Suspended Because", compute="_compute_ar_followup_suspension"
    )
    ar_dispute_count = fields.Integer(
        "Open Disputes",
        compute="_compute_ar_hold_counts",
        groups="ar_followup.ar_followup_group_user",
    )
    ar_promise_count = fields.Integer(
        "Open Promises to Pay",
        compute="_compute_ar_hold_counts",
        groups="ar_followup.ar_followup_group_user",
    )
