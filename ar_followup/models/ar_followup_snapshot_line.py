# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models

from .ar_followup_snapshot import TREND_DAYS


class ArFollowupSnapshotLine(models.Model):
    """A breakdown of a company's metrics of a day: its overdue amount in one ageing
    bucket, or its reminders of one channel in one state.

    Written with its snapshot (``ar.followup.snapshot._ar_write_day``), never
    edited; date and company are stored on the line so a pivot or graph of the
    trend reads one table.
    """

    _name = "ar.followup.snapshot.line"
    _description = "Follow-up Metrics Breakdown"
    _order = "date desc, kind, bucket_id, channel, state, id"
    _log_access = False

    snapshot_id = fields.Many2one(
        "ar.followup.snapshot", required=True, readonly=True, ondelete="cascade", index=True
    )
    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one("res.currency", "Currency", readonly=True)
    kind = fields.Selection(
        [("bucket", "Overdue by Bucket"), ("reminder", "Reminders by Channel and State")],
        required=True,
        readonly=True,
    )
    bucket_id = fields.Many2one("ar.followup.bucket", "Ageing Bucket", readonly=True)
    channel = fields.Selection(selection="_selection_channel", readonly=True)
    state = fields.Selection(
        selection=lambda self: self.env["ar.followup.reminder"]._fields["state"].selection,
        string="Reminder State",
        readonly=True,
    )
    count = fields.Integer(readonly=True, help="Open items of the bucket, or reminders.")
    amount = fields.Monetary(readonly=True, help="Overdue amount of the bucket.")
    change_30 = fields.Monetary(
        "Change over 30 Days",
        compute="_compute_change",
        help="The bucket's overdue amount less that of the metrics recorded 30 days before.",
    )
    change_60 = fields.Monetary(
        "Change over 60 Days",
        compute="_compute_change",
        help="The bucket's overdue amount less that of the metrics recorded 60 days before.",
    )
    change_90 = fields.Monetary(
        "Change over 90 Days",
        compute="_compute_change",
        help="The bucket's overdue amount less that of the metrics recorded 90 days before.",
    )
    has_snapshot_30 = fields.Boolean(related="snapshot_id.has_snapshot_30")
    has_snapshot_60 = fields.Boolean(related="snapshot_id.has_snapshot_60")
    has_snapshot_90 = fields.Boolean(related="snapshot_id.has_snapshot_90")

    @api.depends("kind", "bucket_id", "amount", "snapshot_id")
    def _compute_change(self):
        # a bucket without a line on a recorded day had nothing overdue that day
        snapshots = self.snapshot_id
        past = snapshots._ar_get_past_rows()
        before = {}
        if past:
            for line in self.search_fetch(
                [("snapshot_id", "in", [row.id for row in past.values()]), ("kind", "=", "bucket")],
                ["snapshot_id", "bucket_id", "amount"],
            ):
                before[(line.snapshot_id.id, line.bucket_id.id)] = line.amount
        for line in self:
            row = line.snapshot_id
            for days in TREND_DAYS:
                then = past.get((row.company_id.id, False, row.date - timedelta(days=days)))
                line["change_%d" % days] = (
                    line.amount - before.get((then.id, line.bucket_id.id), 0.0)
                    if then and line.kind == "bucket"
                    else 0.0
                )

    @api.model
    def _selection_channel(self):
        return self.env["ar.followup.channel"]._ar_selection()

    def action_ar_open_records(self):
        """The records behind this line: the reminders of its channel and state in the
        snapshot's window, or the open items of its bucket now."""
        self.ensure_one()
        snapshot = self.snapshot_id
        if self.kind == "reminder":
            action = snapshot.with_context(ar_metric="reminder_count").action_ar_open_metric()
            action["domain"] += [("channel", "=", self.channel), ("state", "=", self.state)]
        else:
            action = snapshot.with_context(ar_metric="amount_overdue").action_ar_open_metric()
            action["domain"] += [("bucket_id", "=", self.bucket_id.id)]
        return action

    @api.depends("kind", "bucket_id", "channel", "state", "date")
    def _compute_display_name(self):
        for line in self:
            what = line.bucket_id.name if line.kind == "bucket" else line.channel
            line.display_name = "%s, %s" % (what or "", fields.Date.to_string(line.date))
