# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..tools.ageing import days_overdue
from ..tools.suspension import move_suspension
from .account_move_line import _search_days_overdue
from .account_move_pdf import AccountMovePdf


class AccountMove(AccountMovePdf, models.Model):
    _name = "account.move"
    _inherit = ["account.move", "ar.followup.suspension.mixin"]

    # Oldest open due line of the invoice; kept by account.move.line._ar_refresh_ageing.
    ar_oldest_due_date = fields.Date(
        "Oldest Open Due Date",
        readonly=True,
        copy=False,
        help="Due date of the oldest instalment still open.",
    )
    ar_days_overdue = fields.Integer(
        "Days Overdue",
        compute="_compute_ar_days_overdue",
        search="_search_ar_days_overdue",
        help="Days since the oldest open instalment fell due (negative: not due yet).",
    )
    ar_bucket_id = fields.Many2one(
        "ar.followup.bucket",
        "Ageing Bucket",
        readonly=True,
        copy=False,
        index="btree_not_null",
        group_expand="_read_group_ar_bucket_id",
    )
    ar_transition_ids = fields.One2many(
        "ar.followup.bucket.transition", "move_id", "Bucket Transitions", readonly=True
    )

    # the reminders of the invoice, and what the customer did with them
    ar_reminder_ids = fields.Many2many(
        "ar.followup.reminder",
        string="Reminders",
        compute="_compute_ar_reminder_ids",
        groups="ar_followup.ar_followup_group_user",
    )
    ar_reminder_count = fields.Integer(
        "Reminders Sent",
        compute="_compute_ar_reminder_tracking",
        groups="ar_followup.ar_followup_group_user",
    )
    ar_reminder_clicked_on = fields.Datetime(
        "Reminder Link Followed",
        compute="_compute_ar_reminder_tracking",
        groups="ar_followup.ar_followup_group_user",
        help="When the customer first followed a link of a reminder about this invoice.",
    )

    @api.depends("ar_oldest_due_date")
    @api.depends_context("company")
    def _compute_ar_days_overdue(self):
        today = {company: company._ar_today() for company in self.company_id}
        for move in self:
            due = move.ar_oldest_due_date
            move.ar_days_overdue = days_overdue(due, today[move.company_id]) if due else 0

    def _search_ar_days_overdue(self, operator, value):
        return _search_days_overdue(
            self.env, "ar_oldest_due_date", operator, value, [("ar_bucket_id", "!=", False)]
        )

    # suspension fields: ar.followup.suspension.mixin (computed below)
    ar_portal_viewed_on = fields.Datetime(
        "Viewed Online",
        readonly=True,
        copy=False,
        help="When the customer first opened the invoice online (from a reminder or the portal).",
    )

    ar_acknowledged_on = fields.Datetime(
        "Acknowledged On",
        readonly=True,
        copy=False,
        help="When the customer confirmed on the receivables page that they owe this invoice.",
    )
    ar_acknowledged_by = fields.Char(
        "Acknowledged By", readonly=True, copy=False, help="Who confirmed it, as they gave it."
    )

    def _compute_ar_followup_suspension(self):
        self.ar_followup_suspended = False
        self.ar_followup_suspension_reason = False
        moves = self.filtered(
            lambda m: m.state == "posted" and m.is_sale_document(include_receipts=True)
        )
        for company, company_moves in moves.grouped("company_id").items():
            suspensions = company_moves._origin.commercial_partner_id._ar_get_suspensions(
                company._ar_today(), company
            )
            for move in company_moves:
                reason = move_suspension(
                    suspensions.get(move._origin.commercial_partner_id.id), move._origin.id
                )
                move.ar_followup_suspended = bool(reason)
                move.ar_followup_suspension_reason = reason or False

    def _search_ar_followup_suspended(self, operator, value):
        if operator != "in":
            return NotImplemented
        named_ids, whole_customer = set(), []
        for company in self.env.companies:
            holds = self.env["res.partner"]._ar_get_holds(company, company._ar_today())
            named_ids.update(move_id for _pid, move_ids, _reason in holds for move_id in move_ids)
            partner_ids = [pid for pid, move_ids, _reason in holds if not move_ids]
            if partner_ids:
                whole_customer.append(
                    Domain("company_id", "=", company.id)
                    & Domain("commercial_partner_id", "in", partner_ids)
                )
        return (
            Domain("state", "=", "posted")
            & Domain("move_type", "in", self.get_sale_types(include_receipts=True))
            & Domain.OR([Domain("id", "in", list(named_ids)), *whole_customer])
        )

    def _compute_ar_hold_counts(self):
        moves = self._origin
        disputes = self.env["ar.followup.dispute"]._ar_count_open_by_move(moves)
        promises = self.env["ar.followup.promise"]._ar_count_open_by_move(moves)
        for move in self:
            move.ar_dispute_count = disputes.get(move._origin.id, 0)
            move.ar_promise_count = promises.get(move._origin.id, 0)

    def _compute_ar_reminder_ids(self):
        """The reminders with an item of the invoice, newest first: three queries for
        all of ``self``."""
        lines = self.env["ar.followup.reminder.line"].search_fetch(
            [("move_line_id.move_id", "in", self._origin.ids)], ["reminder_id", "move_line_id"]
        )
        lines.move_line_id.fetch(["move_id"])
        by_move = {}
        for line in lines:
            by_move.setdefault(line.move_line_id.move_id.id, set()).add(line.reminder_id.id)
        ordered = self.env["ar.followup.reminder"].search([("id", "in", lines.reminder_id.ids)])
        for move in self:
            ids = by_move.get(move._origin.id, ())
            move.ar_reminder_ids = ordered.filtered(lambda r, ids=ids: r.id in ids)

    def _compute_ar_reminder_tracking(self):
        for move in self:
            sent = move.ar_reminder_ids.filtered("date_sent")
            clicks = sent.filtered("date_clicked").mapped("date_clicked")
            move.ar_reminder_count = len(sent)
            move.ar_reminder_clicked_on = min(clicks) if clicks else False

    def _read_group_ar_bucket_id(self, buckets, domain):
        return buckets.search([("company_id", "in", self.env.companies.ids)])

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._ar_refresh_ageing()
        posted.filtered(lambda m: m.origin_payment_id or m.statement_line_id)._ar_check_promises()
        return posted

    def button_draft(self):
        res = super().button_draft()
        self._ar_refresh_ageing()
        return res

    def _ar_refresh_ageing(self):
        """Bring these invoices' ageing up to date right away (not waiting for the daily run)."""
        receivable = self.filtered(
            lambda m: m.is_sale_document(include_receipts=True) or m.ar_bucket_id
        )
        if receivable:
            self.env["account.move.line"].sudo()._ar_refresh_ageing(
                companies=receivable.company_id, move_ids=receivable.ids
            )

    def _ar_check_promises(self):
        """A payment came in for these documents: keep the promises it fulfils.

        Promises naming these invoices, and promises covering their whole customer.
        As superuser: who registers a payment need not see promises to pay.
        """
        if not self:
            return self.env["ar.followup.promise"]
        partners = self.commercial_partner_id
        promises = (
            self.env["ar.followup.promise"]
            .sudo()
            .search(
                [
                    ("state", "=", "open"),
                    ("company_id", "in", self.company_id.ids),
                    "|",
                    ("move_ids", "in", self.ids),
                    "&",
                    ("move_ids", "=", False),
                    ("partner_id", "in", partners.ids),
                ]
            )
        )
        return promises._ar_check_kept()

    def _ar_check_same_customer(self):
        invoices = self.filtered(
            lambda m: m.move_type in ("out_invoice", "out_receipt") and m.state == "posted"
        )
        if (
            not invoices
            or invoices != self
            or len(self.commercial_partner_id) != 1
            or len(self.company_id) != 1
        ):
            raise UserError(
                self.env._("Select posted customer invoices of a single customer and company.")
            )

    def action_ar_raise_dispute(self):
        self._ar_check_same_customer()
        return self.env["ar.followup.dispute"]._ar_action_new(self.commercial_partner_id, self)

    def action_ar_record_promise(self):
        self._ar_check_same_customer()
        return self.env["ar.followup.promise"]._ar_action_new(self.commercial_partner_id, self)

    def action_ar_open_disputes(self):
        self.ensure_one()
        return self.env["ar.followup.dispute"]._ar_action_open(
            self._ar_get_covering_domain(), self._ar_get_covering_context()
        )

    def action_ar_open_promises(self):
        self.ensure_one()
        return self.env["ar.followup.promise"]._ar_action_open(
            self._ar_get_covering_domain(), self._ar_get_covering_context()
        )

    def _ar_get_covering_domain(self):
        """Disputes or promises naming this invoice or covering its whole customer."""
        self.ensure_one()
        return [
            ("company_id", "=", self.company_id.id),
            "|",
            ("move_ids", "in", self.ids),
            "&",
            ("move_ids", "=", False),
            ("partner_id", "=", self.commercial_partner_id.id),
        ]

    def _ar_get_covering_context(self):
        self.ensure_one()
        return {
            "default_partner_id": self.commercial_partner_id.id,
            "default_company_id": self.company_id.id,
            "default_move_ids": [fields.Command.set(self.ids)],
        }

    def _ar_record_portal_view(self):
        """The customer opened the invoice online: note the first time, once; every
        visit also marks the reminders sent about the invoice viewed (the first visit
        after each one was sent)."""
        self.env["ar.followup.reminder"].sudo()._ar_record_view(self)
        first = self.filtered(lambda move: not move.ar_portal_viewed_on)
        if not first:
            return
        first.sudo().write({"ar_portal_viewed_on": fields.Datetime.now()})
        for move in first.sudo():
            move._message_log(body=self.env._("The customer opened the invoice online."))
