# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_date
from odoo.tools.misc import hmac

from ..tools.ageing import days_overdue
from ..tools.bulk_insert import array_text
from ..tools.suspension import group_suspensions, join_reasons
from ..tools.tone import (
    WINDOW_DAYS,
    cached_gettext,
    choose_tone,
    escalate,
    relationship_years,
)
from .ar_followup_reminder.states import SENT_STATES
from .res_partner_mail_batch import PartnerMailBatch
from .res_partner_personal_data import PartnerPersonalData
from .res_partner_receivables_page import PartnerReceivablesPage
from .res_partner_statement import PartnerStatement


class ResPartner(
    PartnerMailBatch,
    PartnerReceivablesPage,
    PartnerStatement,
    PartnerPersonalData,
    models.Model,
):
    _name = "res.partner"
    _inherit = ["res.partner", "ar.followup.suspension.mixin"]

    # Collection settings a company's AR team sets are company-dependent (a jsonb value
    # per company): one company's clerk must not pause, escalate or re-route another
    # company's follow-up of a shared customer. Internal collection fields are readable
    # by the AR groups only: neither other employees nor the debtor's portal user see how
    # they are chased. Opt-outs stay global: they are the customer's will, whichever
    # company asks.
    ar_owner_id = fields.Many2one(
        "res.users",
        "AR Owner",
        company_dependent=True,
        tracking=True,
        groups="ar_followup.ar_followup_group_user",
        domain=[("share", "=", False)],
        help="Who chases this customer: receives escalation activities. "
        "Defaults to the salesperson when empty.",
    )
    ar_tone_escalation = fields.Integer(
        "Tone Escalation",
        company_dependent=True,
        tracking=True,
        copy=False,
        groups="ar_followup.ar_followup_group_user",
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

    # suspension fields: ar.followup.suspension.mixin (computed below); on the customer
    # they tell why it is not chased, for the AR team only
    ar_followup_suspended = fields.Boolean(groups="ar_followup.ar_followup_group_user")
    ar_followup_suspension_reason = fields.Char(groups="ar_followup.ar_followup_group_user")

    # segments, tone, behaviour, settings
    # Not precomputed: precomputing reads the field as the user creating the contact,
    # which any employee may be, and only the AR groups may read it.
    ar_segment_id = fields.Many2one(
        "ar.followup.segment",
        "Segment",
        compute="_compute_ar_segment_id",
        store=True,
        readonly=False,
        tracking=True,
        index="btree_not_null",
        ondelete="restrict",
        groups="ar_followup.ar_followup_group_user",
        help="Customers of a segment are followed up alike. Set from the customer's tags "
        "(the first segment sharing one, else Standard) and can be changed by hand.",
    )
    ar_tone_override_id = fields.Many2one(
        "ar.followup.tone",
        "Tone Override",
        company_dependent=True,
        tracking=True,
        ondelete="restrict",
        groups="ar_followup.ar_followup_group_user",
        help="Use this tone instead of the one the tone rules choose.",
    )
    # Not stored: the tone depends on the company (its rules, the customer's behaviour
    # there) and on today (12-month window, years as a customer), so a stored value
    # would be wrong in the other company and stale between two daily runs. Computing it
    # costs one behaviour query and one rule search per batch of customers.
    ar_tone_id = fields.Many2one(
        "ar.followup.tone",
        "Tone",
        compute="_compute_ar_tone",
        groups="ar_followup.ar_followup_group_user",
        help="Tone of the reminders: the override, else the first matching tone rule, else "
        "the segment's default tone; then firmer by the tone escalation.",
    )
    ar_tone_reason = fields.Char(
        "Why This Tone", compute="_compute_ar_tone", groups="ar_followup.ar_followup_group_user"
    )
    # Payment behaviour in the current company. Not stored: receivables are per company
    # and change with every payment; one SQL query (_ar_get_behaviour) computes them for
    # a whole batch of customers, so a list or the cadence engine pays one query, and
    # nothing has to be kept in sync on reconciliation.
    ar_relationship_start = fields.Date(
        "Customer Since",
        compute="_compute_ar_behaviour",
        groups="ar_followup.ar_followup_group_user",
        help="Date of the customer's first posted invoice in this company.",
    )
    ar_last_payment_date = fields.Date(
        "Last Payment", compute="_compute_ar_behaviour", groups="ar_followup.ar_followup_group_user"
    )
    ar_last_payment_amount = fields.Monetary(
        "Last Payment Amount",
        compute="_compute_ar_behaviour",
        currency_field="currency_id",
        groups="ar_followup.ar_followup_group_user",
        help="What the customer paid on the day of its last payment, in the company currency.",
    )
    ar_avg_days_to_pay = fields.Integer(
        "Average Days to Pay",
        compute="_compute_ar_behaviour",
        groups="ar_followup.ar_followup_group_user",
        help="From invoice date to full payment, over the invoices paid in the last 12 months.",
    )
    ar_avg_days_late = fields.Integer(
        "Average Days Late",
        compute="_compute_ar_behaviour",
        groups="ar_followup.ar_followup_group_user",
        help="From due date to full payment (0 when paid on time), over the invoices paid in "
        "the last 12 months.",
    )
    ar_payment_day = fields.Integer(
        "Usual Payment Day",
        compute="_compute_ar_behaviour",
        groups="ar_followup.ar_followup_group_user",
        help="Day of the month the customer paid on most often in the last 12 months.",
    )
    ar_late_invoice_count = fields.Integer(
        "Late Invoices (12 months)",
        compute="_compute_ar_behaviour",
        groups="ar_followup.ar_followup_group_user",
        help="Invoices due in the last 12 months that were paid after their due date or are overdue.",
    )
    ar_paid_invoice_count = fields.Integer(
        "Invoices Paid (12 months)",
        compute="_compute_ar_behaviour",
        groups="ar_followup.ar_followup_group_user",
        help="Invoices fully paid in the last 12 months: what the averages are based on.",
    )
    ar_channel = fields.Selection(
        selection="_selection_ar_channel",
        string="Preferred Channel",
        default="email",
        tracking=True,
        groups="ar_followup.ar_followup_group_user",
        help="How this customer prefers to receive payment reminders.",
    )
    ar_no_email = fields.Boolean(
        "No E-mail Reminders",
        tracking=True,
        groups="ar_followup.ar_followup_group_user",
        help="Never send this customer payment reminders by e-mail.",
    )
    ar_no_sms = fields.Boolean(
        "No SMS Reminders",
        tracking=True,
        groups="ar_followup.ar_followup_group_user",
        help="Never send this customer payment reminders by SMS.",
    )
    ar_followup_contact_ids = fields.One2many(
        "ar.followup.contact",
        "partner_id",
        "Follow-up Contacts",
        groups="ar_followup.ar_followup_group_user",
        help="Who receives this customer's reminders in each company, instead of or besides "
        "its invoicing contacts.",
    )
    ar_pause_until = fields.Date(
        "Follow-up Paused Until",
        company_dependent=True,
        tracking=True,
        copy=False,
        groups="ar_followup.ar_followup_group_user",
        help="No reminder goes out up to and including this day.",
    )
    ar_pause_reason = fields.Char(
        "Pause Reason",
        company_dependent=True,
        tracking=True,
        copy=False,
        groups="ar_followup.ar_followup_group_user",
    )
    ar_portal_revoked_on = fields.Datetime(
        "Page Links Revoked On",
        readonly=True,
        copy=False,
        help="Links to the receivables page issued before this moment no longer open it.",
    )
    ar_policy_id = fields.Many2one(
        "ar.followup.policy",
        "Cadence Override",
        company_dependent=True,
        tracking=True,
        ondelete="restrict",
        groups="ar_followup.ar_followup_group_user",
        help="This customer's own cadence instead of its segment's.",
    )
    ar_consent_ids = fields.One2many(
        "ar.followup.consent",
        "customer_id",
        "Consent History",
        readonly=True,
        groups="ar_followup.ar_followup_group_user",
    )
    # cadence
    ar_reminder_count = fields.Integer(
        "Reminders",
        compute="_compute_ar_reminder_count",
        groups="ar_followup.ar_followup_group_user",
    )

    # DSO
    ar_dso = fields.Float(
        "DSO (days)",
        digits=(16, 1),
        compute="_compute_ar_dso",
        groups="ar_followup.ar_followup_group_user",
        help="Days Sales Outstanding, standard method, on the last day computed in this company: "
        "receivables ÷ credit sales of the period × days in the period.",
    )
    ar_dso_countback = fields.Float(
        "DSO Countback (days)",
        digits=(16, 1),
        compute="_compute_ar_dso",
        groups="ar_followup.ar_followup_group_user",
        help="Days of the most recent credit sales, month by month going back, that the "
        "receivables represent, on the last day computed in this company.",
    )
    ar_dso_known = fields.Boolean(
        "Has DSO",
        compute="_compute_ar_dso",
        groups="ar_followup.ar_followup_group_user",
        help="False when the customer had no credit sales in the DSO period.",
    )
    ar_dso_date = fields.Date(
        "DSO Computed On", compute="_compute_ar_dso", groups="ar_followup.ar_followup_group_user"
    )

    @api.model
    def _ar_ageing_fields(self):
        """Fields computed from the ageing, dropped from the cache when it changes."""
        return ["ar_total_due", "ar_total_overdue", "ar_oldest_overdue_days", "ar_ageing_summary"]

    def _compute_ar_ageing(self):
        company = self.env.company
        partners = self.commercial_partner_id
        Report = self.env["ar.followup.ageing.report"]
        groups = Report._read_group(
            Report._ar_partner_domain(partners, company),
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

    @api.depends_context("company")
    def _compute_ar_dso(self):
        latest = self.env["ar.followup.dso"]._ar_latest(
            self.env.company, self._origin.commercial_partner_id
        )
        for partner in self:
            row = latest.get(partner._origin.commercial_partner_id.id) or {}
            partner.ar_dso = row.get("dso_standard") or 0.0
            partner.ar_dso_countback = row.get("dso_countback") or 0.0
            partner.ar_dso_known = row.get("dso_standard") is not None
            partner.ar_dso_date = row.get("date") or False

    @api.model
    def _ar_hold_models(self):
        """Models whose open records suspend reminders (see ar.followup.hold.mixin)."""
        return ["ar.followup.dispute", "ar.followup.promise", "ar.followup.conversation"]

    @api.model
    def _ar_get_holds(self, company, day, partners=None):
        """``[(partner_id, move_ids, reason)]`` in force on ``day``: one search per hold model."""
        holds = []
        for model in self._ar_hold_models():
            holds += self.env[model]._ar_get_holds(company, day, partners)
        return holds + self._ar_get_pause_holds(day, partners, company)

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

    def _ar_get_owner(self, company=None):
        """The user who follows this customer up in ``company`` (default: the current one):
        its AR owner there, else the salesperson, else nobody.

        Read as superuser: the system picks who to alert, whoever triggers it (a portal
        user raising a dispute, an employee without AR rights).
        """
        self.ensure_one()
        partner = self.commercial_partner_id.sudo().with_company(company or self.env.company)
        return (partner.ar_owner_id or partner.user_id).with_env(self.env)

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

    @api.model
    def _ar_dso_fields(self):
        """Fields read from the DSO history, dropped from the cache when it is written."""
        return ["ar_dso", "ar_dso_countback", "ar_dso_known", "ar_dso_date"]

    def action_ar_open_dso(self):
        self.ensure_one()
        partner = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_followup.ar_followup_dso_action")
        action["name"] = self.env._("DSO Trend: %s", partner.display_name)
        action["domain"] = [("partner_id", "=", partner.id)]
        action["context"] = {}
        return action

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

    # one-click unsubscribe (List-Unsubscribe of reminder e-mails)

    def _ar_unsubscribe_token(self):
        """Signs this recipient and its current address: the link of an earlier address
        does not stop the new one."""
        self.ensure_one()
        return hmac(self.env(su=True), "ar_followup-unsubscribe", (self.id, self.email_normalized))

    def _ar_unsubscribe_url(self):
        """The signed link that stops e-mail reminders to this recipient's address."""
        self.ensure_one()
        return "%s/ar_followup/unsubscribe/%s/%s" % (
            self.get_base_url(),
            self.id,
            self._ar_unsubscribe_token(),
        )

    def _ar_unsubscribe_email(self):
        """The recipient asked for no more e-mail reminders at its address (through the
        link): its own *No E-mail Reminders*, with a consent record; invoices still go
        out. Asking again changes nothing."""
        self.ensure_one()
        if not self.ar_no_email:
            self.sudo().with_context(
                ar_consent_source="unsubscribe", ar_consent_address=self.email_normalized
            ).write({"ar_no_email": True})

    # segments, tone, behaviour, settings -------------------------------------

    @api.depends("category_id")
    def _compute_ar_segment_id(self):
        """The first segment (by sequence) sharing a tag with the customer, else Standard.

        Runs when the tags change. A segment chosen by hand without tags is kept
        unless a tag now points to a segment; a segment given by tags the
        customer no longer has falls back to Standard.
        """
        segments = self.env["ar.followup.segment"].sudo().search(self._ar_get_segment_domain())
        tagged = segments.filtered("partner_category_ids")
        standard = self.env.ref(
            "ar_followup.ar_followup_segment_standard", raise_if_not_found=False
        )
        for partner in self:
            # _origin: on a new record (create, form) the tags are new records too
            match = tagged.filtered(
                lambda s, tags=partner.category_id._origin: s.partner_category_ids & tags
            )[:1]
            # as superuser: whoever edits the tags (any employee) moves the customer
            current = partner.sudo().ar_segment_id
            if match:
                partner.ar_segment_id = match
            elif not current or current.sudo().partner_category_ids:
                partner.ar_segment_id = standard
            else:
                partner.ar_segment_id = current

    @api.depends(
        "ar_tone_override_id",
        "ar_tone_escalation",
        "ar_segment_id",
        "commercial_partner_id.ar_tone_override_id",
        "commercial_partner_id.ar_tone_escalation",
        "commercial_partner_id.ar_segment_id",
    )
    @api.depends_context("company")
    def _compute_ar_tone(self):
        tones = self._ar_get_tones()
        for partner in self:
            partner.ar_tone_id, partner.ar_tone_reason = tones[partner.id]

    @api.depends_context("company")
    def _compute_ar_behaviour(self):
        behaviour = self._origin.commercial_partner_id._ar_get_behaviour()
        for partner in self:
            data = behaviour.get(partner._origin.commercial_partner_id.id, {})
            partner.ar_relationship_start = data.get("relationship_start")
            partner.ar_last_payment_date = data.get("last_payment_date")
            partner.ar_last_payment_amount = data.get("last_payment_amount") or 0.0
            partner.ar_avg_days_to_pay = data.get("avg_days_to_pay") or 0
            partner.ar_avg_days_late = data.get("avg_days_late") or 0
            partner.ar_payment_day = data.get("payment_day") or 0
            partner.ar_late_invoice_count = data.get("late_invoice_count") or 0
            partner.ar_paid_invoice_count = data.get("paid_invoice_count") or 0

    @api.model
    def _ar_get_segment_domain(self):
        """Segments a customer can get by default: shared ones and the current companies'."""
        return [("company_id", "in", [False, *self.env.companies.ids])]

    @api.model
    def _ar_init_segments(self):
        """At install: give every existing partner its default segment.

        Recomputed rather than written, so no tracking message per partner.
        """
        partners = self.with_context(active_test=False).search([("ar_segment_id", "=", False)])
        self.env.add_to_compute(self._fields["ar_segment_id"], partners)
        partners.flush_recordset(["ar_segment_id"])

    @api.constrains("ar_pause_until")
    def _check_ar_pause_until(self):
        for partner in self.filtered("ar_pause_until"):
            partner._ar_check_pause_until(partner.ar_pause_until)

    def _ar_check_pause_until(self, day):
        """Refuse a pause of these customers until ``day`` beyond the company's longest."""
        company = self.env.company
        longest = company.ar_pause_max_days
        if (day - company._ar_today()).days > longest:
            raise ValidationError(
                self.env._(
                    "Follow-up can be paused at most %(days)s days ahead, until %(date)s "
                    "(Settings › AR Follow-up).",
                    days=longest,
                    date=format_date(self.env, company._ar_today() + timedelta(days=longest)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if not any(
            key.startswith("ar_no_") and value for v in vals_list for key, value in v.items()
        ):
            return partners
        for channel, flag in self._ar_consent_flags().items():
            opted_out = partners.filtered(flag)
            if opted_out:
                self.env["ar.followup.consent"]._ar_record(opted_out, channel, True)
        return partners

    def write(self, vals):
        # every change of an opt-out flag, wherever it comes from, leaves a consent record
        if not any(key.startswith("ar_no_") for key in vals):
            return super().write(vals)
        changes = {
            channel: self.filtered(lambda p, f=flag: p[f] != bool(vals[f]))
            for channel, flag in self._ar_consent_flags().items()
            if flag in vals
        }
        result = super().write(vals)
        for channel, partners in changes.items():
            if partners:
                self.env["ar.followup.consent"]._ar_record(
                    partners, channel, bool(vals["ar_no_%s" % channel])
                )
        return result

    @api.model
    def _ar_consent_flags(self):
        """``{channel code: flag}``: the ``ar_no_<channel>`` opt-out flags of the channels."""
        codes = {code for code, _label in self.env["ar.followup.channel"]._ar_selection()}
        return {
            code: "ar_no_%s" % code
            for code in codes
            if self._fields.get("ar_no_%s" % code)
            and self._fields["ar_no_%s" % code].type == "boolean"
        }

    def action_ar_revoke_portal_links(self):
        """End every link to these customers' receivables page issued until now (each
        reminder's link included), with a note in their chatter."""
        partners = self.commercial_partner_id._ar_sudo_for_followup()
        partners.write({"ar_portal_revoked_on": fields.Datetime.now()})
        for partner in partners:
            partner.message_post(
                body=self.env._("Links to the receivables page revoked."),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_ar_resume_followup(self):
        """Lift the pause of these customers now, with a note in their chatter."""
        partners = self.commercial_partner_id.filtered("ar_pause_until")._ar_sudo_for_followup()
        partners.with_context(mail_notrack=True).write(
            {"ar_pause_until": False, "ar_pause_reason": False}
        )
        for partner in partners:
            partner.message_post(
                body=self.env._("Follow-up resumed."), subtype_xmlid="mail.mt_note"
            )
        return True

    def _ar_sudo_for_followup(self):
        """These customers as superuser, for AR users only (who may lack the right to edit contacts).

        Pausing and resuming follow-up is AR work, not editing a contact: an AR
        user who can read the customers may do it. Messages are still authored
        by the user.
        """
        if not self.env.su and not self.env.user.has_group("ar_followup.ar_followup_group_user"):
            raise AccessError(self.env._("Only AR Follow-up users can pause or resume follow-up."))
        self.check_access("read")
        return self.sudo()

    def _ar_get_behaviour(self, company=None):
        """How these customers paid in ``company`` (default: the current one).

        ``{commercial partner id: {"relationship_start", "last_payment_date",
        "last_payment_amount", "avg_days_to_pay", "avg_days_late", "payment_day",
        "late_invoice_count", "paid_invoice_count"}}``, missing values ``None``.

        One query for every customer of ``self``, however many. An invoice is
        paid on the date of its last reconciliation (the later of the invoice's
        and its payment's dates); averages, the usual payment day and late
        invoices cover the last 12 months. Raw SQL because the ORM would load
        every invoice, partial reconciliation and payment line of the customers
        to aggregate them; parameterised and scoped to one company.
        """
        company = company or self.env.company
        partners = self.commercial_partner_id
        if not partners:
            return {}
        today = company._ar_today()
        self.env["account.move"].flush_model(
            [
                "state",
                "move_type",
                "payment_state",
                "invoice_date",
                "invoice_date_due",
                "commercial_partner_id",
                "company_id",
                "origin_payment_id",
                "statement_line_id",
            ]
        )
        self.env["account.move.line"].flush_model(
            [
                "move_id",
                "display_type",
                "date",
                "balance",
                "parent_state",
                "account_id",
                "partner_id",
                "company_id",
            ]
        )
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "max_date"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
            WITH invoice AS (
                SELECT m.id, m.commercial_partner_id AS partner_id, m.invoice_date,
                       m.invoice_date_due AS due, m.payment_state
                  FROM account_move m
                 WHERE m.company_id = %(company)s
                   AND m.commercial_partner_id = ANY(%(partners)s::int[])
                   AND m.state = 'posted'
                   AND m.move_type IN ('out_invoice', 'out_receipt')
            ),
            settled AS (
                SELECT i.id, MAX(p.max_date) AS paid_on
                  FROM invoice i
                  JOIN account_move_line l ON l.move_id = i.id AND l.display_type = 'payment_term'
                  JOIN account_partial_reconcile p ON p.debit_move_id = l.id
                 WHERE i.payment_state IN ('paid', 'in_payment')
                 GROUP BY i.id
            ),
            invoice_facts AS (
                SELECT i.partner_id, i.invoice_date, s.paid_on,
                       GREATEST(s.paid_on - i.invoice_date, 0) AS days_to_pay,
                       GREATEST(s.paid_on - i.due, 0) AS days_late,
                       (i.due >= %(since)s AND i.due < %(today)s
                        AND (s.paid_on > i.due
                             OR (s.paid_on IS NULL AND i.payment_state IN ('not_paid', 'partial')))
                       ) AS late
                  FROM invoice i
                  LEFT JOIN settled s ON s.id = i.id
            ),
            invoice_stats AS (
                SELECT partner_id,
                       MIN(invoice_date) AS relationship_start,
                       COUNT(*) FILTER (WHERE late) AS late_invoice_count,
                       COUNT(*) FILTER (WHERE paid_on >= %(since)s) AS paid_invoice_count,
                       ROUND(AVG(days_to_pay) FILTER (WHERE paid_on >= %(since)s)) AS avg_days_to_pay,
                       ROUND(AVG(days_late) FILTER (WHERE paid_on >= %(since)s)) AS avg_days_late
                  FROM invoice_facts
                 GROUP BY partner_id
            ),
            payment AS (
                SELECT rp.commercial_partner_id AS partner_id, l.date, -SUM(l.balance) AS amount
                  FROM account_move_line l
                  JOIN account_move m ON m.id = l.move_id
                  JOIN account_account a ON a.id = l.account_id
                  JOIN res_partner rp ON rp.id = l.partner_id
                 WHERE l.company_id = %(company)s
                   AND rp.commercial_partner_id = ANY(%(partners)s::int[])
                   AND l.parent_state = 'posted'
                   AND a.account_type = 'asset_receivable'
                   AND (m.origin_payment_id IS NOT NULL OR m.statement_line_id IS NOT NULL)
                 GROUP BY rp.commercial_partner_id, l.date
                HAVING SUM(l.balance) < 0
            ),
            payment_stats AS (
                SELECT partner_id, MAX(date) AS last_payment_date,
                       MODE() WITHIN GROUP (ORDER BY EXTRACT(DAY FROM date))
                           FILTER (WHERE date >= %(since)s) AS payment_day
                  FROM payment
                 GROUP BY partner_id
            )
            SELECT p.id, i.relationship_start, i.late_invoice_count, i.paid_invoice_count,
                   i.avg_days_to_pay, i.avg_days_late, ps.last_payment_date, lp.amount, ps.payment_day
              FROM unnest(%(partners)s::int[]) AS p(id)
              LEFT JOIN invoice_stats i ON i.partner_id = p.id
              LEFT JOIN payment_stats ps ON ps.partner_id = p.id
              LEFT JOIN payment lp ON lp.partner_id = p.id AND lp.date = ps.last_payment_date
            """,
                company=company.id,
                # one array literal: a list would be parsed value by value
                partners=array_text(partners.ids),
                today=today,
                since=fields.Date.subtract(today, days=WINDOW_DAYS),
            )
        )

        def number(value):
            return None if value is None else int(value)

        return {
            pid: {
                "relationship_start": start,
                "late_invoice_count": late or 0,
                "paid_invoice_count": paid or 0,
                "avg_days_to_pay": number(to_pay),
                "avg_days_late": number(days_late),
                "last_payment_date": last_date,
                "last_payment_amount": float(last_amount) if last_amount is not None else None,
                "payment_day": number(day),
            }
            for pid, start, late, paid, to_pay, days_late, last_date, last_amount, day in self.env.cr.fetchall()
        }

    def _ar_prepare_tone_facts(self, behaviour, today):
        """The facts the tone rules read (see ``tools/tone.py``), for one customer."""
        self.ensure_one()
        segment = self.ar_segment_id.sudo()
        return {
            "relationship_years": relationship_years(behaviour.get("relationship_start"), today),
            "late_invoices": behaviour.get("late_invoice_count") or 0,
            "avg_days_late": behaviour.get("avg_days_late"),
            "segment_id": segment.id or None,
            "segment_name": segment.name,
            "segment_tone": segment.tone_id or None,
        }

    def _ar_get_tones(self, company=None):
        """``{partner id: (tone, reason)}``: the tone reminders to these customers use.

        What the cadence engine calls, for a batch, in ``company`` (default: the
        current one). Read on the commercial partner:

        1. the manual override (``ar_tone_override_id``) if any, else the first
           tone rule of the company matching the customer's facts (behaviour
           and segment, ``tools/tone.py``), else the segment's default tone,
           else Neutral;
        2. then ``ar_tone_escalation`` steps firmer along the tones' sequence
           (broken promises), capped at the firmest tone. It applies on top of
           an override too: a broken promise is news the override did not know.

        One behaviour query and one rule search whatever the number of customers.
        """
        company = company or self.env.company
        Tone = self.env["ar.followup.tone"]
        if not self:
            return {}
        # the override and escalation of ``company``, read by the system for whoever asks
        customers = self.sudo().with_company(company)
        behaviour = self._origin.commercial_partner_id._ar_get_behaviour(company)
        rules = self.env["ar.followup.tone.rule"]._ar_get_rules(company)
        order = list(Tone._ar_firmness_order())
        default = self.env.ref("ar_followup.ar_followup_tone_neutral", raise_if_not_found=False)
        default = default or (order[0] if order else Tone)
        today = company._ar_today()
        gettext = cached_gettext(self.env._)
        result = {}
        for partner, customer in zip(self, customers, strict=True):
            commercial = customer.commercial_partner_id
            if commercial.ar_tone_override_id:
                tone = commercial.ar_tone_override_id.with_env(self.env)
                reason = self.env._("Manual override")
            else:
                facts = commercial._ar_prepare_tone_facts(
                    behaviour.get(commercial._origin.id, {}), today
                )
                tone, reason = choose_tone(facts, rules, default, gettext=gettext)
            steps = commercial.ar_tone_escalation
            firmer = escalate(tone, steps, order) if tone and steps > 0 else tone
            if firmer != tone:
                reason = self.env._(
                    "%(reason)s; escalated %(steps)s step(s) from %(tone)s",
                    reason=reason,
                    steps=steps,
                    tone=tone.sudo().name,
                )
            result[partner.id] = (firmer or Tone, reason)
        return result

    def _ar_get_policies(self, company=None):
        """``{partner id: policy}``: the customer's override, else its segment's policy,
        else the default policy of ``company`` (default: the current one), else the
        Standard policy."""
        company = company or self.env.company
        standard = self.env.ref("ar_followup.ar_followup_policy_standard", raise_if_not_found=False)
        fallback = company.sudo().ar_policy_id or standard or self.env["ar.followup.policy"]
        fallback = fallback.with_env(self.env)
        # per segment once: the planner asks for thousands of customers of a few segments
        by_segment = {}
        result = {}
        # the override of ``company``, read by the system for whoever asks
        for partner, customer in zip(self, self.sudo().with_company(company), strict=True):
            commercial = customer.commercial_partner_id
            policy = commercial.ar_policy_id.with_env(self.env)
            if not policy:
                segment = commercial.ar_segment_id
                if segment.id not in by_segment:
                    by_segment[segment.id] = segment.policy_id.with_env(self.env) or fallback
                policy = by_segment[segment.id]
            result[partner.id] = policy
        return result

    def _ar_get_effective_tone(self, company=None):
        """The tone reminders to this customer use; see :meth:`_ar_get_tones` for batches."""
        self.ensure_one()
        return self._ar_get_tones(company)[self.id][0]

    @api.model
    def _selection_ar_channel(self):
        return self.env["ar.followup.channel"]._ar_selection()

    def _ar_is_channel_allowed(self, channel):
        """Whether reminders may reach this customer by ``channel`` (a ``ar_channel`` key).

        False when the customer's ``ar_no_<channel>`` flag is set; a channel
        addon adding such a flag needs nothing more.
        """
        self.ensure_one()
        flag = "ar_no_%s" % channel
        # the customer's will, which the system obeys whoever sends
        partner = self.commercial_partner_id.sudo()
        return not (flag in partner._fields and partner[flag])

    def _ar_filter_channel_allowed(self, channel):
        """The customers of ``self`` (commercial entities) reminders may reach by
        ``channel``, in one query: :meth:`_ar_is_channel_allowed` for many."""
        flag = "ar_no_%s" % channel
        if flag not in self._fields:
            return self
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("id", "in", self.ids), (flag, "=", False)])
            .with_env(self.env)
        )

    @api.model
    def _ar_get_pause_holds(self, day, partners=None, company=None):
        """``[(partner_id, (), reason)]`` for customers paused on ``day`` (whole customer)
        by ``company`` (default: the current one): a pause is per company."""
        domain = [("ar_pause_until", ">=", day)]
        if partners is not None:
            domain.append(("id", "in", partners.ids))
        Partner = self.sudo().with_company(company or self.env.company)
        return [(partner.id, (), partner._ar_pause_label()) for partner in Partner.search(domain)]

    def _ar_pause_label(self):
        self.ensure_one()
        until = format_date(self.env, self.ar_pause_until)
        if self.ar_pause_reason:
            return self.env._(
                "Follow-up paused until %(date)s: %(reason)s",
                date=until,
                reason=self.ar_pause_reason,
            )
        return self.env._("Follow-up paused until %s", until)

    # cadence ------------------------------------------------------------------

    def _compute_ar_reminder_count(self):
        counts = dict(
            self.env["ar.followup.reminder"]._read_group(
                [("partner_id", "in", self._origin.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.ar_reminder_count = counts.get(partner._origin.commercial_partner_id, 0)

    def action_ar_open_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ar_followup.ar_followup_reminder_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    def _ar_get_cadence_holds(self, company, day):
        """What holds reminders to these customers on ``day``, with the reason codes of
        ``ar.followup.reminder.reason``.

        ``{commercial partner id: {"partner": (reason, text) or None, "moves": {move id:
        (reason, text)}}}``: the holds of :meth:`_ar_get_holds` (one search per hold
        model), each model naming its reason with ``_ar_hold_code``; a pause is
        ``"paused"``. The first hold gives the reason, the texts are joined.
        """
        partners = self.commercial_partner_id
        result = {pid: {"partner": None, "moves": {}} for pid in partners.ids}
        coded = []
        for model in self._ar_hold_models():
            Model = self.env[model]
            code = getattr(Model, "_ar_hold_code", None) or "held"
            coded += [
                (pid, moves, code, text)
                for pid, moves, text in Model._ar_get_holds(company, day, partners)
            ]
        coded += [
            (pid, moves, "paused", text)
            for pid, moves, text in self._ar_get_pause_holds(day, partners, company)
        ]

        def merge(current, code, text):
            if not current:
                return (code, text)
            return (current[0], join_reasons(current[1], text))

        for pid, move_ids, code, text in coded:
            entry = result.setdefault(pid, {"partner": None, "moves": {}})
            if not move_ids:
                entry["partner"] = merge(entry["partner"], code, text)
            for move_id in move_ids:
                entry["moves"][move_id] = merge(entry["moves"].get(move_id), code, text)
        return result

    def _ar_get_email_recipients(self):
        """Who receives this customer's reminders by e-mail: its invoicing contacts with an
        e-mail address, else the customer itself."""
        self.ensure_one()
        partner = self.commercial_partner_id
        contacts = partner.child_ids.filtered(lambda c: c.type == "invoice" and c.email)
        return contacts or partner

    def _ar_get_post_defaults(self, author):
        """``{partner id: values}`` that ``message_post`` computes on each post, for many.

        Reply-to, alias domain and company of messages posted on these customers by
        ``author``, computed as ``message_post`` does, in a few queries for a whole
        dispatch batch instead of per message.
        """
        company = self.env.company
        alias_domains = self.sudo()._mail_get_alias_domains(default_company=company)
        companies = self._mail_get_companies(default=company)
        reply_to = self._notify_get_reply_to(default=author.email_formatted, author_id=author.id)
        return {
            partner.id: {
                "reply_to": reply_to[partner.id],
                "record_alias_domain_id": alias_domains[partner.id].id,
                "record_company_id": companies[partner.id].id,
            }
            for partner in self
        }

    def _message_post_after_hook(self, message, msg_vals):
        """A customer's e-mail answering a reminder goes to the AR inbox."""
        res = super()._message_post_after_hook(message, msg_vals)
        is_email = msg_vals.get("message_type", message.message_type) == "email"
        if is_email and (message.parent_id or self.env.context.get("ar_customer_reply")):
            # sent to a company's AR inbox alias: that company's inbox
            company = self.env["res.company"].browse(self.env.context.get("ar_inbox_company_id"))
            self._ar_receive_reply(
                "email",
                message.body,
                author=message.author_id,
                message=message,
                auto_reply=self.env.context.get("ar_auto_reply"),
                company=company.exists() or None,
            )
        return res

    def _ar_receive_reply(
        self,
        channel,
        body,
        author=None,
        message=None,
        reminders=None,
        auto_reply=None,
        company=None,
    ):
        """A customer replied on ``channel``: the entry point of every channel.

        ``body``: the reply (HTML or text); ``author``: the partner who wrote it;
        ``message``: the ``mail.message`` recorded on the customer's thread, whose
        ``parent_id`` is the reminder's message when the channel threads replies;
        ``reminders``: the reminders answered, when the channel knows them;
        ``company``: the company the channel received the reply for, when no
        reminder says it;
        ``auto_reply``: why the reply is automatic (``tools.reply_reader.
        auto_reply_reason``), then nothing happens: no conversation, no hold, the
        reminder not replied; nor when ``author`` is an internal user.

        Marks the reminders replied and opens or adds to the customer's
        conversation in the AR inbox (in the reminders' company). A reply that
        answers no reminder goes to the inbox when the channel names the company,
        or when the customer had a conversation before. Returns the conversation,
        or an empty recordset.
        """
        self.ensure_one()
        Conversation = self.env["ar.followup.conversation"]
        # a colleague answering by e-mail on the customer's thread is not the customer
        if auto_reply or (author and author.sudo().user_ids.filtered(lambda u: not u.share)):
            return Conversation
        Reminder = self.env["ar.followup.reminder"].sudo()
        partner = self.commercial_partner_id
        if reminders is None and message and message.parent_id:
            Reminder._ar_mark_replied(message)
            reminders = Reminder.search(
                [("mail_message_id", "=", message.parent_id.id)], order="id desc", limit=1
            )
        elif reminders:
            reminders.sudo()._ar_set_replied()
        reminder = (reminders or Reminder)[:1]
        company = reminder.company_id or company
        if not company and self.env.context.get("ar_customer_reply"):
            # routed by its sender: the company that reminded the customer last
            company = Reminder.search(
                [("partner_id", "=", partner.id), ("state", "in", SENT_STATES)],
                order="date_sent desc, id desc",
                limit=1,
            ).company_id
        if not company:
            company = (
                Conversation.sudo()
                .search([("partner_id", "=", partner.id)], order="id desc", limit=1)
                .company_id
            )
        if not company:
            return Conversation
        return Conversation._ar_receive_event(
            partner, company, channel, body, author=author, message=message, reminder=reminder
        )

    def _ar_sms_opt_out(self, number=None, words=None):
        """The customer answered an SMS with an opt-out word: no more SMS reminders,
        recorded as its own consent change (from ``number``, read from ``words``) and
        said on its chatter. Called by the SMS webhook, as superuser."""
        for partner in self.commercial_partner_id.sudo().filtered(lambda p: not p.ar_no_sms):
            partner.with_context(
                ar_consent_source="reply_stop",
                ar_consent_address=number or False,
                ar_consent_note=words or False,
            ).write({"ar_no_sms": True})
            partner.message_post(
                body=self.env._("The customer asked by SMS to receive no more reminders there."),
                subtype_xmlid="mail.mt_note",
            )

    def _ar_log_inbox(self, text):
        """A line of the AR inbox's trail on the customer's thread, by the current user."""
        for partner in self.commercial_partner_id:
            partner.sudo().message_post(
                body=text,
                author_id=self.env.user.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )

    def _ar_send_copy(self, company, document, moves=None, subject=None, parent=None):
        """Send this customer a copy it asked for, by e-mail on its thread: the
        statement of account (``document`` ``"statement"``), else the PDFs of
        ``moves`` or, without them, of its open invoices in ``company``. ``subject``
        and ``parent`` thread it under the message that asked. Returns the message.

        The AR inbox's copy suggestion and a call's *Sent a copy* outcome send through
        here, so both send the same documents to the same recipients."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(company)
        recipients = partner._ar_get_email_recipients().filtered("email")
        if not recipients:
            raise UserError(
                self.env._("%s has no e-mail address to send the copy to.", partner.display_name)
            )
        if moves and any(
            move.commercial_partner_id != partner or move.company_id != company for move in moves
        ):
            # the choice comes from a form: another customer's invoice is never sent
            raise UserError(self.env._("Only the customer's own invoices can be sent to it."))
        if document == "statement":
            attachments = partner._ar_get_statement_pdfs(company).get(partner.id)
        else:
            moves = moves or self.env["account.move"].search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                ]
            )
            pdfs = moves._ar_get_invoice_pdfs()
            attachments = self.env["ir.attachment"].union(*pdfs.values())
        if not attachments:
            raise UserError(self.env._("There is no document to send."))
        return partner.message_post(
            body=self.env._("As requested, please find the documents attached."),
            subject=subject,
            parent_id=parent.id if parent else False,
            attachment_ids=attachments.ids,
            partner_ids=recipients.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
