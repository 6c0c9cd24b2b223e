# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.2.0: the template reloaded by the pre-migration is ``noupdate`` again."""

from odoo.addons.ar_followup.migration import keep_noupdate


def migrate(cr, version):
    keep_noupdate(cr, "ar_followup_whatsapp", "ar.followup.template")
