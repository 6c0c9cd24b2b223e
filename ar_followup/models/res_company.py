# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from contextlib import contextmanager
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.gc import disabling_gc

from ..tools.ageing import bucket_ranges
from ..tools.payment_followup import parse_followup_days
from .res_company_email_attachments import CompanyEmailAttachments

_logger = logging.getLogger(__name__)


@contextmanager
def _without_jit(cr):
    """PostgreSQL's JIT compiler off for the queries of the block (this transaction only).

    It compiles any query its cost estimate calls large, and the planner's reads
    of every open item cost more to compile than to run (see ``make bench``).
    On an error the transaction is rolled back, which restores the setting too.
    """
    cr.execute(SQL("SELECT current_setting('jit')"))
    previous = cr.fetchone()[0]
    cr.execute(SQL("SELECT set_config('jit', 'off', true)"))
    yield
    cr.execute(SQL("SELECT set_config('jit', %s, true)", previous))


DEFAULT_BUCKETS = [
    # (xml id suffix, name, inclusive upper bound in days past due or None)
    ("not_due", "Not due", 0),
    ("1_30", "1–30", 30),
    ("31_60", "31–60", 60),
    ("61_90", "61–90", 90),
    ("90_plus", "90+", None),
]


class ResCompany(CompanyEmailAttachments, models.Model):
    _inherit = "res.company"

    ar_bucket_ids = fields.One2many("ar.followup.bucket", "company_id", "Ageing Buckets")
    ar_reply_hold = fields.Selection(
        [
            ("off", "Never"),
            ("handled", "Until handled"),
            ("days", "Until handled, at most some days"),
        ],
        "Hold After a Reply",
        default="handled",
        required=True,
        help="Whether a customer's reply waiting in the AR inbox holds automated reminders "
        "to that customer, and for how long.",
    )
    ar_reply_hold_days = fields.Integer(
        "Hold After a Reply (days)",
        default=3,
        help="With 'at most some days': reminders start again this many days after the reply "
        "even if no one handled it.",
    )
    ar_inbox_alias_id = fields.Many2one(
        "mail.alias",
        "AR Inbox Alias",
        copy=False,
        ondelete="set null",
        help="E-mails to this address open or add to the sender's conversation in the AR "
        "inbox, threaded or not; from an unknown address they wait there unmatched.",
    )
    ar_possible_payment_hold = fields.Boolean(
        "Hold on Possible Payments",
        default=True,
        help="Before sending, a payment reminder is held when an unreconciled incoming bank "
        "line brings its amount: the customer's at any date, or one without a customer of "
        "the last 10 days. The AR owner gets a to-do to reconcile it.",
    )
    ar_promise_grace_days = fields.Integer(
        "Promise Grace (days)",
        default=3,
        help="Days after a promised payment date during which reminders stay suspended; "
        "a promise still unpaid after them is broken.",
    )
    ar_promise_max_days = fields.Integer(
        "Longest Promise (days)",
        default=180,
        help="A promise to pay can be dated at most this many days after it is made: a "
        "promise suspends reminders until its date.",
    )
    ar_portal_link_days = fields.Integer(
        "Receivables Page Links (days)",
        default=30,
        help="Days a reminder's link to the customer's receivables page stays valid.",
    )
    ar_portal_promise_min_share = fields.Float(
        "Smallest Promise Online (%)",
        default=10.0,
        help="A promise made on the receivables page covers at least this share of what "
        "the chosen invoices still owe.",
    )
    ar_portal_partial_payment = fields.Boolean(
        "Partial Payments Online",
        help="On the receivables page, the customer may pay less than what the invoices "
        "chosen owe, from the minimum below.",
    )
    ar_portal_partial_min = fields.Monetary(
        "Smallest Partial Payment",
        currency_field="currency_id",
        help="The smallest amount a customer may pay online when paying part of the "
        "invoices chosen.",
    )
    ar_pause_max_days = fields.Integer(
        "Longest Pause (days)",
        default=90,
        help="Follow-up of a customer can be paused at most this many days ahead.",
    )
    # retention of personal data (DPDP Act 2023)
    ar_retention_message_days = fields.Integer(
        "Keep Reminder Texts (days)",
        default=730,
        help="What sent reminders said (text and body) is erased this many days after they "
        "were sent; who was reminded of what, when and for how much stays.",
    )
    ar_retention_tracking_days = fields.Integer(
        "Keep Link Clicks (days)",
        default=180,
        help="Clicks on the tracked links of reminders are deleted after this many days.",
    )
    # DSO
    ar_dso_period_days = fields.Integer(
        "DSO Period (days)",
        default=90,
        help="Days of credit sales Days Sales Outstanding is measured against, ending on the "
        "day it is computed (standard method: receivables ÷ sales of the period × its days).",
    )

    # India's DLT registration of commercial SMS (TRAI): every SMS names its sender
    ar_sms_dlt_entity_id = fields.Char(
        "DLT Entity ID",
        help="Principal Entity ID of the company's DLT registration. Required to send "
        "reminder SMS from a company in India.",
    )
    ar_sms_dlt_header = fields.Char(
        "DLT Sender Header",
        size=11,
        help="The registered sender ID (header) reminder SMS are sent from, e.g. SHAKTI.",
    )

    # cadence
    ar_policy_id = fields.Many2one(
        "ar.followup.policy",
        "Default Cadence Policy",
        domain="[('company_id', 'in', (False, id))]",
        help="For customers whose segment names no policy and who have none of their own; "
        "without it, the Standard policy.",
    )
    ar_planning_hour = fields.Float(
        "Planning Hour",
        default=10.0,
        help="Hour of the day, in the company's time zone, from which the day's reminders are "
        "planned (ageing refreshed first).",
    )
    ar_last_plan_date = fields.Date(
        "Reminders Last Planned",
        readonly=True,
        copy=False,
        help="Day the reminders were last planned for, in the company's time zone.",
    )

    # what e-mail reminders carry
    ar_attach_invoices = fields.Boolean(
        "Attach Invoice PDFs",
        default=True,
        help="E-mail reminders carry the PDF of every invoice they claim.",
    )
    ar_attach_invoices_format = fields.Selection(
        [
            ("combined", "All invoices in one PDF"),
            ("each", "One PDF per invoice"),
        ],
        "Invoice PDFs",
        default="combined",
        required=True,
        help="All the invoices a reminder claims merged into one PDF, or each invoice's own "
        "PDF attached on its own. Either way each invoice's PDF is printed once and kept on "
        "the invoice, as when it is sent.",
    )
    ar_attach_statement = fields.Boolean(
        "Attach Statement of Account",
        default=True,
        help="E-mail reminders carry the customer's statement of account as a PDF.",
    )
    # failed online payments
    ar_payment_retry_days = fields.Char(
        "Retry After Failed Payment (days)",
        default="1,3,7",
        help="Days after an online payment of invoices failed or was cancelled on which the "
        "customer is reminded with a fresh payment link (comma-separated; empty: never).",
    )

    # send retries when a channel's provider fails temporarily
    ar_send_max_attempts = fields.Integer(
        "Reminder Send Attempts",
        default=3,
        help="Attempts on one channel when its provider fails temporarily (outage, rate "
        "limit); then the step's next channel is tried.",
    )
    ar_send_retry_minutes = fields.Integer(
        "Retry After (minutes)",
        default=15,
        help="Wait before the first retry; each further retry waits twice as long.",
    )
    # channels that obey calling hours (SMS, calls) reach customers only within them
    ar_calling_hour_start = fields.Float(
        "Calling Hours From",
        default=8.0,
        help="Hour of the day, in the customer's time zone, from which SMS and calls may "
        "reach customers.",
    )
    ar_calling_hour_end = fields.Float(
        "Calling Hours Until",
        default=19.0,
        help="Hour of the day, in the customer's time zone, until which SMS and calls may "
        "reach customers.",
    )
    ar_channel_ids = fields.One2many("ar.followup.channel", "company_id", "Reminder Channels")

    _ar_planning_hour_valid = models.Constraint(
        "CHECK(ar_planning_hour >= 0 AND ar_planning_hour < 24)",
        "The planning hour is an hour of the day.",
    )
    _ar_reply_hold_days_positive = models.Constraint(
        "CHECK(ar_reply_hold_days >= 0)", "The hold after a reply cannot last negative days."
    )
    _ar_promise_grace_days_positive = models.Constraint(
        "CHECK(ar_promise_grace_days >= 0)", "The grace after a promise to pay cannot be negative."
    )
    _ar_portal_link_days_positive = models.Constraint(
        "CHECK(ar_portal_link_days > 0)", "A receivables page link is valid at least a day."
    )
    _ar_portal_partial_min_positive = models.Constraint(
        "CHECK(ar_portal_partial_min >= 0)", "The smallest partial payment cannot be negative."
    )
    _ar_portal_promise_min_share_range = models.Constraint(
        "CHECK(ar_portal_promise_min_share >= 0 AND ar_portal_promise_min_share <= 100)",
        "The smallest share of a promise is between 0 and 100%.",
    )
    _ar_promise_max_days_positive = models.Constraint(
        "CHECK(ar_promise_max_days > 0)", "A promise to pay can be dated at least a day ahead."
    )
    _ar_pause_max_days_positive = models.Constraint(
        "CHECK(ar_pause_max_days > 0)", "Follow-up can be paused at least a day ahead."
    )
    _ar_send_max_attempts_valid = models.Constraint(
        "CHECK(ar_send_max_attempts BETWEEN 1 AND 10)",
        "Reminder send attempts are between 1 and 10.",
    )
    _ar_send_retry_minutes_valid = models.Constraint(
        "CHECK(ar_send_retry_minutes BETWEEN 1 AND 1440)",
        "The wait before a retry is between 1 minute and a day (1440 minutes).",
    )
    _ar_dso_period_days_positive = models.Constraint(
        "CHECK(ar_dso_period_days > 0)", "The DSO period lasts at least one day."
    )
    _ar_calling_hours_valid = models.Constraint(
        "CHECK(ar_calling_hour_start >= 0 AND ar_calling_hour_start < ar_calling_hour_end "
        "AND ar_calling_hour_end <= 24)",
        "Calling hours start before they end, within the day.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._ar_create_default_buckets()
        self.env["ar.followup.channel"]._ar_create_missing(companies)
        return companies

    @api.constrains("ar_payment_retry_days")
    def _check_ar_payment_retry_days(self):
        for company in self:
            try:
                parse_followup_days(company.ar_payment_retry_days)
            except ValueError:
                raise ValidationError(
                    self.env._(
                        "Retry days after a failed payment are whole days from 1 on, separated "
                        "by commas (e.g. 1,3,7), not “%s”.",
                        company.ar_payment_retry_days,
                    )
                ) from None

    @api.constrains("ar_retention_message_days", "ar_retention_tracking_days")
    def _check_ar_retention(self):
        for company in self:
            if company.ar_retention_message_days < 1 or company.ar_retention_tracking_days < 1:
                raise ValidationError(self.env._("Retention periods are whole days, at least 1."))

    def _ar_get_retention_domain(self):
        """Domain of this company's reminders whose texts are past retention."""
        self.ensure_one()
        limit = fields.Datetime.now() - timedelta(days=self.ar_retention_message_days)
        return [("date_sent", "<", limit)]

    def _ar_payment_retry_days(self):
        self.ensure_one()
        return parse_followup_days(self.ar_payment_retry_days)

    @api.model
    def _ar_init_default_buckets(self):
        """At install: give every existing company the default buckets."""
        return self.sudo().with_context(active_test=False).search([])._ar_create_default_buckets()

    def _ar_create_default_buckets(self):
        vals_list = [
            self._ar_prepare_bucket_vals(company, name, max_days)
            for company in self
            if not company.sudo().ar_bucket_ids
            for _key, name, max_days in DEFAULT_BUCKETS
        ]
        return self.env["ar.followup.bucket"].sudo().create(vals_list)

    @api.model
    def _ar_prepare_bucket_vals(self, company, name, max_days):
        return {
            "name": name,
            "company_id": company.id,
            "max_days": max_days or 0,
            "open_ended": max_days is None,
        }

    def _ar_set_inbox_alias(self, name):
        """Give the company the AR inbox alias ``name`` (on its alias domain), rename it,
        or remove it when ``name`` is empty. Refused with a message when the company
        has no alias domain or another alias already has the name."""
        self.ensure_one()
        alias = self.sudo().ar_inbox_alias_id
        if not name:
            self.sudo().ar_inbox_alias_id = False
            alias.unlink()
            return
        if not self.alias_domain_id:
            raise UserError(
                self.env._(
                    "%s has no alias domain: set one in Settings › Emails before the AR "
                    "inbox alias.",
                    self.name,
                )
            )
        vals = {"alias_name": name, "alias_domain_id": self.alias_domain_id.id}
        if alias:
            alias.write(vals)
            return
        self.sudo().ar_inbox_alias_id = (
            self.env["mail.alias"]
            .sudo()
            .create(
                {
                    **vals,
                    "alias_model_id": self.env["ir.model"]._get_id("ar.followup.conversation"),
                    "alias_defaults": repr({"company_id": self.id}),
                    "alias_contact": "everyone",
                }
            )
        )

    def _ar_tz(self):
        self.ensure_one()
        return self.partner_id.tz or self.env.user.tz or "UTC"

    def _ar_today(self):
        """Today's date in the company's time zone (the ageing reference date)."""
        self.ensure_one()
        now = fields.Datetime.now()
        return pytz.utc.localize(now).astimezone(pytz.timezone(self._ar_tz())).date()

    def _ar_bucket_ranges(self):
        self.ensure_one()
        buckets = self.env["ar.followup.bucket"].sudo().search([("company_id", "=", self.id)])
        return bucket_ranges([(b.id, None if b.open_ended else b.max_days) for b in buckets])

    def _ar_ageing_scope(self):
        """{company id: {"today": date, "ranges": [BucketRange]}} for companies with buckets."""
        scope = {}
        for company in self:
            ranges = company._ar_bucket_ranges()
            if ranges:
                scope[company.id] = {"today": company._ar_today(), "ranges": ranges}
        return scope

    def _ar_next_reference(self, code, prefix, day=None):
        """Next reference of a per-company, yearly numbering such as ``DSP/2026/0001``.

        ``code`` is the numbered model's name, used as the sequence code. The
        company's ``ir.sequence`` is created the first time it is needed, so
        companies created after the install number from 1 as well.
        """
        self.ensure_one()
        Sequence = self.env["ir.sequence"].sudo()
        sequence = Sequence.search([("code", "=", code), ("company_id", "=", self.id)], limit=1)
        if not sequence:
            sequence = Sequence.create(
                {
                    "name": "%s (%s)" % (self.env[code]._description, self.name),
                    "code": code,
                    "company_id": self.id,
                    "prefix": "%s/%%(range_year)s/" % prefix,
                    "padding": 4,
                    "use_date_range": True,
                }
            )
        return sequence._next(sequence_date=day or self._ar_today())

    @api.model
    def _cron_ar_refresh_ageing(self):
        """Daily: age every open receivable line of every company and record transitions."""
        self.env["account.move.line"]._ar_refresh_ageing(self.search([]))

    def _ar_compute_dso(self, day=None):
        """Record the DSO of these companies on ``day`` (default: each one's today).

        One query and one write per company (see ``ar.followup.dso._ar_compute``);
        running a day again replaces its rows. Returns the number of rows written.
        """
        Dso = self.env["ar.followup.dso"].sudo()
        return sum(Dso._ar_compute(company, day or company._ar_today()) for company in self.sudo())

    @api.model
    def _cron_ar_compute_dso(self):
        """Daily: record every company's DSO of the day, committing after each company."""
        companies = self.search([])
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=len(companies))
        rows = 0
        for company in companies:
            rows += company._ar_compute_dso()
            Cron._commit_progress(1)
        _logger.info("AR DSO recorded for %d companies: %d rows", len(companies), rows)
        return rows

    # cadence ------------------------------------------------------------------

    def _ar_planning_due(self):
        """Whether the day's reminders of this company are still to be planned now."""
        self.ensure_one()
        local = pytz.utc.localize(fields.Datetime.now()).astimezone(pytz.timezone(self._ar_tz()))
        hour = local.hour + local.minute / 60
        return hour >= self.ar_planning_hour and (
            not self.ar_last_plan_date or self.ar_last_plan_date < local.date()
        )

    def _ar_plan_reminders(self, day=None):
        """Plan the reminders of these companies (default: all) for ``day`` (default:
        each one's today): ageing refreshed, then one planning pass per company
        (``ar.followup.reminder._ar_plan``). Returns the reminders recorded."""
        companies = (self or self.search([])).sudo()
        # A pass allocates a few objects per open item and frees them at the end: the
        # cyclic garbage collector, triggered by allocations, would scan the whole
        # heap (registry and ORM cache included) again and again for nothing; it
        # took 40 % of a pass. Reference counting still frees memory meanwhile.
        with disabling_gc(), _without_jit(self.env.cr):
            self.env["account.move.line"].sudo()._ar_refresh_ageing(companies)
            Reminder = self.env["ar.followup.reminder"].sudo()
            reminders = Reminder
            for company in companies:
                reminders |= Reminder._ar_plan(company, day or company._ar_today())
        return reminders

    def _ar_dispatch_reminders(self, limit=None):
        """Send the queued reminders of these companies (default: all) that are due now,
        at most ``limit``; see ``ar.followup.reminder._ar_dispatch``."""
        companies = (self or self.search([])).sudo()
        return self.env["ar.followup.reminder"].sudo()._ar_dispatch(companies, limit=limit)

    @api.model
    def _cron_ar_plan_reminders(self):
        """Hourly: plan the day's reminders of each company once its planning hour has come
        in its time zone, committing after each company."""
        companies = self.search([]).filtered(lambda c: c._ar_planning_due())
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=len(companies))
        for company in companies:
            today = company._ar_today()
            reminders = company._ar_plan_reminders(today)
            company.ar_last_plan_date = today
            _logger.info(
                "AR reminders planned for %s on %s: %d recorded",
                company.name,
                today,
                len(reminders),
            )
            if not Cron._commit_progress(1):
                break

    @api.model
    def _cron_ar_dispatch_reminders(self):
        """Every few minutes: send what is queued and due, in batches (see ``_ar_dispatch``)."""
        return self.search([])._ar_dispatch_reminders()
