# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import api, models

from odoo.addons.ar_followup.tools import cadence, phone


class ArFollowupReminder(models.Model):
    """The channel *Phone call* on the reminder's side of the channel contract.

    Sending a call reminder queues its customer for a collector (the open
    ``ar.followup.call`` of the customer, created when missing) instead of
    sending a message: the reminder is sent once queued, and the task's outcome
    reports back (``ar.followup.call._ar_report_outcome``).
    """

    _inherit = "ar.followup.reminder"

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
        """``{partner id: (problem, E.164 number or None, reason text or None)}`` for calls.

        The number of the first invoicing contact with a valid one, else the
        customer's (as SMS); ``do_not_contact`` when the customer opted out of
        calls (``ar_no_call``) or the number is on Odoo's ``phone.blacklist``, the
        do-not-disturb list; ``no_contact`` when it is missing or invalid.
        """
        checks = {}
        for partner in partners:
            tried = []
            for number_partner in self._ar_get_sms_contacts(partner):
                raw = self._ar_partner_number(number_partner)
                region = (
                    number_partner.country_id
                    or number_partner.commercial_partner_id.country_id
                    or partner.env.company.country_id
                ).code
                tried.append((partner, raw, phone.normalize(raw, region)))
                if tried[-1][2].e164:
                    break
            checks[partner.id] = tried[-1] if tried[-1][2].e164 else tried[0]
        numbers = [check.e164 for _p, _raw, check in checks.values() if check.e164]
        dnd = set(
            self.env["phone.blacklist"].sudo().search([("number", "in", numbers)]).mapped("number")
            if numbers
            else ()
        )
        errors = {
            "missing": self.env._("no phone number"),
            "unparsable": self.env._("not a phone number"),
            "invalid": self.env._("not a valid number for its country"),
        }
        result = {}
        for pid, (partner, raw, check) in checks.items():
            if not partner._ar_is_channel_allowed("call"):
                result[pid] = (
                    cadence.DO_NOT_CONTACT,
                    None,
                    self.env._("The customer does not want to be called."),
                )
            elif check.error:
                result[pid] = (
                    cadence.NO_CONTACT,
                    None,
                    self.env._(
                        "Call: %(problem)s (%(number)s).",
                        problem=errors[check.error],
                        number=phone.mask(re.sub(r"[^\d+]", "", raw or "")) or "-",
                    ),
                )
            elif check.e164 in dnd:
                result[pid] = (
                    cadence.DO_NOT_CONTACT,
                    check.e164,
                    self.env._(
                        "Call: the number %s is on the do-not-disturb list.", phone.mask(check.e164)
                    ),
                )
            else:
                result[pid] = (None, check.e164, None)
        return result

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
