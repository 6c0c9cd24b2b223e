# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.3.0: no stored setting redirects a provider's requests any more; the
default templates reloaded by the pre-migration are protected again.

The system parameters that replaced the address of Twilio, Meta's Graph API,
Exotel and Knowlarity are read by nothing now; they are removed so that an
address where credentials went does not linger in the database.
"""

from odoo.addons.ar_followup.migration import keep_noupdate

REDIRECT_PARAMS = (
    "ar_followup.sms_twilio_base_url",
    "ar_followup_whatsapp.graph_base_url",
    "ar_followup_telephony.exotel_base_url",
    "ar_followup_telephony.knowlarity_base_url",
)


def migrate(cr, version):
    cr.execute("DELETE FROM ir_config_parameter WHERE key IN %s", [REDIRECT_PARAMS])
    keep_noupdate(cr, "ar_followup", "ar.followup.template")
