# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.dso import dso_countback, dso_standard, month_periods, window_start


class ArFollowupDso(models.Model):
    """Days Sales Outstanding of a day, kept as history for a trend.

    One row per customer (commercial partner) and one company-wide row
    (``partner_id`` empty: the portfolio) per company and day, written by the
    daily computation (:meth:`_ar_compute`, called by
    ``res.company._ar_compute_dso``) and never edited: computing a day again
    replaces that day's rows.

    Amounts are in the company currency and include taxes on both sides:
    receivables are what customers owe, taxes included, so credit sales are
    the invoices' totals including tax (net of credit notes), which keeps the
    ratio free of the tax rate. The maths is in :mod:`..tools.dso`.
    """

    _name = "ar.followup.dso"
    _description = "Days Sales Outstanding"
    _order = "date desc, id"
    _rec_name = "date"

    date = fields.Date(required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        readonly=True,
        ondelete="cascade",
        index="btree_not_null",
        help="Empty on the company-wide (portfolio) row.",
    )
    currency_id = fields.Many2one("res.currency", "Currency", required=True, readonly=True)
    period_days = fields.Integer(
        "Period (days)",
        readonly=True,
        aggregator=None,
        help="Length of the window of credit sales, ending on the date.",
    )
    receivables = fields.Monetary(
        readonly=True,
        aggregator="avg",
        help="Balance of the receivable accounts at the end of the day, net of payments and "
        "credit notes; negative when the customer is in credit.",
    )
    credit_sales = fields.Monetary(
        "Credit Sales",
        readonly=True,
        aggregator="avg",
        help="Customer invoices minus credit notes posted in the period, taxes included.",
    )
    dso_standard = fields.Float(
        "DSO (standard)",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
        help="Receivables ÷ credit sales of the period × days in the period. Empty without "
        "credit sales in the period.",
    )
    dso_countback = fields.Float(
        "DSO (countback)",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
        help="Days of the most recent credit sales, month by month going back, that the "
        "receivables represent. Empty without credit sales in the period.",
    )

    # one row per company, customer (none: portfolio) and day; the upsert's conflict target
    _unique_day = models.UniqueIndex(
        "(company_id, COALESCE(partner_id, 0), date)",
        "DSO is recorded once per customer and day.",
    )
    _company_date_idx = models.Index("(company_id, date)")

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for row in self:
            row.display_name = "%s, %s" % (
                row.partner_id.display_name or self.env._("Portfolio"),
                fields.Date.to_string(row.date),
            )

    # -- computation ------------------------------------------------------

    @api.model
    def _ar_compute(self, company, day):
        """Compute and record ``company``'s DSO on ``day``; return the number of rows.

        1. one query gives every customer's receivables at the end of ``day``
           and credit sales per month of the window;
        2. the maths of :mod:`..tools.dso` gives each customer's and the
           portfolio's DSO (customers with neither receivables nor sales in the
           window are skipped);
        3. one statement writes the rows (upsert on company, customer and day)
           and drops the day's rows of customers no longer in the list.
        """
        periods = month_periods(day, company.ar_dso_period_days)
        amounts = self._ar_fetch_amounts(company, day, periods)
        currency = company.currency_id
        portfolio = (
            sum(receivables for receivables, _sales in amounts.values()),
            [
                sum(sales[i] for _receivables, sales in amounts.values())
                for i in range(len(periods))
            ],
        )
        # lines without a customer (key None) count in the portfolio only
        rows = [(None, portfolio)] if amounts else []
        rows += [(partner_id, amount) for partner_id, amount in amounts.items() if partner_id]
        vals_list = []
        for partner_id, (receivables, sales) in rows:
            receivables, sales = currency.round(receivables), [currency.round(s) for s in sales]
            if (
                partner_id
                and currency.is_zero(receivables)
                and all(currency.is_zero(s) for s in sales)
            ):
                continue
            vals_list.append(
                self._ar_prepare_dso_vals(company, day, partner_id, receivables, sales, periods)
            )
        self._ar_write_day(company, day, vals_list)
        return len(vals_list)

    @api.model
    def _ar_fetch_amounts(self, company, day, periods):
        """``{commercial partner id or None: (receivables, [credit sales per period])}``.

        Receivables at the end of ``day``: the sum of the posted receivable
        lines dated up to that day (so any past day can be computed, payments
        and credit notes included). Credit sales: posted customer invoices
        minus credit notes, total including tax in the company currency
        (``amount_total_signed``), by accounting date, which is also the date
        of their receivable lines. ``None`` collects lines without a customer:
        they count in the portfolio only.

        Raw SQL, one statement for the company, because the ORM would load
        every receivable line to sum it; parameterised and read-only.
        """
        self.env["account.move.line"].flush_model(
            ["balance", "date", "parent_state", "account_id", "partner_id"]
        )
        self.env["account.move"].flush_model(
            ["amount_total_signed", "date", "state", "move_type", "commercial_partner_id"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        period_values = SQL(", ").join(
            SQL("(%s, %s::date, %s::date)", index, date_from, date_to)
            for index, (date_from, date_to) in enumerate(periods)
        )
        self.env.cr.execute(
            SQL(
                """
            WITH periods(idx, date_from, date_to) AS (VALUES %(periods)s),
                 receivable AS (
                    SELECT COALESCE(p.commercial_partner_id, aml.partner_id) AS partner_id,
                           SUM(aml.balance) AS amount
                      FROM account_move_line aml
                      JOIN account_account acc ON acc.id = aml.account_id
                 LEFT JOIN res_partner p ON p.id = aml.partner_id
                     WHERE aml.company_id = %(company)s
                       AND aml.parent_state = 'posted'
                       AND acc.account_type = 'asset_receivable'
                       AND aml.date <= %(day)s
                  GROUP BY 1
                 ),
                 sales AS (
                    SELECT m.commercial_partner_id AS partner_id, pr.idx, SUM(m.amount_total_signed) AS amount
                      FROM account_move m
                      JOIN periods pr ON m.date BETWEEN pr.date_from AND pr.date_to
                     WHERE m.company_id = %(company)s
                       AND m.state = 'posted'
                       AND m.move_type IN ('out_invoice', 'out_refund')
                       AND m.date BETWEEN %(start)s AND %(day)s
                  GROUP BY 1, 2
                 )
            SELECT partner_id, -1, amount FROM receivable WHERE amount != 0
             UNION ALL
            SELECT partner_id, idx, amount FROM sales
            """,
                periods=period_values,
                company=company.id,
                day=day,
                start=window_start(day, company.ar_dso_period_days),
            )
        )
        amounts = {}
        for partner_id, index, amount in self.env.cr.fetchall():
            _receivables, sales = amounts.setdefault(partner_id, (0.0, [0.0] * len(periods)))
            if index < 0:
                amounts[partner_id] = (float(amount), sales)
            else:
                sales[index] += float(amount)
        return amounts

    @api.model
    def _ar_prepare_dso_vals(self, company, day, partner_id, receivables, sales, periods):
        """Values of one row: ``sales`` are the credit sales per period of ``periods``."""
        days = [(date_to - date_from).days + 1 for date_from, date_to in periods]
        period_days = sum(days)
        standard = dso_standard(receivables, sum(sales), period_days)
        countback = dso_countback(receivables, list(zip(sales, days, strict=True)))
        return {
            "company_id": company.id,
            "date": day,
            "partner_id": partner_id,
            "currency_id": company.currency_id.id,
            "period_days": period_days,
            "receivables": receivables,
            "credit_sales": company.currency_id.round(sum(sales)),
            "dso_standard": None if standard is None else round(standard, 2),
            "dso_countback": None if countback is None else round(countback, 2),
        }

    @api.model
    def _ar_write_day(self, company, day, vals_list):
        """Replace ``company``'s rows of ``day`` by ``vals_list``, in one statement.

        An upsert (``INSERT ... ON CONFLICT DO UPDATE`` on the unique index), so a
        second run of the same day, even a concurrent one, updates the rows in
        place; the day's rows of customers absent from ``vals_list`` are deleted
        in the same statement. Raw SQL because the ORM has no upsert.
        """
        columns = [
            "partner_id",
            "period_days",
            "receivables",
            "credit_sales",
            "dso_standard",
            "dso_countback",
        ]
        values = {column: [vals[column] for vals in vals_list] for column in columns}
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
            WITH stale AS (
                DELETE FROM ar_followup_dso
                 WHERE company_id = %(company)s AND date = %(day)s
                   AND COALESCE(partner_id, 0) != ALL(%(keep)s::int[])
            )
            INSERT INTO ar_followup_dso
                   (company_id, date, currency_id, partner_id, period_days, receivables, credit_sales,
                    dso_standard, dso_countback, create_uid, create_date, write_uid, write_date)
            SELECT %(company)s, %(day)s, %(currency)s, v.partner_id, v.period_days, v.receivables,
                   v.credit_sales, v.dso_standard, v.dso_countback,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM unnest(%(partner)s::int[], %(period_days)s::int[], %(receivables)s::numeric[],
                          %(credit_sales)s::numeric[], %(standard)s::numeric[], %(countback)s::numeric[])
                   AS v(partner_id, period_days, receivables, credit_sales, dso_standard, dso_countback)
                ON CONFLICT (company_id, COALESCE(partner_id, 0), date) DO UPDATE
               SET currency_id = EXCLUDED.currency_id, period_days = EXCLUDED.period_days,
                   receivables = EXCLUDED.receivables, credit_sales = EXCLUDED.credit_sales,
                   dso_standard = EXCLUDED.dso_standard, dso_countback = EXCLUDED.dso_countback,
                   write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
            """,
                company=company.id,
                day=day,
                currency=company.currency_id.id,
                uid=self.env.uid,
                keep=[partner_id or 0 for partner_id in values["partner_id"]],
                partner=values["partner_id"],
                period_days=values["period_days"],
                receivables=values["receivables"],
                credit_sales=values["credit_sales"],
                standard=values["dso_standard"],
                countback=values["dso_countback"],
            )
        )
        self.invalidate_model()
        self.env["res.partner"].invalidate_model(self.env["res.partner"]._ar_dso_fields())

    @api.model
    def _ar_latest(self, company, partners):
        """``{partner id: row}`` for ``partners``' rows of ``company``'s last computed day.

        A customer without a row that day (nothing owed, nothing sold in the
        window) has no entry, even if an older row exists. One query.
        """
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
            SELECT partner_id, date, dso_standard, dso_countback
              FROM ar_followup_dso
             WHERE company_id = %(company)s
               AND partner_id = ANY(%(partners)s)
               AND date = (SELECT MAX(date) FROM ar_followup_dso WHERE company_id = %(company)s)
            """,
                company=company.id,
                partners=partners.ids,
            )
        )
        return {
            partner_id: {"date": date, "dso_standard": standard, "dso_countback": countback}
            for partner_id, date, standard, countback in self.env.cr.fetchall()
        }
