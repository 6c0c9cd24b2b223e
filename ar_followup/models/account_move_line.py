# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.ageing import days_overdue
from ..tools.bulk_insert import array_text

_logger = logging.getLogger(__name__)

#: a refresh re-ageing this many lines, and at least ANALYZE_SHARE of the table, takes the
#: table statistics again at once (autovacuum would, later: its default analyze share is
#: also a tenth)
ANALYZE_AFTER = 1_000
ANALYZE_SHARE = 0.1


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
            line.ar_days_overdue = (
                days_overdue(due, today[line.company_id]) if line.ar_bucket_id and due else 0
            )

    def _search_ar_days_overdue(self, operator, value):
        return _search_days_overdue(
            self.env, "date_maturity", operator, value, [("ar_bucket_id", "!=", False)]
        )

    @api.model
    def _ar_refresh_ageing(self, companies=None, move_ids=None):
        """Bring the ageing of open receivable lines and their invoices up to date.

        Set-based, whatever the number of invoices:

        1. one read-only query (PostgreSQL runs it in parallel) finds the open
           due lines whose bucket is not the one their due date gives today in
           their company's time zone, and the lines that are no longer open;
        2. one ``UPDATE ... FROM unnest()`` writes those lines only;
        3. one statement rolls the oldest open line up to the invoices of those
           lines and inserts a dated transition for every invoice whose bucket
           changed.

        A daily run thus writes the few percent of lines that cross a boundary
        that day. ``move_ids`` limits the work to some invoices (after a posting
        or a payment). Raw SQL because the ORM would load every open line; it is
        parameterised and scoped by company, and views still apply record rules.

        :return: number of bucket transitions recorded
        """
        companies = companies or self.env["res.company"].search([])
        scope = companies._ar_ageing_scope()
        if not scope:
            return 0
        self.env["account.move.line"].flush_model(
            [
                "amount_residual",
                "reconciled",
                "parent_state",
                "date_maturity",
                "account_id",
                "ar_bucket_id",
            ]
        )
        self.env["account.move"].flush_model(["ar_bucket_id", "ar_oldest_due_date"])
        company_ids = list(scope)
        # ids as one array literal: a list would be parsed value by value
        line_scope = (
            SQL("AND aml.move_id = ANY(%s::int[])", array_text(move_ids)) if move_ids else SQL()
        )
        self.env.cr.execute(
            SQL(
                """
            SELECT id, move_id, bucket_id
              FROM (SELECT aml.id, aml.move_id, aml.ar_bucket_id AS old_bucket_id,
                           CASE WHEN acc.account_type = 'asset_receivable'
                                 AND aml.parent_state = 'posted'
                                 AND NOT aml.reconciled
                                 AND aml.amount_residual > 0
                                THEN %(bucket)s END AS bucket_id
                      FROM account_move_line aml
                      JOIN account_account acc ON acc.id = aml.account_id
                     WHERE aml.company_id = ANY(%(companies)s)
                       AND (aml.ar_bucket_id IS NOT NULL
                            OR (acc.account_type = 'asset_receivable'
                                AND aml.parent_state = 'posted'
                                AND NOT aml.reconciled
                                AND aml.amount_residual > 0))
                       %(line_scope)s
                   ) lines
             WHERE old_bucket_id IS DISTINCT FROM bucket_id
            """,
                bucket=self._ar_bucket_case(scope),
                companies=company_ids,
                line_scope=line_scope,
            )
        )
        changed = self.env.cr.fetchall()
        if changed:
            self.env.cr.execute(
                SQL(
                    """
                UPDATE account_move_line aml
                   SET ar_bucket_id = v.bucket_id
                  FROM unnest(%s::int[], %s::int[]) AS v(id, bucket_id)
                 WHERE aml.id = v.id
                """,
                    array_text(line_id for line_id, _move, _bucket in changed),
                    array_text(bucket_id for _line, _move, bucket_id in changed),
                )
            )
        touched = {move_id for _line, move_id, _bucket in changed}
        touched.update(move_ids or ())
        transitions = self._ar_roll_up_ageing(scope, list(touched)) if touched else 0
        if (
            len(changed) >= ANALYZE_AFTER
            and len(changed) >= ANALYZE_SHARE * self._ar_row_estimate()
        ):
            # PostgreSQL plans with the statistics it took before: after the first ageing
            # (or new bucket limits) they say no line has a bucket, and the planner's
            # next query over aged lines chooses a nested loop that runs for minutes.
            # A share of the table, not a fixed count, so small books are covered too.
            # ANALYZE sees this transaction's rows.
            self.env.cr.execute(
                SQL("ANALYZE account_move_line, account_move, ar_followup_bucket_transition")
            )
        self.env["account.move.line"].invalidate_model(["ar_bucket_id", "ar_days_overdue"])
        self.env["account.move"].invalidate_model(
            ["ar_bucket_id", "ar_oldest_due_date", "ar_days_overdue"]
        )
        self.env["ar.followup.bucket.transition"].invalidate_model()
        self.env["res.partner"].invalidate_model(self.env["res.partner"]._ar_ageing_fields())
        if not move_ids:
            _logger.info(
                "AR ageing refreshed for %d companies: %d lines changed bucket, %d bucket transitions",
                len(scope),
                len(changed),
                transitions,
            )
        return transitions

    @api.model
    def _ar_row_estimate(self):
        """PostgreSQL's estimate of the number of journal items (0 before any statistics)."""
        self.env.cr.execute(
            SQL("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", self._table)
        )
        row = self.env.cr.fetchone()
        return max(row[0], 0) if row else 0

    @api.model
    def _ar_bucket_case(self, scope):
        """SQL expression giving the bucket of ``aml`` from its due date, per company.

        A CASE per company rather than a join on a table of ranges: evaluated per
        row inside the scan, it keeps the query a single parallel pass.
        """
        branches = []
        for company_id, info in scope.items():
            days = SQL("(%s::date - COALESCE(aml.date_maturity, aml.date))", info["today"])
            whens = [
                SQL("WHEN %s <= %s THEN %s", days, rng.high, rng.bucket_id)
                for rng in info["ranges"]
                if rng.high is not None
            ]
            open_ended = [rng.bucket_id for rng in info["ranges"] if rng.high is None]
            branches.append(
                SQL(
                    "WHEN %s THEN CASE %s ELSE %s END",
                    company_id,
                    SQL(" ").join(whens),
                    open_ended[0] if open_ended else None,
                )
            )
        return SQL("CASE aml.company_id %s END", SQL(" ").join(branches))

    @api.model
    def _ar_roll_up_ageing(self, scope, move_ids):
        """Give ``move_ids`` the bucket and due date of their oldest open line; record transitions.

        Two statements: a read-only one finds the invoices whose roll-up changes (from
        the oldest open line of each), and one updates those rows by primary key and
        records the transitions. In one statement, PostgreSQL joined the updated rows
        back to the whole invoice table by a sequential scan. (The oldest lines are read
        in one sorted pass, not per invoice: right after the first ageing the statistics
        say no line has a bucket, and a per-invoice lookup then scans them all each time.)
        """
        self.env.cr.execute(
            SQL(
                """
            SELECT m.id, m.ar_bucket_id, o.due, o.bucket_id
              FROM account_move m
         LEFT JOIN (SELECT DISTINCT ON (aml.move_id)
                           aml.move_id, COALESCE(aml.date_maturity, aml.date) AS due,
                           aml.ar_bucket_id AS bucket_id
                      FROM account_move_line aml
                     WHERE aml.ar_bucket_id IS NOT NULL
                       AND aml.move_id = ANY(%(moves)s::int[])
                  ORDER BY aml.move_id, COALESCE(aml.date_maturity, aml.date), aml.id
                   ) o ON o.move_id = m.id
             WHERE m.id = ANY(%(moves)s::int[])
               AND (m.ar_bucket_id IS DISTINCT FROM o.bucket_id
                    OR m.ar_oldest_due_date IS DISTINCT FROM o.due)
          ORDER BY m.id
            """,
                # one array literal: a list would be parsed value by value
                moves=array_text(move_ids),
            )
        )
        targets = self.env.cr.fetchall()
        if not targets:
            return 0
        ids, old_buckets, dues, buckets = (list(column) for column in zip(*targets, strict=True))
        today_values = SQL(", ").join(
            SQL("(%s, %s::date)", cid, info["today"]) for cid, info in scope.items()
        )
        self.env.cr.execute(
            SQL(
                """
            WITH today(company_id, day) AS (VALUES %(today)s),
                 target AS (
                    SELECT * FROM unnest(%(ids)s::int[], %(old)s::int[], %(dues)s::date[],
                                         %(buckets)s::int[])
                                  AS t(id, old_bucket_id, due, bucket_id)
                 ),
                 updated AS (
                    UPDATE account_move m
                       SET ar_bucket_id = t.bucket_id, ar_oldest_due_date = t.due
                      FROM target t
                     WHERE m.id = t.id
                 RETURNING m.id, m.commercial_partner_id, m.company_id, t.old_bucket_id, t.bucket_id
                 )
            INSERT INTO ar_followup_bucket_transition
                   (move_id, partner_id, company_id, date, from_bucket_id, to_bucket_id)
            SELECT u.id, u.commercial_partner_id, u.company_id, t.day, u.old_bucket_id, u.bucket_id
              FROM updated u
              JOIN today t ON t.company_id = u.company_id
             WHERE u.bucket_id IS NOT NULL
               AND u.old_bucket_id IS DISTINCT FROM u.bucket_id
               AND u.commercial_partner_id IS NOT NULL
            """,
                today=today_values,
                ids=array_text(ids),
                old=array_text(old_buckets),
                dues=array_text(dues),
                buckets=array_text(buckets),
            )
        )
        return self.env.cr.rowcount
