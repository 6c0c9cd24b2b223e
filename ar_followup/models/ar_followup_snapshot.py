# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.bulk_insert import array_text

_logger = logging.getLogger(__name__)

#: days, ending on the snapshot's date, whose reminders, promises and disputes it counts
WINDOW_DAYS = 30
#: how a promise or a dispute came from a person of the AR team (not the customer alone)
COLLECTOR_SOURCES = ("call", "email", "manual")
#: counters of a snapshot that add up over customers (the company row is their sum)
COUNTERS = (
    "reminder_count",
    "sent_count",
    "delivered_count",
    "read_count",
    "clicked_count",
    "replied_count",
    "paid_count",
    "failed_count",
    "skipped_count",
    "automated_count",
    "manual_count",
    "edited_count",
    "approved_count",
    "promise_made_count",
    "promise_obtained_count",
    "promise_open_count",
    "promise_kept_count",
    "promise_broken_count",
    "dispute_open_count",
    "dispute_raised_count",
)
AMOUNTS = ("amount_due", "amount_overdue", "amount_disputed")
#: days back the dashboard compares the overdue amount with (a snapshot of each such day)
TREND_DAYS = (30, 60, 90)
#: the bus notification telling the dashboards of a company that its day's activity moved
ACTIVITY_NOTIFICATION = "ar_followup.activity"
#: the subchannel of a company on which its AR users receive that notification
ACTIVITY_SUBCHANNEL = "ar_followup_activity"


def rate(part, whole):
    """``part`` as a percentage of ``whole``, None when there is no whole.

    >>> rate(1, 4), rate(0, 0), rate(2, 3)
    (25.0, None, 66.67)
    """
    return round(100.0 * part / whole, 2) if whole else None


def month_range(day):
    """The first and last days of ``day``'s month.

    >>> from datetime import date
    >>> [str(day) for day in month_range(date(2026, 2, 14))]
    ['2026-02-01', '2026-02-28']
    >>> [str(day) for day in month_range(date(2026, 12, 31))]
    ['2026-12-01', '2026-12-31']
    """
    first = day.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


class ArFollowupSnapshot(models.Model):
    """The follow-up's figures of a day, kept so trends survive archiving and cleaning.

    One row per company and day (``partner_id`` empty) and one per customer with
    something open, reminded, promised or disputed, written by the daily cron
    (:meth:`_ar_record`) and never edited: recording a day again replaces that
    day's rows. Amounts are the customers' position on the day (company
    currency, from the stored ageing); counters cover the reminders planned for,
    and the promises and disputes of, the :data:`WINDOW_DAYS` days ending on the
    day, in the states they have when it is recorded. The breakdowns of the
    company row (overdue by bucket, reminders by channel and state) are its
    lines (``ar.followup.snapshot.line``).
    """

    _name = "ar.followup.snapshot"
    _description = "Follow-up Metrics of a Day"
    _order = "date desc, partner_id desc, id"
    _rec_name = "date"

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        readonly=True,
        ondelete="cascade",
        index="btree_not_null",
        help="Empty on the company-wide row.",
    )
    currency_id = fields.Many2one("res.currency", "Currency", required=True, readonly=True)
    window_days = fields.Integer(
        "Window (days)",
        readonly=True,
        aggregator=None,
        help="Days ending on the date whose reminders, promises and disputes are counted.",
    )
    line_ids = fields.One2many("ar.followup.snapshot.line", "snapshot_id", "Breakdown")
    # the position
    amount_due = fields.Monetary("Amount Due", readonly=True, help="Everything open, net.")
    amount_overdue = fields.Monetary("Overdue", readonly=True)
    amount_disputed = fields.Monetary(
        "Disputed", readonly=True, help="Open items under an open dispute."
    )
    dso = fields.Float(
        "DSO",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
        help="Standard DSO recorded for the day (DSO Trend), empty when none was.",
    )
    # reminders of the window
    reminder_count = fields.Integer("Reminders", readonly=True, help="Planned for the window.")
    sent_count = fields.Integer("Sent", readonly=True)
    delivered_count = fields.Integer("Delivered", readonly=True)
    read_count = fields.Integer("Read", readonly=True)
    clicked_count = fields.Integer("Clicked", readonly=True)
    replied_count = fields.Integer("Replied", readonly=True)
    paid_count = fields.Integer(
        "Paid After Reminder", readonly=True, help="Sent reminders whose invoices were paid."
    )
    failed_count = fields.Integer("Failed", readonly=True)
    skipped_count = fields.Integer("Skipped", readonly=True)
    automated_count = fields.Integer(
        "Automated",
        readonly=True,
        help="Sent by the cadence with the text it wrote: no manual send, no text edited "
        "before approval.",
    )
    manual_count = fields.Integer("Sent Manually", readonly=True)
    edited_count = fields.Integer("Edited Before Sending", readonly=True)
    approved_count = fields.Integer("Approved", readonly=True)
    response_rate = fields.Float(
        "Response Rate (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
        help="Sent reminders the customer replied to, or paid after, per hundred sent.",
    )
    automation_rate = fields.Float(
        "Automation Rate (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
        help="Automated reminders per hundred sent.",
    )
    # promises and disputes
    promise_made_count = fields.Integer("Promises Made", readonly=True)
    promise_obtained_count = fields.Integer(
        "Promises Obtained",
        readonly=True,
        help="Promises made in the window recorded by the AR team (call, e-mail, by hand).",
    )
    promise_open_count = fields.Integer(
        "Open Promises", readonly=True, help="Promises made by the date still waiting for payment."
    )
    promise_kept_count = fields.Integer("Promises Kept", readonly=True)
    promise_broken_count = fields.Integer("Promises Broken", readonly=True)
    promise_kept_rate = fields.Float(
        "Promise Kept Rate (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
        help="Promises kept per hundred settled (kept or broken) in the window.",
    )
    dispute_open_count = fields.Integer("Open Disputes", readonly=True)
    dispute_raised_count = fields.Integer("Disputes Raised", readonly=True)
    dispute_open_age = fields.Float(
        "Open Disputes' Age (days)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
        help="Average days since the open disputes were raised.",
    )
    # the dashboard's figures read when shown (not recorded)
    overdue_change_30 = fields.Monetary(
        "Overdue Change over 30 Days",
        compute="_compute_overdue_change",
        help="The overdue amount less that of the metrics recorded 30 days before.",
    )
    overdue_change_60 = fields.Monetary(
        "Overdue Change over 60 Days",
        compute="_compute_overdue_change",
        help="The overdue amount less that of the metrics recorded 60 days before.",
    )
    overdue_change_90 = fields.Monetary(
        "Overdue Change over 90 Days",
        compute="_compute_overdue_change",
        help="The overdue amount less that of the metrics recorded 90 days before.",
    )
    has_snapshot_30 = fields.Boolean("Recorded 30 Days Before", compute="_compute_overdue_change")
    has_snapshot_60 = fields.Boolean("Recorded 60 Days Before", compute="_compute_overdue_change")
    has_snapshot_90 = fields.Boolean("Recorded 90 Days Before", compute="_compute_overdue_change")
    collected_month = fields.Monetary(
        "Collected This Month",
        compute="_compute_month_figures",
        help="Customer payments dated from the first of the month to the date.",
    )
    due_month = fields.Monetary(
        "Due This Month",
        compute="_compute_month_figures",
        help="Customer invoices falling due in the month of the date (their total).",
    )
    activity_sent_count = fields.Integer(
        "Sent Today", compute="_compute_activity", help="Reminders sent since midnight."
    )
    activity_replied_count = fields.Integer(
        "Replied Today", compute="_compute_activity", help="Reminders replied to since midnight."
    )
    activity_paid_count = fields.Integer(
        "Invoices Paid Today",
        compute="_compute_activity",
        help="Customer invoices a payment was matched with since midnight.",
    )
    activity_paid_amount = fields.Monetary(
        "Paid Today",
        compute="_compute_activity",
        help="What the payments matched with customer invoices since midnight settled.",
    )

    # one row per company, customer (none: the company) and day
    _unique_day = models.UniqueIndex(
        "(company_id, COALESCE(partner_id, 0), date)",
        "Metrics are recorded once per customer and day.",
    )
    _company_date_idx = models.Index("(company_id, date)")

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for row in self:
            row.display_name = "%s, %s" % (
                row.partner_id.display_name or row.company_id.display_name,
                fields.Date.to_string(row.date),
            )

    @api.depends("company_id", "partner_id", "date", "amount_overdue")
    def _compute_overdue_change(self):
        # a day is recorded when its company row is; a customer without a row that day
        # had nothing open, nothing overdue
        past = self._ar_get_past_rows()
        for row in self:
            for days in TREND_DAYS:
                day = row.date and row.date - timedelta(days=days)
                recorded = (row.company_id.id, False, day) in past
                before = past.get((row.company_id.id, row.partner_id.id, day))
                row["has_snapshot_%d" % days] = recorded
                row["overdue_change_%d" % days] = (
                    row.amount_overdue - (before.amount_overdue if before else 0.0)
                    if recorded
                    else 0.0
                )

    @api.depends("company_id", "partner_id", "date")
    def _compute_month_figures(self):
        # one grouped read of each kind per company and date, shared by its customers' rows
        figures = {}
        for row in self:
            key = (row.company_id, row.date)
            if row.date and key not in figures:
                figures[key] = self._ar_fetch_month_figures(*key)
            collected, due = figures.get(key, ({}, {}))
            if row.partner_id:
                row.collected_month = collected.get(row.partner_id.id, 0.0)
                row.due_month = due.get(row.partner_id.id, 0.0)
            else:
                row.collected_month = sum(collected.values())
                row.due_month = sum(due.values())

    @api.depends("company_id", "partner_id")
    def _compute_activity(self):
        figures = {company: self._ar_fetch_activity(company) for company in self.company_id}
        for row in self:
            counts, paid = figures.get(row.company_id, ({}, {}))
            key = row.partner_id.id if row.partner_id else None
            row.activity_sent_count = counts.get((key, "sent"), 0)
            row.activity_replied_count = counts.get((key, "replied"), 0)
            row.activity_paid_count, row.activity_paid_amount = paid.get(key, (0, 0.0))

    # -- the dashboard: every figure opens the records behind it ------------------

    @api.model
    def _ar_action_dashboard(self):
        """The collections dashboard: the latest metrics of each company of the user,
        recorded now for a company that has none yet."""
        companies = self.env.companies
        missing = companies - self.search([("company_id", "in", companies.ids)]).company_id
        for company in missing:
            self.sudo()._ar_record(company, company._ar_today())
        latest = self.browse()
        for company in companies:
            latest |= self.search(
                [("company_id", "=", company.id), ("partner_id", "=", False)],
                order="date desc",
                limit=1,
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ar_followup.ar_followup_snapshot_action_dashboard"
        )
        action["domain"] = [("id", "in", latest.ids)]
        return action

    def action_ar_refresh(self):
        """Record the metrics of today again for these companies (as the daily cron)."""
        self.env["ar.followup.reminder"]._ar_check_user()
        for company in self.company_id:
            self.sudo()._ar_record(company, company._ar_today())
        return self._ar_action_dashboard()

    def _ar_get_metric_domain(self, metric):
        """``(model, domain)`` of the records behind ``metric`` (a field name) of this row.

        Counters: the reminders, promises or disputes counted; amounts: the open
        items of the ageing (as they are now: for a past day they have moved on).
        """
        self.ensure_one()
        # as strings: the domain goes to the browser with the action
        since = fields.Date.to_string(self.date - timedelta(days=self.window_days - 1))
        day = fields.Date.to_string(self.date)
        company = [("company_id", "=", self.company_id.id)]
        partner = [("partner_id", "=", self.partner_id.id)] if self.partner_id else []
        window = [("date", ">=", since), ("date", "<=", day)]
        reminders = {
            "reminder_count": [],
            "sent_count": [("date_sent", "!=", False)],
            "delivered_count": [("date_delivered", "!=", False)],
            "read_count": [("date_read", "!=", False)],
            "clicked_count": [("date_clicked", "!=", False)],
            "replied_count": [("date_replied", "!=", False)],
            "paid_count": [("date_paid", "!=", False), ("date_sent", "!=", False)],
            "failed_count": [("state", "=", "failed")],
            "skipped_count": [("state", "=", "skipped")],
            "automated_count": [
                ("date_sent", "!=", False),
                ("manual", "=", False),
                ("text_edited", "=", False),
            ],
            "manual_count": [("date_sent", "!=", False), ("manual", "=", True)],
            "edited_count": [("text_edited", "=", True)],
            "approved_count": [("approved_by_id", "!=", False)],
        }
        if metric in reminders:
            return "ar.followup.reminder", company + partner + window + reminders[metric]
        settled = [("date_done", ">=", since), ("date_done", "<=", day)]
        promises = {
            "promise_made_count": window,
            "promise_obtained_count": [*window, ("source", "in", COLLECTOR_SOURCES)],
            "promise_open_count": [("date", "<=", day), ("state", "=", "open")],
            "promise_kept_count": [*settled, ("state", "=", "kept")],
            "promise_broken_count": [*settled, ("state", "=", "broken")],
        }
        if metric in promises:
            return "ar.followup.promise", company + partner + promises[metric]
        Dispute = self.env["ar.followup.dispute"]
        disputes = {
            "dispute_open_count": [
                ("date_raised", "<=", day),
                *Dispute._ar_get_open_domain(),
            ],
            "dispute_raised_count": [
                ("date_raised", ">=", since),
                ("date_raised", "<=", day),
            ],
        }
        disputes["dispute_open_age"] = disputes["dispute_open_count"]
        if metric in disputes:
            return "ar.followup.dispute", company + partner + disputes[metric]
        ageing = {"amount_due": [], "amount_overdue": [("overdue", "!=", 0)]}
        if metric == "amount_disputed":
            open_disputes = Dispute.search(company + partner + Dispute._ar_get_open_domain())
            ageing["amount_disputed"] = Domain.OR(
                [
                    Domain(
                        "partner_id",
                        "in",
                        open_disputes.filtered(lambda d: not d.move_ids).partner_id.ids,
                    ),
                    Domain("move_id", "in", open_disputes.move_ids.ids),
                ]
            )
        if metric in ageing:
            return "ar.followup.ageing.report", Domain.AND(
                [Domain(company + partner), Domain(ageing[metric])]
            )
        if metric == "dso":
            return "ar.followup.dso", company + partner + [("date", "<=", day)]
        return self._ar_get_dashboard_domain(metric)

    def _ar_get_dashboard_domain(self, metric):
        """``(model, domain)`` of the records behind a figure the dashboard reads when
        shown: the month's collections and dues (of the row's month), today's activity
        (of the company's today, whatever the row's date)."""
        self.ensure_one()
        company = [("company_id", "=", self.company_id.id)]
        partner = self.partner_id
        if metric == "collected_month":
            return "account.payment", company + self._ar_get_collected_domain(self.date) + (
                [("partner_id", "child_of", partner.id)] if partner else []
            )
        customer = [("commercial_partner_id", "=", partner.id)] if partner else []
        if metric == "due_month":
            first, last = month_range(self.date)
            return "account.move", company + customer + [
                ("move_type", "in", ("out_invoice", "out_receipt")),
                ("state", "=", "posted"),
                ("invoice_date_due", ">=", fields.Date.to_string(first)),
                ("invoice_date_due", "<=", fields.Date.to_string(last)),
            ]
        if metric in ("activity_paid_count", "activity_paid_amount"):
            today = fields.Date.to_string(self.company_id._ar_today())
            matched = [
                ("credit_move_id.date", "=", today),
                ("credit_move_id.move_id.move_type", "=", "entry"),
            ]
            return "account.move", company + customer + [
                ("move_type", "in", ("out_invoice", "out_receipt")),
                (
                    "line_ids",
                    "any",
                    [
                        ("account_type", "=", "asset_receivable"),
                        ("matched_credit_ids", "any", matched),
                    ],
                ),
            ]
        start = fields.Datetime.to_string(self._ar_day_start(self.company_id))
        reminders = {
            "activity_sent_count": [("date_sent", ">=", start)],
            "activity_replied_count": [("date_replied", ">=", start)],
        }
        if metric in reminders:
            customer = [("partner_id", "=", partner.id)] if partner else []
            return "ar.followup.reminder", company + customer + reminders[metric]
        raise ValueError(metric)

    def action_ar_open_metric(self):
        """Open the records behind the figure named ``ar_metric`` in the context."""
        self.ensure_one()
        metric = self.env.context.get("ar_metric")
        if metric not in self._fields:
            raise UserError(self.env._("No figure %s on follow-up metrics.", metric))
        if metric.startswith("overdue_change_"):
            return self.action_ar_open_buckets()
        model, domain = self._ar_get_metric_domain(metric)
        action = self.env["ir.actions.act_window"]._for_xml_id(self._ar_get_metric_actions()[model])
        action["domain"] = list(domain)
        action["context"] = {}
        action["display_name"] = "%s: %s" % (
            self.display_name,
            self._fields[metric].get_description(self.env)["string"],
        )
        if model == "ar.followup.ageing.report":
            action["views"] = [(False, "list"), (False, "pivot"), (False, "graph")]
        return action

    @api.model
    def _ar_get_metric_actions(self):
        """``{model: XML id of the window action}`` opening the records behind figures."""
        return {
            "ar.followup.reminder": "ar_followup.ar_followup_reminder_action",
            "ar.followup.promise": "ar_followup.ar_followup_promise_action",
            "ar.followup.dispute": "ar_followup.ar_followup_dispute_action",
            "ar.followup.ageing.report": "ar_followup.ar_followup_ageing_report_action",
            "ar.followup.dso": "ar_followup.ar_followup_dso_action",
            "account.payment": "account.action_account_payments",
            "account.move": "account.action_move_out_invoice_type",
        }

    def action_ar_open_buckets(self):
        """The company's overdue by ageing bucket on this row's date, each bucket with its
        change over 30, 60 and 90 days and opening its overdue items."""
        self.ensure_one()
        row = self
        if self.partner_id:
            row = self.search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("date", "=", self.date),
                    ("partner_id", "=", False),
                ],
                limit=1,
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ar_followup.ar_followup_snapshot_line_action_buckets"
        )
        action["domain"] = [("snapshot_id", "=", row.id), ("kind", "=", "bucket")]
        action["display_name"] = self.env._(
            "%(row)s: Overdue by Bucket", row=row.display_name or self.display_name
        )
        return action

    # -- the figures read when shown --------------------------------------------

    def _ar_get_past_rows(self):
        """``{(company id, customer id or False, date): row}``: the rows recorded
        :data:`TREND_DAYS` days before these, in one read."""
        rows = self.filtered("date")
        if not rows:
            return {}
        days = {row.date - timedelta(days=n) for row in rows for n in TREND_DAYS}
        past = self.search_fetch(
            [
                ("company_id", "in", rows.company_id.ids),
                ("partner_id", "in", [*rows.partner_id.ids, False]),
                ("date", "in", sorted(days)),
            ],
            ["company_id", "partner_id", "date", "amount_overdue"],
        )
        return {(row.company_id.id, row.partner_id.id, row.date): row for row in past}

    @api.model
    def _ar_get_collected_domain(self, day):
        """Customer payments (confirmed, not cancelled or rejected) dated from the first
        of ``day``'s month to ``day``."""
        return [
            ("payment_type", "=", "inbound"),
            ("partner_type", "=", "customer"),
            ("state", "in", ("in_process", "paid")),
            ("date", ">=", fields.Date.to_string(month_range(day)[0])),
            ("date", "<=", fields.Date.to_string(day)),
        ]

    @api.model
    def _ar_fetch_month_figures(self, company, day):
        """``({customer id: collected}, {customer id: due})`` in ``company``'s currency for
        the month of ``day``: one grouped read of payments, one of invoices."""
        collected = defaultdict(float)
        for partner, amount in self.env["account.payment"]._read_group(
            [("company_id", "=", company.id), *self._ar_get_collected_domain(day)],
            ["partner_id"],
            ["amount_company_currency_signed:sum"],
        ):
            collected[partner.commercial_partner_id.id] += amount
        first, last = month_range(day)
        due = {
            partner.id: amount
            for partner, amount in self.env["account.move"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("move_type", "in", ("out_invoice", "out_receipt")),
                    ("state", "=", "posted"),
                    ("invoice_date_due", ">=", first),
                    ("invoice_date_due", "<=", last),
                ],
                ["commercial_partner_id"],
                ["amount_total_signed:sum"],
            )
        }
        return collected, due

    @api.model
    def _ar_day_start(self, company, day=None):
        """Midnight starting ``day`` (default: today) in ``company``'s time zone, as a
        naive UTC datetime."""
        tz = pytz.timezone(company._ar_tz())
        midnight = tz.localize(datetime.combine(day or company._ar_today(), time.min))
        return midnight.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _ar_fetch_activity(self, company):
        """``company``'s activity of its today: ``({(customer id or None, kind): count},
        {customer id or None: (invoices paid, amount)})``, kind ``sent`` or ``replied``,
        None the whole company."""
        start = self._ar_day_start(company)
        Reminder = self.env["ar.followup.reminder"]
        counts = defaultdict(int)
        for kind in ("sent", "replied"):
            for partner, count in Reminder._read_group(
                [("company_id", "=", company.id), ("date_%s" % kind, ">=", start)],
                ["partner_id"],
                ["__count"],
            ):
                counts[(partner.id, kind)] += count
                counts[(None, kind)] += count
        # Raw SQL, one grouped statement: the ORM's grouped read cannot group the matches
        # of a payment by the customer of the invoice on the other side.
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            SELECT invoice.commercial_partner_id, COUNT(DISTINCT invoice.id), SUM(part.amount)
              FROM account_partial_reconcile part
              JOIN account_move_line due ON due.id = part.debit_move_id
              JOIN account_account account ON account.id = due.account_id
              JOIN account_move invoice ON invoice.id = due.move_id
              JOIN account_move_line paid ON paid.id = part.credit_move_id
              JOIN account_move payment ON payment.id = paid.move_id
             WHERE due.company_id = %(company)s
               AND account.account_type = 'asset_receivable'
               AND invoice.move_type IN ('out_invoice', 'out_receipt')
               AND payment.move_type = 'entry'
               AND paid.date = %(today)s
          GROUP BY 1
            """,
                company=company.id,
                today=company._ar_today(),
            )
        )
        paid = {}
        total_count, total_amount = 0, 0.0
        for partner_id, count, amount in self.env.cr.fetchall():
            paid[partner_id] = (count, float(amount))
            total_count += count
            total_amount += float(amount)
        paid[None] = (total_count, total_amount)
        return counts, paid

    @api.model
    def _ar_notify_activity(self, kind, records):
        """Tell the dashboards of the companies of ``records`` (reminders sent or replied,
        invoices paid: ``kind``) that their day's activity moved.

        One notification per company, on that company's subchannel: only its AR users
        listen there (``ir.websocket``); the bus delivers it once the transaction commits.
        """
        counts = defaultdict(int)
        for record in records:
            counts[record.company_id] += 1
        for company, count in counts.items():
            self.env["bus.bus"]._sendone(
                (company, ACTIVITY_SUBCHANNEL),
                ACTIVITY_NOTIFICATION,
                {"company_id": company.id, "kind": kind, "count": count},
            )

    # -- recording ------------------------------------------------------------

    @api.model
    def _cron_ar_record(self):
        """Daily: record every company's metrics of its day, committing after each."""
        companies = self.env["res.company"].search([])
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=len(companies))
        rows = 0
        for company in companies:
            rows += self._ar_record(company, company._ar_today())
            Cron._commit_progress(1)
        _logger.info("AR metrics recorded for %d companies: %d rows", len(companies), rows)
        return rows

    @api.model
    def _ar_record(self, company, day):
        """Record ``company``'s metrics of ``day``; returns the number of rows.

        One grouped read per kind of fact (position, disputed position,
        reminders, promises, disputes, the day's DSO), the figures added up in
        Python per customer and for the company, then the day's rows replaced in
        two statements. Recording a day again gives the same rows.
        """
        since = day - timedelta(days=WINDOW_DAYS - 1)
        summed = (*COUNTERS, *AMOUNTS, "responded")
        rows = defaultdict(lambda: dict.fromkeys(summed, 0))
        buckets = self._ar_fetch_position(company, rows)
        reminders = self._ar_fetch_reminders(company, since, day, rows)
        ages = self._ar_fetch_holds(company, since, day, rows)
        dso = self._ar_fetch_dso(company, day)
        company_row = dict.fromkeys(summed, 0)
        for values in rows.values():
            for key in summed:
                company_row[key] += values[key]
        company_row["dispute_open_age"] = round(sum(ages) / len(ages), 1) if ages else None
        vals_list = [self._ar_prepare_snapshot_vals(company, day, None, company_row, dso.get(None))]
        vals_list += [
            self._ar_prepare_snapshot_vals(company, day, partner_id, values, dso.get(partner_id))
            for partner_id, values in rows.items()
            if partner_id
        ]
        lines = [
            {"kind": "bucket", "bucket_id": bucket_id, "amount": amount, "count": count}
            for bucket_id, (amount, count) in buckets.items()
        ] + [
            {"kind": "reminder", "channel": channel, "state": state, "count": count}
            for (channel, state), count in reminders.items()
        ]
        self._ar_write_day(company, day, vals_list, lines)
        return len(vals_list)

    @api.model
    def _ar_fetch_position(self, company, rows):
        """Add each customer's position to ``rows``; returns the company's overdue by
        bucket ``{bucket id: (amount, items)}``."""
        Report = self.env["ar.followup.ageing.report"]
        domain = Domain("company_id", "=", company.id)
        buckets = {}
        for partner, bucket, residual, overdue, count in Report._read_group(
            domain, ["partner_id", "bucket_id"], ["residual:sum", "overdue:sum", "__count"]
        ):
            row = rows[partner.id or None]
            row["amount_due"] += residual
            row["amount_overdue"] += overdue
            if overdue:
                amount, items = buckets.get(bucket.id, (0.0, 0))
                buckets[bucket.id] = (amount + overdue, items + count)
        Dispute = self.env["ar.followup.dispute"]
        disputes = Dispute.search([("company_id", "=", company.id), *Dispute._ar_get_open_domain()])
        if disputes:
            disputed = Domain.OR(
                [
                    Domain(
                        "partner_id",
                        "in",
                        disputes.filtered(lambda d: not d.move_ids).partner_id.ids,
                    ),
                    Domain("move_id", "in", disputes.move_ids.ids),
                ]
            )
            for partner, residual in Report._read_group(
                domain & disputed, ["partner_id"], ["residual:sum"]
            ):
                rows[partner.id or None]["amount_disputed"] += residual
        return buckets

    @api.model
    def _ar_fetch_reminders(self, company, since, day, rows):
        """Add the counters of the reminders planned for ``since``..``day`` to ``rows``;
        returns ``{(channel, state): count}``.

        Raw SQL, one grouped statement: the ORM's grouped read cannot count rows
        under several conditions at once.
        """
        self.env["ar.followup.reminder"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            SELECT partner_id, channel, state,
                   COUNT(*),
                   COUNT(*) FILTER (WHERE date_sent IS NOT NULL),
                   COUNT(*) FILTER (WHERE date_delivered IS NOT NULL),
                   COUNT(*) FILTER (WHERE date_read IS NOT NULL),
                   COUNT(*) FILTER (WHERE date_clicked IS NOT NULL),
                   COUNT(*) FILTER (WHERE date_replied IS NOT NULL),
                   COUNT(*) FILTER (WHERE date_paid IS NOT NULL AND date_sent IS NOT NULL),
                   COUNT(*) FILTER (WHERE date_replied IS NOT NULL OR
                                    (date_paid IS NOT NULL AND date_sent IS NOT NULL)),
                   COUNT(*) FILTER (WHERE date_sent IS NOT NULL AND NOT COALESCE(manual, FALSE)
                                    AND NOT COALESCE(text_edited, FALSE)),
                   COUNT(*) FILTER (WHERE date_sent IS NOT NULL AND manual),
                   COUNT(*) FILTER (WHERE text_edited),
                   COUNT(*) FILTER (WHERE approved_by_id IS NOT NULL)
              FROM ar_followup_reminder
             WHERE company_id = %(company)s AND date BETWEEN %(since)s AND %(day)s
          GROUP BY 1, 2, 3
            """,
                company=company.id,
                since=since,
                day=day,
            )
        )
        breakdown = defaultdict(int)
        for (
            partner_id,
            channel,
            state,
            count,
            sent,
            delivered,
            read,
            clicked,
            replied,
            paid,
            responded,
            automated,
            manual,
            edited,
            approved,
        ) in self.env.cr.fetchall():
            row = rows[partner_id]
            row["reminder_count"] += count
            row["sent_count"] += sent
            row["delivered_count"] += delivered
            row["read_count"] += read
            row["clicked_count"] += clicked
            row["replied_count"] += replied
            row["paid_count"] += paid
            row["responded"] += responded
            row["failed_count"] += count if state == "failed" else 0
            row["skipped_count"] += count if state == "skipped" else 0
            row["automated_count"] += automated
            row["manual_count"] += manual
            row["edited_count"] += edited
            row["approved_count"] += approved
            breakdown[(channel, state)] += count
        return breakdown

    @api.model
    def _ar_fetch_holds(self, company, since, day, rows):
        """Add promises (made, obtained, settled in the window; open) and disputes to
        ``rows`` (one read each); returns the ages in days of the disputes open on ``day``."""
        Promise = self.env["ar.followup.promise"]
        promises = Promise.search_fetch(
            [
                ("company_id", "=", company.id),
                "|",
                "|",
                "&",
                ("date", ">=", since),
                ("date", "<=", day),
                "&",
                ("date_done", ">=", since),
                ("date_done", "<=", day),
                "&",
                ("state", "=", "open"),
                ("date", "<=", day),
            ],
            ["partner_id", "state", "source", "date", "date_done"],
        )
        for promise in promises:
            row = rows[promise.partner_id.id]
            if since <= promise.date <= day:
                row["promise_made_count"] += 1
                if promise.source in COLLECTOR_SOURCES:
                    row["promise_obtained_count"] += 1
            if promise.state == "open" and promise.date <= day:
                row["promise_open_count"] += 1
            if promise.date_done and since <= promise.date_done <= day:
                if promise.state == "kept":
                    row["promise_kept_count"] += 1
                elif promise.state == "broken":
                    row["promise_broken_count"] += 1
        Dispute = self.env["ar.followup.dispute"]
        ages = []
        for dispute in Dispute.search_fetch(
            [
                ("company_id", "=", company.id),
                ("date_raised", "<=", day),
                "|",
                ("state", "in", ("open", "in_review")),
                ("date_raised", ">=", since),
            ],
            ["partner_id", "state", "date_raised"],
        ):
            row = rows[dispute.partner_id.id]
            if dispute.state in ("open", "in_review"):
                row["dispute_open_count"] += 1
                ages.append((day - dispute.date_raised).days)
            if dispute.date_raised >= since:
                row["dispute_raised_count"] += 1
        return ages

    @api.model
    def _ar_fetch_dso(self, company, day):
        """``{customer id or None (the portfolio): standard DSO}`` recorded for ``day``."""
        Dso = self.env["ar.followup.dso"]
        # a grouped read gives False for a DSO left empty (no credit sales in the period)
        return {
            partner.id or None: None if dso is False else dso
            for partner, dso in Dso._read_group(
                [("company_id", "=", company.id), ("date", "=", day)],
                ["partner_id"],
                ["dso_standard:max"],
            )
        }

    @api.model
    def _ar_prepare_snapshot_vals(self, company, day, partner_id, values, dso):
        """Values of one row from the added-up ``values`` of a customer (or the company)."""
        sent = values["sent_count"]
        settled = values["promise_kept_count"] + values["promise_broken_count"]
        return {
            "company_id": company.id,
            "date": day,
            "partner_id": partner_id,
            "currency_id": company.currency_id.id,
            "window_days": WINDOW_DAYS,
            **{key: values[key] for key in COUNTERS},
            **{key: company.currency_id.round(values[key]) for key in AMOUNTS},
            "dso": dso,
            "response_rate": rate(values["responded"], sent),
            "automation_rate": rate(values["automated_count"], sent),
            "promise_kept_rate": rate(values["promise_kept_count"], settled),
            "dispute_open_age": values.get("dispute_open_age"),
        }

    @api.model
    def _ar_write_day(self, company, day, vals_list, lines):
        """Replace ``company``'s rows of ``day`` by ``vals_list`` (the company row first,
        which gets ``lines``): a delete and one insert per table, ``unnest`` of one array
        literal per column (``tools/bulk_insert.py``'s ``array_text``).
        Raw SQL because creating thousands of rows through the ORM costs a query each.

        The insert is an upsert on the unique index: when another transaction recorded
        the same day meanwhile (the cron and a *Refresh*), PostgreSQL refuses it as a
        serialization failure, which Odoo retries, rather than as a duplicate.
        """
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "DELETE FROM ar_followup_snapshot WHERE company_id = %s AND date = %s",
                company.id,
                day,
            )
        )
        columns = list(vals_list[0])
        types = {
            name: {
                "many2one": "int",
                "integer": "int",
                "date": "date",
                "monetary": "numeric",
                "float": "numeric",
            }[self._fields[name].type]
            for name in columns
        }
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO ar_followup_snapshot (%(columns)s, create_uid, create_date, write_uid, write_date)
            SELECT v.*, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM unnest(%(arrays)s) AS v
                ON CONFLICT (company_id, COALESCE(partner_id, 0), date) DO UPDATE
               SET %(updates)s, write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
         RETURNING id, partner_id
            """,
                columns=SQL(", ").join(SQL.identifier(name) for name in columns),
                updates=SQL(", ").join(
                    SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name))
                    for name in columns
                ),
                uid=self.env.uid,
                arrays=SQL(", ").join(
                    SQL(
                        "%s::%s[]",
                        array_text(vals[name] for vals in vals_list),
                        SQL(types[name]),
                    )
                    for name in columns
                ),
            )
        )
        company_row = next(
            row_id for row_id, partner_id in self.env.cr.fetchall() if not partner_id
        )
        if lines:
            Line = self.env["ar.followup.snapshot.line"]
            self.env.cr.execute(
                SQL(
                    """
                INSERT INTO ar_followup_snapshot_line
                       (snapshot_id, company_id, date, currency_id, kind, bucket_id, channel, state,
                        count, amount)
                SELECT %(snapshot)s, %(company)s, %(day)s, %(currency)s, v.*
                  FROM unnest(%(kind)s::varchar[], %(bucket)s::int[], %(channel)s::varchar[],
                              %(state)s::varchar[], %(count)s::int[], %(amount)s::numeric[]) AS v
                """,
                    snapshot=company_row,
                    company=company.id,
                    day=day,
                    currency=company.currency_id.id,
                    kind=[line["kind"] for line in lines],
                    bucket=[line.get("bucket_id") for line in lines],
                    channel=[line.get("channel") for line in lines],
                    state=[line.get("state") for line in lines],
                    count=[line["count"] for line in lines],
                    amount=[line.get("amount") for line in lines],
                )
            )
            Line.invalidate_model()
        self.invalidate_model()
