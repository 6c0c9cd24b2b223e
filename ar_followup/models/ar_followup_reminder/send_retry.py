# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import fields

from ...exceptions import (
    ArTemplateError,
    ArTransientError,
    ArUncertainSendError,
    ArUndeliveredError,
)
from ...tools import masking

_logger = logging.getLogger(__name__)


class ReminderSendRetry:
    """Send retries and channel fallback, when a channel cannot send a reminder.

    * a **transient** error (:class:`ArTransientError`: provider outage, rate
      limit, connection refused) requeues the reminder on the same channel after
      ``retry minutes × 2^(attempt - 1)``, up to the company's attempt limit;
    * a **permanent** error (any other exception), or the attempts exhausted,
      moves it to the next channel of its step that was not tried yet and can
      reach the customer, at once;
    * when no channel is left, or the send is **uncertain**
      (:class:`ArUncertainSendError`: the message may have left), it fails with
      every channel's error and the AR owner gets an activity;
    * a message reported **not delivered** (:class:`ArUndeliveredError`) falls back
      like a permanent error, and fails as ``undelivered`` when no channel is left;
    * a template that cannot be rendered (:class:`ArTemplateError`) skips the
      reminder with its reason (``template``): no channel would send a right text.

    Each error is appended to ``error``, so the trail shows what was tried.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    def _ar_handle_send_error(self, exc, now):
        self.ensure_one()
        if isinstance(exc, ArTemplateError):
            _logger.warning("AR reminder %s skipped: its template cannot be rendered", self.id)
            return self._ar_close("skipped", "template", str(exc))
        log = [self.error] if self.error else []
        log.append("%s: %s" % (self._ar_channel_label(self.channel), exc))
        tried = [c for c in (self.channels_tried or "").split(",") if c]
        if self.channel not in tried:
            tried.append(self.channel)
        attempts = self.attempt_count + 1
        company = self.company_id
        if isinstance(exc, ArUncertainSendError):
            return self._ar_fail_for_good(exc, now, log, tried, attempts)
        if isinstance(exc, ArTransientError) and attempts < max(company.ar_send_max_attempts, 1):
            # twice as long each time, at most a day
            delay = timedelta(
                minutes=min(company.ar_send_retry_minutes * 2 ** min(attempts - 1, 11), 1440)
            )
            _logger.info(
                "AR reminder %s: transient %s error, attempt %s, retried in %s",
                self.id,
                self.channel,
                attempts,
                delay,
            )
            self.write(
                {
                    "state": "queued",
                    "date_sending": False,
                    "date_scheduled": now + delay,
                    "attempt_count": attempts,
                    "channels_tried": ",".join(tried),
                    "error": "\n".join(log),
                }
            )
            return None
        next_channel = self._ar_next_channel(tried, log)
        if next_channel:
            _logger.info(
                "AR reminder %s: %s failed, falling back to %s", self.id, self.channel, next_channel
            )
            self.write(
                {
                    "state": "queued",
                    "channel": next_channel,
                    # a text edited for one channel does not fit another: rendered afresh
                    "text_edited": False,
                    "date_sending": False,
                    "date_scheduled": now,
                    "attempt_count": 0,
                    "channels_tried": ",".join(tried),
                    "error": "\n".join(log),
                }
            )
            return None
        return self._ar_fail_for_good(exc, now, log, tried, attempts)

    def _ar_fail_for_good(self, exc, now, log, tried, attempts):
        """Fail the reminder, keep what was tried, tell the AR owner."""
        _logger.warning("AR reminder %s could not be sent: %s", self.id, masking.mask_text(exc))
        vals = {
            "state": "failed",
            "reason": "undelivered" if isinstance(exc, ArUndeliveredError) else "error",
            "error": str(exc),
            "date_closed": fields.Datetime.now(),
            "attempt_count": attempts,
            "channels_tried": ",".join(tried),
        }
        if len(log) > 1:  # one error alone reads as it is
            vals["error"] = "\n".join(log)
            vals["reason_text"] = self.env._("No channel could send it.")
        self.write(vals)
        self._ar_schedule_failure_activity()

    def _ar_fallback_user(self):
        """Who hears of a failure when the customer has no AR owner: the user at work if an
        internal one (not the public user of a delivery report), else who approved or
        recorded the reminder."""
        user = self.env.user
        if user._is_internal():
            return user
        return self.approved_by_id or self.create_uid or self.env.ref("base.user_admin")

    def _ar_next_channel(self, tried, log):
        """The step's first channel not in ``tried`` that can reach the customer, then the
        channels the tried ones end with (``ar.followup.channel.ends_with``), or None.

        Channels that cannot reach the customer are added to ``tried``, and why to ``log``.
        """
        self.ensure_one()
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        # a manual reminder goes by the channel the user chose: no fallback, except the
        # channel a failed channel ends with (an automated call nobody answered ends in an SMS)
        features = self.env["ar.followup.channel"]._ar_features
        channels = list(self.step_id._ar_channels()) if self.step_id else []
        channels += [features(code)["ends_with"] for code in tried if features(code)["ends_with"]]
        for channel in dict.fromkeys(channels):
            if channel in tried:
                continue
            problem = self._ar_get_contact_problems(channel, self.partner_id, self.company_id).get(
                self.partner_id.id
            )
            if problem is None:
                return channel
            tried.append(channel)
            # a channel's own text names the channel
            log.append(
                problem[1] or "%s: %s" % (self._ar_channel_label(channel), reasons[problem[0]])
            )
        return None

    def _ar_schedule_failure_activity(self):
        """Tell the AR owner a reminder could not be sent (never dropped silently)."""
        self.ensure_one()
        partner = self.partner_id
        owner = partner._ar_get_owner(self.company_id)
        partner.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._(
                "Payment reminder not sent: %(customer)s (%(step)s)",
                customer=partner.display_name,
                step=self.step_id.name or self.env._("manual reminder"),
            ),
            note=self.error or self.reason_text or "",
            user_id=(owner or self._ar_fallback_user()).id,
            date_deadline=self.company_id._ar_today(),
        )
