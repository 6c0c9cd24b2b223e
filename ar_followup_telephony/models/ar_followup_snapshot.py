# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from .ar_followup_call import OPEN_STATES

#: the call queue's figures on the collections dashboard
CALL_METRICS = ("call_open_count", "call_due_today_count", "call_callback_overdue_count")


class ArFollowupSnapshot(models.Model):
    """The call queue on the collections dashboard: read when shown, as it is now."""

    _inherit = "ar.followup.snapshot"

    call_open_count = fields.Integer(
        "Open Calls", compute="_compute_call_figures", help="Customers waiting for a call."
    )
    call_due_today_count = fields.Integer(
        "Calls Due Today",
        compute="_compute_call_figures",
        help="Open calls that may be made today: no later moment asked for, or one today.",
    )
    call_callback_overdue_count = fields.Integer(
        "Overdue Callbacks",
        compute="_compute_call_figures",
        help="Callbacks whose moment has passed.",
    )

    @api.depends("company_id", "partner_id")
    def _compute_call_figures(self):
        counts = defaultdict(int)
        for company in self.company_id:
            for metric in CALL_METRICS:
                for partner, count in self.env["ar.followup.call"]._read_group(
                    [("company_id", "=", company.id), *self._ar_get_call_domain(company, metric)],
                    ["partner_id"],
                    ["__count"],
                ):
                    counts[(company.id, partner.id, metric)] += count
                    counts[(company.id, None, metric)] += count
        for row in self:
            for metric in CALL_METRICS:
                row[metric] = counts[(row.company_id.id, row.partner_id.id or None, metric)]

    @api.model
    def _ar_get_call_domain(self, company, metric):
        """The calls counted by ``metric`` (a field name) for ``company``, as they are now
        (moments as strings: the domain also goes to the browser with the action)."""
        now = fields.Datetime.to_string(fields.Datetime.now())
        if metric == "call_callback_overdue_count":
            return [("state", "=", "callback"), ("date_next_call", "<", now)]
        open_calls = [("state", "in", OPEN_STATES)]
        if metric == "call_due_today_count":
            tomorrow = fields.Datetime.to_string(
                self._ar_day_start(company, company._ar_today() + timedelta(days=1))
            )
            return [
                *open_calls,
                "|",
                ("date_next_call", "=", False),
                ("date_next_call", "<", tomorrow),
            ]
        return open_calls

    def _ar_get_dashboard_domain(self, metric):
        if metric not in CALL_METRICS:
            return super()._ar_get_dashboard_domain(metric)
        self.ensure_one()
        customer = [("partner_id", "=", self.partner_id.id)] if self.partner_id else []
        return "ar.followup.call", [
            ("company_id", "=", self.company_id.id),
            *customer,
            *self._ar_get_call_domain(self.company_id, metric),
        ]

    @api.model
    def _ar_get_metric_actions(self):
        return {
            **super()._ar_get_metric_actions(),
            "ar.followup.call": "ar_followup_telephony.ar_followup_call_action",
        }

    def action_ar_open_calls_by_collector(self):
        """The open calls of this row's company (or customer), grouped by collector."""
        self.ensure_one()
        action = self.with_context(ar_metric="call_open_count").action_ar_open_metric()
        action["context"] = {"group_by": ["user_id"]}
        action["views"] = [(False, "list"), (False, "kanban"), (False, "form")]
        return action
