# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.2.0: the before-due WhatsApp text says nothing about a relationship under a
year. Loaded again from the data file when nobody edited it (see the core's
``migration.py``); the post-migration protects it again."""

from odoo.addons.ar_followup.migration import reload_unedited


def migrate(cr, version):
    reload_unedited(
        cr, "ar_followup_whatsapp", "ar.followup.template", ["template_whatsapp_before_due"]
    )
