# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

#: states in which a dispute suspends reminders
OPEN_STATES = ("open", "in_review")


class ArFollowupDispute(models.Model):
    """A customer disputing some invoices, or everything they owe.

    While it is open or in review, reminders stop for what it covers
    (``res.partner._ar_get_suspensions``); resolving or cancelling it lifts the
    suspension, and the cadence picks up the customer's live position again.
    Raising and closing it leave a note on every covered invoice and on the
    customer, so the trail is where the accountant looks.
    """

    _name = "ar.followup.dispute"
    _description = "Customer Dispute"
    _inherit = ["ar.followup.hold.mixin"]
    _order = "date_raised desc, id desc"
    _ar_reference_prefix = "DSP"
    _ar_hold_code = "disputed"
    _ar_system_fields = ("name", "state", "date_resolved")
    _ar_locked_fields = (
        "partner_id",
        "company_id",
        "move_ids",
        "amount",
        "source",
        "user_id",
        "reason",
        "description",
        "date_raised",
    )

    reason = fields.Selection(
        [
            ("not_received", "Goods/services not received"),
            ("wrong_amount", "Wrong amount"),
            ("quality", "Quality issue"),
            ("pricing", "Pricing disagreement"),
            ("duplicate", "Duplicate invoice"),
            ("other", "Other"),
        ],
        required=True,
        tracking=True,
    )
    description = fields.Html(help="What the customer says, in their words.")
    ar_response = fields.Text("AR Response", tracking=True, help="What we answered or found.")
    amount = fields.Monetary("Disputed Amount")
    state = fields.Selection(
        [
            ("open", "Open"),
            ("in_review", "In Review"),
            ("resolved", "Resolved"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="open",
        tracking=True,
        copy=False,
        group_expand=True,
        index=True,
    )
    resolution = fields.Selection(
        [
            ("paid", "Paid by the customer"),
            ("credit_note", "Credit note issued"),
            ("write_off", "Written off"),
            ("rejected", "Claim rejected"),
        ],
        tracking=True,
        copy=False,
        help="How the dispute ended; required to resolve it. A rejected claim is still owed.",
    )
    user_id = fields.Many2one(string="Raised By", tracking=True)
    date_raised = fields.Date(
        "Raised On", required=True, tracking=True, default=fields.Date.context_today
    )
    date_resolved = fields.Date("Closed On", readonly=True, copy=False)

    _amount_positive = models.Constraint(
        "CHECK(amount >= 0)", "A disputed amount cannot be negative."
    )

    @api.constrains("state", "resolution")
    def _check_resolution(self):
        for dispute in self:
            if dispute.state == "resolved" and not dispute.resolution:
                raise ValidationError(self.env._("Say how dispute %s was resolved.", dispute.name))

    @api.model_create_multi
    def create(self, vals_list):
        disputes = super().create(vals_list)
        disputes._ar_log_on_covered(
            lambda d: self.env._(
                "Dispute %(dispute)s raised: %(reason)s. Reminders are suspended for %(scope)s.",
                dispute=d._get_html_link(),
                reason=d._ar_reason_label(),
                scope=d._ar_scope_label(),
            )
        )
        return disputes

    def action_start_review(self):
        self.filtered(lambda d: d.state == "open")._ar_system_write({"state": "in_review"})
        return True

    def action_resolve(self):
        unresolved = self.filtered(lambda d: not d.resolution)
        if unresolved:
            raise UserError(
                self.env._(
                    "Choose a resolution before resolving %s.", ", ".join(unresolved.mapped("name"))
                )
            )
        self._ar_close("resolved")
        return True

    def action_cancel(self):
        self._ar_close("cancelled")
        return True

    def action_reopen(self):
        closed = self.filtered(lambda d: d.state not in OPEN_STATES)
        closed._ar_system_write({"state": "open", "date_resolved": False, "resolution": False})
        closed._ar_log_on_covered(
            lambda d: self.env._(
                "Dispute %(dispute)s reopened. Reminders are suspended again for %(scope)s.",
                dispute=d._get_html_link(),
                scope=d._ar_scope_label(),
            )
        )
        return True

    def _ar_close(self, state):
        disputes = self.filtered(lambda d: d.state in OPEN_STATES)
        for company, company_disputes in disputes.grouped("company_id").items():
            company_disputes._ar_system_write(
                {"state": state, "date_resolved": company._ar_today()}
            )
        if state == "resolved":
            disputes._ar_log_on_covered(
                lambda d: self.env._(
                    "Dispute %(dispute)s resolved: %(resolution)s. Reminders resume.",
                    dispute=d._get_html_link(),
                    resolution=d._ar_resolution_label(),
                )
            )
        else:
            disputes._ar_log_on_covered(
                lambda d: self.env._(
                    "Dispute %(dispute)s cancelled. Reminders resume.", dispute=d._get_html_link()
                )
            )

    @api.model
    def _ar_get_hold_domain(self, company, day):
        return [
            ("company_id", "=", company.id),
            ("state", "in", OPEN_STATES),
            ("date_raised", "<=", day),
        ]

    @api.model
    def _ar_get_open_domain(self):
        return [("state", "in", OPEN_STATES)]

    def _ar_hold_reason(self):
        self.ensure_one()
        return self.env._("Disputed: %s", self.name)

    def _ar_reason_label(self):
        self.ensure_one()
        return dict(self._fields["reason"]._description_selection(self.env)).get(self.reason)

    def _ar_resolution_label(self):
        self.ensure_one()
        return dict(self._fields["resolution"]._description_selection(self.env)).get(
            self.resolution
        )

    def _ar_scope_label(self):
        self.ensure_one()
        if self.move_ids:
            return ", ".join(self.move_ids.mapped("name"))
        return self.env._("everything %s owes", self.partner_id.display_name)
