# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import datetime, timedelta

from markupsafe import Markup

from odoo import api, fields, models

from odoo.addons.ar_followup.tools import masking, phone

from ..tools import graph_api

_logger = logging.getLogger(__name__)

#: an inbound text that is one of these (case and spaces aside) opts the customer out
STOP_WORDS = {"stop", "unsubscribe", "बंद करें", "बंद", "रोकें"}
#: quick-reply payloads of the templates' buttons (see ``_ar_whatsapp_components``)
PROMISE_PAYLOAD = "ar_promise"
DISPUTE_PAYLOAD = "ar_dispute"
STOP_PAYLOAD = "ar_stop"
#: inbound message types carrying a file, downloaded by the media cron
MEDIA_KINDS = ("image", "document", "audio", "video", "sticker")
#: a customer tapping "I will pay on…" is taken to pay within this many days until the AR
#: user confirms the promised date with them
PROMISE_DAYS = 7
#: Meta's statuses that move a reminder forward (``sent`` it already is)
STATUS_REPORTS = {"delivered": "delivered", "read": "read", "failed": "failed"}
#: Meta's template events and the status they set
TEMPLATE_EVENTS = {
    "APPROVED": "approved",
    "PENDING": "pending",
    "REJECTED": "rejected",
    "PAUSED": "paused",
    "DISABLED": "disabled",
    "FLAGGED": "approved",
    "REINSTATED": "approved",
    "IN_APPEAL": "pending",
}


def _text(value, limit=4096):
    """``value`` if a string (cut to ``limit``), else ''. Webhook bodies are untrusted."""
    return value[:limit] if isinstance(value, str) else ""


def _dict(value):
    return value if isinstance(value, dict) else {}


def _list(value):
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _timestamp(value):
    """Meta's epoch seconds as a naive UTC datetime, or now when absent or absurd."""
    now = fields.Datetime.now()
    try:
        moment = datetime.utcfromtimestamp(int(value))  # noqa: DTZ004 - Odoo stores naive UTC
    except (TypeError, ValueError, OverflowError, OSError):
        return now
    return moment if now - timedelta(days=30) <= moment <= now + timedelta(minutes=5) else now


class ArFollowupWhatsappMessage(models.Model):
    """A message a customer sent by WhatsApp to a company's number.

    Matched to the reminder it answers (``context.id`` is our message id), else
    to the customer or contact whose number it comes from; it is then posted on
    the customer's thread, where the AR team reads it. An unmatched message
    stays here, in the *Unmatched* list, until someone names the customer. Kept
    once per Meta message id: Meta's retries change nothing.
    """

    _name = "ar.followup.whatsapp.message"
    _description = "WhatsApp Message Received"
    _order = "date desc, id desc"
    _check_company_auto = True

    wamid = fields.Char("WhatsApp Message ID", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    number = fields.Char("From", readonly=True, help="The sender's number, E.164.")
    profile_name = fields.Char("WhatsApp Name", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", index=True, check_company=True, ondelete="set null"
    )
    reminder_id = fields.Many2one(
        "ar.followup.reminder", "Reminder", readonly=True, index=True, ondelete="set null"
    )
    message_type = fields.Char("Type", readonly=True)
    body = fields.Text(readonly=True)
    date = fields.Datetime(readonly=True, default=fields.Datetime.now)
    mail_message_id = fields.Many2one("mail.message", "Posted As", readonly=True)
    media_id = fields.Char("Meta Media ID", readonly=True, copy=False)
    media_state = fields.Selection(
        [("pending", "To Download"), ("done", "Kept"), ("failed", "Not Downloaded")],
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments", readonly=True)
    state = fields.Selection(
        [("matched", "On the Customer"), ("unmatched", "Unmatched")],
        compute="_compute_state",
        store=True,
    )

    _wamid_unique = models.UniqueIndex("(company_id, wamid)", "A message is received once.")

    @api.depends("mail_message_id")
    def _compute_state(self):
        for message in self:
            message.state = "matched" if message.mail_message_id else "unmatched"

    def _ar_last_from_number(self):
        """The latest message received from this message's number in its company."""
        self.ensure_one()
        return self.search(
            [("company_id", "=", self.company_id.id), ("number", "=", self.number)],
            order="date desc, id desc",
            limit=1,
        )

    def action_post_on_customer(self):
        """Post unmatched messages on the customer a user chose for them."""
        for message in self.filtered(lambda m: m.partner_id and not m.mail_message_id):
            message._ar_post()
        return True

    # -- webhook ---------------------------------------------------------------------

    @api.model
    def _ar_process_webhook(self, payload):
        """Apply a verified webhook ``payload`` (decoded JSON). Each event in a savepoint:
        a bad one is logged and skipped, the others still count."""
        if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
            _logger.info("WhatsApp webhook: not a WhatsApp Business Account event, ignored")
            return
        Channel = self.env["ar.followup.channel"].sudo()
        for entry in _list(payload.get("entry")):
            waba = _text(entry.get("id"), 64)
            accounts = (
                Channel.search([("code", "=", "whatsapp"), ("wa_business_account_id", "=", waba)])
                if waba
                else Channel
            )
            if not accounts:
                _logger.info("WhatsApp webhook: event of an unknown account, ignored")
                continue
            for change in _list(entry.get("changes")):
                value = _dict(change.get("value"))
                try:
                    with self.env.cr.savepoint():
                        if change.get("field") == "messages":
                            self._ar_process_messages(accounts, value)
                        elif change.get("field") == "message_template_status_update":
                            self._ar_process_template_event(value)
                except Exception:
                    _logger.exception("WhatsApp webhook: an event could not be applied")

    @api.model
    def _ar_process_messages(self, accounts, value):
        number_id = _text(_dict(value.get("metadata")).get("phone_number_id"), 64)
        account = accounts.filtered(lambda a: a.wa_phone_number_id == number_id)[:1]
        if not account:
            _logger.info("WhatsApp webhook: event for another phone number, ignored")
            return
        self._ar_apply_statuses(account.company_id, _list(value.get("statuses")))
        self.env["ar.followup.whatsapp.status"]._ar_apply_early(account.company_id)
        names = {
            _text(contact.get("wa_id"), 32): _text(_dict(contact.get("profile")).get("name"), 128)
            for contact in _list(value.get("contacts"))
        }
        for message in _list(value.get("messages")):
            self._ar_receive(account.company_id, message, names)

    @api.model
    def _ar_apply_statuses(self, company, statuses):
        """Meta's receipts: delivered, read, failed (with its error), through the core's
        ``_ar_apply_report`` (forward only, repeats harmless)."""
        Reminder = self.env["ar.followup.reminder"].sudo()
        reminders = Reminder._ar_whatsapp_find({_text(s.get("id"), 256) for s in statuses}, company)
        by_wamid = {r.provider_message_id: r for r in reminders}
        for status in statuses:
            wamid = _text(status.get("id"), 256)
            reminder = by_wamid.get(wamid)
            report = STATUS_REPORTS.get(status.get("status"))
            if not report or not wamid:
                continue
            if not reminder:
                # perhaps sent a moment ago, its round not committed yet: kept for it
                self.env["ar.followup.whatsapp.status"].sudo().create(
                    {
                        "company_id": company.id,
                        "wamid": wamid,
                        "status": report,
                        "reason": self._ar_failure_reason(status) if report == "failed" else False,
                        "date": _timestamp(status.get("timestamp")),
                    }
                )
                continue
            reason = None
            if report == "failed":
                reason = self._ar_failure_reason(status)
                error = (_list(status.get("errors")) or [{}])[0]
                code = error.get("code") if isinstance(error.get("code"), int) else None
                template = reminder._ar_get_template()
                if graph_api.error_kind(400, code) == "template" and template:
                    template._ar_whatsapp_stop(reason, company)
            reminder._ar_apply_report(
                report, reason=reason, when=_timestamp(status.get("timestamp"))
            )

    @api.model
    def _ar_failure_reason(self, status):
        """``"<code> <title>"`` of a failed status, numbers masked."""
        error = (_list(status.get("errors")) or [{}])[0]
        code = error.get("code") if isinstance(error.get("code"), int) else None
        return masking.mask_text(
            "%s %s" % (code or "", _text(error.get("title") or error.get("message"), 200))
        ).strip()

    @api.model
    def _ar_process_template_event(self, value):
        """``message_template_status_update``: the template's Meta status changes."""
        status = TEMPLATE_EVENTS.get(_text(value.get("event"), 32))
        meta_id = str(value.get("message_template_id") or "")[:64]
        name = _text(value.get("message_template_name"), 512)
        if not status or not (meta_id or name):
            return
        Template = self.env["ar.followup.template"].sudo().with_context(active_test=False)
        templates = Template.search([("channel", "=", "whatsapp"), ("wa_meta_id", "=", meta_id)])
        if not templates and name:
            templates = Template.search(
                [("channel", "=", "whatsapp"), ("wa_template_name", "=", name)]
            )
        reason = _text(value.get("reason"), 250)
        templates._ar_whatsapp_set_language_status(
            _text(value.get("message_template_language"), 16),
            status,
            reason if reason not in ("NONE", "") else None,
        )

    @api.model
    def _ar_receive(self, company, message, names):
        """Record one inbound ``message`` (Meta's object) and act on it."""
        wamid = _text(message.get("id"), 256)
        if not wamid or self.sudo().search_count(
            [("company_id", "=", company.id), ("wamid", "=", wamid)], limit=1
        ):
            return
        digits = _text(message.get("from"), 32)
        check = phone.normalize("+" + digits.lstrip("+")) if digits else None
        number = check.e164 if check and check.e164 else False
        kind = _text(message.get("type"), 32)
        body, payload = self._ar_message_text(message, kind)
        media_id = _text(_dict(message.get(kind)).get("id"), 64) if kind in MEDIA_KINDS else ""
        context_id = _text(_dict(message.get("context")).get("id"), 256)
        reminder = self.env["ar.followup.reminder"]._ar_whatsapp_find(
            {context_id} if context_id else set(), company
        )[:1]
        partner = reminder.partner_id or self._ar_match_number(company, number)
        record = self.sudo().create(
            {
                "wamid": wamid,
                "company_id": company.id,
                "number": number,
                "profile_name": names.get(digits) or False,
                "partner_id": partner.id or False,
                "reminder_id": reminder.id or False,
                "message_type": kind or False,
                "body": body,
                "date": _timestamp(message.get("timestamp")),
                "media_id": media_id or False,
                "media_state": "pending" if media_id else False,
            }
        )
        if media_id:
            self.env.ref("ar_followup_whatsapp.ir_cron_whatsapp_media")._trigger()
        if not partner:
            _logger.info(
                "WhatsApp message from an unknown number %s kept", masking.mask_number(number)
            )
            return
        record._ar_post()
        words = " ".join(body.split()).strip(" .!").lower()
        if payload == STOP_PAYLOAD or words in STOP_WORDS:
            reminder._ar_set_replied()
            partner._ar_whatsapp_opt_out("reply")
        elif payload == PROMISE_PAYLOAD:
            reminder._ar_set_replied()
            record._ar_create_promise()
        elif payload == DISPUTE_PAYLOAD:
            reminder._ar_set_replied()
            record._ar_create_dispute()
        else:
            # words a person has to read: the AR inbox (a button already acted)
            partner._ar_receive_reply(
                "whatsapp",
                body,
                author=record.mail_message_id.author_id,
                message=record.mail_message_id,
                reminders=reminder,
                company=company,
            )

    @api.model
    def _ar_message_text(self, message, kind):
        """``(text a person reads, button payload or None)`` of an inbound message."""
        if kind == "text":
            return _text(_dict(message.get("text")).get("body")), None
        if kind == "button":
            button = _dict(message.get("button"))
            return _text(button.get("text"), 256), _text(button.get("payload"), 256) or None
        if kind == "interactive":
            reply = _dict(_dict(message.get("interactive")).get("button_reply"))
            return _text(reply.get("title"), 256), _text(reply.get("id"), 256) or None
        media = _dict(message.get(kind)) if kind else {}
        caption = _text(media.get("caption") or media.get("filename"), 1024)
        label = self.env._(
            "[%(kind)s received%(caption)s]",
            kind=kind or "?",
            caption=": %s" % caption if caption else "",
        )
        return label, None

    @api.model
    def _ar_match_number(self, company, number):
        """The customer whose number (or a contact's) is ``number`` in ``company``."""
        if not number:
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

    @api.model
    def _cron_ar_whatsapp_fetch_media(self, limit=50):
        """Download the files customers sent and keep them as attachments of the message
        on the customer's thread (or of the received message while unmatched). Outside the
        webhook, which must answer Meta at once."""
        messages = self.sudo().search([("media_state", "=", "pending")], limit=limit)
        Channel = self.env["ar.followup.channel"]
        for company, group in messages.grouped("company_id").items():
            account = Channel._ar_whatsapp_account(company)
            if account.state != "enabled" or not account.wa_access_token:
                group.media_state = "failed"
                continue
            api = account._ar_whatsapp_api()
            try:
                for message in group:
                    message._ar_fetch_media(api)
                    self.env["ir.cron"]._commit_progress(1)
            finally:
                api.close()

    def _ar_fetch_media(self, api):
        self.ensure_one()
        try:
            media = api.get_media(self.media_id)
        except graph_api.GraphError as error:
            _logger.info("WhatsApp media not read: %s", masking.mask_text(error))
            # an outage: the next run tries again; Meta keeps a media for 30 days
            if error.kind != "transient":
                self.media_state = "failed"
            return
        content = api.download_media(media.get("url"))
        if content is None:
            self.media_state = "failed"
            return
        mimetype = _text(media.get("mime_type"), 128) or "application/octet-stream"
        extension = mimetype.split("/")[-1].split(";")[0][:8]
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": "whatsapp-%s.%s" % (self.message_type or "media", extension),
                    "raw": content,
                    "mimetype": mimetype,
                    "res_model": self.mail_message_id.model if self.mail_message_id else self._name,
                    "res_id": self.mail_message_id.res_id if self.mail_message_id else self.id,
                }
            )
        )
        if self.mail_message_id:
            self.mail_message_id.sudo().attachment_ids = [fields.Command.link(attachment.id)]
        self.write({"attachment_ids": [fields.Command.link(attachment.id)], "media_state": "done"})

    def _ar_post(self):
        """Post the message on its customer's thread, as the contact who wrote it."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id.sudo()
        author = (
            customer.child_ids.filtered(lambda c: c.phone_sanitized == self.number)[:1] or customer
        )
        self.mail_message_id = customer.message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (
                self.env._(
                    "WhatsApp from %s:", self.profile_name or masking.mask_number(self.number)
                ),
                self.body,
            ),
            author_id=author.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            # the AR owner hears of it in the inbox, follower of the customer or not
            partner_ids=customer._ar_get_owner(self.company_id).partner_id.ids,
        )
        if self.attachment_ids:
            # a file kept while the message was unmatched moves to the customer's message
            self.attachment_ids.sudo().write({"res_model": customer._name, "res_id": customer.id})
            self.mail_message_id.sudo().attachment_ids = [
                fields.Command.link(attachment.id) for attachment in self.attachment_ids
            ]

    def _ar_hold_vals(self):
        self.ensure_one()
        reminder = self.reminder_id
        moves = reminder._ar_get_open_moves() if reminder else self.env["account.move"]
        return {
            "partner_id": self.partner_id.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "move_ids": [fields.Command.set(moves.ids)],
            "source": "whatsapp",
            "user_id": self._ar_owner().id,
        }

    def _ar_owner(self):
        owner = self.partner_id.commercial_partner_id._ar_get_owner(self.company_id)
        return owner or self.reminder_id.create_uid or self.env.ref("base.user_admin")

    def _ar_create_promise(self):
        """*I will pay on…*: a promise to pay in :data:`PROMISE_DAYS` days (reminders
        suspended, as any promise does), with an activity to confirm the date."""
        self.ensure_one()
        today = self.company_id._ar_today()
        promise = (
            self.env["ar.followup.promise"]
            .sudo()
            .create(
                {
                    **self._ar_hold_vals(),
                    "date": today,
                    "date_promised": today + timedelta(days=PROMISE_DAYS),
                    "note": self.env._(
                        "The customer tapped '%s' on WhatsApp: confirm the date with them.",
                        self.body,
                    ),
                }
            )
        )
        self._ar_ask_confirmation(
            promise, self.env._("Confirm the promise to pay %s", promise.name)
        )
        return promise

    def _ar_create_dispute(self):
        """*I dispute this*: a dispute (reminders suspended) for the AR user to review."""
        self.ensure_one()
        dispute = (
            self.env["ar.followup.dispute"]
            .sudo()
            .create(
                {
                    **self._ar_hold_vals(),
                    "reason": "other",
                    "description": Markup("<p>%s</p>")
                    % self.env._("The customer tapped '%s' on WhatsApp.", self.body),
                }
            )
        )
        self._ar_ask_confirmation(dispute, self.env._("Review the dispute %s", dispute.name))
        return dispute

    def _ar_ask_confirmation(self, record, summary):
        record.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            user_id=self._ar_owner().id,
            date_deadline=self.company_id._ar_today(),
        )
