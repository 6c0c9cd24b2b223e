# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hmac
import logging

from odoo import http
from odoo.http import request

from ..tools import exotel

_logger = logging.getLogger(__name__)


class ExotelController(http.Controller):
    """Exotel's status callbacks: the end of a call placed by click-to-call or of an
    automated reminder call.

    Exotel signs nothing: the URL carries the company's unguessable token, and a
    callback only updates a call of that company whose Exotel id we recorded.
    Answered fast with 200 for anything that is ours, even unreadable (Exotel
    retries failures, and a retry would not read better); 404 for a wrong token.
    Handling is idempotent: Exotel retries, and a call already ended is kept.
    """

    @http.route(
        "/ar_followup_telephony/exotel/<string:token>/status",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def exotel_status(self, token, **form):
        channel = self._ar_channel(token)
        if not channel:
            return request.make_response("unknown", status=404)
        try:
            content_type = request.httprequest.content_type or ""
            if "json" in content_type:
                data = exotel.parse_callback(request.httprequest.get_data(), content_type)
            else:
                data = form
            self._ar_apply(channel, data)
        except Exception:
            request.env.cr.rollback()
            _logger.exception("Exotel status callback of %s not applied", channel.company_id.name)
        return request.make_response("ok", status=200)

    def _ar_channel(self, token):
        """The call settings whose callback token is ``token`` (compared in constant time)."""
        if not token or len(token) > 100:
            return None
        for channel in (
            request.env["ar.followup.channel"]
            .sudo()
            .search([("code", "=", "call"), ("call_callback_token", "!=", False)])
        ):
            if hmac.compare_digest(channel.call_callback_token.encode(), token.encode()):
                return channel
        return None

    def _ar_apply(self, channel, data):
        call_sid = data.get("CallSid")
        if not isinstance(call_sid, str) or not call_sid or len(call_sid) > 64:
            _logger.info("Exotel status callback without a call id: ignored")
            return
        attempt = (
            request.env["ar.followup.call.attempt"]
            .sudo()
            .search(
                [
                    ("provider", "=", "exotel"),
                    ("provider_call_id", "=", call_sid),
                    ("company_id", "=", channel.company_id.id),
                ],
                limit=1,
            )
        )
        if not attempt:
            _logger.info("Exotel status callback for a call we did not place: ignored")
            return
        attempt._ar_apply_exotel_status(data, channel.company_id._ar_tz())
