# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from werkzeug.urls import url_join

from odoo import http
from odoo.http import request

from ..tools import twilio_webhook

_logger = logging.getLogger(__name__)

#: Twilio's incoming-message forms are a few kilobytes; anything larger is not Twilio's
MAX_BODY = 64 * 1024
ROUTE = "/ar_followup/sms/twilio/incoming"


class SmsIncomingController(http.Controller):
    """Twilio's incoming-message webhook ("A message comes in") for the numbers of
    every company that sends SMS through ``sms_twilio``.

    Believed only when ``X-Twilio-Signature`` is Twilio's signature of the request
    under the auth token of a company whose Twilio account is the request's
    ``AccountSid``, checked before the message is read; otherwise 403. A signed
    request is answered 200 with empty TwiML (no automatic answer), even when its
    message cannot be applied (logged): Twilio would otherwise report an error and
    the customer's words would be lost.
    """

    @http.route(
        ROUTE,
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def receive(self, **_kwargs):
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_BODY:
            return self._forbidden("too large")
        form = httprequest.form
        company = self._signing_company(
            list(form.items(multi=True)), httprequest.headers.get("X-Twilio-Signature")
        )
        if not company:
            return self._forbidden("without a valid signature")
        try:
            with request.env.cr.savepoint():
                request.env["ar.followup.sms.message"].sudo().with_company(
                    company
                )._ar_receive_twilio(company, form.to_dict())
        except Exception:
            # acknowledged all the same: Twilio does not retry, a repeat would fail alike
            _logger.exception("Twilio incoming SMS not applied")
        return request.make_response(
            twilio_webhook.EMPTY_TWIML, headers=[("Content-Type", "text/xml")]
        )

    def _signing_company(self, params, signature):
        """The company whose Twilio auth token signed the request and whose account
        it is for; an empty recordset otherwise."""
        Company = request.env["res.company"].sudo()
        if not signature or "sms_twilio_account_sid" not in Company._fields:
            return Company
        account_sid = dict(params).get("AccountSid")
        if not isinstance(account_sid, str) or not twilio_webhook.ACCOUNT_SID.fullmatch(
            account_sid
        ):
            return Company
        companies = Company.search(
            [
                ("sms_provider", "=", "twilio"),
                ("sms_twilio_account_sid", "=", account_sid),
                ("sms_twilio_auth_token", "!=", False),
            ]
        )
        # companies sharing one Twilio account: the one owning the number written to first
        to_number = dict(params).get("To")
        companies = companies.sorted(
            lambda c: to_number not in c.sms_twilio_number_ids.mapped("number")
        )
        for company in companies:
            # the URL Twilio called: as this server received it, or as the company's
            # base URL says when a proxy rewrote the scheme or host
            urls = {request.httprequest.url, url_join(company.get_base_url(), ROUTE)}
            token = company.sms_twilio_auth_token
            if any(twilio_webhook.check_signature(token, url, params, signature) for url in urls):
                return company
        return Company

    def _forbidden(self, why):
        _logger.warning("Twilio incoming SMS %s refused", why)
        return request.make_response("Forbidden", status=403)
