# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the AR User group lets a clerk do: follow up, not bill."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ArFollowupCommon


@tagged("post_install", "-at_install")
class TestArUserRights(ArFollowupCommon):
    def test_the_clerk_follows_up_but_neither_bills_nor_creates_contacts(self):
        invoice = self._ar_invoice(self.customer, 1000, self.days_before(10))
        env = self.env(user=self.ar_user)
        clerk = env.user
        self.assertTrue(clerk.has_group("account.group_account_readonly"))
        for group in (
            "account.group_account_invoice",
            "account.group_account_basic",
            "base.group_partner_manager",
        ):
            self.assertFalse(clerk.has_group(group), group)
        # reads the invoices and keeps the customer's follow-up settings
        self.assertEqual(env["account.move"].browse(invoice.id).amount_residual, 1000)
        env["res.partner"].browse(self.customer.id).write({"ar_channel": "sms"})
        self.assertEqual(self.customer.ar_channel, "sms")
        # issues no invoice or credit note, registers no payment, creates no contact
        with self.assertRaises(AccessError):
            env["account.move"].create({"move_type": "out_refund", "partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            env["account.payment"].create(
                {"payment_type": "inbound", "partner_id": self.customer.id, "amount": 1000}
            )
        with self.assertRaises(AccessError):
            env["res.partner"].create({"name": "A contact of the clerk's own"})
        with self.assertRaises(AccessError):
            env["res.partner"].browse(self.customer.id).unlink()
