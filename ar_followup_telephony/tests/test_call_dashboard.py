# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The call queue on the collections dashboard: each figure computed again from the calls."""

from collections import Counter
from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ArCallCommon


@tagged("post_install", "-at_install")
class TestCallDashboard(ArCallCommon):
    def test_call_queue_figures_open_the_calls_behind_them(self):
        deccan = self._ar_create_customer("Deccan Motors", phone="+91 98220 11111")
        purana = self._ar_create_customer("Purana Mills", phone="+91 98220 22222")
        customers = self.customer | self.customer_b | deccan | purana
        for customer in customers:
            self._ar_invoice(customer, 1000, self.days_before(40))
        self.refresh_ageing()
        calls = {customer: self.queue(customer) for customer in customers}
        # a callback due at 10:30 today, one tomorrow, and a call closed with a promise
        self.record(calls[self.customer_b], "callback", callback_at=datetime(2026, 6, 15, 5, 0))
        self.record(calls[deccan], "callback", callback_at=datetime(2026, 6, 16, 5, 0))
        self.record(
            calls[purana], "promise", promise_date=self.days_before(-7), promise_amount=1000
        )
        calls[self.customer].user_id = self.collector_b
        moment = datetime(2026, 6, 15, 8, 0)  # 13:30 in Kolkata: the first callback is late
        with freeze_time(moment):
            all_calls = self.Call.search([("company_id", "=", self.company.id)])
            open_calls = all_calls.filtered(lambda c: c.state in ("todo", "callback"))
            due_today = open_calls.filtered(
                # before midnight in Kolkata
                lambda c: not c.date_next_call or c.date_next_call < datetime(2026, 6, 15, 18, 30)
            )
            late = all_calls.filtered(lambda c: c.state == "callback" and c.date_next_call < moment)
            self.assertEqual(open_calls.partner_id, self.customer | self.customer_b | deccan)
            self.assertEqual(due_today.partner_id, self.customer | self.customer_b)
            self.assertEqual(late.partner_id, self.customer_b)
            Snapshot = self.env["ar.followup.snapshot"].with_user(self.ar_user)
            [company] = Snapshot.search(Snapshot._ar_action_dashboard()["domain"])
            self.assertEqual(
                (
                    company.call_open_count,
                    company.call_due_today_count,
                    company.call_callback_overdue_count,
                ),
                (len(open_calls), len(due_today), len(late)),
            )
            for metric, expected in (
                ("call_open_count", open_calls),
                ("call_due_today_count", due_today),
                ("call_callback_overdue_count", late),
            ):
                with self.subTest(metric=metric):
                    opened = company.with_context(ar_metric=metric).action_ar_open_metric()
                    self.assertEqual(opened["res_model"], "ar.followup.call")
                    found = self.Call.with_user(self.ar_user).search(opened["domain"])
                    self.assertEqual(set(found.ids), set(expected.ids))
            # by collector: the open calls grouped by who makes them
            opened = company.action_ar_open_calls_by_collector()
            self.assertEqual(opened["context"]["group_by"], ["user_id"])
            by_collector = {
                user: count
                for user, count in self.Call.with_user(self.ar_user)._read_group(
                    opened["domain"], ["user_id"], ["__count"]
                )
            }
            self.assertEqual(by_collector, dict(Counter(c.user_id for c in open_calls)))
            self.assertIn(self.collector_b, by_collector, "the call given to Collector B")
