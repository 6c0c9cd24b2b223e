# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.4.0: a customer's collection settings become per company.

The pause (date and reason), the cadence and tone overrides, the tone escalation
and the AR owner were one value shared by every company; they become
company-dependent fields (a jsonb value per company). Their columns are kept
aside here, before the module loads; the post-migration gives each customer's
value to the companies it has receivables in.
"""

from odoo.addons.ar_followup.migration import PARTNER_PER_COMPANY as PER_COMPANY
from odoo.addons.ar_followup.migration import keep_global_values


def migrate(cr, version):
    keep_global_values(cr, "res_partner", PER_COMPANY)
