# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Set-based benchmark data: N posted customer invoices for N/5 customers.

Creating invoices through the ORM runs at about 24 per second on the reference
machine (see PERFORMANCE.md), so 100,000 invoices would take over an hour. This
module posts ONE real invoice through the ORM and clones its rows with SQL
(``INSERT ... SELECT ... FROM generate_series``), overriding partner, dates,
numbers and amounts. The clones are what the ageing and the credit-control run
read: posted moves with a receivable line whose residual is open, due dates over
the last 180 days and the next 30, 20 % of them partly paid.

Benchmark data only: the clones have no tax lines and partial payments are
represented by their residual, not by payment moves.
"""

from odoo import Command, fields
from odoo.tools import SQL

PREFIX = "BNCH/"


def _columns(cr, table, exclude=()):
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [c for (c,) in cr.fetchall() if c not in exclude and c != "id"]


def _clone_sql(cr, table, overrides, source_alias="t"):
    """Column list and SELECT list copying every column of ``table`` except overridden ones."""
    cols = _columns(cr, table)
    select = [overrides.get(c, SQL.identifier(source_alias, c)) for c in cols]
    return SQL(", ").join(SQL.identifier(c) for c in cols), SQL(", ").join(select)


def generate(env, n_invoices, today=None, seed=42):
    """Create ``n_invoices`` posted invoices for ``n_invoices // 5`` customers; return their count."""
    cr = env.cr
    today = today or fields.Date.context_today(env.user)
    n_partners = max(1, n_invoices // 5)
    # an Indian SME: its customers' sending window is in Asia/Kolkata
    env.company.partner_id.tz = "Asia/Kolkata"
    template_partner = env["res.partner"].create(
        {
            "name": "Bench customer template",
            "is_company": True,
            "email": "bench@example.in",
        }
    )
    template = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": template_partner.id,
            "invoice_date": today,
            "invoice_date_due": today,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Bench goods",
                        "quantity": 1,
                        "price_unit": 1000.0,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
    )
    template.action_post()
    env.flush_all()

    # customers: clone the template partner, each its own commercial entity
    cols, select = _clone_sql(
        cr,
        "res_partner",
        {
            "name": SQL("'Bench customer ' || g"),
            "complete_name": SQL("'Bench customer ' || g"),
            "email": SQL("'bench' || g || '@example.in'"),
            "email_normalized": SQL("'bench' || g || '@example.in'"),
            "ref": SQL("'BENCH-' || g"),
        },
    )
    cr.execute(
        SQL(
            "INSERT INTO res_partner (%s) SELECT %s FROM res_partner t, generate_series(1, %s) g "
            "WHERE t.id = %s RETURNING id",
            cols,
            select,
            n_partners,
            template_partner.id,
        )
    )
    partner_ids = [r[0] for r in cr.fetchall()]
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [partner_ids]
    )

    # invoices: g -> partner g % P, due date spread over [-180, +30] days, amount 500..50,500
    cr.execute("SELECT setseed(%s)", [seed / 100.0])
    cr.execute(
        SQL(
            """
        CREATE TEMP TABLE bench_spec ON COMMIT DROP AS
        SELECT g,
               (%(partners)s::int[])[1 + (g %% %(np)s)] AS partner_id,
               (%(today)s::date - (floor(random() * 211)::int - 30)) AS due,
               round((500 + random() * 50000)::numeric, 2) AS amount,
               random() < 0.2 AS partial
          FROM generate_series(1, %(n)s) g
        """,
            partners=partner_ids,
            np=n_partners,
            today=today,
            n=n_invoices - 1,
        )
    )
    cr.execute("ALTER TABLE bench_spec ADD COLUMN move_id int")
    name = SQL("%s || lpad(s.g::text, 7, '0')", PREFIX)
    residual = SQL("CASE WHEN s.partial THEN round(s.amount * 0.6, 2) ELSE s.amount END")
    cols, select = _clone_sql(
        cr,
        "account_move",
        {
            "name": name,
            "sequence_prefix": SQL("%s", PREFIX),
            "sequence_number": SQL("s.g"),
            "partner_id": SQL("s.partner_id"),
            "commercial_partner_id": SQL("s.partner_id"),
            "partner_shipping_id": SQL("s.partner_id"),
            "invoice_date": SQL("s.due - 30"),
            "date": SQL("s.due - 30"),
            "invoice_date_due": SQL("s.due"),
            "amount_untaxed": SQL("s.amount"),
            "amount_total": SQL("s.amount"),
            "amount_untaxed_signed": SQL("s.amount"),
            "amount_total_signed": SQL("s.amount"),
            "amount_untaxed_in_currency_signed": SQL("s.amount"),
            "amount_total_in_currency_signed": SQL("s.amount"),
            "amount_residual": residual,
            "amount_residual_signed": residual,
            "payment_state": SQL("CASE WHEN s.partial THEN 'partial' ELSE 'not_paid' END"),
            "payment_reference": name,
            "ar_bucket_id": SQL("NULL"),
            "ar_oldest_due_date": SQL("NULL"),
            "ref": SQL("'BENCH-' || s.g"),
        },
    )
    cr.execute(
        SQL(
            """
        WITH ins AS (
            INSERT INTO account_move (%s)
            SELECT %s FROM account_move t, bench_spec s WHERE t.id = %s
            RETURNING id, sequence_number
        )
        UPDATE bench_spec s SET move_id = ins.id FROM ins WHERE ins.sequence_number = s.g
        """,
            cols,
            select,
            template.id,
        )
    )
    # lines: every line of the template, scaled; the receivable one carries the residual
    scale = SQL("s.amount / 1000.0")
    is_receivable = SQL(
        "t.account_id = %s",
        template.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).account_id.id,
    )
    line_residual = SQL(
        "CASE WHEN %s THEN %s ELSE t.amount_residual * %s END", is_receivable, residual, scale
    )
    cols, select = _clone_sql(
        cr,
        "account_move_line",
        {
            "move_id": SQL("s.move_id"),
            "move_name": name,
            "partner_id": SQL("s.partner_id"),
            "date": SQL("s.due - 30"),
            "invoice_date": SQL("s.due - 30"),
            "date_maturity": SQL("CASE WHEN %s THEN s.due ELSE t.date_maturity END", is_receivable),
            "debit": SQL("t.debit * %s", scale),
            "credit": SQL("t.credit * %s", scale),
            "balance": SQL("t.balance * %s", scale),
            "amount_currency": SQL("t.amount_currency * %s", scale),
            "amount_residual": line_residual,
            "amount_residual_currency": line_residual,
            "price_unit": SQL("t.price_unit * %s", scale),
            "price_subtotal": SQL("t.price_subtotal * %s", scale),
            "price_total": SQL("t.price_total * %s", scale),
            "ar_bucket_id": SQL("NULL"),
        },
    )
    cr.execute(
        SQL(
            "INSERT INTO account_move_line (%s) SELECT %s FROM account_move_line t, bench_spec s WHERE t.move_id = %s",
            cols,
            select,
            template.id,
        )
    )
    # the template stays as the N-th invoice (deleting a posted move costs more than it is worth)
    cr.execute("ANALYZE account_move; ANALYZE account_move_line; ANALYZE res_partner")
    env.invalidate_all()
    return n_invoices
