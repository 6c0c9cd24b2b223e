# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_send_max_attempts = fields.Integer(
        "Reminder Send Attempts",
        default=3,
        help="Attempts on one channel when its provider fails temporarily (outage, rate "
        "limit); then the step's next channel is tried.",
    )
    ar_send_retry_minutes = fields.Integer(
        "Retry After (minutes)",
        default=15,
        help="Wait before the first retry; each further retry waits twice as long.",
    )
