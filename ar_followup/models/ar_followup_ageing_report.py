# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..tools.ageing import days_overdue

#: the ageing column of credit notes and payments not matched with an invoice
CREDIT_COLUMN = "z_credit"
#: added to a bucket's upper bound in its column key, so that negative bounds sort too
DAYS_OFFSET = 100000


def bucket_column_key(open_ended, max_days, bucket_id):
    """The ageing column of a bucket: ordered as the buckets are (open-ended last).

    >>> sorted([bucket_column_key(True, 90, 5), bucket_column_key(False, 30, 9),
    ...         bucket_column_key(False, 0, 12), CREDIT_COLUMN])
    ['0100000-12', '0100030-9', '1100090-5', 'z_credit']
    """
    return "%s%06d-%s" % ("1" if open_ended else "0", (max_days or 0) + DAYS_OFFSET, bucket_id)


class ArFollowupAgeingReport(models.Model):
    """Open receivable items with their ageing: one row per open due line.

    Invoices (one row per instalment), credit notes and unreconciled payments,
    so a customer's total is net of what they already paid or were credited.
    A database view over the stored ageing columns: reading it costs one query.
    """

    _name = "ar.followup.ageing.report"
    _description = "Receivables Ageing"
    _auto = False
    _order = "date_maturity, id"
    _rec_name = "move_id"

    move_id = fields.Many2one("account.move", "Document", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    line_partner_id = fields.Many2one(
        "res.partner", "Contact", readonly=True, help="The partner on the journal item."
    )
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency_id = fields.Many2one("res.currency", "Company Currency", readonly=True)
    currency_id = fields.Many2one("res.currency", "Currency", readonly=True)
    bucket_id = fields.Many2one("ar.followup.bucket", "Ageing Bucket", readonly=True)
    ageing_column = fields.Selection(
        "_selection_ageing_column",
        "Ageing",
        readonly=True,
        help="The ageing bucket, or Unallocated credit for credit notes and payments not "
        "matched with an invoice.",
    )
    days_overdue = fields.Integer(compute="_compute_days_overdue")
    date = fields.Date(readonly=True)
    date_maturity = fields.Date("Due Date", readonly=True)
    residual = fields.Monetary("Amount Due", currency_field="company_currency_id", readonly=True)
    residual_currency = fields.Monetary(
        "Amount Due in Currency", currency_field="currency_id", readonly=True, aggregator=None
    )
    overdue = fields.Monetary(currency_field="company_currency_id", readonly=True)

    @api.model
    def _selection_ageing_column(self):
        """The buckets in their order, then the unallocated credit.

        A grouped read orders a selection by its values: each bucket's value starts
        with its position (open-ended last, then its upper bound), so the columns of
        a pivot come in the buckets' order, whichever company they belong to.
        Every company's buckets are listed, so any row read has its label.
        """
        buckets = self.env["ar.followup.bucket"].sudo().with_context(active_test=False).search([])
        # a user working in several companies sees whose bucket a column is
        many_companies = len(self.env.companies) > 1
        return [
            (
                bucket_column_key(bucket.open_ended, bucket.max_days, bucket.id),
                "%s (%s)" % (bucket.name, bucket.company_id.name)
                if many_companies
                else bucket.name,
            )
            for bucket in buckets.sorted(lambda b: (b.open_ended, b.max_days, b.id))
        ] + [(CREDIT_COLUMN, self.env._("Unallocated credit"))]

    def _compute_days_overdue(self):
        today = {company: company._ar_today() for company in self.company_id}
        for row in self:
            due = row.date_maturity or row.date
            row.days_overdue = (
                days_overdue(due, today[row.company_id]) if row.bucket_id and due else 0
            )

    def _query(self):
        return SQL(
            """
            SELECT aml.id,
                   aml.move_id,
                   COALESCE(p.commercial_partner_id, aml.partner_id) AS partner_id,
                   aml.partner_id AS line_partner_id,
                   aml.company_id,
                   c.currency_id AS company_currency_id,
                   aml.currency_id,
                   aml.ar_bucket_id AS bucket_id,
                   CASE WHEN b.id IS NOT NULL
                        THEN CASE WHEN b.open_ended THEN '1' ELSE '0' END
                             || LPAD((COALESCE(b.max_days, 0) + %(offset)s)::text, 6, '0')
                             || '-' || b.id
                        WHEN aml.amount_residual < 0 THEN %(credit)s
                   END AS ageing_column,
                   aml.date,
                   aml.date_maturity,
                   aml.amount_residual AS residual,
                   aml.amount_residual_currency AS residual_currency,
                   CASE WHEN b.open_ended OR b.max_days > 0 THEN aml.amount_residual ELSE 0 END AS overdue
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_company c ON c.id = aml.company_id
         LEFT JOIN res_partner p ON p.id = aml.partner_id
         LEFT JOIN ar_followup_bucket b ON b.id = aml.ar_bucket_id
             WHERE acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND NOT aml.reconciled
               AND aml.amount_residual != 0
            """,
            offset=DAYS_OFFSET,
            credit=CREDIT_COLUMN,
        )

    @api.model
    def _ar_partner_domain(self, partners, company):
        """Domain on the rows of ``partners`` (commercial entities) in ``company``.

        ``partner_id`` is computed in the view (the line's commercial entity), which
        PostgreSQL can only filter after reading every open line; the extra term on
        the line's own partner goes down to the index of ``account_move_line``:
        one customer's rows cost an index scan, not a pass over the ledger.
        """
        contacts = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("commercial_partner_id", "in", partners.commercial_partner_id.ids)])
        )
        return [
            ("partner_id", "in", partners.commercial_partner_id.ids),
            ("line_partner_id", "in", contacts.ids),
            ("company_id", "=", company.id),
        ]

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
