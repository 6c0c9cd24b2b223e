# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from ...tools import masking, phone


class ReminderRecipients:
    """Whom a reminder went to, and why: the text kept in ``recipient_note``.

    The channels choose the recipients (``channel_email.py``, ``phone_numbers.py``);
    this says, for the AR team reading the reminder, which rule chose each one:
    a follow-up contact of the customer (``ar.followup.contact``), an escalation
    contact from its step, an invoicing contact, or the customer itself.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    def _ar_get_named_contacts(self):
        """``{(customer id, company id): {person: ar.followup.contact}}``: the follow-up
        contacts of these reminders' customers, in one search (a dispatch batch reads
        them ahead, see ``channel_email.py``)."""
        contacts = (
            self.env["ar.followup.contact"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", self.partner_id.commercial_partner_id.ids),
                    ("company_id", "in", self.company_id.ids),
                ],
                ["partner_id", "company_id", "contact_id", "role", "step_id"],
            )
        )
        named = {(r.partner_id.commercial_partner_id.id, r.company_id.id): {} for r in self}
        for contact in contacts:
            key = (contact.partner_id.id, contact.company_id.id)
            named.setdefault(key, {})[contact.contact_id] = contact
        return named

    def _ar_named_contacts(self):
        """``{person: ar.followup.contact}``: this reminder's customer's follow-up contacts
        in its company (read ahead for a dispatch batch, else one search)."""
        self.ensure_one()
        key = (self.partner_id.commercial_partner_id.id, self.company_id.id)
        memo = self._ar_send_memo("named")
        return (memo if key in memo else self._ar_get_named_contacts()).get(key, {})

    def _ar_split_recipients(self, recipients, named=None):
        """``(to, cc)``: ``recipients`` (partners) as the reminder addresses them. The
        *Cc* and *Escalation* follow-up contacts are copied (``Cc:``), everyone else is
        addressed (``To:``). When nobody is left to address (the *To* contacts opted
        out), the copied are addressed instead: a message copied to people but
        addressed to nobody reads as sent by mistake. ``named``: what
        :meth:`_ar_named_contacts` returns, when read already."""
        named = self._ar_named_contacts() if named is None else named
        copied = recipients.filtered(lambda r: r in named and named[r].role != "to")
        if copied == recipients:
            return recipients, recipients.browse()
        return recipients - copied, copied

    def _ar_describe_recipients(self, recipients, named=None):
        """``To: …; Cc: …`` naming each of ``recipients`` (partners) with its reason, as
        :meth:`_ar_split_recipients` addresses them (``named``: as there)."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        named = self._ar_named_contacts() if named is None else named

        def describe(recipient):
            contact = named.get(recipient)
            if contact and contact.role == "escalation":
                why = self.env._("escalation from step %s", contact.step_id.name)
            elif contact:
                why = self.env._("follow-up contact")
            elif recipient == customer:
                why = self.env._("the customer's own address")
            else:
                why = self.env._("invoicing contact")
            return "%s (%s)" % (recipient.name or recipient.display_name, why)

        to, cc = (
            [describe(recipient) for recipient in group]
            for group in self._ar_split_recipients(recipients, named)
        )
        parts = []
        if to:
            parts.append(self.env._("To: %s", ", ".join(to)))
        if cc:
            parts.append(self.env._("Cc: %s", ", ".join(cc)))
        return "; ".join(parts)

    def _ar_describe_number(self, number):
        """``To: …`` naming whose number ``number`` (E.164) is among those a phone
        channel may use for this reminder's customer (see ``phone_numbers.py``)."""
        self.ensure_one()
        return self._ar_describe_numbers({self.id: number})[self.id]

    def _ar_describe_numbers(self, numbers):
        """``{reminder id: note}``: :meth:`_ar_describe_number` for these reminders, sent
        by their channel to ``numbers`` (``{reminder id: E.164}``); the follow-up
        contacts read once for all, not per reminder."""
        named = self._ar_get_named_contacts()
        notes = {}
        for (company, channel), reminders in self.grouped(
            lambda r: (r.company_id, r.channel)
        ).items():
            customers = reminders.partner_id.commercial_partner_id
            followup = self.env["ar.followup.contact"]._ar_get_contacts(customers, company, channel)
            for reminder in reminders:
                number = numbers[reminder.id]
                partner = reminder.partner_id.with_company(company)
                customer = partner.commercial_partner_id
                notes[reminder.id] = self.env._("To: %s", masking.mask_number(number))
                for contact in self._ar_get_phone_contacts(partner, followup.get(customer.id)):
                    raw = self._ar_partner_number(contact)
                    region = (
                        contact.country_id
                        or contact.commercial_partner_id.country_id
                        or contact.company_id.country_id
                        or company.country_id
                    ).code
                    if raw and phone.normalize(raw, region).e164 == number:
                        notes[reminder.id] = reminder._ar_describe_recipients(
                            contact, named.get((customer.id, company.id), {})
                        )
                        break
        return notes
