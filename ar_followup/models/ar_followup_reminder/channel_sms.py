# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields
from odoo.exceptions import UserError

from ...exceptions import ArTransientError, ArUncertainSendError
from ...tools import masking, sms_transport

_logger = logging.getLogger(__name__)

#: failure types of ``sms.sms`` where the provider may have taken the SMS (no recorded answer)
UNCERTAIN_SMS_FAILURES = {"sms_server"}


class ReminderSms:
    """The SMS channel of reminders, through Odoo's ``sms`` stack.

    Whatever provider the company's SMS settings name (Odoo IAP, ``sms_twilio``...)
    sends it: the SMS is posted on the customer's chatter (``_message_sms``) and
    sent at once, in the dispatch transaction, so the reminder knows how it went:
    sent (reference: the ``sms.sms`` uuid), or an error the retry logic sorts
    into transient, permanent or uncertain (``exceptions.py``). Delivery
    reports come back through ``sms.tracker`` (see ``models/sms_tracker.py``).
    Each SMS is committed on its own: an interrupted one fails for a person to
    check (the provider may have it).

    The number is chosen as for every phone channel (``phone_numbers.py``): an
    invoicing contact's, else the customer's; ``ar_no_sms`` and Odoo's
    ``phone.blacklist`` mean do not contact.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    # -- contact data ----------------------------------------------------------------

    @api.model
    def _ar_sms_contact_problems(self, partners):
        """See ``channels.py``: a valid number that is not blacklisted."""
        return {
            pid: (problem, text) if problem else None
            for pid, (problem, _number, text) in self._ar_get_sms_numbers(partners).items()
        }

    @api.model
    def _ar_get_sms_numbers(self, partners):
        """``{partner id: (problem, E.164 number or None, reason text or None)}`` for SMS
        (see ``phone_numbers.py``)."""
        return self._ar_get_phone_numbers(
            partners,
            "sms",
            self.env._("SMS"),
            self.env._("The customer does not want SMS reminders."),
        )

    # -- sending -----------------------------------------------------------------------

    def _ar_sms_send(self):
        """Post the SMS on the customer's chatter and send it now; returns its uuid.

        Refused before anything is sent when there is no SMS template, its DLT
        registration is incomplete or the number cannot be used (permanent errors). A provider
        error raises :class:`ArTransientError` (nothing left, try later),
        :class:`ArUncertainSendError` (it may have left) or a ``UserError``.
        """
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id.with_company(company)
        template = self._ar_get_template()
        if not template:
            # the default text is an HTML list for e-mail, never an SMS
            stage = self.stage or self.step_id.stage
            stages = dict(self._fields["stage"]._description_selection(self.env))
            raise UserError(
                self.env._("No SMS template for the stage %s.", stages.get(stage, stage))
            )
        dlt_problem = self._ar_sms_dlt_problem(template, company)
        if dlt_problem:
            raise UserError(dlt_problem)
        owner = partner._ar_get_owner(company)
        return self._ar_sms_post_and_send(
            self._ar_get_content()["body"] or "", owner.partner_id or company.partner_id
        )

    @api.model
    def _ar_sms_reply_problem(self, conversation):
        """An answer by SMS needs the company's DLT entity and sender header in India, as
        every SMS there does; the text itself is the user's, so the operator delivers
        it only when it matches a content template the company registered on DLT."""
        company = conversation.company_id
        if company.country_id.code == "IN" and not (
            company.ar_sms_dlt_entity_id and company.ar_sms_dlt_header
        ):
            return self.env._(
                "%s cannot send SMS: DLT registration incomplete (entity ID, sender header).",
                company.name,
            )
        return None

    def _ar_sms_send_reply(self):
        """An answer from the AR inbox: this reminder's text by SMS, from the user who
        wrote it; returns the SMS uuid."""
        self.ensure_one()
        return self._ar_sms_post_and_send(self.text or "", self.env.user.partner_id)

    def _ar_sms_post_and_send(self, body, author):
        """Post ``body`` by SMS on the customer's chatter (by ``author``), to the number
        the channel chooses, and send it now; returns its uuid."""
        self.ensure_one()
        company = self.company_id
        partner = self.partner_id.with_company(company)
        problem, number, text = self._ar_get_sms_numbers(partner)[partner.id]
        if problem:
            raise UserError(text or self.env._("The customer cannot be reached by SMS."))
        message = partner.with_context(mail_post_autofollow=False)._message_sms(
            body,
            # to the number checked above; followers are not notified
            partner_ids=[],
            sms_numbers=[number],
            put_in_queue=True,  # sent below, with an API that reports each outcome
            author_id=author.id,
            notify_skip_followers=True,
        )
        sms = self.env["sms.sms"].sudo().search([("mail_message_id", "=", message.id)], limit=1)
        if not sms:
            raise UserError(self.env._("No SMS was created for %s.", partner.display_name))
        api = self._ar_get_sms_api(company)
        sms.with_context(sms_api=api).with_company(company)._send(
            unlink_failed=False, unlink_sent=True, raise_exception=False
        )
        self.write(
            {
                "mail_message_id": message.id,
                "recipient": number,
                "recipient_note": self._ar_describe_number(number),
            }
        )
        if sms.state not in ("pending", "sent", "process"):
            self._ar_raise_sms_error(sms, getattr(api, "outcomes", {}).get(sms.uuid))
        _logger.info("AR reminder %s: SMS sent to %s", self.id, masking.mask_number(number))
        return sms.uuid

    @api.model
    def _ar_sms_dlt_problem(self, template, company):
        """Why the SMS ``template`` cannot be sent for ``company`` under DLT rules, or None.

        DLT applies to companies in India: without the entity ID, the sender header
        and the template ID, operators drop the message, so it is refused before.
        """
        if company.country_id.code != "IN":
            return None
        missing = [
            label
            for label, value in (
                (self.env._("the company's DLT entity ID"), company.ar_sms_dlt_entity_id),
                (self.env._("the company's DLT sender header"), company.ar_sms_dlt_header),
                (self.env._("the template's DLT template ID"), template.sms_dlt_template_id),
            )
            if not value
        ]
        if not missing:
            return None
        return self.env._(
            "SMS template %(template)s cannot be sent from %(company)s: DLT registration "
            "incomplete, missing %(missing)s.",
            template=template.name,
            company=company.name,
            missing=", ".join(missing),
        )

    @api.model
    def _ar_get_sms_api(self, company):
        """An instance of ``company``'s SMS API recording each request's outcome."""
        api_class = sms_transport.recording_api_class(company.sudo()._get_sms_api_class())
        api = api_class(self.env)
        api._set_company(company)
        return api

    def _ar_raise_sms_error(self, sms, outcome):
        """Raise the error matching a failed ``sms`` (see :mod:`..exceptions`)."""
        notification = (
            self.env["mail.notification"].sudo().search([("sms_id_int", "=", sms.id)], limit=1)
        )
        reason = notification.failure_reason or dict(
            sms._fields["failure_type"]._description_selection(self.env)
        ).get(sms.failure_type, sms.failure_type or self.env._("unknown error"))
        reason = masking.mask_text(str(reason))
        kind = sms_transport.outcome_kind(outcome)
        if kind is None:
            # no answer recorded (Odoo IAP...): Odoo reports a timeout after the request left
            # as a server error too, so the SMS may be out; never sent twice
            kind = "uncertain" if sms.failure_type in UNCERTAIN_SMS_FAILURES else "permanent"
        if kind == "transient":
            raise ArTransientError(
                self.env._(
                    "SMS provider unavailable (%(outcome)s): %(reason)s",
                    outcome=outcome or sms.failure_type,
                    reason=reason,
                )
            )
        if kind == "uncertain":
            raise ArUncertainSendError(
                self.env._(
                    "No answer from the SMS provider (%s): the SMS may have been sent. "
                    "Check with the provider before sending again.",
                    outcome,
                )
            )
        raise UserError(self.env._("SMS refused by the provider: %s", reason))

    @api.model
    def _ar_sms_apply_tracker_report(self, trackers, notification_status, failure_reason=None):
        """A provider's report on SMS (``sms.tracker``, see ``models/sms_tracker.py``):
        delivered, or not delivered (the reminder falls back)."""
        status = {"sent": "delivered", "exception": "failed", "bounce": "failed"}.get(
            notification_status
        )
        if not status:
            return self
        reminders = self.sudo().search(
            [
                ("channel", "=", "sms"),
                ("provider_message_id", "in", trackers.mapped("sms_uuid")),
            ]
        )
        return reminders._ar_apply_report(
            status,
            reason=masking.mask_text(failure_reason) if failure_reason else None,
            when=fields.Datetime.now(),
        )
