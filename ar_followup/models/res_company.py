# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

import pytz

from odoo import api, fields, models

from ..tools.ageing import bucket_ranges

_logger = logging.getLogger(__name__)

DEFAULT_BUCKETS = [
    # (xml id suffix, name, inclusive upper bound in days past due or None)
    ("not_due", "Not due", 0),
    ("1_30", "1–30", 30),
    ("31_60", "31–60", 60),
    ("61_90", "61–90", 90),
    ("90_plus", "90+", None),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_bucket_ids = fields.One2many("ar.followup.bucket", "company_id", "Ageing Buckets")
    ar_promise_grace_days = fields.Integer(
        "Promise Grace (days)",
        default=3,
        help="Days after a promised payment date during which reminders stay suspended; "
        "a promise still unpaid after them is broken.",
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

    _ar_promise_grace_days_positive = models.Constraint(
        "CHECK(ar_promise_grace_days >= 0)", "The grace after a promise to pay cannot be negative."
    )
    _ar_dso_period_days_positive = models.Constraint(
        "CHECK(ar_dso_period_days > 0)", "The DSO period lasts at least one day."
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._ar_create_default_buckets()
        return companies

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
