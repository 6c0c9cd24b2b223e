# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The debtor's path in a browser: from the reminder's link to a dispute, a promise
and a payment, then what the AR team sees."""

from datetime import date
from urllib.parse import urlparse

from odoo.tests import tagged

from .test_receivables_page import ReceivablesPageCommon


@tagged("post_install", "-at_install")
class TestReceivablesTour(ReceivablesPageCommon):
    def test_debtor_disputes_promises_and_pays_from_the_reminder(self):
        self.recent.ref = "PO/BST/4502"
        third = self._ar_invoice(self.customer, 50000, self.days_before(2))
        third.ref = "PO/BST/4610"
        provider = (
            self.env["payment.provider"]
            .sudo()
            .search([("code", "=", "demo"), ("company_id", "=", self.company.id)], limit=1)
        )
        provider.write({"state": "test", "is_published": True})
        self.refresh_ageing()
        reminder = self.sent_reminder()

        self.start_tour(
            urlparse(reminder._ar_tracked_url("account")).path,
            "ar_followup_receivables_tour",
        )

        # what the AR team sees in the back office
        env = self.env(user=self.ar_user)
        dispute = env["ar.followup.dispute"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(
            (dispute.source, dispute.move_ids, dispute.reason, dispute.state),
            ("portal", self.old, "quality", "open"),
        )
        promise = env["ar.followup.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(
            (promise.source, promise.move_ids, promise.amount, promise.date_promised),
            ("portal", self.recent | third, 300000, date(2026, 7, 1)),
        )
        self.assertIn(third.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.recent.payment_state, "not_paid")
        self.assertEqual(reminder.click_ids.kind, "account")
