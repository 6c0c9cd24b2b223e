# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from markupsafe import Markup

from odoo import fields
from odoo.exceptions import AccessError

from ..tools import masking


class PartnerPersonalData:
    """A customer's rights over what the follow-up holds on it (DPDP Act 2023): an export
    of everything (right to access) and the erasure of what no law requires to keep
    (part of ``res.partner``, see ``res_partner.py``).

    Channel addons add what they hold by extending :meth:`_ar_export_followup_data`
    and :meth:`_ar_erase_followup_data`.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    def _ar_check_personal_data_access(self):
        if not self.env.su and not self.env.user.has_group("ar_followup.ar_followup_group_manager"):
            raise AccessError(
                self.env._("Only AR Follow-up managers can export or erase follow-up data.")
            )
        self.check_access("read")

    def action_ar_export_data(self):
        """Everything the follow-up holds on this customer, as a JSON file attached to it."""
        self.ensure_one()
        self._ar_check_personal_data_access()
        partner = self.commercial_partner_id.sudo()
        data = partner._ar_export_followup_data()
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self.env._("Follow-up data - %s.json", partner.name),
                    "raw": json.dumps(data, indent=2, ensure_ascii=False, default=str).encode(),
                    "mimetype": "application/json",
                    "res_model": partner._name,
                    "res_id": partner.id,
                }
            )
        )
        partner.message_post(
            body=self.env._("Follow-up data exported by %s.", self.env.user.name),
            subtype_xmlid="mail.mt_note",
            author_id=self.env.user.partner_id.id,
        )
        return {
            "type": "ir.actions.act_url",
            "url": "/web/content/%s?download=true" % attachment.id,
            "target": "self",
        }

    def _ar_export_followup_data(self):
        """``{section: [row]}`` of what the follow-up holds on this customer (commercial
        partner, in sudo), every company: plain JSON values."""
        self.ensure_one()
        contacts = self.with_context(active_test=False).search(
            [("commercial_partner_id", "=", self.id)]
        )
        Reminder = self.env["ar.followup.reminder"].with_context(active_test=False)
        reminders = Reminder.search([("partner_id", "=", self.id)], order="id")
        return {
            "customer": {
                "name": self.name,
                "contacts": [
                    {"name": c.name, "email": c.email, "phone": c.phone} for c in contacts
                ],
            },
            "reminders": _rows(
                reminders,
                [
                    "company_id",
                    "date",
                    "channel",
                    "state",
                    "reason",
                    "amount_residual",
                    "subject",
                    "text",
                    "body",
                    "recipient",
                    "date_sent",
                    "date_delivered",
                    "date_read",
                    "date_replied",
                ],
            ),
            "messages": _rows(
                self.env["mail.message"].search(
                    [("model", "=", "res.partner"), ("res_id", "in", contacts.ids)], order="id"
                ),
                ["date", "message_type", "subject", "body", "email_from"],
            ),
            "clicks": _rows(
                self.env["ar.followup.reminder.click"].search(
                    [("reminder_id", "in", reminders.ids)], order="id"
                ),
                ["reminder_id", "kind", "date", "scanner"],
            ),
            "disputes": _rows(
                self.env["ar.followup.dispute"].search([("partner_id", "=", self.id)], order="id"),
                ["name", "company_id", "state", "reason", "amount", "description", "date_raised"],
            ),
            "promises": _rows(
                self.env["ar.followup.promise"].search([("partner_id", "=", self.id)], order="id"),
                ["name", "company_id", "state", "amount", "date", "date_promised", "note"],
            ),
            "consents": _rows(
                self.env["ar.followup.consent"].search([("customer_id", "=", self.id)], order="id"),
                ["partner_id", "channel", "state", "date", "source", "user_id", "address", "note"],
            ),
        }

    def action_ar_erase_data(self):
        """Erase what the follow-up holds on this customer and no law requires to keep,
        with a note saying so on the customer."""
        self.ensure_one()
        self._ar_check_personal_data_access()
        partner = self.commercial_partner_id.sudo()
        counts = partner._ar_erase_followup_data()
        partner.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Follow-up data erased by %(user)s: %(clicks)s link clicks, %(numbers)s "
                "addresses and numbers, %(bodies)s message texts past retention. Invoices, "
                "payments, amounts and dates are kept.",
                user=self.env.user.name,
                clicks=counts.get("clicks", 0),
                numbers=counts.get("recipients", 0),
                bodies=counts.get("bodies", 0),
            ),
            subtype_xmlid="mail.mt_note",
            author_id=self.env.user.partner_id.id,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Follow-up data of %s erased.", partner.name),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _ar_erase_followup_data(self):
        """Erase, for this customer (commercial partner, in sudo), what the law lets go:
        every tracked-link click, the addresses and numbers reminders went to (masked),
        and the texts of reminders sent before each company's message retention.
        Returns ``{what: how many}``; channel addons add theirs."""
        self.ensure_one()
        reminders = self.env["ar.followup.reminder"].search([("partner_id", "=", self.id)])
        clicks = self.env["ar.followup.reminder.click"].search(
            [("reminder_id", "in", reminders.ids)]
        )
        counts = {"clicks": len(clicks)}
        clicks.unlink()
        with_recipient = reminders.filtered("recipient")
        # one write per address, not per reminder
        for recipient, same in with_recipient.grouped("recipient").items():
            same.write({"recipient": _mask_recipients(recipient)})
        counts["recipients"] = len(with_recipient)
        old = self.env["ar.followup.reminder"]
        for company, company_reminders in reminders.grouped("company_id").items():
            old |= company_reminders.filtered_domain(company._ar_get_retention_domain())
        counts["bodies"] = old._ar_erase_texts()
        return counts


def _mask_recipients(recipients):
    """``"a@x.in, +919820012345"`` → ``"a***@x.in, +91*******345"``."""
    return ", ".join(
        masking.mask_number(part) if part.startswith("+") else masking.mask_text(part)
        for part in (p.strip() for p in recipients.split(","))
    )


def _rows(records, names):
    """``records`` as a list of JSON-ready dicts of the fields ``names`` (names for
    relations, ISO strings for dates)."""
    rows = []
    for record in records:
        row = {"id": record.id}
        for name in names:
            value = record[name]
            field = record._fields[name]
            if field.type in ("many2one", "many2many", "one2many"):
                value = value.mapped("display_name")
                value = value[0] if field.type == "many2one" and value else value or None
            elif field.type == "datetime" and value:
                value = fields.Datetime.to_string(value)
            elif field.type == "date" and value:
                value = fields.Date.to_string(value)
            elif value is False and field.type not in ("boolean",):
                value = None
            row[name] = value
        rows.append(row)
    return rows
