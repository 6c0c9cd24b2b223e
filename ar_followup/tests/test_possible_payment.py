# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A reminder is held when an unreconciled bank line may already be its payment."""

from datetime import timedelta

from odoo import Command
from odoo.tests import tagged
from odoo.tools import format_date

from .common import TODAY, ArFollowupCommon

#: the day of the customer's next reminder, after the one sent on TODAY
NEXT_RUN = TODAY + timedelta(days=8)
SUMMARY = "Reconcile a possible payment"


@tagged("post_install", "-at_install")
class TestPossiblePayment(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.ar_owner_id = cls.ar_user
        cls.bank = cls.company_data["default_journal_bank"]
        cls.invoice = cls._ar_invoice(cls.customer, 45000.0, cls.days_before(7))

    def bank_line(self, amount=45000.0, partner=None, day=None, ref="NEFT 99887766", bank=None):
        """An incoming bank statement line, in a statement, through the ORM."""
        bank = bank or self.bank
        statement = (
            self.env["account.bank.statement"]
            .with_company(bank.company_id)
            .create(
                {
                    "name": "Statement %s" % ref,
                    "line_ids": [
                        Command.create(
                            {
                                "journal_id": bank.id,
                                "date": day or self.days_before(1),
                                "payment_ref": ref,
                                "amount": amount,
                                "partner_id": partner.id if partner else False,
                            }
                        )
                    ],
                }
            )
        )
        return statement.line_ids

    def send(self, day=TODAY):
        """Plan and dispatch the customer's reminder of ``day``; returns it."""
        [reminder] = self.plan(day)
        self.dispatch(day)
        return reminder

    def reconcile_activities(self):
        self.customer.invalidate_recordset(["activity_ids"])
        return self.customer.activity_ids.filtered(lambda a: a.summary == SUMMARY)

    def test_own_line_holds_and_tells_the_owner_once(self):
        line = self.bank_line(partner=self.customer, day=self.days_before(40))
        reminder = self.send()
        self.assertEqual((reminder.state, reminder.reason), ("skipped", "possible_payment"))
        self.assertEqual(
            reminder.reason_text,
            "Possible payment received on %s: ₹\xa045,000.00, NEFT 99887766"
            % format_date(self.env, self.days_before(40)),
        )
        [activity] = self.reconcile_activities()
        self.assertEqual(activity.user_id, self.ar_user)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertIn("NEFT 99887766", activity.note)
        self.assertEqual(line.ar_activity_id, activity)
        # the next run holds the next reminder, and the owner already has the to-do
        later = self.send(NEXT_RUN)
        self.assertEqual((later.state, later.reason), ("skipped", "possible_payment"))
        self.assertEqual(self.reconcile_activities(), activity)

    def test_line_of_nobody_holds_for_ten_days(self):
        self.bank_line(day=self.days_before(10))
        reminder = self.send()
        self.assertEqual((reminder.state, reminder.reason), ("skipped", "possible_payment"))
        self.assertEqual(len(self.reconcile_activities()), 1)

    def test_line_of_nobody_older_than_ten_days_is_not_a_payment(self):
        self.bank_line(day=self.days_before(11))
        self.assertEqual(self.send().state, "sent")
        self.assertFalse(self.reconcile_activities())

    def test_other_amount_is_not_a_payment(self):
        self.bank_line(amount=44999.0, partner=self.customer)
        self.bank_line(amount=45000.0, partner=self.customer_b, ref="NEFT COASTAL")
        self.assertEqual(self.send().state, "sent")
        self.assertFalse(self.reconcile_activities())

    def test_reconciled_line_is_not_a_payment(self):
        line = self.bank_line(partner=self.customer)
        # reconciled without the bank reconciliation widget (an enterprise one): the
        # suspense line takes its counterpart account
        _liquidity, suspense, _other = line.with_context(
            skip_account_move_synchronization=True
        )._seek_for_lines()
        suspense.account_id = self.company_data["default_account_revenue"]
        self.assertTrue(line.is_reconciled)
        self.assertEqual(self.send().state, "sent")
        self.assertFalse(self.reconcile_activities())

    def test_setting_off_sends(self):
        self.bank_line(partner=self.customer)
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.ar_possible_payment_hold)
        settings.ar_possible_payment_hold = False
        settings.execute()
        self.assertFalse(self.company.ar_possible_payment_hold)
        self.assertEqual(self.send().state, "sent")
        self.assertFalse(self.reconcile_activities())

    def test_other_company_line_is_not_a_payment(self):
        other = self.setup_other_company(name="Other Co")
        self.bank_line(partner=self.customer, bank=other["default_journal_bank"])
        self.bank_line(bank=other["default_journal_bank"], ref="NEFT NOBODY")
        self.assertEqual(self.send().state, "sent")
        self.assertFalse(self.reconcile_activities())

    def _count_lookup_queries(self, reminders):
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        found = reminders._ar_get_possible_payments(self.company)
        return self.cr.sql_log_count - start, len(found)

    def test_lookup_is_set_based(self):
        """Finding the possible payments of 6 reminders costs the queries of 2."""
        customers = self.env["res.partner"]
        for index in range(1, 7):
            customer = self._ar_create_customer("Customer %s" % index)
            customers |= customer
            self._ar_invoice(customer, 1000.0 * index, self.days_before(7))
            if index % 2:
                self.bank_line(amount=1000.0 * index, partner=customer, ref="NEFT %s" % index)
        reminders = (
            self.plan()
            .filtered(lambda r: r.partner_id in customers)
            .sorted("amount_residual")
            .sudo()
        )
        self._count_lookup_queries(reminders)  # warm the caches (record rules, xml ids...)
        few = self._count_lookup_queries(reminders[:2])
        many = self._count_lookup_queries(reminders)
        self.assertEqual((few[1], many[1]), (1, 3))
        self.assertEqual(few[0], many[0], "as many queries for 6 reminders as for 2")
