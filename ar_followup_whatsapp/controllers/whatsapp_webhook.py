# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hmac
import json
import logging

from odoo import http
from odoo.http import request

from ..tools import graph_api

_logger = logging.getLogger(__name__)

#: Meta's webhook bodies are small; anything larger is not Meta's
MAX_BODY = 1024 * 1024


class WhatsappWebhook(http.Controller):
    """Meta's webhook for the WhatsApp accounts of every company of the database.

    ``GET``: the subscription check, answered with ``hub.challenge`` only for a
    verify token one of the accounts holds. ``POST``: receipts, customer
    messages and template status changes, believed only when
    ``X-Hub-Signature-256`` is the HMAC-SHA256 of the raw body under the app
    secret of one of the accounts, checked before anything is parsed. Signed
    events are always answered 200, even when they cannot be applied (logged):
    Meta would otherwise repeat them for days.
    """

    @http.route(
        "/ar_followup_whatsapp/webhook",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def verify(self, **kwargs):
        token = kwargs.get("hub.verify_token")
        challenge = kwargs.get("hub.challenge")
        if kwargs.get("hub.mode") != "subscribe" or not isinstance(token, str) or not challenge:
            return request.make_response("Forbidden", status=403)
        tokens = (
            request.env["ar.followup.channel"]
            .sudo()
            .search([("code", "=", "whatsapp"), ("wa_verify_token", "!=", False)])
            .mapped("wa_verify_token")
        )
        if not any(hmac.compare_digest(t.encode(), token.encode()) for t in tokens):
            _logger.warning("WhatsApp webhook subscription with a wrong verify token refused")
            return request.make_response("Forbidden", status=403)
        return request.make_response(str(challenge)[:256], headers=[("Content-Type", "text/plain")])

    @http.route(
        "/ar_followup_whatsapp/webhook",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def receive(self, **_kwargs):
        body = request.httprequest.get_data(cache=False)[: MAX_BODY + 1]
        signature = request.httprequest.headers.get("X-Hub-Signature-256")
        secrets = {
            secret.encode()
            for secret in request.env["ar.followup.channel"]
            .sudo()
            .search([("code", "=", "whatsapp"), ("wa_app_secret", "!=", False)])
            .mapped("wa_app_secret")
        }
        if len(body) > MAX_BODY or not any(
            graph_api.check_signature(secret, body, signature) for secret in secrets
        ):
            _logger.warning("WhatsApp webhook without a valid signature refused")
            return request.make_response("Forbidden", status=403)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            _logger.warning("WhatsApp webhook: signed body is not JSON, acknowledged")
            return request.make_response("OK")
        try:
            request.env["ar.followup.whatsapp.message"].sudo()._ar_process_webhook(payload)
        except Exception:
            # acknowledged all the same: a repeat would fail the same way for 7 days
            _logger.exception("WhatsApp webhook: event not applied")
            request.env.cr.rollback()
        return request.make_response("OK")
