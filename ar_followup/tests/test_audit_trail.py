# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The audit trail (Companies Act Rule 11(g)): sent reminders, disputes and promises are
changed through their buttons only, by AR users and managers alike; a system
administrator alone rewrites or deletes them, and every change is tracked."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ArFollowupCommon


@tagged("post_install", "-at_install")
class TestAuditTrail(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._ar_invoice(cls.customer, 12345, cls.days_before(7))
        cls.other_invoice = cls._ar_invoice(cls.customer, 500, cls.days_before(3))

    def tracked(self, record):
        """``[(field, old, new)]`` of the tracking of ``record``'s messages."""
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is recorded as the transaction commits
        record.invalidate_recordset(["message_ids"])
        return [
            (
                value.field_id.name,
                value.old_value_char or value.old_value_float,
                value.new_value_char or value.new_value_float,
            )
            for value in record.message_ids.sudo().tracking_value_ids
        ]

    def test_disputes_and_promises_change_through_their_buttons_only(self):
        dispute = (
            self.env["ar.followup.dispute"]
            .with_user(self.ar_user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.invoice.ids)],
                    "reason": "wrong_amount",
                }
            )
        )
        promise = (
            self.env["ar.followup.promise"]
            .with_user(self.ar_user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "move_ids": [Command.set(self.other_invoice.ids)],
                    "date_promised": self.days_before(-5),
                }
            )
        )
        for user in (self.ar_user, self.ar_manager):
            for record, vals in (
                (dispute, {"amount": 1.0}),
                (dispute, {"move_ids": [Command.set(self.other_invoice.ids)]}),
                (dispute, {"reason": "quality"}),
                (promise, {"date_promised": self.days_before(-30)}),
                (promise, {"amount": 1.0}),
            ):
                with (
                    self.subTest(user=user.login, vals=vals),
                    self.assertRaisesRegex(UserError, "cannot be changed once recorded"),
                ):
                    record.with_user(user).write(vals)
            for record in (dispute, promise):
                with self.subTest(user=user.login), self.assertRaises(AccessError):
                    record.with_user(user).unlink()
        # the working notes of an open dispute, and its buttons, stay the AR team's
        tracking = {"tracking_disable": False, "mail_notrack": False}
        dispute.with_user(self.ar_user).with_context(**tracking).write(
            {"ar_response": "Checking the delivery note."}
        )
        dispute.with_user(self.ar_user).action_cancel()
        promise.with_user(self.ar_user).action_cancel()
        self.assertEqual((dispute.state, promise.state), ("cancelled", "cancelled"))
        # closed: nothing changes any more below system administrator
        for user in (self.ar_user, self.ar_manager):
            with self.assertRaisesRegex(UserError, "is closed"):
                dispute.with_user(user).write({"ar_response": "Rewritten afterwards."})
        # a system administrator may correct the trail, and the correction is tracked
        admin = self._ar_system_admin()
        dispute.with_user(admin).with_context(**tracking).write({"amount": 12000.0})
        self.assertIn(("amount", 12345.0, 12000.0), self.tracked(dispute))
        self.assertIn("ar_response", [name for name, _old, _new in self.tracked(dispute)])
        dispute.with_user(admin).unlink()
        promise.with_user(admin).unlink()
        self.assertFalse(dispute.exists() or promise.exists())

    def test_sent_reminders_are_read_only(self):
        self.refresh_ageing()
        reminder = self.plan().filtered(lambda r: r.partner_id == self.customer)
        self.dispatch()
        self.assertEqual(reminder.state, "sent")
        for user in (self.ar_user, self.ar_manager):
            mine = reminder.with_user(user)
            self.assertTrue(mine.body, "read by the AR team")
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                mine.write({"body": "<p>Nothing is due.</p>", "amount_residual": 0})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                mine.unlink()
        self.assertNotIn("Nothing is due", reminder.body)
