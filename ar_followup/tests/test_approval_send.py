# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The approval queue (preview, edit, approve, cancel) and "Send reminder now"."""

from datetime import datetime, time, timedelta
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.mail import html_to_inner_content

from . import test_cadence
from .common import TODAY, ArFollowupCommon


@tagged("post_install", "-at_install")
class TestApprovalSend(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["ar.followup.reminder"]
        cls.vip = cls.env.ref("ar_followup.ar_followup_segment_vip")
        cls.internal_user = new_test_user(
            cls.env, login="plain_internal", name="Plain Internal", groups="base.group_user"
        )
        cls.portal_user = new_test_user(
            cls.env, login="portal_customer", name="Portal Customer", groups="base.group_portal"
        )

    # the cadence tests' way of planning and dispatching (commits become savepoints)
    committing = test_cadence.TestCadence.committing
    plan = test_cadence.TestCadence.plan
    dispatch = test_cadence.TestCadence.dispatch

    def plan_to_approve(self, *partners):
        for partner in partners:
            partner.ar_segment_id = self.vip
            self._ar_invoice(partner, 1000, self.days_before(3))
        reminders = self.plan()
        self.assertEqual(reminders.mapped("state"), ["to_approve"] * len(partners))
        return reminders

    def open_send_now(self, model, records, user=None):
        """Open *Send reminder now* on ``records`` as ``user`` (the AR clerk)."""
        return (
            self.env["ar.followup.send"]
            .with_user(user or self.ar_user)
            .with_context(active_model=model, active_ids=records.ids)
            .create({})
        )

    def send_now(self, model, records, user=None):
        """Open *Send reminder now* on ``records`` as ``user`` (the AR clerk) and send."""
        wizard = self.open_send_now(model, records, user)
        wizard.action_send()
        return wizard

    def send_now_unseeing(self, model, records):
        """:meth:`send_now` as a request running at the same time as the one before: it
        cannot see that request's reminder, only the database's unique indexes stop it."""
        Reminder = self.registry["ar.followup.reminder"]
        with (
            patch.object(Reminder, "_ar_find_manual", lambda self, vals: self.browse()),
            mute_logger("odoo.sql_db"),
        ):
            return self.send_now(model, records)

    def body(self, reminder):
        return html_to_inner_content(reminder.mail_message_id.body)

    # -- approval queue ------------------------------------------------------

    def test_edit_then_approve_sends_the_edited_text(self):
        [reminder] = self.plan_to_approve(self.customer)
        clerk_reminder = reminder.with_user(self.ar_user)
        self.assertIn("Payment overdue", clerk_reminder.preview_subject)
        self.assertIn("1,000.00", html_to_inner_content(clerk_reminder.preview_body))
        action = clerk_reminder.action_ar_edit()
        edit = (
            self.env[action["res_model"]]
            .with_user(self.ar_user)
            .with_context(**action["context"])
            .create({})
        )
        self.assertEqual(edit.subject, clerk_reminder.preview_subject, "prefilled")
        edit.write(
            {
                "subject": "Your account with us",
                "body": "<p>As agreed on the phone, please settle the invoice this week.</p>",
            }
        )
        edit.action_save_approve()
        self.assertEqual(
            (reminder.state, reminder.text_edited, reminder.edited_by_id, reminder.approved_by_id),
            ("planned", True, self.ar_user, self.ar_user),
        )
        self.assertEqual(reminder.preview_subject, "Your account with us")
        self.dispatch(at=time(4, 45))
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(reminder.mail_message_id.subject, "Your account with us")
        self.assertEqual(
            self.body(reminder), "As agreed on the phone, please settle the invoice this week."
        )
        notes = self.chatter(self.customer)
        self.assertIn("Payment reminder approved: %s" % reminder.display_name, notes)
        self.assertIn("Payment reminder text edited: %s" % reminder.display_name, notes)

    def test_reminder_body_is_sanitized_however_written(self):
        [reminder] = self.plan_to_approve(self.customer)
        hostile = '<p>Please pay.</p><img src="x" onerror="alert(1)"><script>alert(2)</script>'
        reminder.sudo().write({"body": hostile})
        self.assertEqual(str(reminder.body), '<p>Please pay.</p><img src="x">')
        created = reminder.sudo().copy({"body": hostile, "cycle_key": "another cycle"})
        self.assertEqual(str(created.body), '<p>Please pay.</p><img src="x">')

    def test_approve_many_from_the_queue(self):
        reminders = self.plan_to_approve(self.customer, self.customer_b)
        action = self.env.ref("ar_followup.ar_followup_reminder_action_to_approve")
        self.assertIn("search_default_filter_to_approve", action.context)
        queue = self.Reminder.with_user(self.ar_user).search([("state", "=", "to_approve")])
        self.assertEqual(queue, reminders)
        queue.action_approve()
        self.assertEqual(reminders.mapped("state"), ["planned", "planned"])
        self.assertEqual(reminders.approved_by_id, self.ar_user)
        self.dispatch(at=time(4, 45))
        self.assertEqual(reminders.mapped("state"), ["sent", "sent"])

    def test_cancel_with_reason(self):
        reminders = self.plan_to_approve(self.customer, self.customer_b)
        action = reminders.with_user(self.ar_user).action_ar_cancel_with_reason()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.ar_user)
            .with_context(**action["context"])
            .create({"reason": "Customer called: paying on Friday"})
        )
        wizard.action_cancel()
        self.assertEqual(
            {(r.state, r.reason, r.reason_text) for r in reminders},
            {("cancelled", "manual", "Cancelled by AR Clerk: Customer called: paying on Friday")},
        )
        self.assertIn(
            "Payment reminder cancelled: %s (Cancelled by AR Clerk: Customer called: paying on "
            "Friday)" % reminders[0].display_name,
            self.chatter(reminders[0].partner_id),
        )
        self.dispatch(at=time(4, 45))
        self.assertFalse(reminders.mail_message_id, "nothing went out")

    def test_preview_shows_a_rendering_error_without_raising(self):
        [reminder] = self.plan_to_approve(self.customer)
        template = reminder._ar_get_template()
        # passes the template's check (known names), fails on this customer's single invoice
        template.body = "<p>Oldest: {{ invoices[9].number }}</p>"
        clerk_reminder = reminder.with_user(self.ar_user)
        self.assertFalse(clerk_reminder.preview_body)
        self.assertIn("cannot be rendered for Bharat Steel Traders", clerk_reminder.preview_error)
        edit = (
            self.env["ar.followup.reminder.edit"]
            .with_user(self.ar_user)
            .with_context(default_reminder_id=reminder.id)
            .create({})
        )
        self.assertIn("cannot be rendered", edit.preview_error)
        # the clerk writes the text instead, and it goes out
        edit.write({"subject": "Invoice due", "body": "<p>Please pay the open invoice.</p>"})
        edit.action_save_approve()
        self.assertFalse(reminder.preview_error)
        self.dispatch(at=time(4, 45))
        self.assertEqual(self.body(reminder), "Please pay the open invoice.")

    def test_reminder_whose_template_fails_is_skipped_with_the_reason(self):
        [reminder] = self.plan_to_approve(self.customer)
        template = reminder._ar_get_template()
        # a runtime mistake (a filter on the wrong kind of value) the check cannot see
        template.body = "<p>Dear {{ customer.name }},</p>\n<p>{{ customer.name | date }}</p>"
        clerk_reminder = reminder.with_user(self.ar_user)
        self.assertIn(
            "line 2: 'str' object has no attribute 'strftime'", clerk_reminder.preview_error
        )
        clerk_reminder.action_approve()
        self.dispatch(at=time(4, 45))
        self.assertEqual((reminder.state, reminder.reason), ("skipped", "template"))
        self.assertIn("cannot be rendered for Bharat Steel Traders", reminder.reason_text)
        self.assertFalse(reminder.mail_message_id)

    # -- send now --------------------------------------------------------------

    def test_send_now_for_one_customer(self):
        overdue = self._ar_invoice(self.customer, 1200, self.days_before(10))
        self._ar_invoice(self.customer, 800, self.days_before(-10))  # not due yet: not included
        # 14:00 in Kolkata: within the policy's sending hours (08:00-19:00)
        with freeze_time(datetime.combine(TODAY, time(8, 30))):
            wizard = self.env["ar.followup.send"].with_user(self.ar_user)
            wizard = wizard.with_context(
                active_model="res.partner", active_id=self.customer.id
            ).create({})
            [line] = wizard.line_ids
            self.assertEqual(
                (line.partner_id, line.move_ids, line.channel, line.amount_residual),
                (self.customer, overdue, "email", 1200),
            )
            self.assertEqual(line.template_id.stage, "overdue")
            self.assertIn("Payment overdue", line.preview_subject)
            self.assertIn(overdue.name, html_to_inner_content(line.preview_body))
            self.assertFalse(line.send_note)
            wizard.action_send()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(
            (line.result_state, line.result),
            ("sent", "Sent to bharat.steel.traders@example.in: ₹\xa01,200.00"),
        )
        reminder = line.reminder_id
        self.assertEqual(
            (reminder.state, reminder.manual, reminder.step_id.id, reminder.move_ids),
            ("sent", True, False, overdue),
        )
        self.assertEqual(
            reminder.display_name, "Bharat Steel Traders: manual reminder (06/15/2026)"
        )
        message = reminder.mail_message_id
        self.assertEqual((message.model, message.res_id), ("res.partner", self.customer.id))
        self.assertEqual(message.notified_partner_ids, self.customer)
        self.assertIn(overdue.name, self.body(reminder))
        self.assertEqual(reminder.line_ids.move_id, overdue)
        # a payment marks it paid, like a planned one
        self._ar_pay(overdue, 1200, pay_date=TODAY)
        self.assertEqual(reminder.state, "paid")

    def test_send_now_in_the_evening_waits_for_the_sending_window(self):
        """A clerk's send at 21:30 in Kolkata waits for 08:00, as the policy promises the
        customers; the wizard says so before and after."""
        self._ar_invoice(self.customer, 1200, self.days_before(10))
        with freeze_time(datetime.combine(TODAY, time(16, 0))):
            wizard = self.open_send_now("res.partner", self.customer)
            [line] = wizard.line_ids
            self.assertEqual(
                line.send_note, "Outside the sending window: it goes out at 6/16/26, 8:00 AM."
            )
            wizard.action_send()
        reminder = line.reminder_id
        self.assertEqual(
            (line.result_state, line.result),
            ("queued", "Waits for the sending window, goes out at 6/16/26, 8:00 AM: ₹\xa01,200.00"),
        )
        self.assertEqual(
            (reminder.state, reminder.date_scheduled), ("queued", datetime(2026, 6, 16, 2, 30))
        )
        self.dispatch(TODAY, at=time(23, 0))  # 04:30 the next day in Kolkata: still night
        self.assertEqual(reminder.state, "queued")
        self.dispatch(TODAY + timedelta(days=1), at=time(2, 35))  # 08:05 in Kolkata
        self.assertEqual(reminder.state, "sent")

    def test_send_now_under_an_approval_policy(self):
        """A policy that needs approval keeps a clerk's manual reminder in To Approve (the
        wizard says so); an AR manager's goes at once. A reminder within the policy's
        minimum interval is sent, with a warning first."""
        self.customer.ar_segment_id = self.vip
        self._ar_invoice(self.customer, 1200, self.days_before(10))
        with freeze_time(datetime.combine(TODAY, time(8, 30))):
            wizard = self.open_send_now("res.partner", self.customer)
            [line] = wizard.line_ids
            self.assertEqual(
                line.send_note,
                "Policy Soft, approval first needs approval: it waits in To Approve.",
            )
            wizard.action_send()
        reminder = line.reminder_id
        self.assertEqual((reminder.state, reminder.mail_message_id.id), ("to_approve", False))
        self.assertEqual(line.result_state, "to_approve")
        self.assertIn("Waits for approval (policy Soft, approval first)", line.result)
        self.assertIn("waiting for approval", self.chatter(self.customer)[0])
        reminder.with_user(self.ar_user).action_approve()
        self.dispatch(at=time(8, 35))
        self.assertEqual(reminder.state, "sent")
        # the AR manager's own send: at once, with the minimum interval's warning
        manager = new_test_user(
            self.env,
            login="ar_manager_send",
            groups="ar_followup.ar_followup_group_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with freeze_time(datetime.combine(TODAY, time(9, 0))):
            wizard = self.open_send_now("res.partner", self.customer, manager)
            [line] = wizard.line_ids
            self.assertEqual(
                line.send_note,
                "The last reminder went 0 days ago; the policy waits 7 days between reminders.",
            )
            wizard.action_send()
        self.assertEqual((line.result_state, line.reminder_id.state), ("sent", "sent"))

    def test_send_now_form_changes_tone_and_template(self):
        """Through the form as the clerk sees it: change the tone, the preview follows."""
        overdue = self._ar_invoice(self.customer, 1500, self.days_before(10))
        not_due = self._ar_invoice(self.customer, 500, self.days_before(-3))
        wizard = self.env["ar.followup.send"].with_user(self.ar_user)
        form = Form(wizard.with_context(active_model="res.partner", active_ids=self.customer.ids))
        firm = self.env["ar.followup.tone"].search([("code", "=", "firm")])
        final = self.env.ref("ar_followup.template_email_final")
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.tone_id.code, "neutral")
            self.assertEqual(line.template_id, self.env.ref("ar_followup.template_email_overdue"))
            self.assertIn("Please arrange the payment.", line.preview_body)
            line.tone_id = firm
            self.assertIn(
                "The invoices below are overdue, the oldest by 10 days", line.preview_body
            )
            line.move_ids.add(not_due)
            self.assertIn(not_due.name, line.preview_body)
            line.template_id = final
            self.assertFalse(line.preview_error)
        wizard = form.save()
        wizard.action_send()
        reminder = wizard.line_ids.reminder_id
        self.assertEqual(
            (reminder.state, reminder.tone_id, reminder.template_id, reminder.move_ids),
            ("sent", firm, final, overdue | not_due),
        )
        self.assertEqual(reminder.amount_residual, 2000)

    def test_bulk_send_from_customers_skips_the_disputed_one(self):
        self._ar_invoice(self.customer, 1000, self.days_before(10))
        self._ar_invoice(self.customer_b, 700, self.days_before(20))
        dispute = self.env["ar.followup.dispute"].create(
            {"partner_id": self.customer_b.id, "reason": "pricing"}
        )
        wizard = self.send_now("res.partner", self.customer | self.customer_b)
        outcome = {line.partner_id: (line.result_state, line.result) for line in wizard.line_ids}
        self.assertEqual(outcome[self.customer][0], "sent")
        self.assertEqual(
            outcome[self.customer_b],
            ("not_sent", "Skipped: Disputed – Disputed: %s" % dispute.name),
        )
        skipped = wizard.line_ids.reminder_id.filtered(lambda r: r.partner_id == self.customer_b)
        self.assertEqual((skipped.state, skipped.reason), ("skipped", "disputed"))
        self.assertFalse(skipped.mail_message_id)
        self.assertEqual((wizard.sent_count, wizard.not_sent_count), (1, 1))

    def test_paused_and_do_not_contact_customers_are_not_sent_to(self):
        self._ar_invoice(self.customer, 1000, self.days_before(10))
        self._ar_invoice(self.customer_b, 700, self.days_before(20))
        # paused from a customer list selection, as the clerk does
        pause = (
            self.env["ar.followup.pause"]
            .with_user(self.ar_user)
            .with_context(active_model="res.partner", active_ids=self.customer.ids)
            .create({"date_until": self.days_before(-5), "reason": "Year-end closing"})
        )
        pause.action_pause()
        self.customer_b.ar_no_email = True
        wizard = self.send_now("res.partner", self.customer | self.customer_b)
        outcome = {line.partner_id: line.result for line in wizard.line_ids}
        self.assertEqual(
            outcome,
            {
                self.customer: "Skipped: Follow-up paused – Follow-up paused until 06/20/2026: "
                "Year-end closing",
                self.customer_b: "Skipped: Do not contact – The customer does not want e-mail "
                "reminders.",
            },
        )
        self.assertFalse(wizard.line_ids.reminder_id.mail_message_id)

    def test_send_from_invoices_only_the_selected_ones(self):
        chosen = self._ar_invoice(self.customer, 1000, self.days_before(10))
        other = self._ar_invoice(self.customer, 400, self.days_before(40))
        b_invoice = self._ar_invoice(self.customer_b, 300, self.days_before(5))
        wizard = self.send_now("account.move", chosen | b_invoice)
        by_partner = {line.partner_id: line for line in wizard.line_ids}
        self.assertEqual(by_partner[self.customer].move_ids, chosen)
        reminder = by_partner[self.customer].reminder_id
        self.assertEqual((reminder.state, reminder.amount_residual), ("sent", 1000))
        self.assertIn(chosen.name, self.body(reminder))
        self.assertNotIn(other.name, self.body(reminder))
        self.assertEqual(by_partner[self.customer_b].reminder_id.move_ids, b_invoice)

    def test_send_now_only_claims_the_customers_own_invoices(self):
        """A client that posts customer A with customer B's invoice is refused on the server."""
        own = self._ar_invoice(self.customer, 1000, self.days_before(10))
        theirs = self._ar_invoice(self.customer_b, 12345, self.days_before(10))
        other_company = self.setup_other_company(name="Other Co")["company"]
        elsewhere = self._ar_invoice(
            self.customer, 500, self.days_before(10), company=other_company
        )
        self.ar_user.company_ids |= other_company  # allowed to see both companies' invoices
        Send = self.env["ar.followup.send"].with_user(self.ar_user)
        for foreign in (theirs, elsewhere):
            with self.assertRaisesRegex(ValidationError, "not its invoices"):
                Send.create(
                    {
                        "line_ids": [
                            Command.create(
                                {
                                    "partner_id": self.customer.id,
                                    "company_id": self.company.id,
                                    "move_ids": [Command.set((own | foreign).ids)],
                                }
                            )
                        ]
                    }
                )
        # nor can the model be called with them by another way
        with self.assertRaisesRegex(UserError, "only the customer's own posted invoices"):
            self.Reminder.with_user(self.ar_user)._ar_prepare_manual_vals(
                self.customer,
                own | theirs,
                "email",
                self.env["ar.followup.template"],
                self.env["ar.followup.tone"],
                datetime.now(),
            )
        self.assertFalse(self.Reminder.search([("partner_id", "=", self.customer.id)]))

    def test_send_now_of_an_invoice_paid_meanwhile_sends_nothing(self):
        invoice = self._ar_invoice(self.customer, 1000, self.days_before(10))
        wizard = (
            self.env["ar.followup.send"]
            .with_user(self.ar_user)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
        )
        self._ar_pay(invoice, 1000, pay_date=TODAY)  # paid while the wizard was open
        wizard.action_send()
        [line] = wizard.line_ids
        self.assertEqual(
            (line.result_state, line.result),
            ("nothing", "Not sent: Nothing is left to pay on the selected invoices."),
        )
        self.assertFalse(line.reminder_id)
        self.assertFalse(self.Reminder.search([("partner_id", "=", self.customer.id)]))
        self.assertFalse(self.customer.message_ids.filtered(lambda m: m.message_type == "comment"))

    def test_double_submit_sends_once(self):
        self._ar_invoice(self.customer, 1000, self.days_before(10))
        first = self.send_now("res.partner", self.customer)
        self.assertEqual(first.line_ids.result_state, "sent")
        first.action_send()  # the button clicked again on the same wizard
        second = self.send_now("res.partner", self.customer)  # or the wizard opened again
        self.assertEqual(
            (second.line_ids.result_state, second.line_ids.result),
            ("again", "Not sent again: the same reminder was just requested (Sent)."),
        )
        self.assertEqual(second.line_ids.reminder_id, first.line_ids.reminder_id)
        manual = self.Reminder.search(
            [("partner_id", "=", self.customer.id), ("manual", "=", True)]
        )
        self.assertEqual(len(manual), 1)
        self.assertEqual(len(manual.partner_id.message_ids.filtered("subject")), 1)
        # a minute later it is a new request
        with freeze_time(datetime.combine(TODAY, time(4, 31))):
            third = self.send_now("res.partner", self.customer)
        self.assertEqual(third.line_ids.result_state, "sent")

    def test_concurrent_double_submit_refused_by_the_database(self):
        """Two requests at once: the second cannot see the first's row, the index refuses it."""
        self._ar_invoice(self.customer, 1000, self.days_before(10))
        first = self.send_now("res.partner", self.customer)
        reminder = first.line_ids.reminder_id
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            reminder.sudo().copy({"state": "sending"})
        second = self.send_now_unseeing("res.partner", self.customer)
        self.assertEqual(
            (second.line_ids.result_state, second.line_ids.result),
            ("again", "Not sent again: the same reminder was just requested."),
        )
        self.assertEqual(self.Reminder.search_count([("manual", "=", True)]), 1)

    def test_double_submit_across_a_minute_sends_once(self):
        """Seconds apart on either side of a minute: still one reminder, even concurrently."""
        self._ar_invoice(self.customer, 1000, self.days_before(10))
        with freeze_time(datetime.combine(TODAY, time(4, 30, 55))):
            first = self.send_now("res.partner", self.customer)
        with freeze_time(datetime.combine(TODAY, time(4, 31, 5))):
            again = self.send_now("res.partner", self.customer)
        self.assertEqual(first.line_ids.result_state, "sent")
        self.assertEqual(
            (again.line_ids.result_state, again.line_ids.reminder_id),
            ("again", first.line_ids.reminder_id),
        )
        # a request that cannot see the first one's row (both at once): refused by the index
        with freeze_time(datetime.combine(TODAY, time(4, 31, 20))):
            concurrent = self.send_now_unseeing("res.partner", self.customer)
        self.assertEqual(
            (concurrent.line_ids.result_state, concurrent.line_ids.result),
            ("again", "Not sent again: the same reminder was just requested."),
        )
        # half a minute later it is a new request
        with freeze_time(datetime.combine(TODAY, time(4, 31, 30))):
            later = self.send_now("res.partner", self.customer)
        self.assertEqual(later.line_ids.result_state, "sent")
        self.assertEqual(self.Reminder.search_count([("manual", "=", True)]), 2)

    def test_not_for_non_ar_users(self):
        [reminder] = self.plan_to_approve(self.customer_b)
        self._ar_invoice(self.customer, 1000, self.days_before(10))
        for user in (self.internal_user, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.send_now("res.partner", self.customer, user=user)
            with self.assertRaises(AccessError):
                self.Reminder.with_user(user)._ar_send_manual([])
            with self.assertRaises(AccessError):
                reminder.with_user(user).action_ar_edit()
            with self.assertRaises(AccessError):
                self.env["ar.followup.reminder.cancel"].with_user(user).create(
                    {"reminder_ids": [Command.set(reminder.ids)], "reason": "no"}
                )
            with self.assertRaises(AccessError):
                reminder.with_user(user).action_approve()
        self.assertEqual(reminder.state, "to_approve")
        self.assertFalse(self.Reminder.search([("manual", "=", True)]))

    def test_pause_reachable_from_customer_form_and_list(self):
        action = self.env.ref("ar_followup.ar_followup_pause_action")
        self.assertEqual(action.binding_model_id.model, "res.partner")
        self.assertEqual(action.binding_view_types, "list,form")
        send = self.env.ref("ar_followup.ar_followup_send_action")
        self.assertEqual(send.binding_view_types, "list,form")
        arch = self.env["res.partner"].with_user(self.ar_user).get_view(view_type="form")["arch"]
        self.assertIn('name="%s"' % action.id, arch)
        self.assertIn('name="%s"' % send.id, arch)
