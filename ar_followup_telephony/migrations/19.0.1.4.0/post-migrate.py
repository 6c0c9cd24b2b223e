# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.4.0: a task's "Why Now" is worked out when read, from facts the daily
refresh keeps, one of them new (the day the customer's last promise was broken).
The open tasks are refreshed once here, so the words are whole from the upgrade
on rather than from the next daily refresh."""

from odoo import SUPERUSER_ID, api

from odoo.addons.ar_followup_telephony.models.ar_followup_call import OPEN_STATES


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["ar.followup.call"].search([("state", "in", OPEN_STATES)])._ar_refresh_priority()
