# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo company works a call queue in test mode: tasks, a call made, its outcome.

Loads the core's demo file then this addon's, inside the test's transaction (rolled
back), as ``ar_followup/tests/test_demo.py`` does.
"""

from datetime import datetime, time

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

from odoo.addons.ar_followup.tests.common import TODAY


@tagged("post_install", "-at_install")
class TestCallsDemo(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 11:00 in Kolkata: within the demo company's calling hours
        with freeze_time(datetime.combine(TODAY, time(5, 30))):
            # the channel's own story, on the books without the core demo's history
            env = cls.env(context=dict(cls.env.context, ar_demo_history_days=0))
            for module, path in (
                ("ar_followup", "demo/ar_followup_demo.xml"),
                ("ar_followup_telephony", "demo/ar_followup_telephony_demo.xml"),
            ):
                convert_file(env, module, path, {}, mode="init", noupdate=True)
        cls.company = cls.env.ref("base.main_company")
        cls.admin = cls.env.ref("base.user_admin")

    def test_the_queue_shows_life_without_a_provider_account(self):
        settings = self.env["ar.followup.channel"]._ar_call_account(self.company)
        self.assertEqual(settings.state, "test")
        calls = self.env["ar.followup.call"].search([("company_id", "=", self.company.id)])
        self.assertGreaterEqual(len(calls), 2, "the customers above the threshold are queued")
        self.assertTrue(all(calls.mapped("user_id")), "each task has a collector")
        for call in calls:
            self.assertGreaterEqual(call.amount_overdue, 50000)
            self.assertIn("overdue", call.priority_text)
        [called] = calls.filtered("attempt_ids")
        mine = calls.filtered(lambda c: c.user_id == self.admin)
        self.assertEqual(called, mine.sorted()[:1], "the administrator's top task was called")
        [attempt] = called.attempt_ids
        self.assertEqual(
            (attempt.provider, attempt.outcome, attempt.user_id),
            ("simulator", "callback", self.admin),
        )
        self.assertEqual((called.state, called.outcome), ("callback", "callback"))
        self.assertGreater(called.date_next_call, datetime.combine(TODAY, time(5, 30)))
        self.assertIn("call back tomorrow", called.partner_id.message_ids[:1].body)
