# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Demo data only: the demo company's call queue, in test mode, with calls already made."""

from datetime import timedelta

from odoo import api, fields, models


class ArFollowupDemo(models.AbstractModel):
    _inherit = "ar.followup.demo"

    @api.model
    def _ar_demo_calls_test_mode(self, company_ids, user_ids):
        """Put these companies' phone call channel in test mode (calls simulated, no
        provider account), ``user_ids`` as the collectors, customers owing more than
        ₹50,000 for 30 days queued; then the top task of the first collector is called
        and its outcome recorded, so the queue and the call log show life."""
        companies = self.env["res.company"].browse(company_ids)
        users = self.env["res.users"].browse(user_ids)
        Channel = self.env["ar.followup.channel"]
        Channel._ar_create_missing(companies)
        for company in companies:
            Channel._ar_call_account(company).write(
                {
                    "state": "test",
                    "call_threshold_amount": 50000,
                    "call_threshold_days": 30,
                    "call_team_ids": [fields.Command.set(users.ids)],
                }
            )
        Call = self.env["ar.followup.call"]
        Call._cron_ar_call_queue()
        collector = users[:1]
        call = Call.search(
            [("company_id", "in", companies.ids), ("user_id", "=", collector.id)], limit=1
        )
        if not call:
            return
        # placed whatever the hour the demo is built at: it is history, not a call now
        self.env["ar.followup.call.attempt"].create(
            {
                "call_id": call.id,
                "user_id": collector.id,
                "to_number": call.phone,
                "date_start": fields.Datetime.now(),
                "status": "manual",
            }
        )._ar_place()
        wizard = (
            self.env["ar.followup.call.outcome"]
            .with_user(collector)
            .create(
                {
                    "call_id": call.id,
                    "outcome": "callback",
                    "callback_at": fields.Datetime.now() + timedelta(days=1),
                    "note": "Accounts head travelling; asked us to call back tomorrow.",
                }
            )
        )
        wizard.action_confirm()
