# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.4.0: each customer's collection settings kept aside by the pre-migration
go to every company the customer has receivables in (every company when it has
none, as the value applied to all of them before)."""

from odoo.addons.ar_followup.migration import GLOBAL_SUFFIX, spread_per_company
from odoo.addons.ar_followup.migration import PARTNER_PER_COMPANY as PER_COMPANY


def migrate(cr, version):
    cr.execute(
        """
        SELECT column_name FROM information_schema.columns
         WHERE table_name = 'res_partner' AND column_name = ANY(%s)
        """,
        [[name + GLOBAL_SUFFIX for name in PER_COMPANY]],
    )
    kept = {name for (name,) in cr.fetchall()}
    spread_per_company(cr, [name for name in PER_COMPANY if name + GLOBAL_SUFFIX in kept])
