# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Upgrade helpers for the addons' migration scripts.

Default texts live in ``noupdate`` data (a company edits its templates, an
upgrade must not overwrite them), so a better default reaches an existing
database only through a migration: :func:`reload_unedited` before the update
lets Odoo load again the records nobody edited since they were loaded, and
:func:`keep_noupdate` after it protects them again.
"""

from odoo.tools import SQL

#: a record written this long after its data was loaded counts as edited by someone
LOADED_WITHIN = "5 minutes"


def reload_unedited(cr, module, model, names):
    """Before the update: mark ``module``'s records ``names`` of ``model`` (a table
    name is derived from it) to be loaded again from the data files, those not
    edited since they were loaded. Returns the names marked."""
    table = model.replace(".", "_")
    cr.execute(
        f"""
        UPDATE ir_model_data imd
           SET noupdate = false
          FROM {table} rec
         WHERE imd.module = %s AND imd.model = %s AND imd.name IN %s
           AND imd.res_id = rec.id AND imd.noupdate
           AND rec.write_date <= imd.write_date + interval '{LOADED_WITHIN}'
     RETURNING imd.name
        """,
        [module, model, tuple(names)],
    )
    return [name for (name,) in cr.fetchall()]


def keep_noupdate(cr, module, model):
    """After the update: ``module``'s records of ``model`` are ``noupdate`` again (all
    of them are declared so in their data files)."""
    cr.execute(
        "UPDATE ir_model_data SET noupdate = true "
        "WHERE module = %s AND model = %s AND NOT noupdate",
        [module, model],
    )


#: suffix of a column kept aside before it becomes company-dependent
GLOBAL_SUFFIX = "_ar_global"
#: the customer's collection settings that became per company in 19.0.1.4.0
PARTNER_PER_COMPANY = (
    "ar_owner_id",
    "ar_tone_escalation",
    "ar_tone_override_id",
    "ar_pause_until",
    "ar_pause_reason",
    "ar_policy_id",
)


def keep_global_values(cr, table, columns):
    """Before the update: rename ``columns`` of ``table`` to ``<column>_ar_global``
    (their indexes and foreign keys dropped), so that Odoo creates the
    company-dependent (jsonb) columns afresh and :func:`spread_per_company` reads
    the old values. Returns the columns renamed."""
    renamed = []
    for column in columns:
        cr.execute(
            """
            SELECT data_type FROM information_schema.columns
             WHERE table_name = %s AND column_name = %s
            """,
            [table, column],
        )
        row = cr.fetchone()
        if not row or row[0] == "jsonb":
            continue
        fkey = "%s_%s_fkey" % (table, column)
        cr.execute(
            SQL(
                """
                DROP INDEX IF EXISTS %(index)s;
                ALTER TABLE %(table)s DROP CONSTRAINT IF EXISTS %(fkey)s;
                ALTER TABLE %(table)s RENAME COLUMN %(column)s TO %(kept)s;
                """,
                index=SQL.identifier("%s__%s_index" % (table, column)),
                table=SQL.identifier(table),
                fkey=SQL.identifier(fkey),
                column=SQL.identifier(column),
                kept=SQL.identifier(column + GLOBAL_SUFFIX),
            )
        )
        cr.execute("DELETE FROM ir_model_constraint WHERE name = %s AND type = 'f'", [fkey])
        renamed.append(column)
    return renamed


def spread_per_company(cr, columns, source_suffix=GLOBAL_SUFFIX):
    """After the update: give each customer's old value of each company-dependent
    ``res_partner`` column of ``columns`` (read from ``<column><source_suffix>``)
    to every company the customer has posted receivables in, then drop the old
    column. A customer with no receivables anywhere keeps it in every company, as
    the value applied to all of them before. A contact's value goes to its
    commercial entity's companies. Returns ``{column: customers moved}``."""
    moved = {}
    for column in columns:
        source = SQL.identifier(column + source_suffix)
        cr.execute(
            SQL(
                """
                WITH receivable_companies AS (
                    SELECT DISTINCT rp.commercial_partner_id AS partner_id, aml.company_id
                      FROM account_move_line aml
                      JOIN account_account acc ON acc.id = aml.account_id
                      JOIN res_partner rp ON rp.id = aml.partner_id
                     WHERE acc.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
                ), per_company AS (
                    SELECT p.id, jsonb_object_agg(c.id::text, to_jsonb(p.%(source)s)) AS value
                      FROM res_partner p
                      JOIN res_company c
                        ON c.id IN (
                            SELECT rc.company_id FROM receivable_companies rc
                             WHERE rc.partner_id = COALESCE(p.commercial_partner_id, p.id)
                        )
                        OR NOT EXISTS (
                            SELECT FROM receivable_companies rc
                             WHERE rc.partner_id = COALESCE(p.commercial_partner_id, p.id)
                        )
                     -- the empty values are what every company reads without one of its own
                     WHERE p.%(source)s IS NOT NULL
                       AND to_jsonb(p.%(source)s) NOT IN ('0'::jsonb, 'false'::jsonb, '""'::jsonb)
                     GROUP BY p.id
                )
                UPDATE res_partner p
                   SET %(column)s = per_company.value
                  FROM per_company
                 WHERE per_company.id = p.id
                """,
                source=source,
                column=SQL.identifier(column),
            )
        )
        moved[column] = cr.rowcount
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s", source))
    return moved
