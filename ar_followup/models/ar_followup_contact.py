# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: roles of a follow-up contact, in the order a reminder names them
ROLES = [("to", "To"), ("cc", "Cc"), ("escalation", "Escalation")]


class ArFollowupContact(models.Model):
    """Who receives a customer's payment reminders in one company, instead of (or
    besides) its invoicing contacts.

    The address that receives invoices is often a scanning mailbox, not the
    person who pays: the AR team names the people to chase here. *To* contacts
    replace the invoicing contacts on the channels they have; *Cc* contacts are
    added; an *Escalation* contact is added from the chosen step of the cadence
    on. Each is checked alone before each reminder (its own opt-outs, the
    blacklists), so one contact refusing reminders leaves the others reached.
    The reminder records whom it went to and why (``recipient_note``).
    """

    _name = "ar.followup.contact"
    _description = "Follow-up Contact"
    _order = "partner_id, company_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("parent_id", "=", False)],
        help="The customer (commercial entity) whose reminders the contact receives.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    contact_id = fields.Many2one(
        "res.partner",
        "Contact",
        required=True,
        index=True,
        ondelete="cascade",
        help="One of the customer's contacts, or any other person.",
    )
    role = fields.Selection(
        ROLES,
        required=True,
        default="to",
        help="To: receives the reminders instead of the invoicing contacts. Cc: receives them "
        "too. Escalation: receives them from the chosen step of the cadence on.",
    )
    step_id = fields.Many2one(
        "ar.followup.policy.step",
        "From Step",
        ondelete="cascade",
        help="Escalation contacts receive the reminders of this step and of the later steps of "
        "its policy.",
    )
    channel_ids = fields.Many2many(
        "ar.followup.channel",
        string="Channels",
        check_company=True,
        default=lambda self: self._default_channel_ids(),
        help="The channels by which this contact receives reminders (a channel needs the "
        "contact's address or number).",
    )
    email = fields.Char(related="contact_id.email")
    phone = fields.Char(related="contact_id.phone")
    active = fields.Boolean(default=True)

    _contact_unique = models.UniqueIndex(
        "(partner_id, company_id, contact_id)",
        "A person is a follow-up contact of a customer once per company.",
    )

    @api.model
    def _default_channel_ids(self):
        return self.env["ar.followup.channel"].search([("company_id", "=", self.env.company.id)])

    @api.depends("contact_id", "role")
    def _compute_display_name(self):
        roles = dict(self._fields["role"]._description_selection(self.env))
        for contact in self:
            contact.display_name = "%s (%s)" % (
                contact.contact_id.display_name or "",
                roles.get(contact.role, ""),
            )

    @api.constrains("partner_id")
    def _check_partner_id(self):
        # reminders go to commercial entities: a contact of a child would never be read
        for contact in self:
            if contact.partner_id != contact.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Follow-up contacts belong to the customer %s, not to one of its contacts.",
                        contact.partner_id.commercial_partner_id.display_name,
                    )
                )

    @api.constrains("role", "step_id")
    def _check_step_id(self):
        for contact in self:
            if contact.role == "escalation" and not contact.step_id:
                raise ValidationError(
                    self.env._(
                        "Choose the step from which %s receives the reminders.",
                        contact.contact_id.display_name,
                    )
                )

    @api.model
    def _ar_get_contacts(self, partners, company, channel):
        """``{customer id: follow-up contacts}`` of the customers ``partners``
        (commercial entities) in ``company`` that take reminders by ``channel``
        (a channel code), in one search."""
        contacts = self.sudo().search_fetch(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("channel_ids.code", "=", channel),
            ],
            ["partner_id", "contact_id", "role", "step_id"],
        )
        return {partner.id: found for partner, found in contacts.grouped("partner_id").items()}

    def _ar_applies_to(self, step):
        """The contacts of ``self`` who receive a reminder of ``step`` (a policy step,
        or nothing for a manual reminder): every *To* and *Cc*, and the *Escalation*
        contacts whose step is ``step`` or an earlier step of its policy."""

        def applies(contact):
            if contact.role != "escalation":
                return True
            start = contact.step_id
            return (
                bool(step)
                and start.policy_id == step.policy_id
                and ((start.sequence, start.id) <= (step.sequence, step.id))
            )

        return self.filtered(applies)
