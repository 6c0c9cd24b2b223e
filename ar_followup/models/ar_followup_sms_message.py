# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools import masking, phone, twilio_webhook
from .ar_followup_reminder.states import SENT_STATES

_logger = logging.getLogger(__name__)

#: Twilio allows 1,600 characters in a message; anything longer is cut
MAX_BODY = 1600


def _text(value, limit):
    """``value`` if a string (cut to ``limit``, without the NUL characters PostgreSQL
    cannot store), else ''. Webhook forms are untrusted."""
    return value.replace("\x00", "")[:limit] if isinstance(value, str) else ""


class ArFollowupSmsMessage(models.Model):
    """An SMS a customer sent to a company's Twilio number.

    Received by Twilio's incoming-message webhook (``controllers/sms_incoming.py``),
    matched to the customer the last SMS reminder to that number went to, else to
    the customer or contact of the company whose number it is; it is then posted
    on the customer's thread and handed to the AR inbox like any channel's reply
    (``res.partner._ar_receive_reply``). An opt-out word stops SMS reminders
    instead. A message from a number no customer has stays here, *Unmatched*,
    until someone names the customer. Kept once per Twilio message SID: Twilio's
    retries change nothing.
    """

    _name = "ar.followup.sms.message"
    _description = "SMS Received"
    _order = "date desc, id desc"
    _check_company_auto = True

    sid = fields.Char("Twilio Message SID", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    number = fields.Char("From", readonly=True, help="The sender's number, E.164 when valid.")
    to_number = fields.Char("To", readonly=True, help="The company's number it was sent to.")
    partner_id = fields.Many2one(
        "res.partner", "Customer", index=True, check_company=True, ondelete="set null"
    )
    reminder_id = fields.Many2one(
        "ar.followup.reminder", "Reminder", readonly=True, index=True, ondelete="set null"
    )
    body = fields.Text(readonly=True)
    media_count = fields.Integer("Media", readonly=True, help="Pictures or files attached.")
    date = fields.Datetime(readonly=True, default=fields.Datetime.now)
    mail_message_id = fields.Many2one("mail.message", "Posted As", readonly=True)
    state = fields.Selection(
        [("matched", "On the Customer"), ("unmatched", "Unmatched")],
        compute="_compute_state",
        store=True,
    )

    _sid_unique = models.UniqueIndex("(company_id, sid)", "A message is received once.")

    @api.depends("mail_message_id")
    def _compute_state(self):
        for message in self:
            message.state = "matched" if message.mail_message_id else "unmatched"

    def write(self, vals):
        # what the customer sent is the record: a user only names the customer of an
        # unmatched message
        if not self.env.su and (set(vals) - {"partner_id"} or self.mail_message_id):
            raise AccessError(
                self.env._("A received SMS only gets its customer named, while unmatched.")
            )
        return super().write(vals)

    def action_post_on_customer(self):
        """Post unmatched messages on the customer a user chose for them, and hand
        them to the AR inbox."""
        for message in self.filtered(lambda m: m.partner_id and not m.mail_message_id):
            message.sudo()._ar_act()
        return True

    # -- webhook ---------------------------------------------------------------------

    @api.model
    def _ar_receive_twilio(self, company, form):
        """Record the message of Twilio's ``form`` (a verified request to the
        company's number) and act on it; a message SID already received does nothing.
        Returns the message, or an empty recordset."""
        sid = _text(form.get("MessageSid") or form.get("SmsSid"), 64)
        if not twilio_webhook.MESSAGE_SID.fullmatch(sid):
            _logger.info("Twilio incoming SMS without a message SID ignored")
            return self
        if self.search_count([("company_id", "=", company.id), ("sid", "=", sid)], limit=1):
            return self
        sender = _text(form.get("From"), 32)
        check = phone.normalize(sender) if sender.startswith("+") else None
        number = check.e164 if check and check.e164 else sender
        try:
            media = max(0, min(int(_text(form.get("NumMedia"), 4) or 0), 10))
        except ValueError:
            media = 0
        reminder = self._ar_last_reminder(company, number)
        partner = reminder.partner_id or self._ar_match_number(company, number)
        message = self.create(
            {
                "sid": sid,
                "company_id": company.id,
                "number": number or False,
                "to_number": _text(form.get("To"), 32) or False,
                "partner_id": partner.id or False,
                "reminder_id": reminder.id or False,
                "body": _text(form.get("Body"), MAX_BODY),
                "media_count": media,
            }
        )
        if not partner:
            _logger.info("SMS from an unknown number %s kept", masking.mask_number(number))
            return message
        message._ar_act()
        return message

    @api.model
    def _ar_last_reminder(self, company, number):
        """The last SMS reminder sent to ``number`` in ``company``: the one answered."""
        if not number:
            return self.env["ar.followup.reminder"]
        return (
            self.env["ar.followup.reminder"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("channel", "=", "sms"),
                    ("recipient", "=", number),
                    ("state", "in", SENT_STATES),
                ],
                order="date_sent desc, id desc",
                limit=1,
            )
        )

    @api.model
    def _ar_match_number(self, company, number):
        """The customer whose number (or a contact's) is ``number`` in ``company``; none
        when the number belongs to several customers."""
        if not number or not number.startswith("+"):
            return self.env["res.partner"]
        contacts = (
            self.env["res.partner"]
            .sudo()
            .search(
                [("phone_sanitized", "=", number), ("company_id", "in", (False, company.id))],
                limit=10,
            )
        )
        customers = contacts.commercial_partner_id
        return customers if len(customers) == 1 else self.env["res.partner"]

    def _ar_act(self):
        """Post the message on its customer and act on it: an opt-out word stops SMS
        reminders, other words go to the AR inbox."""
        self.ensure_one()
        self._ar_post()
        customer = self.partner_id.commercial_partner_id
        if twilio_webhook.is_stop(self.body):
            self.reminder_id._ar_set_replied()
            customer._ar_sms_opt_out(self.number, self.body)
            return
        if not self.reminder_id:
            self.reminder_id = self._ar_last_reminder(self.company_id, self.number).filtered(
                lambda r: r.partner_id.commercial_partner_id == customer
            )
        customer._ar_receive_reply(
            "sms",
            self.body or "",
            author=self.mail_message_id.author_id,
            message=self.mail_message_id,
            reminders=self.reminder_id,
            company=self.company_id,
        )

    def _ar_post(self):
        """Post the message on its customer's thread, as the contact who wrote it."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id.sudo()
        author = (customer | customer.child_ids).filtered(
            lambda c: c.phone_sanitized == self.number
        )[:1] or customer
        text = self.body or ""
        if self.media_count:
            text = self.env._(
                "%(text)s [%(count)s attachments not downloaded]",
                text=text,
                count=self.media_count,
            )
        self.mail_message_id = customer.message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (self.env._("SMS from %s:", masking.mask_number(self.number)), text),
            author_id=author.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
