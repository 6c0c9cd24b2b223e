# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.ageing import days_overdue

_logger = logging.getLogger(__name__)


def _search_days_overdue(env, date_field, operator, value, open_domain):
    """Turn a condition on days overdue into one on a due date (today's date in the company's zone)."""
    flipped = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}
    if operator not in flipped or not isinstance(value, int):
        return NotImplemented
    today = env.company._ar_today()
    return [*open_domain, (date_field, flipped[operator], fields.Date.subtract(today, days=value))]


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # Bucket of each open receivable due line (an instalment has its own), kept by
    # _ar_refresh_ageing; empty on every other line and once the line is paid. Only
    # the bucket is stored: it changes a few times in an invoice's life, whereas days
    # overdue change every day and are computed from the due date when read.
    ar_bucket_id = fields.Many2one(
        "ar.followup.bucket", "Ageing Bucket", readonly=True, copy=False, index="btree_not_null"
    )
    ar_days_overdue = fields.Integer(
        "Days Overdue", compute="_compute_ar_days_overdue", search="_search_ar_days_overdue"
    )

    @api.depends("date_maturity", "ar_bucket_id")
    @api.depends_context("company")
    def _compute_ar_days_overdue(self):
        today = {company: company._ar_today() for company in self.company_id}
        for line in self:
            due = line.date_maturity or line.date
            line.ar_days_overdue = days_overdue(due, today[line.company_id]) if line.ar_bucket_id and due else 0

    def _search_ar_days_overdue(self, operator, value):
        return _search_days_overdue(self.env, "date_maturity", operator, value, [("ar_bucket_id", "!=", False)])

    @api.model
    def _ar_refresh_ageing(self, companies=None, move_ids=None):
        """Recompute ageing of open receivable lines and invoices, set-based.

        Three statements whatever the number of invoices: one buckets the due
        lines, one clears lines that are no longer open, one rolls the oldest
        open line up to its invoice and inserts a dated transition row for every
        invoice whose bucket changed. Rows are written only when their bucket
        (or an invoice's oldest open due date) changes, so a daily run writes the
        few percent of lines that cross a boundary that day, not every open line. ``move_ids`` limits the work to some
        invoices (used after a posting or a payment); the daily run passes none.

        Raw SQL because the ORM would load and write every open line; it is
        parameterised and scoped by company, and views still apply record rules.

        :return: number of bucket transitions recorded
        """
        companies = companies or self.env["res.company"].search([])
        scope = companies._ar_ageing_scope()
        if not scope:
            return 0
        self.env["account.move.line"].flush_model(
            ["amount_residual", "reconciled", "parent_state", "date_maturity", "account_id", "ar_bucket_id"]
        )
        self.env["account.move"].flush_model(["ar_bucket_id", "ar_oldest_due_date"])
        company_ids = list(scope)
        today_values = SQL(", ").join(
            SQL("(%s, %s::date)", cid, info["today"]) for cid, info in scope.items()
        )
        range_values = SQL(", ").join(
            SQL("(%s, %s, %s::int, %s::int)", cid, rng.bucket_id, rng.low, rng.high)
            for cid, info in scope.items()
            for rng in info["ranges"]
        )
        move_filter = SQL("AND aml.move_id = ANY(%s)", list(move_ids)) if move_ids else SQL()
        self.env.cr.execute(SQL(
            """
            WITH today(company_id, day) AS (VALUES %(today)s),
                 ranges(company_id, bucket_id, low, high) AS (VALUES %(ranges)s),
                 aged AS (
                    SELECT aml.id, t.day - COALESCE(aml.date_maturity, aml.date) AS days,
                           aml.company_id
                      FROM account_move_line aml
                      JOIN account_account acc ON acc.id = aml.account_id
                      JOIN today t ON t.company_id = aml.company_id
                     WHERE acc.account_type = 'asset_receivable'
                       AND aml.parent_state = 'posted'
                       AND NOT aml.reconciled
                       AND aml.amount_residual > 0
                       %(move_filter)s
                 ),
                 bucketed AS (
                    SELECT a.id, r.bucket_id
                      FROM aged a
                      JOIN ranges r ON r.company_id = a.company_id
                                   AND (r.low IS NULL OR a.days >= r.low)
                                   AND (r.high IS NULL OR a.days <= r.high)
                 )
            UPDATE account_move_line aml
               SET ar_bucket_id = b.bucket_id
              FROM bucketed b
             WHERE aml.id = b.id
               AND aml.ar_bucket_id IS DISTINCT FROM b.bucket_id
            """,
            today=today_values, ranges=range_values, move_filter=move_filter,
        ))
        self.env.cr.execute(SQL(
            """
            UPDATE account_move_line aml
               SET ar_bucket_id = NULL
             WHERE aml.ar_bucket_id IS NOT NULL
               AND aml.company_id = ANY(%(companies)s)
               AND (aml.reconciled OR aml.parent_state != 'posted' OR aml.amount_residual <= 0)
               %(move_filter)s
            """,
            companies=company_ids, move_filter=move_filter,
        ))
        move_filter = SQL("AND m.id = ANY(%s)", list(move_ids)) if move_ids else SQL()
        self.env.cr.execute(SQL(
            """
            WITH today(company_id, day) AS (VALUES %(today)s),
                 worst AS (
                    SELECT DISTINCT ON (aml.move_id)
                           aml.move_id, COALESCE(aml.date_maturity, aml.date) AS due,
                           aml.ar_bucket_id AS bucket_id
                      FROM account_move_line aml
                     WHERE aml.ar_bucket_id IS NOT NULL
                       AND aml.company_id = ANY(%(companies)s)
                  ORDER BY aml.move_id, COALESCE(aml.date_maturity, aml.date), aml.id
                 ),
                 target AS (
                    SELECT m.id, m.ar_bucket_id AS old_bucket_id, w.due, w.bucket_id
                      FROM account_move m
                 LEFT JOIN worst w ON w.move_id = m.id
                     WHERE m.company_id = ANY(%(companies)s)
                       AND (w.move_id IS NOT NULL OR m.ar_bucket_id IS NOT NULL)
                       AND (m.ar_bucket_id IS DISTINCT FROM w.bucket_id
                            OR m.ar_oldest_due_date IS DISTINCT FROM w.due)
                       %(move_filter)s
                 ),
                 updated AS (
                    UPDATE account_move m
                       SET ar_bucket_id = t.bucket_id, ar_oldest_due_date = t.due
                      FROM target t
                     WHERE m.id = t.id
                 RETURNING m.id, m.commercial_partner_id, m.company_id, t.old_bucket_id, t.bucket_id
                 )
            INSERT INTO ar_followup_bucket_transition
                   (move_id, partner_id, company_id, date, from_bucket_id, to_bucket_id,
                    create_uid, create_date, write_uid, write_date)
            SELECT u.id, u.commercial_partner_id, u.company_id, t.day, u.old_bucket_id, u.bucket_id,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM updated u
              JOIN today t ON t.company_id = u.company_id
             WHERE u.bucket_id IS NOT NULL
               AND u.old_bucket_id IS DISTINCT FROM u.bucket_id
               AND u.commercial_partner_id IS NOT NULL
            """,
            today=today_values, companies=company_ids, move_filter=move_filter, uid=self.env.uid,
        ))
        transitions = self.env.cr.rowcount
        self.env["account.move.line"].invalidate_model(["ar_bucket_id", "ar_days_overdue"])
        self.env["account.move"].invalidate_model(["ar_bucket_id", "ar_oldest_due_date", "ar_days_overdue"])
        self.env["ar.followup.bucket.transition"].invalidate_model()
        self.env["res.partner"].invalidate_model(self.env["res.partner"]._ar_ageing_fields())
        if not move_ids:
            _logger.info("AR ageing refreshed for %d companies: %d bucket transitions",
                         len(scope), transitions)
        return transitions
