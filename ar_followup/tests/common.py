# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared fixtures for the AR Follow-up addons' tests.

A company in INR on Asia/Kolkata time, customers, invoices built and posted
through the ORM, a frozen "today", and low-privilege users. Tests never use
demo data. Channel addons subclass :class:`ArFollowupCommon`.
"""

import tempfile
from contextlib import contextmanager
from datetime import date, datetime, time
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import new_test_user
from odoo.tools import file_open
from odoo.tools.mail import html_to_inner_content
from odoo.tools.translate import TranslationImporter

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.base.models.ir_mail_server import IrMail_Server

from .fake_smtp import FakeSmtp
from .fake_twilio import ACCOUNT_SID, AUTH_TOKEN

#: The date every test starts on, unless it moves time itself.
TODAY = date(2026, 6, 15)


class Crash(Exception):
    """The worker dies (killed, out of memory) in the middle of a dispatch."""


class ArFollowupCommon(AccountTestInvoicingCommon):
    """Company "AR Test India" (INR, Asia/Kolkata) with customers and users."""

    chart_template = "generic_coa"
    country_code = "IN"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._enable_currency("INR")
        cls.company = cls.env.company
        cls.company.partner_id.tz = "Asia/Kolkata"
        cls.env.user.tz = "Asia/Kolkata"
        cls.inr = cls.company.currency_id
        cls.buckets = cls.env["ar.followup.bucket"].search([("company_id", "=", cls.company.id)])
        cls.bucket = {b.name: b for b in cls.buckets}
        cls.customer = cls._ar_create_customer("Bharat Steel Traders", phone="+91 98200 12345")
        cls.customer_b = cls._ar_create_customer("Coastal Agro Foods", phone="+91 98450 67890")
        cls.ar_user = new_test_user(
            cls.env,
            login="ar_clerk",
            name="AR Clerk",
            tz="Asia/Kolkata",
            groups="ar_followup.ar_followup_group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.ar_manager = new_test_user(
            cls.env,
            login="ar_manager",
            name="AR Manager",
            tz="Asia/Kolkata",
            groups="ar_followup.ar_followup_group_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def setUp(self):
        super().setUp()
        # every test starts on TODAY at 10:00 in Kolkata; ``frozen`` moves time further
        freezer = freeze_time(datetime.combine(TODAY, time(4, 30)))
        freezer.start()
        self.addCleanup(freezer.stop)

    @classmethod
    def default_env_context(cls):
        return {**super().default_env_context(), "tz": "Asia/Kolkata"}

    @classmethod
    def _ar_create_customer(cls, name, **vals):
        return cls.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "email": "%s@example.in" % name.lower().replace(" ", "."),
                "country_id": cls.env.ref("base.in").id,
                "lang": "en_US",
                **vals,
            }
        )

    @classmethod
    def _ar_invoice(
        cls,
        partner,
        amount,
        due,
        invoice_date=None,
        post=True,
        move_type="out_invoice",
        currency=None,
        payment_term=None,
        company=None,
    ):
        """Post an invoice of ``amount`` (untaxed, no tax) due on ``due`` through the ORM.

        In ``company`` when given (its default sales journal), else the test company.
        """
        vals = {
            "move_type": move_type,
            "partner_id": partner.id,
            "invoice_date": invoice_date or due,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Goods",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        if currency:
            vals["currency_id"] = currency.id
        if payment_term:
            vals["invoice_payment_term_id"] = payment_term.id
        else:
            vals["invoice_date_due"] = due
        Move = cls.env["account.move"].with_company(company) if company else cls.env["account.move"]
        move = Move.create(vals)
        if post:
            move.action_post()
        return move

    @classmethod
    def _ar_pay(cls, invoice, amount, pay_date=None):
        """Register a payment of ``amount`` (in the invoice currency) on ``invoice``."""
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": amount,
                    "payment_date": pay_date or invoice.invoice_date,
                }
            )
            ._create_payments()
        )

    @classmethod
    def _ar_load_hindi(cls, *modules):
        """Activate Hindi and load the ``hi.po`` of ``modules`` (default: this addon) as
        it is written.

        Odoo's loader merges a ``.po`` with the addon's ``.pot`` and drops the
        entries the ``.pot`` does not list yet: a text changed or added since the
        ``.pot`` was last generated (``make pot``) would load untranslated. Read
        from a copy (no ``.pot`` beside it), every entry of ``hi.po`` loads.
        """
        cls.env["res.lang"]._activate_lang("hi_IN")
        importer = TranslationImporter(cls.env.cr, verbose=False)
        for module in modules or ("ar_followup",):
            with file_open("%s/i18n/hi.po" % module, "rb") as po:
                content = po.read()
            with tempfile.NamedTemporaryFile(suffix=".po") as copy:
                copy.write(content)
                copy.flush()
                copy.seek(0)
                importer.load(copy, "po", "hi_IN")
        importer.save(overwrite=True, force_overwrite=True)

    @classmethod
    def _ar_setup_sms(cls):
        """The company sends SMS through ``sms_twilio`` (the fake server's account) with its
        DLT registration complete, as an Indian company must (see ``fake_twilio.py``)."""
        cls.company.write(
            {
                "sms_provider": "twilio",
                "sms_twilio_account_sid": ACCOUNT_SID,
                "sms_twilio_auth_token": AUTH_TOKEN,
                "ar_sms_dlt_entity_id": "1201159178451234567",
                "ar_sms_dlt_header": "SHAKTI",
            }
        )
        cls.env["sms.twilio.number"].create(
            {
                "company_id": cls.company.id,
                "number": "+15005550006",
                "country_id": cls.env.ref("base.us").id,
            }
        )
        cls.env["ar.followup.template"].search([("channel", "=", "sms")]).write(
            {"sms_dlt_template_id": "1207168000001234567"}
        )

    @classmethod
    def _ar_other_company_clerk(cls, name="Other Co", chart=True):
        """(company B, an AR user of company B only) for multi-company isolation tests;
        ``chart=False``: a bare company, enough where B needs no accounting."""
        if chart:
            other = cls.setup_other_company(name=name)["company"]
        else:
            other = cls.env["res.company"].create({"name": name})
        clerk_b = new_test_user(
            cls.env,
            login="clerk_b",
            name="Clerk B",
            groups="ar_followup.ar_followup_group_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        return other, clerk_b

    @contextmanager
    def _ar_local_smtp(self, refuse=()):
        """Odoo's outgoing mail really sent, to a local SMTP server (``FakeSmtp``, which
        refuses the addresses of ``refuse``); yields the server."""
        with FakeSmtp(refuse=refuse) as server:
            self.env["ir.mail_server"].create(
                {
                    "name": "local",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": server.port,
                    "smtp_encryption": "none",
                }
            )
            with patch.object(IrMail_Server, "_disable_send", classmethod(lambda cls: False)):
                yield server

    def _ar_queued_mails(self, reminder):
        """The e-mails ``reminder`` left in Odoo's mail queue, one per recipient."""
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", reminder.mail_message_id.id)])
        )

    def _ar_deliver(self, reminder):
        """``reminder``'s queued e-mails sent to a local SMTP server (see
        :meth:`_ar_local_smtp`); the messages it received, ``[(from, to, bytes)]``."""
        mails = self._ar_queued_mails(reminder)
        with self._ar_local_smtp() as server:
            mails.send()
        return server.messages

    def _ar_system_admin(self):
        """A system administrator of the test company, who alone may rewrite the audit
        trail (disputes, promises)."""
        return new_test_user(
            self.env,
            login="ar_sysadmin",
            name="System Administrator",
            groups="base.group_system,ar_followup.ar_followup_group_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )

    @staticmethod
    @contextmanager
    def frozen(day):
        """Freeze time at 10:00 Asia/Kolkata (04:30 UTC) on ``day``."""
        with freeze_time(datetime.combine(day, time(4, 30))):
            yield

    @contextmanager
    def committing(self, crash_after=None):
        """Dispatch as the cron does, ``_commit_progress`` committing as it goes.

        The test transaction cannot commit: each commit becomes a savepoint, and a
        :class:`Crash` (raised by the ``crash_after``-th sent reminder's commit)
        rolls back to the last one, as PostgreSQL does when a worker dies. Yields the
        list of what each commit that reported progress had processed.
        """
        cr = self.env.cr
        sent = []

        def commit(cron, processed=0, *, remaining=None, deactivate=False):
            if processed:
                if crash_after is not None and len(sent) == crash_after:
                    raise Crash()
                sent.append(processed)
            cron.env.flush_all()
            cr.execute("RELEASE SAVEPOINT ar_cadence_commit")
            cr.execute("SAVEPOINT ar_cadence_commit")
            return float("inf")

        self.env.flush_all()
        cr.execute("SAVEPOINT ar_cadence_commit")
        with patch.object(self.registry["ir.cron"], "_commit_progress", commit):
            try:
                yield sent
            except Crash:
                cr.execute("ROLLBACK TO SAVEPOINT ar_cadence_commit")
                cr.clear()
                self.env.invalidate_all()
        cr.execute("RELEASE SAVEPOINT ar_cadence_commit")

    def plan(self, day=TODAY):
        """Plan the test company's reminders for ``day`` as the daily cron does; returns
        them (skipped ones included)."""
        with self.frozen(day):
            self.env.invalidate_all()
            reminders = self.company._ar_plan_reminders(day)
        self.env.invalidate_all()
        return reminders

    def dispatch(self, day=TODAY, at=None, batch_size=None, **kwargs):
        """Dispatch the test company's due reminders on ``day`` at ``at`` UTC (default
        04:30, 10:00 in Kolkata) as the cron does, committing as it goes (``kwargs``:
        those of :meth:`committing`, e.g. ``crash_after``), in batches of ``batch_size``
        (default: the cron's); returns what each commit had processed."""
        moment = datetime.combine(day, at or time(4, 30))
        with freeze_time(moment), self.committing(**kwargs) as commits:
            self.env.invalidate_all()
            if batch_size:
                self.env["ar.followup.reminder"].sudo()._ar_dispatch(
                    self.company.sudo(), batch_size=batch_size
                )
            else:
                self.company._ar_dispatch_reminders()
        self.env.invalidate_all()
        return commits

    def refresh_ageing(self, day=None):
        with self.frozen(day or TODAY):
            return self.env["res.company"]._cron_ar_refresh_ageing()

    @staticmethod
    def days_before(n, day=TODAY):
        return fields.Date.subtract(day, days=n)

    @staticmethod
    def chatter(record):
        """The chatter of ``record`` as plain text, newest first, as a user reads it."""
        record.invalidate_recordset(["message_ids"])
        return [html_to_inner_content(message.body) for message in record.message_ids]


class ArTemplateCommon(ArFollowupCommon):
    """What template tests render: two aged open invoices of the first customer, one
    45 days overdue with a PO reference, one of ₹25,00,000 five days overdue."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Template = cls.env["ar.followup.template"]
        cls.old = cls._ar_invoice(cls.customer, 125000, cls.days_before(45))
        cls.old.ref = "PO/BST/4471"
        cls.recent = cls._ar_invoice(cls.customer, 2500000, cls.days_before(5))

    def setUp(self):
        super().setUp()
        self.refresh_ageing()
        self.moves = self.old | self.recent
