# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, format_amount, format_date
from odoo.tools.mimetypes import guess_mimetype

from ..tools.ageing import days_overdue
from ..tools.money import format_money
from .ar_followup_reminder.states import SENT_STATES

#: the documents the page lists: what the customer owes and what reduces it
PAGE_MOVE_TYPES = ("out_invoice", "out_refund", "out_receipt")
#: what the page reads of each document, in one query
PAGE_MOVE_FIELDS = [
    "name",
    "ref",
    "move_type",
    "currency_id",
    "invoice_date",
    "invoice_date_due",
    "ar_oldest_due_date",
    "amount_total",
    "amount_residual",
    "ar_acknowledged_on",
    "ar_acknowledged_by",
]
#: reminders and replies shown in the communication history
HISTORY_LIMIT = 50
#: what a debtor may attach to a dispute: documents and photos, not executables
DISPUTE_MIMETYPES = ("application/pdf", "image/png", "image/jpeg")
DISPUTE_MAX_FILES = 3
DISPUTE_MAX_BYTES = 5 * 1024 * 1024
#: the longest text a debtor may send with a dispute
DISPUTE_MAX_TEXT = 5000


class PartnerReceivablesPage:
    """What a customer's receivables page shows and what the debtor does there
    (part of ``res.partner``, see ``res_partner.py``; the routes are in
    ``controllers/portal.py``).

    Called on the customer (commercial entity) as superuser, once the caller has
    checked who is asking (a portal user of the customer, or a valid link): every
    read is scoped to the customer and ``company`` here, not by record rules.
    Errors a debtor can make raise :class:`UserError` with a translated message.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    # -- reading ---------------------------------------------------------------

    def _ar_portal_moves_domain(self, company):
        """The customer's open documents in ``company``."""
        self.ensure_one()
        return [
            ("commercial_partner_id", "=", self.id),
            ("company_id", "=", company.id),
            ("state", "=", "posted"),
            ("move_type", "in", PAGE_MOVE_TYPES),
            ("payment_state", "not in", ("paid", "in_payment", "reversed")),
        ]

    def _ar_portal_open_moves(self, company, move_ids=None):
        """The customer's open documents in ``company`` (among ``move_ids`` when given)."""
        domain = self._ar_portal_moves_domain(company)
        if move_ids is not None:
            domain.append(("id", "in", list(move_ids)))
        return (
            self.env["account.move"]
            .sudo()
            .search_fetch(domain, PAGE_MOVE_FIELDS, order="invoice_date_due, id")
        )

    def _ar_portal_holds(self, company):
        """``(disputes, promises)`` open for the customer in ``company``."""
        self.ensure_one()
        found = []
        for model in ("ar.followup.dispute", "ar.followup.promise"):
            Model = self.env[model].sudo()
            records = Model.search_fetch(
                [
                    ("partner_id", "=", self.id),
                    ("company_id", "=", company.id),
                    *Model._ar_get_open_domain(),
                ],
                ["name", "move_ids"],
            )
            found.append(records)
        return tuple(found)

    def _ar_portal_page_values(self, company):
        """Plain data of the page, read in a constant number of queries whatever the
        number of invoices."""
        self.ensure_one()
        today = company._ar_today()
        moves = self._ar_portal_open_moves(company)
        disputes, promises = self._ar_portal_holds(company)
        ledger_disputed = any(not d.move_ids for d in disputes)
        ledger_promised = any(not p.move_ids for p in promises)
        disputed = set(disputes.move_ids.ids)
        promised = set(promises.move_ids.ids)
        labels = self._ar_portal_status_labels()
        # amounts and dates formatted here, once each: QWeb's monetary and date
        # widgets cost a field converter per cell, which on 500 invoices is most of
        # the page's time
        money, day = self._ar_portal_formatters()
        invoices = []
        for move in moves:
            sign = -1 if move.move_type == "out_refund" else 1
            due = move.ar_oldest_due_date or move.invoice_date_due
            if move.move_type == "out_refund":
                status = "credit"
            elif move.id in disputed or ledger_disputed:
                status = "disputed"
            elif move.id in promised or ledger_promised:
                status = "promised"
            elif move.ar_acknowledged_on:
                status = "acknowledged"
            else:
                status = "open"
            invoices.append(
                {
                    "id": move.id,
                    "number": move.name,
                    "reference": move.ref or "",
                    "date": move.invoice_date,
                    "due_date": due,
                    "days_overdue": max(days_overdue(due, today), 0) if due else 0,
                    "amount": sign * move.amount_total,
                    "paid": sign * (move.amount_total - move.amount_residual),
                    "residual": sign * move.amount_residual,
                    "currency": move.currency_id,
                    "status": status,
                    "status_label": labels[status],
                    "date_text": day(move.invoice_date),
                    "due_date_text": day(due),
                    "amount_text": money(sign * move.amount_total, move.currency_id),
                    "paid_text": money(
                        sign * (move.amount_total - move.amount_residual), move.currency_id
                    ),
                    "residual_text": money(sign * move.amount_residual, move.currency_id),
                    "acknowledged_on": move.ar_acknowledged_on,
                    "acknowledged_by": move.ar_acknowledged_by or "",
                    "payable": sign > 0 and status != "disputed",
                }
            )
        buckets, total_due, total_overdue = self._ar_portal_buckets(company)
        currency = company.currency_id
        return {
            "partner": self,
            "company": company,
            "currency": company.currency_id,
            "today": today,
            "invoices": invoices,
            "buckets": [(name, money(amount, currency)) for name, amount in buckets],
            "total_due": money(total_due, currency),
            "total_overdue": money(total_overdue, currency),
            "disputes": disputes,
            "promises": promises,
            "history": self._ar_portal_history(company),
            "dispute_reasons": self.env["ar.followup.dispute"]
            ._fields["reason"]
            ._description_selection(self.env),
            "promise_max_date": today + timedelta(days=company.ar_promise_max_days),
            "promise_min_share": company.ar_portal_promise_min_share,
        }

    def _ar_portal_formatters(self):
        """``(money(amount, currency), day(date))``: amounts as reminders write them
        (``tools/money.py``: the currency's symbol, lakhs and crores for rupees), dates
        in the format of the language of ``self.env``."""
        date_format = self.env["res.lang"]._get_data(code=self.env.lang or "en_US").date_format
        currencies = {}

        def money(amount, currency):
            if currency.id not in currencies:
                currencies[currency.id] = (
                    currency.name,
                    currency.symbol or "",
                    currency.position or "before",
                    currency.decimal_places,
                )
            code, symbol, position, decimals = currencies[currency.id]
            return format_money(amount, code, symbol, position=position, decimals=decimals)

        def day(value):
            return value.strftime(date_format) if value else ""

        return money, day

    def _ar_portal_status_labels(self):
        return {
            "open": self.env._("Open"),
            "disputed": self.env._("Disputed"),
            "promised": self.env._("Promised"),
            "acknowledged": self.env._("Acknowledged"),
            "credit": self.env._("Credit note"),
        }

    def _ar_portal_buckets(self, company):
        """``([(bucket name, amount)], total due, total overdue)`` in the company currency,
        from the ageing report (every bucket of the company, in order)."""
        self.ensure_one()
        Report = self.env["ar.followup.ageing.report"].sudo()
        amounts = {}
        total_due = total_overdue = 0.0
        for bucket, residual, overdue in Report._read_group(
            Report._ar_partner_domain(self, company),
            ["bucket_id"],
            ["residual:sum", "overdue:sum"],
        ):
            amounts[bucket.id] = residual
            total_due += residual
            total_overdue += overdue
        buckets = self.env["ar.followup.bucket"].sudo().search([("company_id", "=", company.id)])
        return (
            [(bucket.name, amounts.get(bucket.id, 0.0)) for bucket in buckets],
            total_due,
            total_overdue,
        )

    def _ar_portal_history(self, company):
        """The reminders sent to the customer and their replies, newest first: dicts of
        kind (``reminder`` or ``reply``), date, channel, subject, id (a reminder's)."""
        self.ensure_one()
        Reminder = self.env["ar.followup.reminder"].sudo()
        channels = dict(Reminder._fields["channel"]._description_selection(self.env))
        history = [
            {
                "kind": "reminder",
                "id": reminder.id,
                "date": reminder.date_sent,
                "channel": channels.get(reminder.channel, reminder.channel or ""),
                "subject": reminder.subject or "",
            }
            for reminder in Reminder.search_fetch(
                self._ar_portal_reminders_domain(company),
                ["date_sent", "channel", "subject"],
                order="date_sent desc, id desc",
                limit=HISTORY_LIMIT,
            )
        ]
        replies = (
            self.env["mail.message"]
            .sudo()
            .search_fetch(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", self.id),
                    ("message_type", "=", "email"),
                    ("author_id.commercial_partner_id", "=", self.id),
                ],
                ["date", "subject", "body"],
                order="date desc, id desc",
                limit=HISTORY_LIMIT,
            )
        )
        history += [
            {
                "kind": "reply",
                "id": message.id,
                "date": message.date,
                "channel": self.env._("Your reply"),
                "subject": message.subject or "",
                "body": message.body,
            }
            for message in replies
        ]
        history.sort(key=lambda entry: entry["date"], reverse=True)
        return history[:HISTORY_LIMIT]

    def _ar_portal_reminders_domain(self, company):
        self.ensure_one()
        return [
            ("partner_id", "=", self.id),
            ("company_id", "=", company.id),
            ("state", "in", SENT_STATES),
            ("date_sent", "!=", False),
        ]

    # -- debtor actions ----------------------------------------------------------

    def _ar_portal_checked_moves(self, company, move_ids, invoices_only=True):
        """The customer's open documents of ``company`` among ``move_ids``; an AccessError
        when one is not (another customer's, another company's, paid, unknown): the
        page never offers such an id, so the form was altered."""
        self.ensure_one()
        move_ids = set(move_ids)
        moves = self._ar_portal_open_moves(company, move_ids)
        if invoices_only:
            moves = moves.filtered(lambda m: m.move_type != "out_refund")
        if set(moves.ids) != move_ids:
            raise AccessError(
                self.env._("Some of the invoices chosen are not open invoices of yours.")
            )
        return moves

    def _ar_portal_log(self, body, moves=None):
        """Post what the debtor did on the customer's thread (and its invoices')."""
        self.ensure_one()
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        if moves:
            moves._message_log_batch({move.id: body for move in moves})

    def _ar_portal_actor(self, user, token=None):
        """Who did it, as written in the trail: the portal user, or the link's holder."""
        if user and not user._is_public():
            return user.partner_id.name
        if token and token.reminder_id:
            return self.env._(
                "the holder of the link of reminder %s", token.reminder_id.display_name
            )
        return self.env._("the holder of a receivables page link")

    def _ar_portal_raise_dispute(
        self, company, move_ids, reason, text, files=(), actor=None, ledger=False
    ):
        """A dispute with source *portal*: on ``move_ids``, or the whole account with
        ``ledger``. ``files``: ``[(filename, bytes)]``. The AR owner is told by e-mail."""
        self.ensure_one()
        Dispute = self.env["ar.followup.dispute"].sudo()
        if reason not in dict(Dispute._fields["reason"]._description_selection(self.env)):
            raise UserError(self.env._("Choose the reason of the dispute from the list."))
        text = (text or "").strip()
        if len(text) > DISPUTE_MAX_TEXT:
            raise UserError(
                self.env._("Say it in at most %s characters, please.", DISPUTE_MAX_TEXT)
            )
        moves = self.env["account.move"]
        if not ledger:
            if not move_ids:
                raise UserError(self.env._("Choose the invoices you dispute."))
            moves = self._ar_portal_checked_moves(company, move_ids)
        files = self._ar_portal_check_files(files)
        owner = self._ar_get_owner(company)
        # the owner follows the dispute; the one e-mail they get is the one below
        dispute = (
            Dispute.with_company(company)
            .with_context(mail_auto_subscribe_no_notify=True)
            .create(
                {
                    "partner_id": self.id,
                    "company_id": company.id,
                    "move_ids": [fields.Command.set(moves.ids)],
                    "reason": reason,
                    "description": Markup("<p>%s</p>") % escape(text) if text else False,
                    "source": "portal",
                    "user_id": (owner or self.env.ref("base.user_root")).id,
                }
            )
        )
        if files:
            self.env["ir.attachment"].sudo().create(
                [
                    {
                        "name": name,
                        "raw": content,
                        "res_model": dispute._name,
                        "res_id": dispute.id,
                    }
                    for name, content in files
                ]
            )
        body = self.env._(
            "%(who)s raised dispute %(dispute)s on the receivables page: %(reason)s.",
            who=actor or self.name,
            dispute=dispute._get_html_link(),
            reason=dispute._ar_reason_label(),
        )
        if owner:
            # an e-mail whatever the owner's notification preference (inbox or
            # e-mail): a dispute stops the chase, the owner must hear of it
            self.env["mail.mail"].sudo().create(
                {
                    "subject": self.env._(
                        "Dispute %(dispute)s raised by %(customer)s online",
                        dispute=dispute.name,
                        customer=self.name,
                    ),
                    "body_html": body,
                    "email_from": company.email_formatted or company.partner_id.email_formatted,
                    "recipient_ids": [fields.Command.set(owner.partner_id.ids)],
                    "model": dispute._name,
                    "res_id": dispute.id,
                }
            )
        self._ar_portal_log(body)
        return dispute

    def _ar_portal_check_files(self, files):
        """``files`` when each is an allowed type and size, else a UserError."""
        files = [(name, content) for name, content in files if content]
        if len(files) > DISPUTE_MAX_FILES:
            raise UserError(self.env._("Attach at most %s files.", DISPUTE_MAX_FILES))
        for name, content in files:
            if len(content) > DISPUTE_MAX_BYTES:
                raise UserError(
                    self.env._(
                        "%(file)s is larger than %(size)s MB.",
                        file=name,
                        size=DISPUTE_MAX_BYTES // (1024 * 1024),
                    )
                )
            if guess_mimetype(content) not in DISPUTE_MIMETYPES:
                raise UserError(self.env._("%s is not a PDF, PNG or JPEG file.", name))
        return files

    def _ar_portal_acknowledge(self, company, move_ids, who, actor=None):
        """The debtor confirms they owe ``move_ids``: date and ``who`` kept on each."""
        self.ensure_one()
        who = (who or "").strip()[:128]
        if not who:
            raise UserError(self.env._("Give your name to acknowledge invoices."))
        if not move_ids:
            raise UserError(self.env._("Choose the invoices you acknowledge."))
        moves = self._ar_portal_checked_moves(company, move_ids)
        moves.write({"ar_acknowledged_on": fields.Datetime.now(), "ar_acknowledged_by": who})
        self._ar_portal_log(
            self.env._(
                "%(who)s acknowledged %(invoices)s on the receivables page (given name: %(name)s).",
                who=actor or self.name,
                invoices=", ".join(moves.mapped("name")),
                name=who,
            ),
            moves,
        )
        return moves

    def _ar_portal_promise(self, company, move_ids, date_promised, amount, actor=None):
        """A promise to pay with source *portal* for ``move_ids``, within the company's
        limits: dated at most ``ar_promise_max_days`` ahead, for at least
        ``ar_portal_promise_min_share`` % of what they still owe."""
        self.ensure_one()
        if not move_ids:
            raise UserError(self.env._("Choose the invoices you promise to pay."))
        moves = self._ar_portal_checked_moves(company, move_ids)
        try:
            day = fields.Date.to_date(date_promised)
            amount = float(amount)
        except (TypeError, ValueError):
            day = amount = None
        if not day or amount is None or not math.isfinite(amount):
            raise UserError(self.env._("Give the date and the amount you promise to pay."))
        today = company._ar_today()
        latest = today + timedelta(days=company.ar_promise_max_days)
        if day < today or day > latest:
            raise UserError(
                self.env._(
                    "Choose a date between %(today)s and %(latest)s.",
                    today=format_date(self.env, today),
                    latest=format_date(self.env, latest),
                )
            )
        currency = moves.currency_id
        if len(currency) != 1:
            raise UserError(self.env._("Promise to pay invoices of one currency at a time."))
        owed = sum(moves.mapped("amount_residual"))
        smallest = currency.round(owed * company.ar_portal_promise_min_share / 100)
        if (
            float_compare(amount, smallest, precision_rounding=currency.rounding) < 0
            or float_compare(amount, owed, precision_rounding=currency.rounding) > 0
            or amount <= 0
        ):
            raise UserError(
                self.env._(
                    "Promise an amount between %(smallest)s and %(owed)s.",
                    smallest=format_amount(self.env, max(smallest, currency.rounding), currency),
                    owed=format_amount(self.env, owed, currency),
                )
            )
        owner = self._ar_get_owner(company)
        try:
            promise = (
                self.env["ar.followup.promise"]
                .sudo()
                .with_company(company)
                .create(
                    {
                        "partner_id": self.id,
                        "company_id": company.id,
                        "move_ids": [fields.Command.set(moves.ids)],
                        "date": today,
                        "date_promised": day,
                        "amount": amount,
                        "source": "portal",
                        "user_id": (owner or self.env.ref("base.user_root")).id,
                    }
                )
            )
        except ValidationError as error:
            raise UserError(error.args[0]) from error
        self._ar_portal_log(
            self.env._(
                "%(who)s promised on the receivables page to pay %(amount)s by %(date)s "
                "(%(promise)s).",
                who=actor or self.name,
                amount=format_amount(self.env, amount, currency),
                date=format_date(self.env, day),
                promise=promise._get_html_link(),
            )
        )
        return promise
