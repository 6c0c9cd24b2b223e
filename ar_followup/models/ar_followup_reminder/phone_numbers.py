# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api

from ...tools import cadence, masking, phone


class ReminderPhoneNumbers:
    """The number a phone channel (SMS, WhatsApp, calls) reaches a customer at.

    The first valid number of the customer's follow-up *To* contacts taking the
    channel (``ar.followup.contact``), else of its invoicing contacts (as e-mails
    go to them), else the customer's own, in E.164, read in the contact's country (else
    the customer's, the contact's company's, the reminding company's). An
    invoicing or follow-up contact refusing the channel (its own
    ``ar_no_<channel>``) is left out, and when all of them refuse it the customer
    is not reached on it. The
    customer's own refusal and Odoo's ``phone.blacklist`` mean do not contact.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    @api.model
    def _ar_partner_number(self, partner):
        """The number reminders go to for ``partner``: its mobile, else its phone."""
        return ("mobile" in partner._fields and partner.mobile) or partner.phone

    @api.model
    def _ar_get_phone_contacts(self, partner, followup=None):
        """Who may be reached by phone for the customer ``partner``, in order: its
        follow-up *To* contacts ``followup`` (``ar.followup.contact``) with a number
        when there are any, else its invoicing contacts with a number, then the
        customer itself."""
        customer = partner.commercial_partner_id
        named = (followup or self.env["ar.followup.contact"]).filtered(lambda c: c.role == "to")
        contacts = named.contact_id.filtered(self._ar_partner_number)
        if not contacts:
            contacts = customer.child_ids.filtered(
                lambda c: c.type == "invoice" and self._ar_partner_number(c)
            )
        return [*contacts, customer]

    @api.model
    def _ar_get_phone_numbers(self, partners, channel, label, refused):
        """``{partner id: (problem, E.164 number or None, reason text or None)}`` for the
        phone channel ``channel``, named ``label`` in the texts.

        ``problem`` is None when the customer can be reached at the number, else
        ``do_not_contact`` (``refused``: why, a text or a function of the customer,
        when the customer refuses the channel; every invoicing or follow-up contact
        refusing it;
        a blacklisted number) or ``no_contact`` (a missing or invalid number, with
        why). One blacklist search for all ``partners``.
        """
        flag = "ar_no_%s" % channel
        checks, result = {}, {}
        followup = self.env["ar.followup.contact"]._ar_get_contacts(
            partners.commercial_partner_id, partners.env.company, channel
        )
        for partner in partners:
            if not partner._ar_is_channel_allowed(channel):
                text = refused(partner.commercial_partner_id) if callable(refused) else refused
                result[partner.id] = (cadence.DO_NOT_CONTACT, None, text)
                continue
            named = followup.get(partner.commercial_partner_id.id, self.env["ar.followup.contact"])
            candidates = self._ar_get_phone_contacts(partner, named)
            allowed = [
                c for c in candidates if c == candidates[-1] or not (flag in c._fields and c[flag])
            ]
            if len(candidates) > 1 and len(allowed) == 1:
                result[partner.id] = (
                    cadence.DO_NOT_CONTACT,
                    None,
                    self.env._("%s: every follow-up contact refuses these reminders.", label)
                    if set(candidates) & set(named.contact_id)
                    else self.env._("%s: every invoicing contact refuses these reminders.", label),
                )
                continue
            # the first valid number; none valid: the first one tried says why
            tried = []
            for contact in allowed:
                raw = self._ar_partner_number(contact)
                region = (
                    contact.country_id
                    or contact.commercial_partner_id.country_id
                    or contact.company_id.country_id
                    or partner.env.company.country_id
                ).code
                tried.append((raw, phone.normalize(raw, region)))
                if tried[-1][1].e164:
                    break
            checks[partner.id] = tried[-1] if tried[-1][1].e164 else tried[0]
        numbers = {check.e164 for _raw, check in checks.values() if check.e164}
        blacklisted = set(
            self.env["phone.blacklist"]
            .sudo()
            .search([("number", "in", list(numbers))])
            .mapped("number")
            if numbers
            else ()
        )
        errors = {
            "missing": self.env._("no phone number"),
            "unparsable": self.env._("not a phone number"),
            "invalid": self.env._("not a valid number for its country"),
        }
        for pid, (raw, check) in checks.items():
            if check.error:
                digits = "".join(c for c in raw or "" if c.isdigit() or c == "+")
                result[pid] = (
                    cadence.NO_CONTACT,
                    None,
                    self.env._(
                        "%(channel)s: %(problem)s (%(number)s).",
                        channel=label,
                        problem=errors[check.error],
                        number=masking.mask_number(digits) or "-",
                    ),
                )
            elif check.e164 in blacklisted:
                result[pid] = (
                    cadence.DO_NOT_CONTACT,
                    check.e164,
                    self.env._(
                        "%(channel)s: the number %(number)s is blacklisted.",
                        channel=label,
                        number=masking.mask_number(check.e164),
                    ),
                )
            else:
                result[pid] = (None, check.e164, None)
        return result
