# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import float_compare, format_amount, format_date

from ..tools.suspension import promise_grace_end

#: payment states of an invoice nothing is owed on any more
SETTLED_STATES = ("paid", "in_payment", "reversed")
PAID_STATES = ("paid", "in_payment")


class ArFollowupPromise(models.Model):
    """A customer's promise to pay an amount by a date.

    Reminders stop for what it covers (some invoices, or the whole customer)
    from the day it is recorded until ``date_grace_end``: the promised date
    plus the company's grace (``res.company.ar_promise_grace_days``).

    The promise becomes **kept** by itself: with invoices, once they are all
    paid; without, once the customer's payments dated from the day the promise
    was made (``date``) reach the amount. Checked when a payment is posted or
    reconciled, and again by the daily cron, which then **breaks** every open
    promise past its grace. A broken promise escalates:

    * ``partner.ar_tone_escalation`` in the promise's company goes up by one (reminders
      get firmer);
    * a note on the promise and the customer, and a to-do activity for the AR
      owner in its company (``partner._ar_get_owner(company)``, else whoever recorded the promise);
    * ``escalate_next_step`` is set. The cadence engine reads broken promises
      with that flag, moves the customer to the next cadence step at once
      instead of waiting for its delay, and clears the flag
      (``_ar_consume_escalations``) so it happens once.

    Amounts follow :class:`ar.followup.hold.mixin`: in the invoices' currency
    when they share one (kept is then decided on the invoices' payment state,
    no conversion needed), else in the company currency, the currency the
    customer's payments are summed in.
    """

    _name = "ar.followup.promise"
    _description = "Promise to Pay"
    _inherit = ["ar.followup.hold.mixin"]
    _order = "date_promised desc, id desc"
    _ar_reference_prefix = "PTP"
    _ar_hold_code = "promised"
    _ar_system_fields = ("name", "state", "date_done", "escalate_next_step")
    _ar_locked_fields = (
        "partner_id",
        "company_id",
        "move_ids",
        "amount",
        "source",
        "user_id",
        "date",
        "date_promised",
    )

    amount = fields.Monetary("Promised Amount")
    user_id = fields.Many2one(string="Recorded By")
    date = fields.Date(
        "Promised On",
        required=True,
        tracking=True,
        default=fields.Date.context_today,
        help="When the customer made the promise; payments from that day count towards it.",
    )
    date_promised = fields.Date("Pay By", required=True, tracking=True, index=True)
    date_grace_end = fields.Date(
        "Reminders Suspended Until",
        compute="_compute_date_grace_end",
        store=True,
        index=True,
        help="Promised date plus the company's grace; the promise is broken after this day.",
    )
    note = fields.Text(tracking=True)
    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken"), ("cancelled", "Cancelled")],
        required=True,
        default="open",
        tracking=True,
        copy=False,
        index=True,
    )
    date_done = fields.Date("Closed On", readonly=True, copy=False)
    escalate_next_step = fields.Boolean(
        "Escalation Pending",
        readonly=True,
        copy=False,
        help="Set when the promise is broken: the cadence moves the customer to its next "
        "step right away, then clears it.",
    )
    owner_id = fields.Many2one("res.users", "AR Owner", compute="_compute_owner_id")

    _amount_positive = models.Constraint("CHECK(amount > 0)", "A promise to pay needs an amount.")

    @api.depends("date_promised", "company_id.ar_promise_grace_days")
    def _compute_date_grace_end(self):
        for promise in self:
            promise.date_grace_end = promise.date_promised and promise_grace_end(
                promise.date_promised, promise.company_id.ar_promise_grace_days
            )

    @api.depends("partner_id.ar_owner_id", "partner_id.user_id", "user_id", "company_id")
    def _compute_owner_id(self):
        for promise in self:
            promise.owner_id = promise.partner_id and promise.partner_id._ar_get_owner(
                promise.company_id
            )

    @api.constrains("date", "date_promised", "company_id")
    def _check_dates(self):
        for promise in self:
            if promise.date_promised < promise.date:
                raise ValidationError(
                    self.env._(
                        "Promise %s: the customer cannot promise to pay before the day they promised.",
                        promise.name,
                    )
                )
            longest = promise.company_id.ar_promise_max_days
            if (promise.date_promised - promise.date).days > longest:
                raise ValidationError(
                    self.env._(
                        "Promise %(promise)s: a promise to pay can be dated at most %(days)s days "
                        "after it is made (Settings › AR Follow-up).",
                        promise=promise.name,
                        days=longest,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        promises._ar_log_on_covered(
            lambda p: self.env._(
                "Promise to pay %(promise)s recorded: %(amount)s by %(date)s. "
                "Reminders are suspended until %(until)s.",
                promise=p._get_html_link(),
                amount=p._ar_amount_label(),
                date=format_date(self.env, p.date_promised),
                until=format_date(self.env, p.date_grace_end),
            )
        )
        promises._ar_check_kept()
        return promises

    def action_cancel(self):
        promises = self.filtered(lambda p: p.state == "open")
        for company, company_promises in promises.grouped("company_id").items():
            company_promises._ar_system_write(
                {"state": "cancelled", "date_done": company._ar_today()}
            )
        promises._ar_log_on_covered(
            lambda p: self.env._(
                "Promise to pay %s cancelled. Reminders resume.", p._get_html_link()
            )
        )
        return True

    # -- kept ------------------------------------------------------------

    def _ar_check_kept(self):
        """Mark kept the open promises whose invoices are paid, or whose customer paid enough.

        Set-based: the invoices' payment states are read in batch, customer
        payments with one ``_read_group``. A promise whose invoices were all
        credited in full is cancelled instead: there is nothing left to keep.
        """
        promises = self.filtered(lambda p: p.state == "open")
        kept = credited = self.browse()
        with_moves = promises.filtered("move_ids")
        for promise in with_moves:
            states = promise.move_ids.mapped("payment_state")
            if all(s in SETTLED_STATES for s in states):
                if any(s in PAID_STATES for s in states):
                    kept |= promise
                else:
                    credited |= promise
        # nothing left to pay but nothing paid either: credited in full, not a broken promise
        credited.action_cancel()
        whole = promises - with_moves
        if whole:
            paid = self._ar_customer_payments(whole)
            for promise in whole:
                received = sum(
                    amount
                    for day, amount in paid.get((promise.partner_id.id, promise.company_id.id), [])
                    if day >= promise.date
                )
                if (
                    float_compare(
                        received, promise.amount, precision_rounding=promise.currency_id.rounding
                    )
                    >= 0
                ):
                    kept |= promise
        for company, company_promises in kept.grouped("company_id").items():
            company_promises._ar_system_write({"state": "kept", "date_done": company._ar_today()})
        if not kept:
            return kept
        kept.partner_id._message_log_batch(
            {
                partner.id: self.env._(
                    "Promise to pay kept: %s.", ", ".join(promises.mapped("name"))
                )
                for partner, promises in kept.grouped("partner_id").items()
            }
        )
        return kept

    @api.model
    def _ar_customer_payments(self, promises):
        """{(commercial partner id, company id): [(date, amount received)]}, one query.

        Receivable lines of payments and bank statement lines (credit notes are
        not payments), in the company currency, from the earliest promise on.
        """
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                self._ar_get_payment_line_domain(promises),
                ["partner_id", "company_id", "date:day"],
                ["balance:sum"],
            )
        )
        paid = {}
        for partner, company, day, balance in groups:
            key = (partner.commercial_partner_id.id, company.id)
            paid.setdefault(key, []).append((day, -balance))
        return paid

    @api.model
    def _ar_get_payment_line_domain(self, promises):
        return [
            ("company_id", "in", promises.company_id.ids),
            ("partner_id", "child_of", promises.partner_id.ids),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("date", ">=", min(promises.mapped("date"))),
            "|",
            ("move_id.origin_payment_id", "!=", False),
            ("move_id.statement_line_id", "!=", False),
        ]

    # -- broken ------------------------------------------------------------

    def _ar_break(self):
        """Break these open promises and escalate (see the class docstring)."""
        promises = self.filtered(lambda p: p.state == "open")
        for company, company_promises in promises.grouped("company_id").items():
            company_promises._ar_system_write(
                {
                    "state": "broken",
                    "date_done": company._ar_today(),
                    "escalate_next_step": True,
                }
            )
        # one write per customer and company, not per promise: the escalation is tracked
        # on the customer, and is the promise's company's
        for (partner, company), partner_promises in promises.grouped(
            lambda p: (p.partner_id, p.company_id)
        ).items():
            partner.sudo().with_company(company).ar_tone_escalation += len(partner_promises)
        for promise in promises:
            summary = self.env._(
                "Promise to pay broken: %(partner)s promised %(amount)s by %(date)s",
                partner=promise.partner_id.display_name,
                amount=promise._ar_amount_label(),
                date=format_date(self.env, promise.date_promised),
            )
            promise.message_post(
                body=self.env._("%s. Reminders resume one step firmer.", summary),
                subtype_xmlid="mail.mt_note",
            )
            promise.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                user_id=(promise.owner_id or promise.user_id).id,
                date_deadline=promise.company_id._ar_today(),
            )
        promises._ar_log_on_covered(
            lambda p: self.env._(
                "Promise to pay %(promise)s broken: %(amount)s was due by %(date)s. "
                "Reminders resume one step firmer.",
                promise=p._get_html_link(),
                amount=p._ar_amount_label(),
                date=format_date(self.env, p.date_promised),
            )
        )
        return promises

    def _ar_consume_escalations(self):
        """For the cadence engine: the broken promises asking for a step, flag cleared."""
        pending = self.filtered("escalate_next_step")
        pending._ar_system_write({"escalate_next_step": False})
        return pending

    @api.model
    def _cron_ar_check_promises(self):
        """Daily: mark kept what was paid, then break open promises past their grace."""
        self.search([("state", "=", "open")])._ar_check_kept()
        companies = self.env["res.company"].search([])
        overdue = self.search(
            Domain.AND(
                [
                    [("state", "=", "open")],
                    Domain.OR(
                        [
                            ("company_id", "=", company.id),
                            ("date_grace_end", "<", company._ar_today()),
                        ]
                        for company in companies
                    ),
                ]
            )
        )
        return overdue._ar_break()

    # -- suspension --------------------------------------------------------

    @api.model
    def _ar_get_hold_domain(self, company, day):
        return [
            ("company_id", "=", company.id),
            ("state", "=", "open"),
            ("date", "<=", day),
            ("date_grace_end", ">=", day),
        ]

    @api.model
    def _ar_get_open_domain(self):
        return [("state", "=", "open")]

    def _ar_hold_reason(self):
        self.ensure_one()
        return self.env._("Promised to pay by %s", format_date(self.env, self.date_promised))

    def _ar_amount_label(self):
        self.ensure_one()
        return format_amount(self.env, self.amount, self.currency_id)
