# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.4.1: "Why Now" is worked out when read since 19.0.1.4.0; the column that
stored it is dropped, since Odoo leaves a field's column in place when the field
stops being stored and nothing reads it any more."""


def migrate(cr, version):
    cr.execute("ALTER TABLE ar_followup_call DROP COLUMN IF EXISTS priority_text")
