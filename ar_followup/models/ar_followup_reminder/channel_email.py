# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import re
import time
from contextlib import nullcontext

from markupsafe import Markup

from odoo import api, fields
from odoo.exceptions import UserError
from odoo.tools.mail import email_normalize_all

from ...tools import cadence, masking, pdf_batch
from .rendering import SanitizedHtml

_logger = logging.getLogger(__name__)

#: one bare address of dot-separated atoms: a form Odoo's parser returns unchanged
PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)


def email_addresses(email):
    """The set of normalized addresses in an e-mail field, as ``email_normalize_all``.

    A field holding one bare ASCII address (nearly all of them) is that address in
    lower case; parsing it as a header costs more than the rest of the planner's
    e-mail checks together. Anything else goes through Odoo's parser.
    """
    if email and PLAIN_ADDRESS.fullmatch(email):
        return {email.lower()}
    return set(email_normalize_all(email))


class ReminderEmail:
    """The e-mail channel: reminders posted on the customer's thread, e-mailed to its
    invoicing contacts through Odoo's outgoing mail queue.

    It sends together: a dispatch batch's e-mails are posted at once and
    committed with the batch. Delivery comes back from Odoo's own outcome of
    each e-mail (``mail.notification``, see ``models/mail_notification.py``):
    accepted by the mail server is *delivered*; refused, or bounced back
    through Odoo's bounce handling, fails the reminder and sends the fallback.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    @api.model
    def _ar_email_contact_problems(self, partners):
        """See ``channels.py``: the invoicing contacts' addresses, less the blacklisted."""
        recipients = self._ar_get_email_recipients(partners)
        problems = {}
        for partner in partners:
            if not partner._ar_is_channel_allowed("email"):
                problems[partner.id] = (
                    cadence.DO_NOT_CONTACT,
                    self.env._("The customer does not want e-mail reminders."),
                )
            elif recipients[partner.id] is None:
                problems[partner.id] = (
                    cadence.NO_CONTACT,
                    self.env._("E-mail: no valid address."),
                )
            elif not recipients[partner.id]:
                problems[partner.id] = (
                    cadence.DO_NOT_CONTACT,
                    self.env._("E-mail: every address is blacklisted or refuses e-mail reminders."),
                )
            else:
                problems[partner.id] = None
        return problems

    @api.model
    def _ar_get_email_recipients(self, partners, step=None, company=None):
        """``{partner id: recipients}`` of e-mail reminders of ``company`` (default: the
        company of ``partners``' environment): the customer's follow-up *To* contacts
        with a valid address (``ar.followup.contact``), else its invoicing contacts
        with one, else the customer itself; plus its *Cc* contacts and, for a
        reminder of ``step``, its *Escalation* contacts from their step on.

        Each recipient is checked alone: a contact that refuses e-mail reminders (its
        own *No E-mail Reminders*) or has any blacklisted address among those of its
        e-mail field (Odoo mails them all) is left out. ``None`` when the customer
        has no valid address at all; an empty recordset when every one is left out
        (the customer's own address is not tried instead). One search of follow-up
        contacts and one blacklist search for all ``partners``.
        """
        # res.partner._ar_get_email_recipients() for a batch: the invoicing contacts of
        # all the customers in one query instead of each customer's contacts in turn
        company = company or partners.env.company
        Partner = self.env["res.partner"]
        commercial = {partner.id: partner.commercial_partner_id for partner in partners}
        customers = Partner.union(*commercial.values())
        contacts = Partner.search_fetch(
            [
                ("parent_id", "in", customers.ids),
                ("type", "=", "invoice"),
                ("email", "!=", False),
            ],
            ["parent_id", "email", "email_normalized", "ar_no_email"],
        )
        by_parent = contacts.grouped("parent_id")
        followup = self.env["ar.followup.contact"]._ar_get_contacts(customers, company, "email")
        candidates, chosen = {}, set(contacts.ids)
        for pid, customer in commercial.items():
            named = followup.get(customer.id)
            if not named:
                # most customers name nobody: their invoicing contacts, else themselves
                main = by_parent.get(customer) or customer
                candidates[pid] = (
                    (customer if customer.email_normalized else Partner)
                    if main is customer
                    else main.filtered("email_normalized")
                )
                continue
            named = named._ar_applies_to(step).filtered("contact_id.email_normalized")
            to = named.filtered(lambda c: c.role == "to").contact_id
            others = named.filtered(lambda c: c.role != "to").contact_id
            chosen.update(named.contact_id.ids)
            main = to or (by_parent.get(customer) or customer).filtered("email_normalized")
            candidates[pid] = main | others
        everyone = Partner.union(*candidates.values())
        # the customers' own addresses too, at once
        everyone.fetch(["email", "email_normalized", "ar_no_email"])
        addresses = {recipient.id: email_addresses(recipient.email) for recipient in everyone}
        blacklisted = set(
            self.env["mail.blacklist"]
            .sudo()
            .search([("email", "in", list(set().union(*addresses.values())))])
            .mapped("email")
        )
        # the customer's own refusal is the caller's (do not contact at all)
        refused = {
            recipient.id
            for recipient in everyone
            if (recipient.id in chosen and recipient.ar_no_email)
            or addresses[recipient.id] & blacklisted
        }
        result = {}
        for pid, recipients in candidates.items():
            if not recipients:
                result[pid] = None
            elif refused.isdisjoint(recipients._ids):
                result[pid] = recipients
            else:
                result[pid] = recipients.browse(
                    [rid for rid in recipients._ids if rid not in refused]
                )
        return result

    def _ar_email_before_send(self, commit):
        """Print what these claimed reminders will carry and is missing (the cron prints
        most of it ahead), a wkhtmltopdf run per ``commit``; returns the cron's time left."""
        self.env["res.company"]._ar_prepare_attachments(self, commit=commit)
        return commit()

    def _ar_email_prepare_batch(self):
        """Read ahead the recipients and, per author, the reply-to of a batch's e-mails."""
        memo = self.env.cr.cache["ar_followup.reminder.send"]
        # per reminder: escalation contacts depend on its company and step
        memo["recipients"] = {}
        for (company, step), reminders in self.grouped(lambda r: (r.company_id, r.step_id)).items():
            found = self._ar_get_email_recipients(reminders.partner_id, step, company)
            memo["recipients"].update({r.id: found[r.partner_id.id] for r in reminders})
        # who each follow-up contact is, for the reminder's recipient note
        memo["named"] = self._ar_get_named_contacts()
        # per reminder: the author (hence the reply-to) depends on its company
        memo["post"] = {}
        for author, reminders in self.grouped(lambda r: r._ar_get_email_author()).items():
            defaults = reminders.partner_id._ar_get_post_defaults(author)
            memo["post"].update({r.id: defaults[r.partner_id.id] for r in reminders})

    def _ar_email_send(self):
        """Post the reminder on the customer's thread, e-mailed to its invoicing contacts.

        Posted as a message of the customer: the customer's reply (In-Reply-To this
        message) lands on the customer's chatter, where the AR team reads it, and
        marks this reminder replied. Left to Odoo's outgoing mail queue (no
        immediate send), followers not notified. A dispatch batch posts its
        e-mails together instead (:meth:`_ar_email_send_together`), the same way.
        """
        self.ensure_one()
        post = self._ar_get_email_post({"subject": self.subject, "body": self.body})
        message = self._ar_post_email(post)
        self.write(self._ar_email_sent_values(message, post))
        return message.message_id

    def _ar_email_send_reply(self):
        """An answer from the AR inbox: posted on the customer's thread in answer to the
        customer's last message (same e-mail thread), e-mailed to whoever wrote it,
        else to the invoicing contacts; left to the outgoing mail queue. Returns its
        Message-Id."""
        self.ensure_one()
        partner = self.partner_id
        last = self.conversation_id.last_message_id
        writer = last.author_id
        # a note of ours (a call's outcome) is not an address to answer
        if not writer or writer.sudo().user_ids.filtered(lambda u: not u.share):
            writer = self._ar_get_email_recipients(partner)[partner.id]
        if not writer or not writer.filtered("email"):
            raise UserError(
                self.env._("%s has no e-mail address to send to.", partner.display_name)
            )
        message = partner.with_context(mail_post_autofollow=False).message_post(
            body=Markup(self.body or ""),
            subject=self.subject,
            parent_id=last.id or False,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=writer.ids,
            author_id=self.env.user.partner_id.id,
            force_send=False,
            notify_skip_followers=True,
        )
        self.write({"mail_message_id": message.id, "recipient": ", ".join(writer.mapped("email"))})
        return message.message_id

    def _ar_get_email_post(self, content):
        """The arguments of ``message_post`` that send this reminder's ``content``
        (``{"subject", "body"}``) by e-mail. Raises when the customer has no address."""
        self.ensure_one()
        partner = self.partner_id
        recipients = self._ar_send_memo("recipients").get(self.id)
        if recipients is None:
            recipients = self._ar_get_email_recipients(partner, self.step_id, self.company_id)[
                partner.id
            ]
        if not recipients:
            raise UserError(
                self.env._("%s has no e-mail address to send to.", partner.display_name)
            )
        author = self._ar_get_email_author()
        # reply-to, alias domain and company as message_post would compute them,
        # computed for the whole batch (see _ar_prepare_send)
        defaults = self._ar_send_memo("post").get(self.id, {})
        return {
            **defaults,
            "body": Markup(content["body"] or ""),
            "subject": content["subject"],
            "message_type": "comment",
            "subtype_xmlid": "mail.mt_comment",
            "partner_ids": recipients.ids,
            "attachment_ids": self._ar_get_email_attachments().ids,
            "author_id": author.id,
            "email_layout_xmlid": "mail.mail_notification_light",
            "email_add_signature": False,
            "force_send": False,
            "notify_skip_followers": True,
        }

    def _ar_post_email(self, post):
        """The message ``message_post`` posts on the customer with ``post``."""
        self.ensure_one()
        return self.partner_id.with_context(mail_post_autofollow=False).message_post(**post)

    def _ar_email_sent_values(self, message, post):
        """What the reminder keeps of its e-mail ``message``, posted with ``post``."""
        recipients = self.env["res.partner"].browse(post["partner_ids"])
        return {
            "mail_message_id": message.id,
            "recipient": ", ".join(recipients.mapped("email")),
            "recipient_note": self._ar_describe_recipients(recipients),
        }

    def _ar_email_prepare_posts(self, problems, now, deadline, isolated):
        """``(ready, left)``: ``[(reminder, content, post)]`` of these claimed reminders
        that go now, each checked (:meth:`_ar_apply_send_problem`), rendered and its
        post prepared, and those left for a later transaction: one as slow as the
        slowest prepared so far would not have been ready by ``deadline`` (see
        ``time.monotonic``).

        ``isolated``: each reminder in a savepoint of its own, and what fails
        there fails that reminder alone (:meth:`_ar_handle_send_error`); else the
        first failure is raised.
        """
        ready, slowest, left = [], 0.0, self.browse()
        for index, reminder in enumerate(self):
            # stop before a reminder as slow as the slowest so far would pass the deadline;
            # at least one per transaction, so the queue always moves
            started = time.monotonic()
            if ready and started + slowest > deadline:
                left = self[index:]
                break
            sending = reminder._ar_apply_send_problem(problems.get(reminder.id))
            if sending is None:
                continue
            try:
                with self.env.cr.savepoint() if isolated else nullcontext():
                    content = sending._ar_get_content()
                    post = sending._ar_get_email_post(content)
            except Exception as exc:
                if not isolated:
                    raise
                reminder._ar_handle_send_error(exc, now)
                continue
            finally:
                slowest = max(slowest, time.monotonic() - started)
            ready.append((reminder, content, post))
        return ready, left

    def _ar_email_send_together(self, problems, now, deadline):
        """Send these e-mail reminders of a claimed batch together; returns those left
        for a later transaction (see :meth:`_ar_email_prepare_posts`).

        Each is checked, rendered and its post prepared (what fails there fails
        that reminder alone, through :meth:`_ar_handle_send_error`). Their messages
        are then posted in one go (``res.partner._ar_message_post_many``: one
        ``create`` per model for the batch). Should that fail, the batch is posted
        one reminder at a time, and only a reminder whose own post fails is failed.
        """
        # prepared in one savepoint; should one reminder fail there, all are prepared
        # again, each in its own savepoint, so that only that one fails
        try:
            with self.env.cr.savepoint():
                ready, left = self._ar_email_prepare_posts(problems, now, deadline, False)
        except Exception:  # noqa: BLE001 - prepared again one by one, failures recorded
            ready, left = self._ar_email_prepare_posts(problems, now, deadline, True)
        if not ready:
            return left
        messages = None
        try:
            with self.env.cr.savepoint():
                messages = self.env["res.partner"]._ar_message_post_many(
                    [(reminder.partner_id, post) for reminder, _content, post in ready]
                )
        except Exception:
            _logger.exception("AR dispatch: e-mails not posted together, posting them one by one")
        sent = []
        for index, (reminder, content, post) in enumerate(ready):
            if messages:
                message = messages[index]
            else:
                try:
                    with self.env.cr.savepoint():
                        message = reminder._ar_post_email(post)
                except Exception as exc:  # noqa: BLE001 - recorded on the reminder
                    reminder._ar_handle_send_error(exc, now)
                    continue
            # the text that went out is kept with the outcome, in one write; its
            # message sanitized the body already
            values = {
                **reminder._ar_content_vals(content),
                "body": SanitizedHtml(message.body),
                **reminder._ar_email_sent_values(message, post),
            }
            sent.append((reminder, message.message_id, values))
        self._ar_mark_sent_many(sent, now)
        return left

    def _ar_get_email_author(self):
        """The partner e-mail reminders come from: the AR owner, else the company."""
        self.ensure_one()
        owner = self.partner_id._ar_get_owner(self.company_id)
        return owner.partner_id if owner.partner_id.email else self.company_id.partner_id

    def _ar_get_email_attachments(self):
        """``ir.attachment`` records sent with the e-mail: the PDFs of its invoices (one
        merged PDF or one each, ``ar_attach_invoices_format``) and the customer's
        statement of account, as the company chooses (``ar_attach_invoices``,
        ``ar_attach_statement``). Each is printed once and kept (an invoice's on the
        invoice, the statement for the day), mostly ahead of sending
        (``res.company._ar_cron_prepare_attachments``); here only what is still
        missing is printed. A PDF that cannot be produced never stops the reminder:
        it leaves without it, and the reminder's *error* says what is missing.
        """
        self.ensure_one()
        attachments = self.env["ir.attachment"]
        company = self.company_id
        problems = []
        if company.ar_attach_invoices:
            attachment, problem = self._ar_try_attachment(
                self.env._("the invoices"), self._ar_invoice_pdfs
            )
            attachments |= attachment
            problems += problem
        if company.ar_attach_statement:
            attachment, problem = self._ar_try_attachment(
                self.env._("Statement of Account"), self._ar_statement_pdf
            )
            attachments |= attachment
            problems += problem
        if problems:
            self.error = "\n".join(filter(None, [self.error, *problems]))
        return attachments

    def _ar_try_attachment(self, label, producer, *args):
        """``(attachments, [problem])``: what ``producer`` made and what it could not
        (``producer`` returns both), or nothing and why."""
        try:
            with self.env.cr.savepoint():
                return producer(*args)
        except Exception as exc:  # noqa: BLE001 - the reminder leaves without this PDF
            _logger.warning(
                "AR reminder %s: no PDF for %s: %s", self.id, label, masking.mask_text(exc)
            )
            return self.env["ir.attachment"], [self._ar_missing(label, exc)]

    def _ar_missing(self, label, error):
        return self.env._("Sent without %(document)s: %(error)s", document=label, error=error)

    def _ar_invoice_pdfs(self):
        """``(attachments, problems)``: the PDFs of the reminder's invoices, by due date,
        as the company sends them: merged into one PDF of the customer
        (``combined``, unless one invoice), or each invoice's own."""
        self.ensure_one()
        moves = self._ar_get_open_moves().sorted(lambda m: (m.invoice_date_due, m.id))
        errors = {}
        pdfs = moves.sudo()._ar_get_invoice_pdfs(errors=errors)
        problems = [self._ar_missing(m.name, errors.get(m.id)) for m in moves if m.id not in pdfs]
        found = [pdfs[move.id] for move in moves if move.id in pdfs]
        attachments = self.env["ir.attachment"].union(*found)
        if self.company_id.ar_attach_invoices_format != "combined" or len(found) < 2:
            return attachments, problems
        partner = self.partner_id
        name = partner.with_context(lang=partner.lang).env._("Invoices - %s", partner.name)
        try:
            with self.env.cr.savepoint():
                content = pdf_batch.merge([attachment.raw for attachment in found])
                report_format = "pdf" if content.startswith(b"%PDF") else "html"
                combined = self._ar_create_attachment(
                    "%s.%s" % (name.replace("/", "_"), report_format), content, report_format
                )
        except Exception:
            _logger.warning(
                "AR reminder %s: invoice PDFs not merged, attached each", self.id, exc_info=True
            )
            return attachments, problems
        return combined, problems

    def _ar_statement_pdf(self):
        """``(attachment, problems)``: the customer's statement of account of today."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        errors = {}
        statement = partner.sudo()._ar_get_statement_pdfs(self.company_id, errors=errors)
        if partner.id in statement:
            return statement[partner.id], []
        return self.env["ir.attachment"], [
            self._ar_missing(self.env._("Statement of Account"), errors.get(partner.id))
        ]

    def _ar_create_attachment(self, name, content, report_format):
        """An attachment of the customer's thread, where the reminder is posted."""
        self.ensure_one()
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": content,
                    "mimetype": "application/pdf" if report_format == "pdf" else "text/html",
                    "res_model": "res.partner",
                    "res_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                }
            )
        )

    @api.model
    def _ar_email_apply_outcome(self, messages):
        """Odoo's outcome of reminder e-mails among ``messages`` (``mail.message``, see
        ``models/mail_mail.py`` and ``mail_notification.py``): delivered once the mail
        server accepted the e-mail for one recipient; not delivered (the reminder falls
        back) when every recipient's was refused or bounced."""
        reminders = self.sudo().search(
            [
                ("channel", "=", "email"),
                ("mail_message_id", "in", messages.ids),
                ("state", "in", ("sent", "delivered")),
            ]
        )
        changed = self.browse()
        for reminder in reminders:
            outcomes = reminder.mail_message_id.sudo().notification_ids.filtered(
                lambda n: n.notification_type == "email"
            )
            statuses = set(outcomes.mapped("notification_status"))
            if "sent" in statuses:
                changed |= reminder._ar_apply_report("delivered")
            elif statuses and statuses <= {"bounce", "exception", "canceled"}:
                reasons = {n.failure_reason or n.failure_type for n in outcomes}
                changed |= reminder._ar_apply_report(
                    "failed",
                    reason="; ".join(sorted(filter(None, reasons))) or None,
                    when=fields.Datetime.now(),
                )
        return changed
