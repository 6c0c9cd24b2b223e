# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_repr

from odoo.addons.ar_followup.exceptions import ArTransientError, ArUncertainSendError
from odoo.addons.ar_followup.tools import cadence, masking

from ..tools.call_transport import CallError

_logger = logging.getLogger(__name__)
#: what Exotel reports on an automated call nobody answered
UNANSWERED = ("busy", "no-answer", "failed")


class ArFollowupReminder(models.Model):
    """The channels *Phone call* and *Automated call* on the reminder's side of the
    channel contract.

    Sending a call reminder queues its customer for a collector (the open
    ``ar.followup.call`` of the customer, created when missing) instead of
    sending a message: the reminder is sent once queued, and the task's outcome
    reports back (``ar.followup.call._ar_report_outcome``).

    An automated call reminder calls the customer into the company's Exotel flow
    in the customer's language (English or Hindi), which announces the amount.
    Answered: delivered. Not answered (no answer, busy, failed): queued again on
    the same channel after the company's wait, within calling hours, up to its
    number of calls; then reported failed, and the SMS the channel ends with
    (``ends_with``: the amount overdue) takes over, whatever the step names and for
    manual reminders too. Each call is in ``ar_call_attempt_ids``.
    """

    _inherit = "ar.followup.reminder"

    ar_call_attempt_ids = fields.One2many(
        "ar.followup.call.attempt", "reminder_id", "Automated Calls", readonly=True
    )

    @api.model
    def _ar_call_contact_problems(self, partners):
        """See ``channels.py`` of the core: a valid number, not on the do-not-disturb list,
        a customer who did not opt out of calls."""
        return {
            pid: (problem, text) if problem else None
            for pid, (problem, _number, text) in self._ar_get_call_numbers(partners).items()
        }

    @api.model
    def _ar_get_call_numbers(self, partners):
        """``{partner id: (problem, E.164 number or None, reason text or None)}`` for calls,
        as the core chooses a phone channel's number (``phone_numbers.py``): Odoo's
        ``phone.blacklist`` is the do-not-disturb list, ``ar_no_call`` the opt-out."""
        return self._ar_get_phone_numbers(
            partners,
            "call",
            self.env._("Call"),
            self.env._("The customer does not want to be called."),
        )

    def _ar_call_send(self):
        """Queue the customer for a call (see the class); returns the task's reference."""
        self.ensure_one()
        call = (
            self.env["ar.followup.call"]
            .sudo()
            .with_company(self.company_id)
            ._ar_enqueue(self.company_id, self.partner_id, "cadence", self)
        )
        self.recipient = call.phone
        return "%s,%s" % (call._name, call.id)

    # -- automated calls ---------------------------------------------------------------

    @api.model
    def _ar_ivr_contact_problems(self, partners):
        """As calls (``_ar_call_contact_problems``), once the company has an Exotel account
        and a flow; without them nobody can be reached."""
        company = partners.env.company
        if self._ar_ivr_setup_problem(company):
            return dict.fromkeys(
                partners.ids, (cadence.NO_CONTACT, self._ar_ivr_setup_problem(company))
            )
        return self._ar_call_contact_problems(partners)

    @api.model
    def _ar_ivr_setup_problem(self, company):
        """Why ``company`` cannot place automated calls, or None (test mode needs nothing)."""
        Channel = self.env["ar.followup.channel"]
        account = Channel._ar_call_account(company)
        settings = Channel._ar_ivr_settings(company)
        if settings.state == "test":
            return None
        if account.call_provider != "exotel" or not settings.ivr_app_en:
            return self.env._(
                "Automated calls need the Exotel account of %s and its English flow.",
                company.name,
            )
        return None

    def _ar_ivr_send(self):
        """Call the customer into the Exotel flow of their language; returns the call sid.

        A refusal raises a ``UserError`` (next channel), an outage
        ``ArTransientError`` (retried), no answer from Exotel ``ArUncertainSendError``
        (the call may have been placed: never again).
        """
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id.with_company(company)
        problem = self._ar_ivr_setup_problem(company)
        if problem:
            raise UserError(problem)
        problem, number, text = self._ar_get_call_numbers(partner)[partner.id]
        if problem:
            raise UserError(text)
        Channel = self.env["ar.followup.channel"]
        account = Channel._ar_call_account(company)
        settings = Channel._ar_ivr_settings(company)
        hindi = (partner.lang or "").startswith("hi") and bool(settings.ivr_app_hi)
        if settings.state == "test":
            # ended by the simulator once the reminder is marked sent (_ar_mark_sent)
            attempt = (
                self.env["ar.followup.call.attempt"]
                .sudo()
                .create({"reminder_id": self.id, "to_number": number, "status": "queued"})
            )
            attempt.write(
                {"provider": "simulator", "provider_call_id": "SIM-%s" % attempt.reference}
            )
            self.recipient = number
            return attempt.provider_call_id
        attempt = (
            self.env["ar.followup.call.attempt"]
            .sudo()
            .create(
                {
                    "reminder_id": self.id,
                    "provider": "exotel",
                    "to_number": number,
                    "status": "dialling",
                }
            )
        )
        # the flow reads the reference, the amount to announce and the language
        custom = "%s|%s|%s" % (
            attempt.reference,
            float_repr(self.amount_residual, self.currency_id.decimal_places),
            "hi" if hindi else "en",
        )
        try:
            call_sid, status = attempt._ar_exotel_client(account).connect_flow(
                number,
                account.exotel_caller_id,
                settings.ivr_app_hi if hindi else settings.ivr_app_en,
                custom,
                attempt._ar_exotel_callback_url(account),
            )
        except CallError as exc:
            if exc.kind == "transient":
                raise ArTransientError(self.env._("Exotel unavailable: %s", exc)) from None
            if exc.kind == "uncertain":
                raise ArUncertainSendError(
                    self.env._(
                        "No answer from Exotel (%s): the call may have been placed. Check with "
                        "Exotel before calling again.",
                        exc,
                    )
                ) from None
            raise UserError(self.env._("Exotel refused the call: %s", exc)) from None
        attempt.write({"provider_call_id": call_sid, "status": status})
        self.recipient = number
        _logger.info("AR reminder %s: automated call to %s", self.id, masking.mask_number(number))
        return call_sid

    def _ar_mark_sent(self, reference, now, values=None):
        result = super()._ar_mark_sent(reference, now, values)
        if self.channel == "ivr":
            # test mode: the simulated call ends now, as a provider's report would say
            for attempt in self.ar_call_attempt_ids.filtered(
                lambda a: a.provider == "simulator" and a.status == "queued"
            ):
                attempt._ar_simulate()
                self._ar_ivr_apply_outcome(attempt)
        return result

    def _ar_ivr_apply_outcome(self, attempt):
        """Exotel reported the end of ``attempt``, an automated call of this reminder."""
        self.ensure_one()
        if self.state not in ("sent", "delivered"):
            return
        if attempt.status == "completed":
            self._ar_apply_report("delivered", when=attempt.date_end)
            return
        settings = self.env["ar.followup.channel"]._ar_ivr_settings(self.company_id)
        unanswered = self.ar_call_attempt_ids.filtered(lambda a: a.status in UNANSWERED)
        statuses = dict(attempt._fields["status"]._description_selection(self.env))
        line = self.env._(
            "Automated call %(count)s of %(max)s: %(status)s",
            count=len(unanswered),
            max=settings.ivr_max_attempts,
            status=statuses[attempt.status],
        )
        if len(unanswered) < settings.ivr_max_attempts:
            now = fields.Datetime.now()
            self.write(
                {
                    "state": "queued",
                    "date_sending": False,
                    "date_scheduled": now + timedelta(minutes=settings.ivr_retry_minutes),
                    "error": "\n".join(filter(None, [self.error, line])),
                }
            )
            return
        self.error = "\n".join(filter(None, [self.error, line]))
        self._ar_apply_report(
            "failed",
            reason=self.env._("%s automated calls not answered", len(unanswered)),
            when=attempt.date_end,
        )
