# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Demo data only: the books of Shakti Industrial Supplies, built from ar_followup_demo.xml.

The XML file makes the main company an Indian SME and creates its customers;
the methods here give it its invoices (planned by tools/demo_receivables.py),
its payments and the story beats: instalments, part payments, credit notes,
disputes and promises to pay. Every date is relative to the day the demo is
loaded. Tests never rely on any of it.
"""

import gc
import logging
import random
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as time_of_day

import pytz

from odoo import Command, api, models
from odoo.tools import SQL

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..tools.demo_history import DISPUTE_ANSWER, HISTORY_DAYS, react, reply_text
from ..tools.demo_history import SEED as HISTORY_SEED
from ..tools.demo_receivables import CUSTOMERS, HABITS, plan_invoices

_logger = logging.getLogger(__name__)

#: the hours of a day of the history, in the company's time zone: customers act in
#: the morning, the crons plan at ten and send after, the day's figures are recorded
#: in the evening
MORNING, PLANNING, SENDING, EVENING = (
    time_of_day(h, m) for h, m in ((9, 0), (10, 0), (10, 30), (18, 0))
)
#: days at the end of the history whose replies and approvals wait for the owner
OWNER_AWAY = 7
#: share of the promises read from replies that the customer keeps
PROMISES_KEPT = 0.6
#: days before the owner closes a dispute raised by e-mail
DISPUTE_DAYS = 12


class ArFollowupDemo(models.AbstractModel):
    """Builds the demo company's books; each method takes the company it works on."""

    _name = "ar.followup.demo"
    _description = "AR Follow-up Demo Builder"

    @api.model
    def _ar_demo_switch_to_rupees(self, company_ids):
        """Keep these companies' books in rupees, with India as the fiscal country.

        Account's own demo data posts a few US-dollar entries on the main
        company, and Odoo refuses to change the currency of a company with
        entries. The SME of our demo starts from clean books: those entries are
        removed the way Odoo removes them when it replaces a chart of accounts
        (``account.chart.template._load``).
        """
        companies = self.env["res.company"].browse(company_ids)
        inr, india = self.env.ref("base.INR"), self.env.ref("base.in")
        inr.action_unarchive()
        for company in companies.filtered(lambda c: c.currency_id != inr):
            moves = self.env["account.move"].search([("company_id", "=", company.id)])
            moves.with_context(**{MODULE_UNINSTALL_FLAG: True}).unlink()
            company.currency_id = inr
        for company in companies.filtered(lambda c: c.account_fiscal_country_id != india):
            # the chart's "Domestic" fiscal position now means India
            self.env["account.fiscal.position"].search(
                [
                    ("company_id", "=", company.id),
                    ("country_id", "=", company.account_fiscal_country_id.id),
                ]
            ).country_id = india
            company.account_fiscal_country_id = india
        return True

    @api.model
    def _ar_demo_load_receivables(self, company_ids):
        """Invoices, payments and follow-up records of the demo customers, as of today.

        What happened before the last ``HISTORY_DAYS`` days is posted at once; those
        days are then played one by one through the follow-up engine
        (:meth:`_ar_demo_play_history`); the story beats of today come last. The
        context's ``ar_demo_history_days`` plays fewer days (the demo's test, to keep
        the test suite's time).
        """
        company = self.env["res.company"].browse(company_ids)
        company.ensure_one()
        started, cpu = time.monotonic(), time.process_time()
        company = company.with_company(company).with_context(tracking_disable=True)
        today = company._ar_today()
        days = self.env.context.get("ar_demo_history_days", HISTORY_DAYS)
        start = today - timedelta(days=days)
        customers = {key: self.env.ref("ar_followup.demo_partner_%s" % key) for key in CUSTOMERS}
        for key, periods in CUSTOMERS.items():
            term = self.env.ref(HABITS[periods[-1][0]].term)
            customers[key].with_company(company).property_payment_term_id = term
        products = self._ar_demo_products(company)

        # the books at the start and the days played, which end yesterday
        plans = [plan for plan in plan_invoices(today) if plan.date <= start or plan.date < today]
        with self._ar_demo_clock(company) as clock:
            # the books as they stood when the history starts, posted on that morning;
            # the invoices of the days after wait as drafts, each posted on its day
            clock(start, MORNING)
            drafts = dict(
                zip(
                    plans,
                    self._ar_demo_draft_plans(company, customers, products, plans),
                    strict=True,
                )
            )
            earlier = [plan for plan in plans if plan.date <= start]
            invoices = self.env["account.move"].concat(*(drafts[plan] for plan in earlier))
            invoices.action_post()
            # Hundreds of journal items just landed in tables whose statistics may say
            # "empty" (analysed right after the install): without fresh ones, PostgreSQL
            # plans the payment-state queries of the reconciliations below as nested
            # loops over every journal item, and they run for minutes instead of seconds.
            self.env.cr.execute(SQL("ANALYZE account_move, account_move_line"))
            paid = defaultdict(lambda: self.env["account.move"])
            for plan, invoice in zip(earlier, invoices, strict=True):
                if plan.paid_on and plan.paid_on <= start:
                    paid[customers[plan.customer], plan.paid_on] |= invoice
            self._ar_demo_settle(company, paid)
            posted = dict(zip(earlier, invoices, strict=True))
            history, due_today = self._ar_demo_play_history(
                company, drafts, posted, clock, start, today
            )
        # what is paid today is paid at today's time
        self._ar_demo_pay_day(company, due_today, today)
        beats = self._ar_demo_story_beats(company, customers, products, today)
        self._ar_demo_sms_received(company, customers)
        self.env["account.move.line"]._ar_refresh_ageing(self)
        company._ar_compute_dso(today)
        self.env["ar.followup.snapshot"]._ar_record(company, today)
        _logger.info(
            "AR Follow-up demo: %d invoices and credit notes, %d days of follow-up for %s "
            "in %.1f s (%.1f s of this process's CPU)",
            len(invoices | history | beats),
            days,
            company.name,
            time.monotonic() - started,
            time.process_time() - cpu,
        )
        return True

    def _ar_demo_draft_plans(self, company, customers, products, plans):
        """The invoices of ``plans`` (``tools/demo_receivables.py``) as drafts, in their order.

        One ``create`` for all of them: Odoo computes a batch of invoices (lines,
        taxes, due dates) at a fraction of what one call per day of the history costs.
        """
        return self.env["account.move"].create(
            [
                self._ar_demo_invoice_vals(
                    company,
                    customers[plan.customer],
                    plan.date,
                    [(products[plan.product], plan.quantity, plan.price)],
                    term=self.env.ref(plan.term),
                    ref=plan.ref,
                )
                for plan in plans
            ]
        )

    # -- the history, played day by day ------------------------------------------

    @contextmanager
    def _ar_demo_clock(self, company):
        """A stopped clock, yielded as ``clock(day, at)``, which sets it to ``at`` (a time
        of day in the company's time zone) on ``day``; real time comes back on leaving.

        The engine reads the clock where a cron would (ageing, sending window,
        dates of sending, clicks, replies and promises): the history is made by
        moving it, the way the tests move it, not by writing dates afterwards.
        One clock is moved rather than one stopped per step: stopping it patches
        every loaded module.
        """
        # imported here: a database built without demo data never needs it
        from freezegun import freeze_time

        tz = pytz.timezone(company._ar_tz())

        def utc(day, at):
            return tz.localize(datetime.combine(day, at)).astimezone(pytz.utc).replace(tzinfo=None)

        self.env.flush_all()
        with freeze_time(utc(company._ar_today(), time_of_day())) as frozen:

            def clock(day, at):
                self.env.flush_all()
                frozen.move_to(utc(day, at))
                self.env.invalidate_all()

            yield clock
            self.env.flush_all()
        self.env.invalidate_all()

    @contextmanager
    def _ar_demo_one_transaction(self):
        """The dispatcher commits as it goes (``ir.cron._commit_progress``); demo data is
        loaded in the transaction of the module's install, which commits it as a whole
        (and a test loading it rolls it back), so here a commit only flushes."""

        from unittest.mock import patch

        def flush(cron, processed=0, *, remaining=None, deactivate=False):
            cron.env.flush_all()
            return float("inf")

        with patch.object(self.env.registry["ir.cron"], "_commit_progress", flush):
            yield

    @contextmanager
    def _ar_demo_collecting(self):
        """Yields ``collect()``, a garbage collection of what was made since entering.

        A day of the history leaves dozens of environments behind (``with_user``,
        ``with_context``) held in reference cycles, which only a full collection
        frees, and Odoo compares every new environment with each living one: the
        history collects once a day. The heap as it stood before is frozen so that
        each collection only goes through what the days made.
        """
        gc.collect()
        gc.freeze()
        try:
            yield gc.collect
        finally:
            gc.unfreeze()

    def _ar_demo_play_history(self, company, drafts, posted, clock, start, today):
        """Play the days after ``start`` up to yesterday as they would have gone;
        ``drafts``: {plan: invoice} of every planned invoice, ``posted`` those of
        them posted before, ``clock`` the stopped clock of :meth:`_ar_demo_clock`.

        Each morning the day's invoices are posted, the day's payments registered and
        the customers answer the reminders of the day before
        (:meth:`_ar_demo_customers_react`); then the crons run as every day:
        promises checked, ageing and planning, the approval queue worked, the
        reminders sent, the DSO and the day's metrics recorded (those of ``start`` too,
        as the books stood then). Returns the invoices
        posted on the way and the payments due today ``[(invoice, amount or None)]``.
        """
        rng = random.Random(HISTORY_SEED)
        later = defaultdict(list)
        for plan in drafts:
            if plan.date > start:
                later[plan.date].append(plan)
        # {day: [(invoice, amount or None for all of it)]}
        payments = defaultdict(list)

        def schedule(plan, invoice):
            if plan.paid_on:
                if plan.paid_on > start:
                    payments[plan.paid_on].append((invoice, None))
            elif plan.part:
                day = min(plan.due + timedelta(days=5), today)
                amount = round(invoice.amount_total * plan.part, -3)
                if day > start:
                    payments[day].append((invoice, amount))
                else:
                    self._ar_demo_pay(company, invoice, amount, day)

        for plan, invoice in posted.items():
            schedule(plan, invoice)
        Snapshot = self.env["ar.followup.snapshot"]
        # the figures of the first day too: the dashboard compares today with the day
        # HISTORY_DAYS before, which has to be recorded for the change to show
        clock(start, EVENING)
        company._ar_compute_dso(start)
        Snapshot._ar_record(company, start)
        moves = self.env["account.move"]
        attachments = company.read(["ar_attach_invoices", "ar_attach_statement"])[0]
        # the e-mails of the history go without their PDFs: printing a few hundred
        # would take most of the demo's build; today's reminders carry them again
        company.write({"ar_attach_invoices": False, "ar_attach_statement": False})
        replies = []
        with self._ar_demo_one_transaction(), self._ar_demo_collecting() as collect:
            for day in (start + timedelta(days=n) for n in range(1, (today - start).days)):
                clock(day, MORNING)
                collect()
                if later[day]:
                    new = self.env["account.move"].concat(*(drafts[plan] for plan in later[day]))
                    new.action_post()
                    moves |= new
                    for plan in later[day]:
                        schedule(plan, drafts[plan])
                self._ar_demo_pay_day(company, payments.pop(day, []), day)
                self._ar_demo_close_disputes(company, day)
                replies += self._ar_demo_customers_react(company, day, rng)
                # the owner's last week away: its replies and approvals wait
                if day < today - timedelta(days=OWNER_AWAY):
                    self._ar_demo_work_inbox(day, replies, rng, payments, today)
                clock(day, PLANNING)
                self.env["ar.followup.promise"]._cron_ar_check_promises()
                company._ar_plan_reminders(day)
                if day < today - timedelta(days=OWNER_AWAY):
                    self._ar_demo_approve(company)
                clock(day, SENDING)
                company._ar_dispatch_reminders()
                self._ar_demo_deliver_emails(company)
                clock(day, EVENING)
                company._ar_compute_dso(day)
                Snapshot._ar_record(company, day)
        self._ar_demo_read_notifications(today - timedelta(days=OWNER_AWAY))
        company.write(attachments)
        return moves, payments.pop(today, [])

    def _ar_demo_sms_received(self, company, customers):
        """Two SMS to the company's number, as Twilio's webhook hands them over: a
        customer's answer (on its thread and in the AR inbox) and one from a number
        no customer has (kept as unmatched)."""
        Sms = self.env["ar.followup.sms.message"]
        for sid, number, body in (
            (
                "SM" + "d" * 32,
                customers["kaveri"].phone,
                "Received your SMS. Cheque for the open bills goes out on Friday.",
            ),
            ("SM" + "e" * 32, "+91 90040 11223", "Who is this? Please call me."),
        ):
            Sms._ar_receive_twilio(
                company,
                {"MessageSid": sid, "From": number.replace(" ", ""), "Body": body},
            )

    def _ar_demo_approve(self, company):
        """The reminders waiting for approval approved by their customer's owner."""
        waiting = self.env["ar.followup.reminder"].search(
            [("company_id", "=", company.id), ("state", "=", "to_approve")]
        )
        admin = self.env.ref("base.user_admin")
        for owner, reminders in waiting.grouped(lambda r: r.partner_id._ar_get_owner()).items():
            reminders.with_user(owner or admin).action_approve()

    def _ar_demo_pay_day(self, company, due, day):
        """Register ``due`` (``[(invoice, amount or None)]``): each customer's full
        payments of the day in one payment, part payments one by one, all at once."""
        full = defaultdict(lambda: self.env["account.move"])
        receipts = []
        for invoice, amount in due:
            if not invoice.amount_residual:
                continue
            if amount:
                receipts.append((invoice, min(amount, invoice.amount_residual), None))
            else:
                full[invoice.commercial_partner_id] |= invoice
        receipts += [(invoices, None, None) for invoices in full.values()]
        if receipts:
            self._ar_demo_receive(company, receipts, day)

    def _ar_demo_customers_react(self, company, day, rng):
        """The customers answer the reminders sent the day before (``tools/demo_history.py``):
        an invoice opened online, a link followed, or an e-mail reply through the mail
        gateway. Returns the replies ``[(day, reaction, conversation)]``."""
        Reminder = self.env["ar.followup.reminder"]
        sent = Reminder.search(
            [
                ("company_id", "=", company.id),
                ("channel", "=", "email"),
                ("state", "in", ("sent", "delivered")),
                ("date_sent", ">=", datetime.combine(day - timedelta(days=1), time_of_day.min)),
                ("date_sent", "<", datetime.combine(day, time_of_day.min)),
            ],
            order="id",
        )
        replies = []
        for reminder in sent:
            reaction = react(rng)
            if reaction == "view":
                Reminder._ar_record_view(reminder.move_ids[:1])
            elif reaction == "click":
                reminder._ar_record_click(rng.choice(("pay", "account", "statement")))
            elif reaction != "ignore" and reminder.move_ids:
                text = reply_text(rng, reaction, reminder.move_ids[0].name, day)
                conversation = self._ar_demo_reply(reminder, text)
                if conversation:
                    replies.append((day, reaction, conversation))
        return replies

    def _ar_demo_reply(self, reminder, text):
        """``text`` received by e-mail in answer to ``reminder`` through the mail gateway;
        returns the customer's open conversation in the AR inbox."""
        message = reminder.mail_message_id
        sender = (reminder.recipient or reminder.partner_id.email or "").split(",")[0].strip()
        raw = (
            "From: %(sender)s\r\n"
            "To: %(to)s\r\n"
            "Subject: Re: %(subject)s\r\n"
            "Message-Id: <ar-demo-reply-%(id)s@%(domain)s>\r\n"
            "In-Reply-To: %(parent)s\r\n"
            "References: %(parent)s\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "%(text)s\r\n"
        ) % {
            "sender": sender,
            "to": reminder.company_id.email or "accounts@example.com",
            "subject": reminder.subject,
            "id": reminder.id,
            "domain": sender.rpartition("@")[2] or "example.com",
            "parent": message.message_id,
            "text": text.replace("\n", "\r\n"),
        }
        self.env["mail.thread"].message_process(False, raw.encode())
        return self.env["ar.followup.conversation"].search(
            [
                ("partner_id", "=", reminder.partner_id.commercial_partner_id.id),
                ("state", "=", "open"),
            ],
            limit=1,
        )

    def _ar_demo_work_inbox(self, day, replies, rng, payments, today):
        """The customer's owner handles the replies of two days ago and before: confirms
        what the reply says (a promise, kept or not; a dispute) and marks the
        conversation handled."""
        for reply in list(replies):
            replied_on, _reaction, conversation = reply
            if replied_on > day - timedelta(days=2):
                continue
            replies.remove(reply)
            if conversation.state != "open":
                continue
            owner = conversation.partner_id._ar_get_owner() or self.env.ref("base.user_admin")
            handled = conversation.with_user(owner)
            new = handled.suggestion_ids.filtered(lambda s: s.state == "new")
            for suggestion in new.filtered(lambda s: s.kind != "promise" or s.date)[:1]:
                suggestion.action_confirm()
                promise = suggestion.promise_id
                if promise and promise.date_promised < today and rng.random() < PROMISES_KEPT:
                    payments[promise.date_promised] += [(move, None) for move in promise.move_ids]
            handled.action_mark_handled()

    def _ar_demo_read_notifications(self, until):
        """The AR team reads its Discuss notifications every day: those of the days
        before ``until`` are read, the owners' week away waits in their inbox."""
        team = self.env.ref("base.user_admin") | self.env.ref("ar_followup.demo_user_ar_clerk")
        read_on = datetime.combine(until, time_of_day())
        self.env["mail.notification"].search(
            [
                ("res_partner_id", "in", team.partner_id.ids),
                ("notification_type", "=", "inbox"),
                ("is_read", "=", False),
                ("mail_message_id.date", "<", read_on),
            ]
        ).write({"is_read": True, "read_date": read_on})

    def _ar_demo_close_disputes(self, company, day):
        """Disputes raised by e-mail are closed by the customer's owner after
        ``DISPUTE_DAYS``: the claim checked and rejected, the chase resumes."""
        disputes = self.env["ar.followup.dispute"].search(
            [
                ("company_id", "=", company.id),
                ("source", "=", "email"),
                ("state", "in", ("open", "in_review")),
                ("date_raised", "<=", day - timedelta(days=DISPUTE_DAYS)),
            ]
        )
        for dispute in disputes:
            owner = dispute.partner_id._ar_get_owner() or self.env.ref("base.user_admin")
            closing = dispute.with_user(owner)
            closing.write({"resolution": "rejected", "ar_response": DISPUTE_ANSWER})
            closing.action_resolve()

    def _ar_demo_deliver_emails(self, company):
        """The demo's mail server accepts every e-mail: what is queued goes through what
        Odoo's mail queue does after a successful send (``mail.mail._send``), so the
        reminders are delivered and no e-mail of the history is left to leave the demo."""
        mails = self.env["mail.mail"].sudo().search([("state", "=", "outgoing")])
        if mails:
            mails.write({"state": "sent"})
            mails._postprocess_sent_message(success_pids=mails.recipient_ids, success_emails=[])

    def _ar_demo_products(self, company):
        """What the SME sells, with an 18% GST made from the chart's sales tax (no l10n_in needed)."""
        india = self.env.ref("base.in")
        base_tax = company.account_sale_tax_id
        gst = base_tax.copy(
            {
                "name": "GST 18%",
                "description": "GST 18%",
                "invoice_label": "GST 18%",
                "amount": 18.0,
                "country_id": india.id,
                "tax_group_id": base_tax.tax_group_id.copy(
                    {"name": "GST", "country_id": india.id}
                ).id,
            }
        )
        company.account_sale_tax_id = gst
        sold_here = {"company_id": company.id, "taxes_id": [Command.set(gst.ids)]}
        fittings, amc = self.env["product.product"].create(
            [
                {
                    **sold_here,
                    "name": "Hydraulic fittings (316 stainless), lot",
                    "default_code": "HF-SS-316",
                    "type": "consu",
                    "list_price": 475.0,
                },
                {
                    **sold_here,
                    "name": "Annual maintenance contract",
                    "default_code": "AMC",
                    "type": "service",
                    "list_price": 120000.0,
                },
            ]
        )
        return {"fittings": fittings, "amc": amc}

    def _ar_demo_invoice_vals(
        self, company, partner, day, lines, term=None, ref=False, move_type="out_invoice"
    ):
        """A customer invoice (or credit note); ``lines``: (product, quantity, unit price[, label])."""
        return {
            "move_type": move_type,
            "partner_id": partner.id,
            "company_id": company.id,
            "invoice_date": day,
            "invoice_payment_term_id": term.id if term else False,
            "ref": ref,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "quantity": quantity,
                        "price_unit": price,
                        **({"name": label[0]} if label else {}),
                    }
                )
                for product, quantity, price, *label in lines
            ],
        }

    def _ar_demo_post_invoices(self, company, vals_list):
        moves = self.env["account.move"].create(vals_list)
        moves.action_post()
        return moves

    def _ar_demo_pay(self, company, invoice, amount, day, memo=None):
        """A customer payment of ``amount`` on ``invoice`` (:meth:`_ar_demo_receive`)."""
        return self._ar_demo_receive(company, [(invoice, amount, memo)], day)

    def _ar_demo_receive(self, company, receipts, day):
        """Customer payments received on ``day`` in the company's bank, each reconciled
        with the invoices it pays; ``receipts``: ``[(invoices, amount or None for all
        they owe, memo or None)]``, invoices of one customer per payment.

        What Odoo's *Register Payment* wizard leaves (``account.payment.register``:
        payments posted, their receivable lines reconciled with the invoices', the
        invoices linked), made for all the receipts of a day in one batch, without the
        wizard's own computations (its batches, journals and amounts, once per call),
        which add nothing to the books.
        """
        bank = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        )
        vals_list, open_lines = [], []
        for invoices, amount, memo in receipts:
            receivable = invoices.line_ids.filtered(
                lambda l: l.account_type == "asset_receivable" and not l.reconciled
            )
            open_lines.append(receivable)
            vals_list.append(
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    "partner_id": invoices.commercial_partner_id.id,
                    "company_id": company.id,
                    "journal_id": bank.id,
                    "date": day,
                    "amount": amount or sum(receivable.mapped("amount_residual")),
                    "memo": memo or " ".join(invoices.mapped("name")),
                    "destination_account_id": receivable.account_id[:1].id,
                    "invoice_ids": [Command.set(invoices.ids)],
                }
            )
        payments = self.env["account.payment"].create(vals_list)
        payments.action_post()
        self.env["account.move.line"]._reconcile_plan(
            [
                lines
                | payment.move_id.line_ids.filtered(lambda l: l.account_type == "asset_receivable")
                for payment, lines in zip(payments, open_lines, strict=True)
            ]
        )
        return payments

    def _ar_demo_settle(self, company, paid):
        """Settle the invoices paid in the past: ``paid`` is {(customer, day): invoices}.

        One bank entry per customer and day, reconciled with its invoices the way
        a bank statement reconciliation leaves them (paid, not "in payment"), all
        in one batch.
        """
        bank = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
        )
        groups = sorted(paid.items(), key=lambda item: item[0][1])
        vals_list = []
        for (partner, day), invoices in groups:
            receivable = invoices.line_ids.filtered(lambda l: l.account_type == "asset_receivable")
            amount = sum(receivable.mapped("amount_residual"))
            label = "NEFT %s: %s" % (partner.name, ", ".join(invoices.mapped("name")))
            line = {"partner_id": partner.id, "name": label}
            vals_list.append(
                {
                    "move_type": "entry",
                    "journal_id": bank.id,
                    "date": day,
                    "ref": label,
                    "line_ids": [
                        Command.create(
                            {**line, "account_id": bank.default_account_id.id, "debit": amount}
                        ),
                        Command.create(
                            {**line, "account_id": receivable.account_id.id, "credit": amount}
                        ),
                    ],
                }
            )
        receipts = self._ar_demo_post_invoices(company, vals_list)
        self.env["account.move.line"]._reconcile_plan(
            [
                (invoices | receipt).line_ids.filtered(
                    lambda l: l.account_type == "asset_receivable"
                )
                for receipt, (_key, invoices) in zip(receipts, groups, strict=True)
            ]
        )
        # Posted today, the long-paid invoices were logged as entering a bucket
        # today; they never were open in this story.
        settled = self.env["account.move"].concat(*paid.values())
        self.env["ar.followup.bucket.transition"].search([("move_id", "in", settled.ids)]).unlink()
        return receipts

    def _ar_demo_story_beats(self, company, customers, products, today):
        """What payment habits do not tell: instalments, credit notes, disputes, promises.

        Returns the invoices and credit notes it posts.
        """
        fittings, amc = products["fittings"], products["amc"]
        split = self.env.ref("ar_followup.demo_payment_term_50_50")
        net_15, net_30, net_45 = (
            self.env.ref("account.account_payment_term_%sdays" % days) for days in (15, 30, 45)
        )

        def ago(days):
            return today - timedelta(days=days)

        def invoice(key, days, lines, term, ref):
            return self._ar_demo_invoice_vals(
                company, customers[key], ago(days), lines, term=term, ref=ref
            )

        def credit_note(key, days, label, amount, ref):
            return self._ar_demo_invoice_vals(
                company,
                customers[key],
                ago(days),
                [(fittings, 1, amount, label)],
                ref=ref,
                move_type="out_refund",
            )

        # key: (customer, days ago, lines, payment term, customer reference)
        beats = {
            # twelve years of paying on time, and now one lot is disputed: 38 days overdue
            "kaveri_stuck": ("kaveri", 68, [(fittings, 1500, 650)], net_30, "KEW/PO/2026/4471"),
            # projects billed in two instalments: 50% at 30 days, 50% at 60 days
            "kaveri_split": (
                "kaveri",
                25,
                [(fittings, 1, 1450000, "Hydraulic power pack: supply and commissioning")],
                split,
                "KEW/PO/2026/4530",
            ),
            "mspdcl_split": (
                "mspdcl",
                100,
                [(fittings, 1, 1800000, "Substation fittings: rate contract RC/2025/117")],
                split,
                "MSPDCL/RC/2025/117",
            ),
            "gwsc_split": (
                "gwsc",
                20,
                [(amc, 1, 960000, "Pumping stations: maintenance, first half")],
                split,
                "GWSC/WO/2026/031",
            ),
            "om_sai_split": ("om_sai", 75, [(fittings, 400, 320)], split, "OSE/2026/019"),
            # the municipal corporation's oldest bill, part paid after a budget release
            "gnmc_oldest": (
                "gnmc",
                285,
                [(amc, 1, 640000, "Water works: annual maintenance contract")],
                net_45,
                "GNMC/WW/AMC/2025",
            ),
            "gnmc_rate": ("gnmc", 120, [(fittings, 900, 475)], net_45, "GNMC/PWD/2026/044"),
            "balaji_damaged": ("balaji", 57, [(fittings, 200, 240)], net_15, "BTT/2026/007"),
            "royal_missing": ("royal", 24, [(fittings, 120, 475)], net_15, "RH/2026/052"),
            "kalinga_kept": ("kalinga", 65, [(fittings, 300, 650)], net_30, "KSF/PO/0918"),
            "shree_ganesh_broken": (
                "shree_ganesh",
                70,
                [(fittings, 150, 240)],
                net_15,
                "SGH/2026/011",
            ),
        }
        moves = self._ar_demo_post_invoices(company, [invoice(*beat) for beat in beats.values()])
        beat = dict(zip(beats, moves, strict=True))

        # the first instalment settled, the second running late
        self._ar_demo_pay(
            company, beat["om_sai_split"], beat["om_sai_split"].amount_total / 2, ago(40)
        )
        self._ar_demo_pay(
            company, beat["gnmc_oldest"], 250000, ago(150), memo="Part release, budget head 2215"
        )

        credit_notes = self._ar_demo_post_invoices(
            company,
            [
                credit_note(
                    "gnmc",
                    30,
                    "Rate difference: revised L1 rate",
                    34200,
                    "Against %s" % beat["gnmc_rate"].name,
                ),
                credit_note(
                    "balaji",
                    35,
                    "Goods returned: damaged in transit",
                    9600,
                    "Against %s" % beat["balaji_damaged"].name,
                ),
                credit_note("coromandel", 12, "Volume rebate, last quarter", 48000, "Rebate Q4"),
                credit_note("malabar", 9, "Short supply against PO", 9250, "Short supply"),
            ],
        )
        # the first two are applied to the invoices they correct; the others wait to be used
        for refund, corrected in zip(
            credit_notes[:2], (beat["gnmc_rate"], beat["balaji_damaged"]), strict=True
        ):
            (refund | corrected).line_ids.filtered(
                lambda l: l.account_type == "asset_receivable"
            ).reconcile()

        # money in the bank nobody can match yet: the remittance advice never came
        unallocated = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": customers["indus"].id,
                "amount": 150000.0,
                "date": ago(6),
                "memo": "NEFT UTR HDFCN52026061412, remittance advice awaited",
            }
        )
        unallocated.action_post()

        self._ar_demo_disputes(company, customers, beat, ago)
        self._ar_demo_promises(company, customers, beat, ago)
        return moves | credit_notes

    def _ar_demo_hold(self, model, company, partner, move, vals):
        """A dispute or promise (``model``) of ``partner`` on ``move``, recorded by its owner."""
        return self.env[model].create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "move_ids": [Command.set(move.ids)],
                "user_id": (partner._ar_get_owner() or self.env.user).id,
                **vals,
            }
        )

    def _ar_demo_disputes(self, company, customers, beat, ago):
        """One dispute under review, one just raised, one resolved by a credit note."""

        def dispute(key, move, **vals):
            return self._ar_demo_hold("ar.followup.dispute", company, customers[key], move, vals)

        dispute(
            "kaveri",
            beat["kaveri_stuck"],
            reason="quality",
            source="email",
            date_raised=ago(30),
            amount=230100.0,
            description="<p>Two lots of 316 stainless fittings failed the pressure test at the "
            "Peenya plant. Payment is held until the replacements are accepted.</p>",
        ).action_start_review()
        dispute(
            "royal",
            beat["royal_missing"],
            reason="not_received",
            source="whatsapp",
            date_raised=ago(4),
            description="<p>Only 80 of the 120 lots reached Faridabad; the transporter's "
            "proof of delivery is awaited.</p>",
        )
        resolved = dispute(
            "balaji",
            beat["balaji_damaged"],
            reason="quality",
            source="call",
            date_raised=ago(45),
            amount=11328.0,
            description="<p>Twenty lots arrived damaged in transit.</p>",
            ar_response="Goods taken back; credit note issued for the damaged lots.",
            resolution="credit_note",
        )
        resolved.action_resolve()

    def _ar_demo_promises(self, company, customers, beat, ago):
        """One promise open, one kept, one broken (and escalated by the daily check)."""

        def promise(key, move, **vals):
            return self._ar_demo_hold("ar.followup.promise", company, customers[key], move, vals)

        split = beat["mspdcl_split"]
        promise(
            "mspdcl",
            split,
            source="call",
            date=ago(3),
            date_promised=ago(-7),
            amount=split.amount_total / 2,
            note="The executive engineer says the bill is passed; the first instalment goes "
            "in next week's payment run.",
        )
        kept = beat["kalinga_kept"]
        promise(
            "kalinga",
            kept,
            source="call",
            date=ago(18),
            date_promised=ago(6),
            note="Accounts will release the payment with this month's supplier run.",
        )
        self._ar_demo_pay(
            company, kept, kept.amount_residual, ago(7), memo="NEFT against %s" % kept.name
        )
        promise(
            "shree_ganesh",
            beat["shree_ganesh_broken"],
            source="whatsapp",
            date=ago(21),
            date_promised=ago(10),
            note="The proprietor promised a cheque after the festival sales.",
        )
        # the next morning's check: the kept one is already kept, the broken one breaks
        self.env["ar.followup.promise"]._cron_ar_check_promises()
