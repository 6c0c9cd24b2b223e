# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from ..tools.money import format_money


class ReportArFollowupStatement(models.AbstractModel):
    """Statement of account: opening balance, invoices, credit notes and payments of
    the period, closing balance, and today's ageing of what is open.

    Amounts are in the company currency. Every customer of the print job is
    computed with the same three queries, whatever their number.
    """

    _name = "report.ar_followup.report_statement"
    _description = "Statement of Account"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        company = self.env.company
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        date_to = fields.Date.to_date(data.get("date_to")) or company._ar_today()
        date_from = fields.Date.to_date(data.get("date_from")) or self._ar_default_date_from(
            date_to
        )
        currency = company.currency_id
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": company,
            "date_from": date_from,
            "date_to": date_to,
            "statements": self._ar_statements(partners, company, date_from, date_to),
            "money": lambda amount: format_money(
                amount, currency.name, currency.symbol, currency.position, currency.decimal_places
            ),
        }

    @api.model
    def _ar_default_date_from(self, date_to):
        """The first day of the month three months before ``date_to``."""
        return (date_to - relativedelta(months=3)).replace(day=1)

    @api.model
    def _ar_receivable_domain(self, partners, company):
        return [
            ("partner_id", "child_of", partners.ids),
            ("company_id", "=", company.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ]

    @api.model
    def _ar_statements(self, partners, company, date_from, date_to):
        """{partner: {"opening", "lines", "closing", "ageing"}} for every partner."""
        Line = self.env["account.move.line"]
        domain = self._ar_receivable_domain(partners, company)
        opening = defaultdict(float)
        for partner, balance in Line._read_group(
            domain + [("date", "<", date_from)], ["partner_id"], ["balance:sum"]
        ):
            opening[partner.commercial_partner_id] += balance
        movements = defaultdict(list)
        for line in Line.search(
            domain + [("date", ">=", date_from), ("date", "<=", date_to)], order="date, move_id, id"
        ):
            movements[line.partner_id.commercial_partner_id].append(line)
        ageing = defaultdict(dict)
        Report = self.env["ar.followup.ageing.report"]
        for partner, bucket, residual in Report._read_group(
            Report._ar_partner_domain(partners, company),
            ["partner_id", "bucket_id"],
            ["residual:sum"],
        ):
            ageing[partner][bucket] = ageing[partner].get(bucket, 0.0) + residual
        Bucket = self.env["ar.followup.bucket"]
        buckets = Bucket.search([("company_id", "=", company.id)])

        statements = {}
        for partner in partners:
            balance = opening[partner]
            lines = []
            for line in movements[partner]:
                balance += line.balance
                lines.append(
                    {
                        "date": line.date,
                        "number": line.move_id.name,
                        "reference": line.move_id.ref or line.move_id.payment_reference or "",
                        "kind": self._ar_kind(line.move_id),
                        "due": line.date_maturity if line.move_id.is_invoice() else False,
                        "debit": line.debit,
                        "credit": line.credit,
                        "balance": balance,
                    }
                )
            statements[partner.id] = {
                "opening": opening[partner],
                "lines": lines,
                "closing": balance,
                "ageing": [(bucket, ageing[partner].get(bucket, 0.0)) for bucket in buckets],
                # credit notes and payments not yet matched with an invoice have no bucket
                "credits": ageing[partner].get(Bucket, 0.0),
                "due": sum(ageing[partner].values()),
            }
        return statements

    @api.model
    def _ar_kind(self, move):
        if move.move_type in ("out_invoice", "out_receipt"):
            return self.env._("Invoice")
        if move.move_type == "out_refund":
            return self.env._("Credit Note")
        if move.origin_payment_id or move.statement_line_id:
            return self.env._("Payment")
        return self.env._("Journal Entry")
