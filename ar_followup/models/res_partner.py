# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools.misc import hmac

from ..tools.ageing import days_overdue
from ..tools.suspension import group_suspensions


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_owner_id = fields.Many2one(
        "res.users",
        "AR Owner",
        tracking=True,
        domain=[("share", "=", False)],
        help="Who chases this customer: receives escalation activities. "
        "Defaults to the salesperson when empty.",
    )
    ar_tone_escalation = fields.Integer(
        "Tone Escalation",
        tracking=True,
        copy=False,
        help="Steps firmer than the tone rules choose, added by broken promises to pay and "
        "by escalating cadence steps; back to 0 once nothing is overdue.",
    )
    ar_ageing_ids = fields.One2many(
        "ar.followup.ageing.report", "partner_id", "Open Receivables", readonly=True
    )
    ar_total_due = fields.Monetary(
        "Total Due",
        compute="_compute_ar_ageing",
        currency_field="currency_id",
        help="Everything the customer owes in this company, net of credit notes and "
        "unallocated payments, in the company currency.",
    )
    ar_total_overdue = fields.Monetary(
        "Overdue",
        compute="_compute_ar_ageing",
        currency_field="currency_id",
        search="_search_ar_total_overdue",
    )
    ar_oldest_overdue_days = fields.Integer("Oldest Overdue (days)", compute="_compute_ar_ageing")
    ar_ageing_summary = fields.Html(
        "Ageing",
        compute="_compute_ar_ageing",
        sanitize=False,
        help="Amount due per ageing bucket.",
    )

    # disputes and promises to pay (ar.followup.hold.mixin)
    ar_followup_suspended = fields.Boolean(
        "Follow-up Suspended",
        compute="_compute_ar_followup_suspension",
        search="_search_ar_followup_suspended",
        help="A dispute or a promise to pay covering everything the customer owes "
        "holds every reminder in the current company.",
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

    @api.model
    def _ar_ageing_fields(self):
        """Fields computed from the ageing, dropped from the cache when it changes."""
        return ["ar_total_due", "ar_total_overdue", "ar_oldest_overdue_days", "ar_ageing_summary"]

    def _compute_ar_ageing(self):
        company = self.env.company
        partners = self.commercial_partner_id
        groups = self.env["ar.followup.ageing.report"]._read_group(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)],
            groupby=["partner_id", "bucket_id"],
            aggregates=["residual:sum", "overdue:sum", "date_maturity:min"],
        )
        today = company._ar_today()
        per_partner = {}
        for partner, bucket, residual, overdue, oldest_due in groups:
            data = per_partner.setdefault(
                partner.id, {"due": 0.0, "overdue": 0.0, "days": 0, "buckets": {}}
            )
            data["due"] += residual
            data["overdue"] += overdue
            if overdue and oldest_due:
                data["days"] = max(data["days"], days_overdue(oldest_due, today))
            data["buckets"][bucket.id] = data["buckets"].get(bucket.id, 0.0) + residual
        buckets = self.env["ar.followup.bucket"].search([("company_id", "=", company.id)])
        for partner in self:
            data = per_partner.get(partner.commercial_partner_id.id, {})
            partner.ar_total_due = data.get("due", 0.0)
            partner.ar_total_overdue = data.get("overdue", 0.0)
            partner.ar_oldest_overdue_days = data.get("days", 0)
            partner.ar_ageing_summary = self.env["ir.qweb"]._render(
                "ar_followup.partner_ageing_summary",
                {
                    "buckets": buckets,
                    "amounts": data.get("buckets", {}),
                    "total": data.get("due", 0.0),
                    "currency": company.currency_id,
                },
            )

    def _search_ar_total_overdue(self, operator, value):
        groups = self.env["ar.followup.ageing.report"]._read_group(
            [("company_id", "=", self.env.company.id), ("overdue", "!=", 0)],
            groupby=["partner_id"],
            aggregates=["overdue:sum"],
        )
        ops = {
            ">": lambda a: a > value,
            ">=": lambda a: a >= value,
            "<": lambda a: a < value,
            "<=": lambda a: a <= value,
            "=": lambda a: a == value,
            "!=": lambda a: a != value,
        }
        if operator not in ops:
            return NotImplemented
        ids = [partner.id for partner, amount in groups if ops[operator](amount)]
        if ops[operator](0.0):
            return ["!", ("id", "in", [p.id for p, a in groups if not ops[operator](a)])]
        return [("id", "in", ids)]

    def _compute_ar_followup_suspension(self):
        company = self.env.company
        suspensions = self._origin._ar_get_suspensions(company._ar_today(), company)
        for partner in self:
            entry = suspensions.get(partner._origin.commercial_partner_id.id) or {}
            partner.ar_followup_suspended = bool(entry.get("partner"))
            partner.ar_followup_suspension_reason = entry.get("partner") or False

    def _search_ar_followup_suspended(self, operator, value):
        if operator != "in":
            return NotImplemented
        company = self.env.company
        holds = self._ar_get_holds(company, company._ar_today())
        return [
            (
                "commercial_partner_id",
                "in",
                [pid for pid, move_ids, _reason in holds if not move_ids],
            )
        ]

    def _compute_ar_hold_counts(self):
        disputes = self.env["ar.followup.dispute"]._ar_count_open_by_partner(self._origin)
        promises = self.env["ar.followup.promise"]._ar_count_open_by_partner(self._origin)
        for partner in self:
            commercial_id = partner._origin.commercial_partner_id.id
            partner.ar_dispute_count = disputes.get(commercial_id, 0)
            partner.ar_promise_count = promises.get(commercial_id, 0)

    @api.model
    def _ar_hold_models(self):
        """Models whose open records suspend reminders (see ar.followup.hold.mixin)."""
        return ["ar.followup.dispute", "ar.followup.promise"]

    @api.model
    def _ar_get_holds(self, company, day, partners=None):
        """``[(partner_id, move_ids, reason)]`` in force on ``day``: one search per hold model."""
        holds = []
        for model in self._ar_hold_models():
            holds += self.env[model]._ar_get_holds(company, day, partners)
        return holds

    def _ar_get_suspensions(self, date, company=None):
        """What the cadence engine must not chase on ``date``, for these customers.

        ``{commercial partner id: {"partner": reason or None, "moves": {move id: reason}}}``
        with an entry for every customer of ``self``: ``"partner"`` is set when a
        dispute or promise covers everything the customer owes (no reminder at
        all), ``"moves"`` lists invoices suspended by name. Open disputes hold
        until closed; open promises until their date plus the company's grace.
        One search per hold model whatever the number of customers, in
        ``company`` (default: the current one).
        """
        company = company or self.env.company
        partners = self.commercial_partner_id
        return group_suspensions(partners.ids, self._ar_get_holds(company, date, partners))

    def _ar_get_owner(self):
        """The user who follows this customer up (AR owner, else salesperson, else nobody)."""
        self.ensure_one()
        partner = self.commercial_partner_id
        return partner.ar_owner_id or partner.user_id

    def action_ar_open_disputes(self):
        self.ensure_one()
        partner = self.commercial_partner_id
        return self.env["ar.followup.dispute"]._ar_action_open(
            [("partner_id", "=", partner.id)], {"default_partner_id": partner.id}
        )

    def action_ar_open_promises(self):
        self.ensure_one()
        partner = self.commercial_partner_id
        return self.env["ar.followup.promise"]._ar_action_open(
            [("partner_id", "=", partner.id)], {"default_partner_id": partner.id}
        )

    def action_ar_raise_dispute(self):
        self.ensure_one()
        return self.env["ar.followup.dispute"]._ar_action_new(self)

    def action_ar_record_promise(self):
        self.ensure_one()
        return self.env["ar.followup.promise"]._ar_action_new(self)

    def action_ar_open_ageing(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ar_followup.ar_followup_ageing_report_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_group_bucket": 1}
        return action

    # statement of account link (templates, portal)

    def _ar_statement_token(self, company):
        self.ensure_one()
        return hmac(
            self.env(su=True),
            "ar_followup-statement",
            (company.id, self.commercial_partner_id.id),
        )

    def _ar_statement_url(self, company=None):
        """A link to this customer's statement of account, signed, valid without login."""
        self.ensure_one()
        company = company or self.env.company
        partner = self.commercial_partner_id
        return "%s/ar_followup/statement/%s/%s/%s" % (
            self.get_base_url(),
            company.id,
            partner.id,
            partner._ar_statement_token(company),
        )
