# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.ar_followup.tools import masking, phone, provider_urls

from ..tools import call_simulator, exotel, knowlarity
from ..tools.call_transport import CallError
from .ar_followup_call import OUTCOMES

_logger = logging.getLogger(__name__)

#: what a call placed through a provider reports, plus our own states around it
STATUSES = [
    ("manual", "Dialled by hand"),
    ("dialling", "Dialling"),
    ("queued", "Queued"),
    ("in-progress", "In progress"),
    ("completed", "Completed"),
    ("busy", "Busy"),
    ("no-answer", "No answer"),
    ("failed", "Failed"),
    ("uncertain", "Unknown: the provider did not answer"),
    ("error", "Not placed"),
]
#: statuses after which a provider's report changes nothing
FINAL_STATUSES = ("completed", "busy", "no-answer", "failed")


class ArFollowupCallAttempt(models.Model):
    """One call placed to a customer: the call log.

    Who called, which numbers (the collector's phone and the customer's), when,
    how long, the provider's call id, status and recording, and the outcome
    the collector recorded. Numbers are shown here to the AR team; they are
    masked in server logs.
    """

    _name = "ar.followup.call.attempt"
    _description = "Collection Call Placed"
    _order = "date_start desc, id desc"
    _rec_name = "date_start"

    call_id = fields.Many2one("ar.followup.call", "Call Task", index=True, ondelete="cascade")
    reminder_id = fields.Many2one(
        "ar.followup.reminder",
        "Reminder",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
        help="The reminder an automated call was placed for.",
    )
    partner_id = fields.Many2one(
        "res.partner", compute="_compute_partner_company", store=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_partner_company", store=True, index=True
    )
    user_id = fields.Many2one("res.users", "Collector", readonly=True)
    provider = fields.Selection(
        [
            ("manual", "Dialled by hand"),
            ("exotel", "Exotel"),
            ("knowlarity", "Knowlarity"),
            ("simulator", "Simulator (test mode)"),
        ],
        required=True,
        default="manual",
        readonly=True,
    )
    reference = fields.Char(
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: secrets.token_hex(12),
        help="Our reference of the call, given to the provider.",
    )
    provider_call_id = fields.Char(
        "Provider Call ID", readonly=True, index="btree_not_null", copy=False
    )
    from_number = fields.Char("Collector's Number", readonly=True)
    to_number = fields.Char("Customer's Number", readonly=True)
    date_start = fields.Datetime("Started", readonly=True, default=fields.Datetime.now)
    date_end = fields.Datetime("Ended", readonly=True)
    duration = fields.Integer("Duration (s)", readonly=True)
    status = fields.Selection(STATUSES, required=True, default="dialling", readonly=True)
    recording_url = fields.Char("Recording", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    note = fields.Text(readonly=True)
    error = fields.Text(readonly=True)

    _task_or_reminder = models.Constraint(
        "CHECK(call_id IS NOT NULL OR reminder_id IS NOT NULL)",
        "A call is placed for a call task or for a reminder.",
    )

    @api.depends("call_id.partner_id", "call_id.company_id", "reminder_id")
    def _compute_partner_company(self):
        for attempt in self:
            origin = attempt.call_id or attempt.reminder_id
            attempt.partner_id = origin.partner_id.commercial_partner_id
            attempt.company_id = origin.company_id

    def _ar_place(self):
        """Place the call through the company's click-to-call provider: the collector's
        phone rings first, then the customer's. Without a provider the collector dials.

        A refusal or an outage is recorded (``error``: nothing was dialled); no answer
        from the provider is recorded ``uncertain`` (a phone may ring), and the task
        refuses another call for a while (``_ar_dial_problem``).
        """
        self.ensure_one()
        settings = self.env["ar.followup.channel"]._ar_call_account(self.company_id)
        if settings.state == "test":
            self._ar_simulate()
            return
        provider = settings.call_provider or "none"
        if provider == "none":
            self.write({"provider": "manual", "status": "manual"})
            return
        agent = self.from_number or self._ar_agent_number(self.user_id, self.company_id)
        self.write({"provider": provider, "from_number": agent, "status": "dialling"})
        try:
            if provider == "exotel":
                call_id, status = self._ar_exotel_client(settings).connect(
                    agent,
                    self.to_number,
                    settings.exotel_caller_id,
                    self.reference,
                    self._ar_exotel_callback_url(settings),
                )
            else:
                call_id, status = self._ar_knowlarity_client(settings).make_call(
                    settings.knowlarity_k_number,
                    agent,
                    self.to_number,
                    settings.knowlarity_caller_id,
                    self.reference,
                )
        except CallError as exc:
            _logger.warning(
                "AR call %s to %s not placed by %s (%s): %s",
                self.id,
                masking.mask_number(self.to_number),
                provider,
                exc.kind,
                masking.mask_text(exc),
            )
            texts = {
                "permanent": self.env._("Refused by the provider: %s", exc),
                "transient": self.env._("The provider is unavailable, try again later: %s", exc),
                "uncertain": self.env._(
                    "No answer from the provider: the call may have been placed (%s). Check "
                    "your phone before calling again.",
                    exc,
                ),
            }
            self.write(
                {
                    "status": "uncertain" if exc.kind == "uncertain" else "error",
                    "error": "\n".join(filter(None, [texts[exc.kind], exc.body])),
                }
            )
            return
        _logger.info(
            "AR call %s placed by %s: %s to %s",
            self.id,
            provider,
            masking.mask_number(agent),
            masking.mask_number(self.to_number),
        )
        self.write({"provider_call_id": call_id, "status": status})

    def _ar_simulate(self):
        """Test mode: the call is not placed; it ends as the simulator decides for the
        number (``tools/call_simulator.py``), as if the provider had reported it."""
        self.ensure_one()
        status, talked = call_simulator.simulate(self.to_number)
        start = self.date_start or fields.Datetime.now()
        self.write(
            {
                "provider": "simulator",
                "provider_call_id": "SIM-%s" % self.reference,
                "status": status,
                "duration": talked,
                "date_end": start + timedelta(seconds=talked + 15),
            }
        )

    @api.model
    def _ar_agent_number(self, user, company):
        """The phone of the collector ``user`` in E.164 (their user's phone), or a UserError."""
        check = phone.normalize((user or self.env.user).phone or "", company.country_id.code)
        if not check.e164:
            raise UserError(
                self.env._(
                    "Set a valid phone number in your preferences: it rings first, then the "
                    "customer."
                )
            )
        return check.e164

    def _ar_exotel_client(self, settings):
        host = settings.exotel_host or exotel.DEFAULT_HOST
        return exotel.ExotelClient(
            provider_urls.base_url("exotel", "https://%s" % host),
            settings.exotel_sid,
            settings.exotel_api_key,
            settings.exotel_api_token,
        )

    def _ar_exotel_callback_url(self, settings):
        return "%s/ar_followup_telephony/exotel/%s/status" % (
            self.get_base_url(),
            settings.call_callback_token,
        )

    def _ar_knowlarity_client(self, settings):
        return knowlarity.KnowlarityClient(
            provider_urls.base_url("knowlarity", knowlarity.DEFAULT_URL),
            settings.knowlarity_api_key,
            settings.knowlarity_sr_key,
        )

    def _ar_apply_exotel_status(self, data, tz_name):
        """Exotel reported on this call (its status callback, maybe again): fill the call
        log, and tell an automated call's reminder; a report on a call already ended
        changes nothing."""
        self.ensure_one()
        if self.status in FINAL_STATUSES:
            return False
        status = data.get("Status")
        if status not in exotel.STATUSES:
            return False
        vals = {"status": status}
        start = exotel.parse_time(data.get("StartTime"), tz_name)
        end = exotel.parse_time(data.get("EndTime") or data.get("DateUpdated"), tz_name)
        duration = exotel.parse_int(data.get("ConversationDuration"))
        recording = data.get("RecordingUrl")
        if start:
            vals["date_start"] = start
        if end:
            vals["date_end"] = end
        if duration is not None and duration >= 0:
            vals["duration"] = duration
        if isinstance(recording, str) and recording.startswith("https://"):
            vals["recording_url"] = recording[:1000]
        self.write(vals)
        if self.reminder_id and status in FINAL_STATUSES:
            self.reminder_id._ar_ivr_apply_outcome(self)
        return True
