# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import csv
import io
import math
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, format_amount, format_date
from odoo.tools.mimetypes import guess_mimetype

from ..tools import pdf_batch
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
#: the longest period of a ledger downloaded from the page, in years: a ledger is
#: read and printed in one request
LEDGER_MAX_YEARS = 3
#: the most invoices printed into one PDF from the page, in one request
PDF_MAX_INVOICES = 50
#: quotations and sale orders listed on the page
ORDERS_LIMIT = 20
#: what a spreadsheet reads as a formula at the start of a cell
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
        offers = self._ar_portal_offers(moves, today)
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
                    # an early-payment offer still open: what it saves, its last day
                    "offer_text": self.env._(
                        "Save %(amount)s until %(date)s",
                        amount=money(offers[move.id][0], move.currency_id),
                        date=day(offers[move.id][1]),
                    )
                    if move.id in offers
                    else "",
                }
            )
        buckets, total_due, total_overdue = self._ar_portal_buckets(company)
        currency = company.currency_id
        offered = [offers[move.id] for move in moves if move.id in offers]
        saved_total = sum(
            saved for saved, _end, currency_id in offered if currency_id == currency.id
        )
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
            "offers_text": self.env._(
                "Pay the invoices with an offer by the offer's date and save %(amount)s in "
                "total; the first offer ends on %(date)s.",
                amount=money(saved_total, currency),
                date=day(min(end for _saved, end, _c in offered)),
            )
            if saved_total
            else "",
            "ledger_date_from": self.env[
                "report.ar_followup.report_statement"
            ]._ar_default_date_from(today),
            "ledger_date_to": today,
            "ledger_hint": self.env._("At most %s years at a time.", LEDGER_MAX_YEARS),
            "pdf_hint": self.env._(
                "The invoices ticked in one PDF (at most %s).", PDF_MAX_INVOICES
            ),
            "partial_payment": company.ar_portal_partial_payment,
            "partial_min": company.ar_portal_partial_min,
            "orders": self._ar_portal_orders(company),
        }

    def _ar_portal_orders(self, company):
        """The customer's open quotations and sale orders in ``company`` with their
        portal links, when ``sale`` is installed (no dependency on it): dicts of
        name, date, amount, state, url and pdf_url; the newest ``ORDERS_LIMIT``."""
        self.ensure_one()
        if "sale.order" not in self.env:
            return []
        Order = self.env["sale.order"].sudo()
        orders = Order.search_fetch(
            [
                ("partner_id", "child_of", self.id),
                ("company_id", "=", company.id),
                "|",
                ("state", "in", ("draft", "sent")),
                "&",
                ("state", "=", "sale"),
                ("invoice_status", "!=", "invoiced"),
            ],
            ["name", "date_order", "amount_total", "currency_id", "state", "access_token"],
            order="date_order desc, id desc",
            limit=ORDERS_LIMIT,
        )
        states = dict(Order._fields["state"]._description_selection(self.env))
        money, day = self._ar_portal_formatters()
        return [
            {
                "name": order.name,
                "date_text": day(order.date_order.date()),
                "amount_text": money(order.amount_total, order.currency_id),
                "state": states.get(order.state, order.state),
                # sale's own page and PDF, signed by the order's access token
                "url": order.get_portal_url(),
                "pdf_url": order.get_portal_url(report_type="pdf", download=True),
            }
            for order in orders
        ]

    def _ar_portal_offers(self, moves, today):
        """``{invoice id: (amount saved, last day, currency id)}``: the early-payment
        discounts of Odoo's payment terms still open on ``today`` among ``moves``,
        read in one query.

        An offer holds as Odoo's payment flow applies it
        (``account.move._is_eligible_for_early_payment_discount``): the payment
        term gives an early discount, the discount date is not past, and nothing
        has been paid on the invoice yet.
        """
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search_fetch(
                [
                    ("move_id", "in", moves.ids),
                    ("move_id.move_type", "in", ("out_invoice", "out_receipt")),
                    ("move_id.invoice_payment_term_id.early_discount", "=", True),
                    ("display_type", "=", "payment_term"),
                    ("discount_date", ">=", today),
                    ("reconciled", "=", False),
                ],
                [
                    "move_id",
                    "currency_id",
                    "discount_date",
                    "amount_currency",
                    "discount_amount_currency",
                    "amount_residual_currency",
                ],
            )
        )
        offers = {}
        for line in lines:
            saved = line.amount_currency - line.discount_amount_currency
            if saved <= 0 or line.currency_id.compare_amounts(
                line.amount_residual_currency, line.amount_currency
            ):
                continue
            offers[line.move_id.id] = (saved, line.discount_date, line.currency_id.id)
        return offers

    def _ar_portal_amount_to_pay(self, moves):
        """``(amount, saved)``: what paying ``moves`` online costs now, the
        early-payment discounts still open included, and what these discounts
        save. The amounts Odoo's payment flow compares the transaction's to when it
        writes the discount off (``payment.transaction._create_payment``)."""
        amount = saved = 0.0
        # the offers end on the company's day, as the page shows them
        for move in moves.with_context(tz=moves.company_id[:1]._ar_tz()):
            values = move._get_invoice_next_payment_values()
            if values.get("installment_state") == "epd":
                amount += values["amount_due"]
                saved += values["epd_discount_amount_currency"]
            else:
                amount += move.amount_residual
        currency = moves.currency_id[:1]
        return currency.round(amount), currency.round(saved)

    def _ar_portal_check_amount(self, company, moves, amount, due=None):
        """The amount to pay online for ``moves``: all they owe now (``due``, from
        :meth:`_ar_portal_amount_to_pay` when not given) when ``amount`` is empty,
        or ``amount`` when the company allows partial payments and it lies between
        its minimum and that; a UserError otherwise."""
        if due is None:
            due, _saved = self._ar_portal_amount_to_pay(moves)
        if amount in (None, ""):
            return due
        currency = moves.currency_id
        if not company.ar_portal_partial_payment:
            raise UserError(
                self.env._("Pay what the invoices owe: partial payments are not accepted.")
            )
        try:
            amount = currency.round(float(amount))
        except (TypeError, ValueError):
            amount = None
        smallest = min(company.ar_portal_partial_min or currency.rounding, due)
        if (
            amount is None
            or not math.isfinite(amount)
            or currency.compare_amounts(amount, smallest) < 0
            or currency.compare_amounts(amount, due) > 0
        ):
            money, _day = self._ar_portal_formatters()
            raise UserError(
                self.env._(
                    "Pay an amount between %(smallest)s and %(due)s.",
                    smallest=money(max(smallest, currency.rounding), currency),
                    due=money(due, currency),
                )
            )
        return amount

    # -- downloads ---------------------------------------------------------------

    def _ar_portal_ledger_period(self, company, date_from, date_to):
        """``(from, to)`` of a ledger asked for on the page: dates, in order, not
        after today, spanning at most ``LEDGER_MAX_YEARS``; a UserError otherwise."""
        today = company._ar_today()
        try:
            start = fields.Date.to_date(date_from) if date_from else None
            end = fields.Date.to_date(date_to) if date_to else today
        except (TypeError, ValueError):
            start = end = None
        if not start or not end:
            raise UserError(self.env._("Give the first and last day of the ledger."))
        if start > end or end > today:
            raise UserError(
                self.env._(
                    "Choose a period that starts before it ends and ends by %s.",
                    format_date(self.env, today),
                )
            )
        if start < end - relativedelta(years=LEDGER_MAX_YEARS):
            raise UserError(self.env._("Choose a period of at most %s years.", LEDGER_MAX_YEARS))
        return start, end

    def _ar_portal_ledger_csv(self, company, date_from, date_to):
        """The customer's ledger in ``company`` from ``date_from`` to ``date_to`` as CSV
        (UTF-8 with BOM, for spreadsheets): opening balance, each entry with its
        debit, credit and running balance, closing balance; in the company currency."""
        self.ensure_one()
        Report = self.env["report.ar_followup.report_statement"].sudo().with_company(company)
        statement = Report._ar_statements(self, company, date_from, date_to)[self.id]
        stream = io.StringIO()
        writer = csv.writer(stream)
        writer.writerow(
            [
                self.env._("Date"),
                self.env._("Number"),
                self.env._("Reference"),
                self.env._("Due date"),
                self.env._("Debit"),
                self.env._("Credit"),
                self.env._("Balance"),
            ]
        )
        amount = f"%.{company.currency_id.decimal_places}f"
        writer.writerow(
            [
                date_from.isoformat(),
                self.env._("Opening balance"),
                "",
                "",
                "",
                "",
                amount % statement["opening"],
            ]
        )
        for line in statement["lines"]:
            writer.writerow(
                [
                    line["date"].isoformat(),
                    csv_cell(line["number"]),
                    csv_cell(line["reference"]),
                    line["due"].isoformat() if line["due"] else "",
                    amount % line["debit"],
                    amount % line["credit"],
                    amount % line["balance"],
                ]
            )
        writer.writerow(
            [
                date_to.isoformat(),
                self.env._("Closing balance"),
                "",
                "",
                "",
                "",
                amount % statement["closing"],
            ]
        )
        return "\ufeff" + stream.getvalue()

    def _ar_portal_ledger_pdf(self, company, date_from, date_to):
        """``(content, report type)``: the customer's statement of account for the
        period, printed now."""
        self.ensure_one()
        return (
            self.env["ir.actions.report"]
            .sudo()
            .with_company(company)
            ._render_qweb_pdf(
                "ar_followup.action_report_statement",
                res_ids=self.ids,
                data={"date_from": date_from.isoformat(), "date_to": date_to.isoformat()},
            )
        )

    def _ar_portal_invoices_pdf(self, company, move_ids):
        """``(content, report type)``: the PDFs of the customer's ``move_ids`` in one
        document, in the page's order; at most ``PDF_MAX_INVOICES``."""
        self.ensure_one()
        if not move_ids:
            raise UserError(self.env._("Choose the invoices to download."))
        if len(set(move_ids)) > PDF_MAX_INVOICES:
            raise UserError(self.env._("Download at most %s invoices at once.", PDF_MAX_INVOICES))
        moves = self._ar_portal_checked_moves(company, move_ids, invoices_only=False)
        errors = {}
        pdfs = moves._ar_get_invoice_pdfs(errors=errors)
        if errors:
            raise UserError(
                self.env._(
                    "%s could not be printed; download it on its own or ask us.",
                    ", ".join(moves.browse(list(errors)).mapped("name")),
                )
            )
        contents = [pdfs[move.id].raw for move in moves]
        kind = "pdf" if all(content.startswith(b"%PDF") for content in contents) else "html"
        return pdf_batch.merge(contents), kind

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

    def _ar_portal_opt_out_channels(self, company):
        """``[(channel code, label, stopped)]``: the channels the debtor may stop or resume
        reminders on from the page: those with an opt-out flag that ``company`` uses, and
        any the customer already stopped (so it can resume them)."""
        self.ensure_one()
        Channel = self.env["ar.followup.channel"]
        states = Channel._ar_get_states(company)
        flags = self._ar_consent_flags()
        return [
            (code, label, bool(self[flags[code]]))
            for code, label in Channel._ar_selection()
            if code in flags and (states[code] != "disabled" or self[flags[code]])
        ]

    def _ar_portal_set_opt_out(self, company, channel, stop, actor=None, address=None):
        """The debtor stops (``stop``) or resumes reminders by ``channel``: the customer's
        global opt-out flag, a consent record with source *portal*, a note on its
        thread. Asking for what already holds changes nothing; returns whether it
        changed."""
        self.ensure_one()
        offered = {
            code: stopped for code, _label, stopped in self._ar_portal_opt_out_channels(company)
        }
        if channel not in offered:
            raise UserError(self.env._("Choose a channel to stop or resume reminders on."))
        if offered[channel] == bool(stop):
            return False
        label = dict(self.env["ar.followup.channel"]._ar_selection())[channel]
        if stop:
            note = self.env._("Stopped on the receivables page by %s", actor or self.name)
        else:
            note = self.env._("Resumed on the receivables page by %s", actor or self.name)
        self.with_context(
            ar_consent_source="portal", ar_consent_note=note, ar_consent_address=address
        ).write({self._ar_consent_flags()[channel]: bool(stop)})
        if stop:
            body = self.env._(
                "%(who)s stopped payment reminders by %(channel)s on the receivables page.",
                who=actor or self.name,
                channel=label,
            )
        else:
            body = self.env._(
                "%(who)s resumed payment reminders by %(channel)s on the receivables page.",
                who=actor or self.name,
                channel=label,
            )
        self._ar_portal_log(body)
        return True

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


def csv_cell(value):
    """``value`` safe in a spreadsheet: a text starting like a formula is prefixed
    with a quote, so that a reference the customer typed is shown, never run.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("INV/2026/1"), csv_cell("@SUM(1)")
    ("'=HYPERLINK(1)", 'INV/2026/1', "'@SUM(1)")
    """
    value = value or ""
    return "'" + value if value.startswith(CSV_FORMULA_STARTS) else value
