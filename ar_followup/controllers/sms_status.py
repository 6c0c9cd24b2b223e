# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo.http import request, route

from odoo.addons.sms.controllers.main import SmsController

_logger = logging.getLogger(__name__)


class ArSmsStatusController(SmsController):
    @route()
    def update_sms_status(self, message_statuses):
        """Odoo IAP's delivery reports carry no signature, only the uuids of the SMS
        (128 random bits each): they are taken for SMS that IAP sent, never for one
        another provider sent. Twilio reports on its own SMS to its own route, signed
        (``sms_twilio``), so a forged report here cannot fail a reminder Twilio sent
        and send it again by the fallback channel."""
        Tracker = request.env["sms.tracker"].sudo()
        if "sms_twilio_sid" not in Tracker._fields or not isinstance(message_statuses, list):
            return super().update_sms_status(message_statuses)
        uuids = [
            uuid
            for status in message_statuses
            if isinstance(status, dict) and isinstance(status.get("uuids"), list)
            for uuid in status["uuids"]
            if isinstance(uuid, str)
        ]
        elsewhere = set(
            Tracker.search([("sms_uuid", "in", uuids), ("sms_twilio_sid", "!=", False)]).mapped(
                "sms_uuid"
            )
        )
        if not elsewhere:
            return super().update_sms_status(message_statuses)
        _logger.warning("IAP delivery report on %s SMS sent by Twilio ignored", len(elsewhere))
        kept = []
        for status in message_statuses:
            if isinstance(status, dict) and isinstance(status.get("uuids"), list):
                status = dict(status, uuids=[u for u in status["uuids"] if u not in elsewhere])
                if not status["uuids"]:
                    continue
            kept.append(status)
        return super().update_sms_status(kept) if kept else "OK"
