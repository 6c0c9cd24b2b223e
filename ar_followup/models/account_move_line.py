# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # Ageing of each open receivable due line (an instalment has its own), kept
    # by _ar_refresh_ageing. Empty on every other line, and once the line is paid.
    ar_days_overdue = fields.Integer("Days Overdue", readonly=True, copy=False)
    ar_bucket_id = fields.Many2one(
        "ar.followup.bucket", "Ageing Bucket", readonly=True, copy=False, index="btree_not_null"
    )

    @api.model
    def _ar_refresh_ageing(self, companies=None, move_ids=None):
        """Recompute ageing of open receivable lines and invoices, set-based.

        Three statements whatever the number of invoices: one ages the due
        lines, one clears lines that are no longer open, one rolls the worst
        line up to its invoice and inserts a dated transition row for every
        invoice whose bucket changed. ``move_ids`` limits the work to some
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
            ["amount_residual", "reconciled", "parent_state", "date_maturity", "account_id"]
        )
        self.env["account.move"].flush_model(["ar_bucket_id", "ar_days_overdue"])
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
                    SELECT a.id, a.days, r.bucket_id
                      FROM aged a
                      JOIN ranges r ON r.company_id = a.company_id
                                   AND (r.low IS NULL OR a.days >= r.low)
                                   AND (r.high IS NULL OR a.days <= r.high)
                 )
            UPDATE account_move_line aml
               SET ar_days_overdue = b.days, ar_bucket_id = b.bucket_id
              FROM bucketed b
             WHERE aml.id = b.id
               AND (aml.ar_days_overdue IS DISTINCT FROM b.days
                    OR aml.ar_bucket_id IS DISTINCT FROM b.bucket_id)
            """,
            today=today_values, ranges=range_values, move_filter=move_filter,
        ))
        self.env.cr.execute(SQL(
            """
            UPDATE account_move_line aml
               SET ar_days_overdue = NULL, ar_bucket_id = NULL
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
                           aml.move_id, aml.ar_days_overdue AS days, aml.ar_bucket_id AS bucket_id
                      FROM account_move_line aml
                     WHERE aml.ar_bucket_id IS NOT NULL
                       AND aml.company_id = ANY(%(companies)s)
                  ORDER BY aml.move_id, aml.ar_days_overdue DESC
                 ),
                 target AS (
                    SELECT m.id, m.ar_bucket_id AS old_bucket_id, w.days, w.bucket_id
                      FROM account_move m
                 LEFT JOIN worst w ON w.move_id = m.id
                     WHERE m.company_id = ANY(%(companies)s)
                       AND (w.move_id IS NOT NULL OR m.ar_bucket_id IS NOT NULL)
                       AND (m.ar_bucket_id IS DISTINCT FROM w.bucket_id
                            OR m.ar_days_overdue IS DISTINCT FROM w.days)
                       %(move_filter)s
                 ),
                 updated AS (
                    UPDATE account_move m
                       SET ar_bucket_id = t.bucket_id, ar_days_overdue = t.days
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
        self.env["account.move.line"].invalidate_model(["ar_days_overdue", "ar_bucket_id"])
        self.env["account.move"].invalidate_model(["ar_days_overdue", "ar_bucket_id"])
        self.env["ar.followup.bucket.transition"].invalidate_model()
        self.env["res.partner"].invalidate_model(self.env["res.partner"]._ar_ageing_fields())
        if not move_ids:
            _logger.info("AR ageing refreshed for %d companies: %d bucket transitions",
                         len(scope), transitions)
        return transitions
