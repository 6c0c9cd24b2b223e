# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import doctest

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.mail import html_to_inner_content

from ..tools import suspension
from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestDispute(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_1 = cls._ar_invoice(cls.customer, 1000, cls.days_before(40))
        cls.invoice_2 = cls._ar_invoice(cls.customer, 2500, cls.days_before(10))
        cls.invoice_b = cls._ar_invoice(cls.customer_b, 700, cls.days_before(20))
        cls.Dispute = cls.env["ar.followup.dispute"].with_user(cls.ar_user)

    def _raise(self, moves=None, partner=None, **vals):
        return self.Dispute.create(
            {
                "partner_id": (partner or self.customer).id,
                "move_ids": [Command.set(moves.ids)] if moves else [],
                "reason": "wrong_amount",
                "source": "call",
                **vals,
            }
        )

    def _suspension(self, records):
        records.invalidate_recordset(["ar_followup_suspended", "ar_followup_suspension_reason"])
        return {r: r.ar_followup_suspension_reason for r in records if r.ar_followup_suspended}

    def test_suspension_tools_doctests(self):
        result = doctest.testmod(suspension)
        self.assertFalse(result.failed)
        self.assertGreater(result.attempted, 5)

    def test_dispute_on_invoice_suspends_that_invoice_only(self):
        dispute = self._raise(self.invoice_1)
        self.assertEqual(dispute.name, "DSP/2026/0001")
        self.assertEqual(
            (dispute.state, dispute.user_id, dispute.date_raised), ("open", self.ar_user, TODAY)
        )
        self.assertEqual(dispute.amount, 1000, "defaults to what is due on the invoice")
        invoices = self.invoice_1 | self.invoice_2 | self.invoice_b
        self.assertEqual(self._suspension(invoices), {self.invoice_1: "Disputed: DSP/2026/0001"})
        self.assertFalse(self._suspension(self.customer | self.customer_b))
        # the "Follow-up suspended" filter on invoices
        Move = self.env["account.move"].with_user(self.ar_user)
        self.assertEqual(Move.search([("ar_followup_suspended", "=", True)]), self.invoice_1)
        self.assertIn(self.invoice_2, Move.search([("ar_followup_suspended", "=", False)]))
        # what the cadence engine reads
        self.assertEqual(
            (self.customer | self.customer_b)._ar_get_suspensions(TODAY),
            {
                self.customer.id: {
                    "partner": None,
                    "moves": {self.invoice_1.id: "Disputed: DSP/2026/0001"},
                },
                self.customer_b.id: {"partner": None, "moves": {}},
            },
        )
        # smart buttons
        self.assertEqual(self.invoice_1.with_user(self.ar_user).ar_dispute_count, 1)
        self.assertEqual(self.invoice_2.with_user(self.ar_user).ar_dispute_count, 0)
        self.assertEqual(self.customer.with_user(self.ar_user).ar_dispute_count, 1)
        # the trail
        note = (
            "Dispute DSP/2026/0001 raised: Wrong amount. Reminders are suspended for %s."
            % self.invoice_1.name
        )
        self.assertIn(note, self.chatter(self.invoice_1))
        self.assertIn(note, self.chatter(self.customer))
        self.assertNotIn(note, self.chatter(self.invoice_2))

    def test_whole_customer_dispute_suspends_everything(self):
        self.refresh_ageing()
        dispute = self._raise(reason="quality")
        self.assertFalse(dispute.move_ids)
        self.assertEqual(dispute.amount, 3500, "defaults to what the customer owes")
        reason = "Disputed: %s" % dispute.name
        self.assertEqual(
            self._suspension(self.invoice_1 | self.invoice_2 | self.invoice_b),
            {self.invoice_1: reason, self.invoice_2: reason},
        )
        self.assertEqual(self._suspension(self.customer | self.customer_b), {self.customer: reason})
        self.assertEqual(
            self.env["res.partner"].search([("ar_followup_suspended", "=", True)]), self.customer
        )
        self.assertEqual(
            self.env["account.move"].search([("ar_followup_suspended", "=", True)]),
            self.invoice_1 | self.invoice_2,
        )
        self.assertEqual(
            self.customer._ar_get_suspensions(TODAY)[self.customer.id],
            {"partner": reason, "moves": {}},
        )
        self.assertEqual(
            self.invoice_2.ar_dispute_count, 1, "the whole-customer dispute covers it too"
        )
        self.assertIn(
            "Dispute %s raised: Quality issue. Reminders are suspended for everything %s owes."
            % (dispute.name, self.customer.name),
            self.chatter(self.customer),
        )

    def test_resolving_resumes_reminders(self):
        dispute = self._raise(self.invoice_1 | self.invoice_2)
        dispute.action_start_review()
        self.assertEqual(dispute.state, "in_review")
        self.assertTrue(self._suspension(self.invoice_1), "still suspended while in review")
        dispute.write(
            {"resolution": "credit_note", "ar_response": "Price corrected by credit note."}
        )
        dispute.action_resolve()
        self.assertEqual((dispute.state, dispute.date_resolved), ("resolved", TODAY))
        self.assertFalse(
            self._suspension(self.invoice_1 | self.invoice_2) or self._suspension(self.customer)
        )
        self.assertEqual(
            self.customer._ar_get_suspensions(TODAY)[self.customer.id],
            {"partner": None, "moves": {}},
        )
        self.assertEqual(self.invoice_1.with_user(self.ar_user).ar_dispute_count, 0)
        note = "Dispute %s resolved: Credit note issued. Reminders resume." % dispute.name
        for record in (self.invoice_1, self.invoice_2, self.customer):
            self.assertEqual(self.chatter(record)[0], note)
        # reopening suspends again
        dispute.action_reopen()
        self.assertEqual(
            (dispute.state, dispute.resolution, dispute.date_resolved), ("open", False, False)
        )
        self.assertTrue(self._suspension(self.invoice_1))

    def test_cancelled_dispute_resumes_reminders(self):
        dispute = self._raise()
        dispute.action_cancel()
        self.assertEqual(dispute.state, "cancelled")
        self.assertFalse(self._suspension(self.customer) or self._suspension(self.invoice_1))
        self.assertEqual(
            self.chatter(self.customer)[0], "Dispute %s cancelled. Reminders resume." % dispute.name
        )

    def test_resolution_required(self):
        dispute = self._raise(self.invoice_1)
        with self.assertRaisesRegex(UserError, "Choose a resolution"):
            dispute.action_resolve()
        self.assertEqual(dispute.state, "open")
        self.assertTrue(self._suspension(self.invoice_1))

    def test_state_changes_through_the_buttons_only(self):
        """Over RPC an AR user can neither write a dispute's status nor create one past
        its first state; the buttons move it, the suspension follows."""
        dispute = self._raise(self.invoice_1)
        with self.assertRaisesRegex(AccessError, "status of a Customer Dispute changes through"):
            dispute.write({"state": "resolved", "resolution": "write_off"})
        with self.assertRaisesRegex(AccessError, "changes through its buttons only"):
            self._raise(self.invoice_2, state="cancelled")
        closed_by_default = self.Dispute.with_context(default_state="cancelled")
        other = closed_by_default.create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.invoice_2.ids)],
                "reason": "quality",
            }
        )
        self.assertEqual((dispute.state, other.state), ("open", "open"))
        self.assertTrue(self._suspension(self.invoice_1) and self._suspension(self.invoice_2))
        dispute.action_start_review()
        dispute.resolution = "write_off"
        dispute.action_resolve()
        self.assertEqual(dispute.state, "resolved")
        self.assertFalse(self._suspension(self.invoice_1))

    def test_only_the_customers_invoices(self):
        with self.assertRaises(ValidationError):
            self._raise(self.invoice_1 | self.invoice_b)
        refund = self._ar_invoice(self.customer, 100, TODAY, move_type="out_refund")
        with self.assertRaises(ValidationError):
            self._raise(refund)

    def test_raised_for_a_contact_is_the_customers(self):
        contact = self.env["res.partner"].create(
            {"name": "Ravi (accounts)", "parent_id": self.customer.id}
        )
        dispute = self._raise(self.invoice_1, partner=contact)
        self.assertEqual(dispute.partner_id, self.customer)

    def test_raise_dispute_button_prefills_the_form(self):
        self._ar_pay(self.invoice_2, 500)
        action = self.invoice_2.with_user(self.ar_user).action_ar_raise_dispute()
        self.assertEqual((action["res_model"], action["target"]), ("ar.followup.dispute", "new"))
        form = Form(self.Dispute.with_context(**action["context"]))
        self.assertEqual(form.partner_id, self.customer)
        self.assertEqual(form.move_ids.ids, self.invoice_2.ids)
        self.assertEqual(form.amount, 2000, "what is still due on the invoice")
        form.reason = "pricing"
        dispute = form.save()
        self.assertEqual(
            self._suspension(self.invoice_2), {self.invoice_2: "Disputed: %s" % dispute.name}
        )
        # from the customer: the whole customer
        action = self.customer.with_user(self.ar_user).action_ar_raise_dispute()
        form = Form(self.Dispute.with_context(**action["context"]))
        self.assertEqual((form.partner_id, len(form.move_ids)), (self.customer, 0))
        # the smart button lists what covers the invoice
        action = self.invoice_2.with_user(self.ar_user).action_ar_open_disputes()
        self.assertEqual(self.Dispute.search(action["domain"]), dispute)
        # several customers cannot share a dispute
        with self.assertRaises(UserError):
            (self.invoice_1 | self.invoice_b).action_ar_raise_dispute()

    def test_invoice_form_shows_the_suspension(self):
        dispute = self._raise(self.invoice_1)
        form = Form(self.invoice_1.with_user(self.ar_user))
        self.assertEqual(form.ar_followup_suspension_reason, "Disputed: %s" % dispute.name)
        self.assertEqual(form.ar_dispute_count, 1)
        # a billing clerk without follow-up rights sees why, not the disputes themselves
        billing = new_test_user(
            self.env,
            login="billing",
            name="Billing",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        form = Form(self.invoice_1.with_user(billing))
        self.assertEqual(form.ar_followup_suspension_reason, "Disputed: %s" % dispute.name)
        self.assertNotIn("ar_dispute_count", form._view["fields"])
        with self.assertRaises(AccessError):
            self.env["ar.followup.dispute"].with_user(billing).search([])

    def test_only_a_system_administrator_deletes(self):
        dispute = self._raise(self.invoice_1)
        for user in (self.ar_user, self.ar_manager):
            with self.assertRaises(AccessError):
                dispute.with_user(user).unlink()
        dispute.with_user(self._ar_system_admin()).unlink()
        self.assertFalse(dispute.exists())

    def test_other_company_cannot_see_disputes(self):
        other, clerk_b = self._ar_other_company_clerk()
        dispute = self._raise(self.invoice_1)
        Dispute_b = self.env["ar.followup.dispute"].with_user(clerk_b)
        self.assertFalse(Dispute_b.search([]))
        with self.assertRaises(AccessError):
            Dispute_b.browse(dispute.id).read(["name"])
        # company B numbers its own disputes, and they suspend nothing in company A
        dispute_b = Dispute_b.create({"partner_id": self.customer.id, "reason": "other"})
        self.assertEqual((dispute_b.company_id, dispute_b.name), (other, "DSP/2026/0001"))
        self.assertEqual(Dispute_b.search([]), dispute_b)
        self.assertEqual(self.Dispute.search([]), dispute)
        self.assertFalse(
            self.customer._ar_get_suspensions(TODAY, self.company)[self.customer.id]["partner"]
        )
        self.assertTrue(
            self.customer._ar_get_suspensions(TODAY, other)[self.customer.id]["partner"]
        )

    # -- what a reminder asks for ------------------------------------------------

    def _deccan(self):
        """A customer owing ₹19,134 overdue, ₹12,345 of it on one invoice."""
        deccan = self._ar_create_customer("Deccan Motors")
        disputed = self._ar_invoice(deccan, 12345, self.days_before(7))
        undisputed = self._ar_invoice(deccan, 6789, self.days_before(7))
        return deccan, disputed, undisputed

    def _assert_asks_undisputed(self, reminder, undisputed, disputed):
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.amount_residual, 6789)
        self.assertEqual(reminder.line_ids.move_id, undisputed)
        self.assertEqual(reminder.move_ids, undisputed)
        self.assertIn(disputed.name, reminder.excluded_note)
        self.assertEqual(reminder.subject, "Payment overdue: ₹6,789.00 to %s" % self.company.name)
        body = html_to_inner_content(reminder.mail_message_id.body)
        self.assertIn(undisputed.name, body)
        self.assertNotIn(disputed.name, body)
        self.assertNotIn("19,134", body)
        # the disputed part is said as such, never asked for
        self.assertEqual(body.count("12,345"), 1)
        self.assertIn("Invoices under dispute (₹12,345.00) are left out of this reminder", body)

    def test_manual_reminder_asks_only_the_undisputed_amount(self):
        deccan, disputed, undisputed = self._deccan()
        self.refresh_ageing()
        self._raise(disputed, partner=deccan)
        for model, records in (("res.partner", deccan), ("account.move", disputed | undisputed)):
            wizard = (
                self.env["ar.followup.send"]
                .with_user(self.ar_user)
                .with_context(active_model=model, active_ids=records.ids)
                .create({})
            )
            [line] = wizard.line_ids
            self.assertEqual(line.amount_residual, 6789, "what the reminder will claim")
            self.assertIn("₹6,789.00", line.preview_subject)
            self.assertNotIn(disputed.name, html_to_inner_content(line.preview_body))
            wizard.action_send()
            self.assertEqual(
                (line.result_state, line.result),
                ("sent", "Sent to deccan.motors@example.in: ₹\xa06,789.00"),
            )
            self._assert_asks_undisputed(line.reminder_id, undisputed, disputed)
            # the same request again a minute later would be refused as a double submit
            line.reminder_id.sudo().unlink()

    def test_planned_reminder_asks_only_the_undisputed_amount(self):
        # disputed after planning: the dispatch leaves the invoice out of the reminder
        deccan, disputed, undisputed = self._deccan()
        self.refresh_ageing()
        reminder = self.plan().filtered(lambda r: r.partner_id == deccan)
        self.assertEqual(reminder.amount_residual, 19134)
        self._raise(disputed, partner=deccan)
        self.dispatch()
        self._assert_asks_undisputed(reminder, undisputed, disputed)
        # disputed before planning: the planner leaves it out
        other, disputed_2, undisputed_2 = self._deccan()
        self._raise(disputed_2, partner=other)
        self.refresh_ageing()
        reminder = self.plan().filtered(lambda r: r.partner_id == other)
        self.dispatch()
        self._assert_asks_undisputed(reminder, undisputed_2, disputed_2)

    def test_every_channel_asks_only_the_undisputed_amount(self):
        """Templates get the undisputed amount; the disputed part is given apart."""
        deccan, disputed, undisputed = self._deccan()
        self.refresh_ageing()
        self._raise(disputed, partner=deccan)
        self._ar_load_hindi()
        Template = self.env["ar.followup.template"]
        context = Template._ar_context(deccan, disputed | undisputed)
        self.assertEqual(
            (context["total_overdue"], context["total_due"], context["total_disputed"]),
            (6789, 6789, 12345),
        )
        self.assertEqual(
            {i["number"]: i["disputed"] for i in context["invoices"]},
            {disputed.name: True, undisputed.name: False},
        )
        self.assertIn("(disputed)", html_to_inner_content(context["invoice_table"]))
        for template in Template.search([("stage", "in", ("overdue", "final"))]):
            for lang in ("en_US", "hi_IN"):
                text = template._ar_render(deccan, undisputed, lang=lang)
                content = text["subject"] + text["body"]
                self.assertIn("6,789.00", content, template.name)
                self.assertNotIn("19,134", content, template.name)
        # a dispute on the whole customer: nothing is asked for
        self._raise(partner=deccan)
        context = Template._ar_context(deccan, disputed | undisputed)
        self.assertEqual(
            (context["total_overdue"], context["total_due"], context["total_disputed"]),
            (0, 0, 19134),
        )
