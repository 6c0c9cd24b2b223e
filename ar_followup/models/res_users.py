# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    ar_notify_mode = fields.Selection(
        [("each", "Each event"), ("digest", "Daily digest"), ("none", "None")],
        "AR Notifications",
        default="each",
        required=True,
        help="How you hear of what your customers do: a reply, a payment of an invoice "
        "a reminder chased, a click or an online visit after a reminder. Each event: "
        "a notification at once; daily digest: one message a day listing them; none.",
    )

    # each user chooses how the follow-up tells them, in their own preferences
    @property
    def SELF_READABLE_FIELDS(self):
        return [*super().SELF_READABLE_FIELDS, "ar_notify_mode"]

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return [*super().SELF_WRITEABLE_FIELDS, "ar_notify_mode"]
