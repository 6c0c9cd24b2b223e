# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fixtures of the call tests: the core's company and customers, the channel Phone call
enabled, two collectors."""

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.ar_followup.tests.common import ArFollowupCommon


class ArCallCommon(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Call = cls.env["ar.followup.call"]
        cls.settings = cls.env["ar.followup.channel"]._ar_call_account(cls.company)
        cls.collector_b = new_test_user(
            cls.env,
            login="collector_b",
            name="Collector B",
            tz="Asia/Kolkata",
            groups="ar_followup.ar_followup_group_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.settings.write(
            {
                "state": "enabled",
                "call_team_ids": [Command.set((cls.ar_user | cls.collector_b).ids)],
            }
        )
        cls.step_first = cls.env.ref("ar_followup.ar_followup_policy_step_standard_first")

    def queue(self, partners, source="manual"):
        return self.Call._ar_enqueue(self.company, partners, source)

    def record(self, call, outcome, user=None, **vals):
        """Record ``outcome`` of ``call`` through the wizard, as ``user`` (the clerk)."""
        wizard = (
            self.env["ar.followup.call.outcome"]
            .with_user(user or self.ar_user)
            .create({"call_id": call.id, "outcome": outcome, **vals})
        )
        wizard.action_confirm()
        self.env.invalidate_all()
