# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class SmsTracker(models.Model):
    """Delivery reports of reminder SMS reach their reminder (the SMS channel).

    Every provider's report (IAP webhook, ``sms_twilio`` status callback) ends
    in :meth:`_update_sms_notifications`; the reminder whose reference is the
    SMS uuid becomes delivered, or falls back when the SMS was not delivered.
    """

    _inherit = "sms.tracker"

    def _update_sms_notifications(
        self, notification_status, failure_type=False, failure_reason=False
    ):
        result = super()._update_sms_notifications(
            notification_status, failure_type=failure_type, failure_reason=failure_reason
        )
        if self:
            self.env["ar.followup.reminder"]._ar_sms_apply_tracker_report(
                self, notification_status, failure_reason or failure_type
            )
        return result
