# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import threading

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.ar_followup.tools import provider_urls

from ..tools import graph_api, send_rate

_logger = logging.getLogger(__name__)

#: ``ir.config_parameter``: seconds to wait for Meta's answer (default: the client's)
GRAPH_READ_TIMEOUT_PARAM = "ar_followup_whatsapp.graph_read_timeout"
#: the dispatcher's client of each account in this process, kept from one batch to the
#: next so that its open connections to Meta serve the next batch's calls:
#: {(database, account id): (settings, GraphApi, when it was last taken)}
SHARED_APIS = {}
SHARED_APIS_LOCK = threading.Lock()
#: seconds unused after which a kept client is replaced: its connections may have been
#: closed by Meta meanwhile, and a call on a closed one fails
SHARED_API_IDLE = 30.0


class ArFollowupChannel(models.Model):
    """WhatsApp as a reminder channel, and a company's WhatsApp Business account.

    The company's record of code ``whatsapp`` holds the account, like a payment
    provider: the WhatsApp Business Account (WABA) and phone number ids, and the
    credentials (system-user access token, app secret that signs webhooks,
    verify token of the webhook subscription), readable by system
    administrators only and cleared by ``data/neutralize.sql``. *Enabled*
    sends through Meta's Cloud API and needs the account; *Test Mode* sends to
    the simulator inside Odoo (``ar.followup.reminder._ar_whatsapp_simulate``)
    and needs nothing. A record starts disabled.
    """

    _inherit = "ar.followup.channel"

    code = fields.Selection(
        selection_add=[("whatsapp", "WhatsApp")], ondelete={"whatsapp": "cascade"}
    )
    wa_business_account_id = fields.Char(
        "WhatsApp Business Account ID",
        help="The WABA id of WhatsApp Manager (Meta Business Suite › WhatsApp accounts).",
    )
    wa_phone_number_id = fields.Char(
        "Phone Number ID",
        help="The id of the sending number (WhatsApp Manager › Phone numbers), not the number.",
    )
    wa_display_number = fields.Char(
        "Sender Number", help="The number customers see; filled by Test Connection."
    )
    wa_access_token = fields.Char(
        "Access Token",
        groups="base.group_system",
        copy=False,
        help="A permanent token of a system user with whatsapp_business_messaging and "
        "whatsapp_business_management permissions.",
    )
    wa_app_secret = fields.Char(
        "App Secret",
        groups="base.group_system",
        copy=False,
        help="The Meta app's secret: webhooks signed with it are the only ones believed.",
    )
    wa_verify_token = fields.Char(
        "Webhook Verify Token",
        groups="base.group_system",
        copy=False,
        help="Any secret string, given to Meta with the callback URL when subscribing.",
    )
    wa_api_version = fields.Char(
        "API Version", default=graph_api.DEFAULT_VERSION, help="Graph API version, e.g. v23.0."
    )
    wa_rate_limit = fields.Integer(
        "Messages per Second",
        default=80,
        help="Most messages sent per second from this number (Meta's default limit is 80).",
    )
    wa_token_error = fields.Char(
        "Account Problem",
        readonly=True,
        copy=False,
        help="Set when Meta refused the access token: WhatsApp reminders wait (and fall back "
        "after the retries) until Test Connection succeeds again.",
    )
    wa_webhook_url = fields.Char("Callback URL", compute="_compute_wa_webhook_url")

    def _compute_feature_support_fields(self):
        result = super()._compute_feature_support_fields()
        self.filtered(lambda c: c.code == "whatsapp").update(
            {
                # a batch is sent by concurrent calls, committed a round at a time
                "send_together": True,
                "dispatcher_only": True,
                "contact_kind": "phone",
                "support_delivery_report": True,
                "support_read_report": True,
                "support_reply": True,
                "costs_money": True,
            }
        )
        return result

    def _compute_wa_webhook_url(self):
        for channel in self:
            channel.wa_webhook_url = (
                "%s/ar_followup_whatsapp/webhook" % channel.get_base_url()
                if channel.code == "whatsapp"
                else False
            )

    @api.constrains(
        "state",
        "code",
        "wa_api_version",
        "wa_rate_limit",
        "wa_business_account_id",
        "wa_phone_number_id",
        "wa_access_token",
        "wa_app_secret",
        "wa_verify_token",
    )
    def _check_whatsapp_account(self):
        """Live sending needs the whole account; the version must be one Meta publishes."""
        for channel in self.sudo().filtered(lambda c: c.code == "whatsapp"):
            if not graph_api.VERSION.match(channel.wa_api_version or ""):
                raise ValidationError(self.env._("The WhatsApp API version must look like v23.0."))
            if channel.wa_rate_limit < 1:
                raise ValidationError(self.env._("Messages per second must be at least 1."))
            missing = [
                channel._fields[name].get_description(self.env)["string"]
                for name in (
                    "wa_business_account_id",
                    "wa_phone_number_id",
                    "wa_access_token",
                    "wa_app_secret",
                    "wa_verify_token",
                )
                if not channel[name]
            ]
            if channel.state == "enabled" and missing:
                raise ValidationError(
                    self.env._(
                        "WhatsApp of %(company)s cannot be enabled without %(missing)s; use "
                        "Test Mode to try it without a Meta account.",
                        company=channel.company_id.name,
                        missing=", ".join(missing),
                    )
                )

    @api.model
    def _ar_prepare_channel_vals(self, company, code, label):
        vals = super()._ar_prepare_channel_vals(company, code, label)
        if code == "whatsapp":
            vals["state"] = "disabled"  # until its account is set, or test mode is chosen
        return vals

    # -- actions -------------------------------------------------------------------

    def action_wa_test_connection(self):
        """Read the account's phone number from Meta and say what is wrong, if anything."""
        self.ensure_one()
        channel = self.sudo()
        if not (channel.wa_phone_number_id and channel.wa_access_token):
            raise UserError(self.env._("Give the phone number ID and the access token first."))
        api = channel._ar_whatsapp_api()
        try:
            number = api.get_phone_number(channel.wa_phone_number_id)
        except graph_api.GraphError as error:
            raise UserError(channel._ar_whatsapp_error_text(error)) from None
        finally:
            api.close()
        channel.write(
            {
                "wa_display_number": number.get("display_phone_number")
                or channel.wa_display_number,
                "wa_token_error": False,
            }
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Connected to WhatsApp"),
                "message": self.env._(
                    "Meta knows the number %(number)s (%(name)s).",
                    number=channel.wa_display_number or "-",
                    name=number.get("verified_name") or "-",
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # -- business methods ------------------------------------------------------------

    @api.model
    def _ar_whatsapp_account(self, company):
        """``company``'s WhatsApp record (sudo: it holds the credentials)."""
        return self.sudo().search(
            [("company_id", "=", company.id), ("code", "=", "whatsapp")], limit=1
        )

    def _ar_whatsapp_api(self, pool_size=1):
        """A :class:`~..tools.graph_api.GraphApi` for this account.

        Meta's host, unless this process redirected it (``provider_urls``, tests).
        """
        self.ensure_one()
        read_timeout = self.env["ir.config_parameter"].sudo().get_param(GRAPH_READ_TIMEOUT_PARAM)
        return graph_api.GraphApi(
            self.sudo().wa_access_token or "",
            version=self.wa_api_version or graph_api.DEFAULT_VERSION,
            base_url=provider_urls.base_url("graph", graph_api.DEFAULT_BASE_URL),
            timeout=float(read_timeout or graph_api.TIMEOUT),
            pool_size=pool_size,
        )

    def _ar_whatsapp_shared_api(self, pool_size):
        """The :class:`~..tools.graph_api.GraphApi` this process keeps for the account's
        dispatch, with ``pool_size`` connections, which threads may use at once.

        The same client from one batch to the next while the account's settings stay
        and it was used within :data:`SHARED_API_IDLE`; never closed by its users. A
        replaced one is left to those still calling through it, and closes when the
        last lets it go.
        """
        self.ensure_one()
        read_timeout = self.env["ir.config_parameter"].sudo().get_param(GRAPH_READ_TIMEOUT_PARAM)
        settings = (
            self.sudo().wa_access_token or "",
            self.wa_api_version or graph_api.DEFAULT_VERSION,
            provider_urls.base_url("graph", graph_api.DEFAULT_BASE_URL),
            float(read_timeout or graph_api.TIMEOUT),
            pool_size,
        )
        key = (self.env.cr.dbname, self.id)
        # real seconds: idle connections close in real time, whatever a caller froze
        now = send_rate.real_clock()
        with SHARED_APIS_LOCK:
            kept_settings, api, used = SHARED_APIS.get(key, (None, None, 0.0))
            if api is None or kept_settings != settings or now - used > SHARED_API_IDLE:
                token, version, base_url, timeout, pool_size = settings
                api = graph_api.GraphApi(
                    token, version=version, base_url=base_url, timeout=timeout, pool_size=pool_size
                )
            SHARED_APIS[key] = (settings, api, now)
        return api

    def _ar_whatsapp_error_text(self, error):
        """What a user reads about ``error`` (a :class:`GraphError`), translated."""
        if error.kind == "token":
            return self.env._(
                "Meta refused the access token (expired, revoked or mistyped): create a new "
                "system-user token in Meta Business Suite and paste it here. (%s)",
                error,
            )
        if error.http_status in (400, 404) and error.code in (100, 803, None):
            return self.env._(
                "Meta knows no phone number with this ID for this token: copy the Phone "
                "number ID from WhatsApp Manager (not the number itself). (%s)",
                error,
            )
        if error.http_status is None:
            return self.env._("Meta's Graph API could not be reached: %s", error)
        return self.env._(
            "Meta answered with error %(code)s: %(message)s", code=error.code, message=error
        )

    def _ar_whatsapp_stop(self, reason):
        """Meta refused the token: stop live sends of this account, tell the administrators."""
        self.ensure_one()
        channel = self.sudo()
        if channel.wa_token_error:
            return
        channel.wa_token_error = reason
        admins = (
            self.env.ref("base.group_system")
            .sudo()
            .all_user_ids.filtered(
                lambda u: channel.company_id in u.company_ids and u._is_internal()
            )
        )
        _logger.warning("WhatsApp of company %s stopped: access token refused", self.company_id.id)
        for admin in admins[:1] or self.env.ref("base.user_admin"):
            channel.company_id.partner_id.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("WhatsApp stopped: renew the access token"),
                note=self.env._(
                    "Meta refused the WhatsApp access token of %(company)s: %(reason)s. "
                    "Reminders by WhatsApp wait; paste a new token in the WhatsApp channel "
                    "and press Test Connection.",
                    company=channel.company_id.name,
                    reason=reason,
                ),
                user_id=admin.id,
            )
