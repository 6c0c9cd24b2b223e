# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Upgrade helpers for the addons' migration scripts.

Default texts live in ``noupdate`` data (a company edits its templates, an
upgrade must not overwrite them), so a better default reaches an existing
database only through a migration: :func:`reload_unedited` before the update
lets Odoo load again the records nobody edited since they were loaded, and
:func:`keep_noupdate` after it protects them again.
"""

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
