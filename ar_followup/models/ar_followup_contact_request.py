# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.mail import email_normalize

from ..tools import phone

#: the longest name a debtor may give
NAME_MAX = 128


class ArFollowupContactRequest(models.Model):
    """A debtor's proposal, from the receivables page, of whom reminders should reach.

    Nothing changes until the AR team approves it: a link in a reminder may be
    forwarded, so a proposal is only a proposal. Approving makes the person the
    customer's follow-up *To* contact in the company (``ar.followup.contact``)
    and sets the customer's preferred channel and language; rejecting keeps
    the reason. Every step is noted on the customer's thread.
    """

    _name = "ar.followup.contact.request"
    _description = "Follow-up Contact Update Request"
    _order = "create_date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    name = fields.Char("Contact Name", required=True, readonly=True)
    email = fields.Char("Billing E-mail", readonly=True)
    mobile = fields.Char(
        "WhatsApp / Mobile", readonly=True, help="The number given, in international format."
    )
    channel = fields.Selection(selection="_selection_channel", string="Preferred Channel")
    lang = fields.Selection(selection="_selection_lang", string="Language")
    requested_by = fields.Char(
        "Proposed By", readonly=True, help="The portal user, or the holder of a reminder's link."
    )
    state = fields.Selection(
        [("pending", "To Review"), ("approved", "Approved"), ("rejected", "Rejected")],
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    reject_reason = fields.Char("Rejection Reason")
    contact_id = fields.Many2one(
        "ar.followup.contact",
        "Follow-up Contact",
        readonly=True,
        ondelete="set null",
        help="The follow-up contact the approval made or updated.",
    )
    decided_by_id = fields.Many2one("res.users", "Reviewed By", readonly=True)
    date_decided = fields.Datetime("Reviewed On", readonly=True)

    @api.model
    def _selection_channel(self):
        return self.env["ar.followup.channel"]._ar_selection()

    @api.model
    def _selection_lang(self):
        return self.env["res.lang"].get_installed()

    # -- from the receivables page -------------------------------------------------

    @api.model
    def _ar_create_from_portal(self, partner, company, values, actor=None):
        """Record what the debtor of ``partner`` (a customer, as superuser, checked by
        the caller) proposes in ``company``: ``values`` holds ``name``, ``email``,
        ``mobile``, ``channel``, ``lang`` as posted. Raises a translated
        :class:`UserError` on what a debtor can get wrong; nothing is recorded then."""
        prepared = self._ar_prepare_portal_vals(partner, company, values)
        request = self.sudo().create({**prepared, "requested_by": actor or partner.name})
        partner.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
                "%(who)s proposed on the receivables page to send reminders to %(what)s. "
                "It waits for the AR team's review.",
                who=actor or partner.name,
                what=request._ar_summary(),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return request

    @api.model
    def _ar_prepare_portal_vals(self, partner, company, values):
        """The request's values from the form's ``values``, checked."""
        name = (values.get("name") or "").strip()
        if not name:
            raise UserError(self.env._("Give the name of the person we should contact."))
        if len(name) > NAME_MAX:
            raise UserError(self.env._("Give a name of at most %s characters.", NAME_MAX))
        raw_email = (values.get("email") or "").strip()
        email = email_normalize(raw_email) if raw_email else False
        if raw_email and not email:
            raise UserError(self.env._("%s is not a valid e-mail address.", raw_email[:NAME_MAX]))
        raw_mobile = (values.get("mobile") or "").strip()
        mobile = False
        if raw_mobile:
            region = (partner.country_id or company.country_id).code
            check = phone.normalize(raw_mobile, region)
            if not check.e164:
                raise UserError(
                    self.env._(
                        "%s is not a valid mobile number; give it with its country code, "
                        "e.g. +91 98200 12345.",
                        raw_mobile[:32],
                    )
                )
            mobile = check.e164
        if not email and not mobile:
            raise UserError(self.env._("Give an e-mail address or a mobile number."))
        channel = values.get("channel") or False
        if channel and channel not in dict(self._selection_channel()):
            raise UserError(self.env._("Choose the channel from the list."))
        lang = values.get("lang") or False
        if lang and lang not in dict(self._selection_lang()):
            raise UserError(self.env._("Choose the language from the list."))
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "name": name,
            "email": email,
            "mobile": mobile,
            "channel": channel,
            "lang": lang,
        }

    def _ar_summary(self):
        """``name <e-mail>, +91…, by WhatsApp, in Hindi``: what the request proposes."""
        self.ensure_one()
        parts = [self.name]
        if self.email:
            parts.append(self.email)
        if self.mobile:
            parts.append(self.mobile)
        if self.channel:
            channels = dict(self._selection_channel())
            parts.append(self.env._("by %s", channels.get(self.channel, self.channel)))
        if self.lang:
            parts.append(self.env._("in %s", dict(self._selection_lang()).get(self.lang)))
        return ", ".join(parts)

    # -- review ------------------------------------------------------------------

    def _ar_check_reviewer(self):
        self.env["ar.followup.reminder"]._ar_check_user()
        self.check_access("read")
        if any(request.state != "pending" for request in self):
            raise UserError(self.env._("Only requests waiting for review can be decided."))
        return self.sudo()

    def action_approve(self):
        """Make the person the customer's follow-up *To* contact in the request's company
        (the other *To* contacts there are archived: the debtor named whom to chase),
        and set the customer's preferred channel and language."""
        requests = self._ar_check_reviewer()
        for request in requests:
            contact = request._ar_apply()
            request.write(
                {
                    "state": "approved",
                    "contact_id": contact.id,
                    "decided_by_id": self.env.uid,
                    "date_decided": fields.Datetime.now(),
                }
            )
            request.partner_id.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "%(user)s approved the contact update proposed on the receivables page: "
                    "reminders now go to %(what)s.",
                    user=self.env.user.name,
                    what=request._ar_summary(),
                ),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )
        return True

    def _ar_apply(self):
        """The follow-up contact of the request, made or updated; the customer's
        preferences set. Returns the ``ar.followup.contact``."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        person = self._ar_find_person(customer)
        values = {"email": self.email} if self.email else {}
        if self.mobile:
            values["phone"] = self.mobile
        if self.lang:
            values["lang"] = self.lang
        if person:
            person.write(values)
        else:
            person = self.env["res.partner"].create(
                {"name": self.name, "parent_id": customer.id, "type": "contact", **values}
            )
        Contact = self.env["ar.followup.contact"].with_company(self.company_id)
        others = Contact.search(
            [
                ("partner_id", "=", customer.id),
                ("company_id", "=", self.company_id.id),
                ("role", "=", "to"),
                ("contact_id", "!=", person.id),
            ]
        )
        others.active = False
        contact = Contact.with_context(active_test=False).search(
            [
                ("partner_id", "=", customer.id),
                ("company_id", "=", self.company_id.id),
                ("contact_id", "=", person.id),
            ]
        )
        channels = Contact._default_channel_ids()
        if contact:
            contact.write(
                {
                    "role": "to",
                    "active": True,
                    "step_id": False,
                    "channel_ids": [Command.set(channels.ids)],
                }
            )
        else:
            contact = Contact.create(
                {
                    "partner_id": customer.id,
                    "company_id": self.company_id.id,
                    "contact_id": person.id,
                    "role": "to",
                    "channel_ids": [Command.set(channels.ids)],
                }
            )
        preferences = {}
        if self.channel:
            preferences["ar_channel"] = self.channel
        if self.lang:
            preferences["lang"] = self.lang
        if preferences:
            customer.write(preferences)
        return contact

    def _ar_find_person(self, customer):
        """The customer's contact with the request's e-mail address, else its number."""
        self.ensure_one()
        people = customer.child_ids
        if self.email:
            found = people.filtered(lambda p: p.email_normalized == self.email)
            if found:
                return found[0]
        if self.mobile:
            region = (customer.country_id or self.company_id.country_id).code
            for person in people:
                number = person.phone and phone.normalize(person.phone, region).e164
                if number == self.mobile:
                    return person
        return self.env["res.partner"]

    def action_reject(self):
        """Refuse the update; the reason is required and noted on the customer."""
        requests = self._ar_check_reviewer()
        for request in requests:
            reason = (request.reject_reason or "").strip()
            if not reason:
                raise UserError(self.env._("Say why the contact update is rejected."))
            request.write(
                {
                    "state": "rejected",
                    "decided_by_id": self.env.uid,
                    "date_decided": fields.Datetime.now(),
                }
            )
            request.partner_id.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "%(user)s rejected the contact update proposed on the receivables page "
                    "(%(what)s): %(reason)s",
                    user=self.env.user.name,
                    what=request._ar_summary(),
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )
        return True
