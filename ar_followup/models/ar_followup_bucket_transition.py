# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ArFollowupBucketTransition(models.Model):
    """An invoice moving from one ageing bucket to another, dated.

    Written set-based by the ageing refresh; the cadence engine fires the
    "on entering bucket" steps from these rows.
    """

    _name = "ar.followup.bucket.transition"
    _description = "Ageing Bucket Transition"
    _order = "date desc, id desc"
    # written by the thousand each day by the ageing refresh, never edited: the date
    # says when, and who is always the scheduler
    _log_access = False

    move_id = fields.Many2one(
        "account.move", "Invoice", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one("res.partner", "Customer", required=True, index=True)
    company_id = fields.Many2one("res.company", required=True)
    date = fields.Date(required=True, index=True)
    from_bucket_id = fields.Many2one("ar.followup.bucket", "From", ondelete="set null")
    to_bucket_id = fields.Many2one("ar.followup.bucket", "To", ondelete="set null")
