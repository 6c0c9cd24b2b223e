# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ArFollowupPolicy(models.Model):
    """A cadence: how and when a group of customers is reminded.

    Segments carry a default policy; a customer may override it
    (``res.partner.ar_policy_id``). :meth:`res.partner._ar_get_policies` says which
    policy applies to whom. The cadence engine adds the steps (issue: cadence engine).
    """

    _name = "ar.followup.policy"
    _description = "Follow-up Cadence Policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the policy between companies."
    )
    description = fields.Text(translate=True)
    need_approval = fields.Boolean(
        "Approval First",
        help="Reminders of this policy wait for an AR user's approval before they go out.",
    )
    min_interval_days = fields.Integer(
        "Minimum Days Between Reminders",
        default=3,
        help="Never two reminders to the same customer closer than this.",
    )
    segment_ids = fields.One2many("ar.followup.segment", "policy_id", "Segments")

    _min_interval_positive = models.Constraint(
        "CHECK(min_interval_days >= 0)", "The minimum interval cannot be negative."
    )
