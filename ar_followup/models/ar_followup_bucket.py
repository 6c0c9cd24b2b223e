# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.ageing import bucket_ranges


class ArFollowupBucket(models.Model):
    """An ageing bucket: a range of days past due, configured per company.

    Each bucket stores only its inclusive upper bound; the lower bound is the day
    after the previous bucket's. The last bucket of a company is open-ended.
    """

    _name = "ar.followup.bucket"
    _description = "Ageing Bucket"
    _order = "company_id, open_ended, max_days, id"

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    max_days = fields.Integer(
        "Up to (days past due)",
        help="Last day past due covered by this bucket. 0 means not yet due "
        "(an invoice due today is not overdue).",
    )
    open_ended = fields.Boolean(help="Covers everything older than the previous bucket.")
    min_days = fields.Integer("From (days past due)", compute="_compute_min_days")
    range_label = fields.Char("Range", compute="_compute_min_days")
    color = fields.Integer()
    active = fields.Boolean(default=True)

    @api.depends("max_days", "open_ended", "company_id")
    def _compute_min_days(self):
        for company, buckets in self.grouped("company_id").items():
            ranges = {r.bucket_id: r for r in company._ar_bucket_ranges()}
            for bucket in buckets:
                rng = ranges.get(bucket.id)
                bucket.min_days = rng.low if rng and rng.low is not None else 0
                if not rng:
                    bucket.range_label = False
                elif rng.low is None:
                    bucket.range_label = self.env._("≤ %s", rng.high)
                elif rng.high is None:
                    bucket.range_label = self.env._("%s+", rng.low)
                else:
                    bucket.range_label = self.env._("%(low)s–%(high)s", low=rng.low, high=rng.high)

    @api.constrains("max_days", "open_ended", "company_id", "active")
    def _check_partition(self):
        for company in self.company_id:
            buckets = self.search([("company_id", "=", company.id)])
            try:
                bucket_ranges([(b.id, None if b.open_ended else b.max_days) for b in buckets])
            except ValueError as exc:
                raise ValidationError(
                    self.env._(
                        "Ageing buckets of %(company)s are inconsistent: %(reason)s",
                        company=company.display_name,
                        reason=exc,
                    )
                ) from exc
            if buckets and not buckets.filtered(lambda b: not b.open_ended and b.max_days == 0):
                raise ValidationError(
                    self.env._(
                        "%s needs an ageing bucket ending on day 0 (not yet due): "
                        "invoices are overdue from day 1.",
                        company.display_name,
                    )
                )
            if buckets and not buckets.filtered("open_ended"):
                raise ValidationError(
                    self.env._(
                        "%s needs one open-ended ageing bucket for the oldest invoices.",
                        company.display_name,
                    )
                )
