# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo data builds and tells its story.

Tests never rely on demo data: the test database is installed without it, and
this test loads the demo file itself, inside its own transaction (rolled back),
then checks what someone logging in to the demo would see.
"""

from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file
from odoo.tools.safe_eval import safe_eval

from ..demo.ar_followup_demo import OWNER_AWAY
from .common import TODAY

#: days of history this test plays (the demo plays 90): enough for every kind of
#: record, and the test suite's time stays short
HISTORY_DAYS = 30


@tagged("post_install", "-at_install")
class TestDemo(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 10:00 in Kolkata on the suite's day; the demo's dates are relative to it
        with freeze_time(datetime.combine(TODAY, time(4, 30))):
            convert_file(
                cls.env(context=dict(cls.env.context, ar_demo_history_days=HISTORY_DAYS)),
                "ar_followup",
                "demo/ar_followup_demo.xml",
                {},
                mode="init",
                noupdate=True,
            )
        cls.company = cls.env.ref("base.main_company")
        cls.history_start = TODAY - timedelta(days=HISTORY_DAYS)
        cls.env = cls.env(context={"allowed_company_ids": cls.company.ids, "tz": "Asia/Kolkata"})
        cls.open_domain = [
            ("company_id", "=", cls.company.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
        ]

    def setUp(self):
        super().setUp()
        freezer = freeze_time(datetime.combine(TODAY, time(4, 30)))
        freezer.start()
        self.addCleanup(freezer.stop)

    def partner(self, key):
        return self.env.ref("ar_followup.demo_partner_%s" % key)

    def test_an_indian_sme_and_its_ar_team(self):
        company = self.company
        self.assertEqual(company.name, "Shakti Industrial Supplies Pvt. Ltd.")
        self.assertEqual(company.currency_id.name, "INR")
        self.assertEqual((company.country_id.code, company.state_id.code), ("IN", "MH"))
        self.assertEqual(company.vat, "27AAECS1234F1ZO")
        self.assertEqual(company.partner_id.tz, "Asia/Kolkata")
        self.assertEqual(self.env.ref("base.user_admin").tz, "Asia/Kolkata")

        clerk = self.env.ref("ar_followup.demo_user_ar_clerk")
        self.assertTrue(clerk.has_group("ar_followup.ar_followup_group_user"))
        self.assertFalse(clerk.has_group("ar_followup.ar_followup_group_manager"))
        self.assertTrue(
            self.env.ref("base.user_admin").has_group("ar_followup.ar_followup_group_manager")
        )
        self.assertEqual(self.partner("kaveri").ar_owner_id, self.env.ref("base.user_admin"))
        self.assertEqual(self.partner("shree_ganesh").ar_owner_id, clerk)

        customers = self.env["res.partner"].search(
            [("customer_rank", ">", 0), ("is_company", "=", True)]
        )
        self.assertEqual(len(customers), 30)
        for customer in customers:
            self.assertEqual(customer.country_id.code, "IN", customer.name)
            self.assertRegex(customer.vat, r"^\d{2}[A-Z]{5}\d{4}[A-Z]\dZ[0-9A-Z]$", customer.name)
            self.assertTrue(customer.phone.startswith("+91 "), customer.name)
            self.assertTrue(customer.email, customer.name)

    def test_every_bucket_populated(self):
        Move = self.env["account.move"]
        invoices = Move.search(
            [("company_id", "=", self.company.id), ("move_type", "=", "out_invoice")]
        )
        self.assertTrue(180 <= len(invoices) <= 240, len(invoices))
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        per_bucket = dict(Move._read_group(self.open_domain, ["ar_bucket_id"], ["__count"]))
        self.assertEqual(set(per_bucket), set(self.company.ar_bucket_ids), per_bucket)
        states = dict(
            Move._read_group([("id", "in", invoices.ids)], ["payment_state"], ["__count"])
        )
        self.assertGreater(states["paid"], 100)
        self.assertGreater(states["partial"], 3)
        # bucket history is what the played days recorded: invoices paid before them
        # were never seen open
        transitions = invoices.ar_transition_ids
        self.assertTrue(transitions)
        self.assertGreaterEqual(min(transitions.mapped("date")), self.history_start)
        paid_long_ago = invoices.filtered(
            lambda m: (
                m.payment_state == "paid"
                and m.invoice_date_due < self.history_start - timedelta(days=200)
            )
        )
        self.assertTrue(paid_long_ago)
        self.assertFalse(paid_long_ago.ar_transition_ids)

    def test_strategic_account_disputed_after_twelve_years(self):
        Move = self.env["account.move"]
        kaveri = self.partner("kaveri")
        paid = Move.search(
            [("partner_id", "=", kaveri.id), ("payment_state", "=", "paid")], order="invoice_date"
        )
        self.assertLess(paid[0].invoice_date, TODAY - timedelta(days=11 * 365))
        late = Move.search(
            self.open_domain + [("partner_id", "=", kaveri.id), ("ar_days_overdue", ">", 0)]
        )
        self.assertEqual(late.ar_bucket_id.name, "31–60")
        self.assertEqual(late.ar_dispute_count, 1)
        self.assertTrue(late.ar_followup_suspended)
        dispute = self.env["ar.followup.dispute"].search([("partner_id", "=", kaveri.id)])
        self.assertEqual((dispute.state, dispute.reason), ("in_review", "quality"))

    def test_segments_tones_and_policies(self):
        ref = self.env.ref
        kaveri = self.partner("kaveri")
        self.assertEqual(kaveri.ar_segment_id, ref("ar_followup.ar_followup_segment_strategic"))
        self.assertEqual(
            kaveri._ar_get_policies()[kaveri.id], ref("ar_followup.ar_followup_policy_soft")
        )
        self.assertEqual(kaveri._ar_get_effective_tone().code, "gentle", kaveri.ar_tone_reason)
        gnmc = self.partner("gnmc")
        self.assertEqual(gnmc.ar_segment_id, ref("ar_followup.ar_followup_segment_government"))
        self.assertEqual(gnmc._ar_get_effective_tone().code, "formal")
        # one "Government" tag: the module's own, not a second one from the demo
        self.assertEqual(
            gnmc.category_id.filtered(lambda tag: "Government" in tag.name),
            ref("ar_followup.res_partner_category_government"),
        )
        self.assertEqual(
            self.env["res.partner.category"].search_count([("name", "=", "Government")]), 1
        )
        self.assertEqual(
            self.partner("sahyadri").ar_segment_id, ref("ar_followup.ar_followup_segment_vip")
        )
        self.assertEqual(
            self.partner("malabar").ar_segment_id, ref("ar_followup.ar_followup_segment_standard")
        )

    def test_who_pays_how(self):
        # government buyers are the slow payers; VIPs owe nothing overdue; new customers are late
        self.assertGreater(self.partner("gnmc").ar_oldest_overdue_days, 90)
        for key in ("sahyadri", "narmada", "coromandel", "punjab_agro"):
            self.assertEqual(self.partner(key).ar_total_overdue, 0.0, key)
            self.assertGreater(self.partner(key).ar_total_due, 0.0, key)
        self.assertGreater(self.partner("shree_ganesh").ar_total_overdue, 0.0)

        # an instalment invoice: the first half paid, the second half late
        split = self.env["account.move"].search(
            [
                ("partner_id", "=", self.partner("om_sai").id),
                (
                    "invoice_payment_term_id",
                    "=",
                    self.env.ref("ar_followup.demo_payment_term_50_50").id,
                ),
            ]
        )
        self.assertEqual((split.payment_state, split.ar_bucket_id.name), ("partial", "1–30"))

        # two credit notes applied, two waiting; one payment nobody could allocate yet
        refunds = self.env["account.move"].search(
            [("company_id", "=", self.company.id), ("move_type", "=", "out_refund")]
        )
        self.assertEqual(
            sorted(refunds.mapped("payment_state")), ["not_paid", "not_paid", "paid", "paid"]
        )
        unallocated = self.env["account.payment"].search(
            [
                ("partner_id", "=", self.partner("indus").id),
                ("memo", "like", "remittance advice awaited"),
            ]
        )
        self.assertEqual((len(unallocated), unallocated.is_reconciled), (1, False))

    def test_disputes_and_promises(self):
        # the story's own; the history's are those read from e-mail replies
        read = self.env["ar.followup.suggestion"].search([("company_id", "=", self.company.id)])
        disputes = self.env["ar.followup.dispute"].search(
            [("company_id", "=", self.company.id), ("id", "not in", read.dispute_id.ids)]
        )
        self.assertEqual(
            {(d.partner_id, d.state) for d in disputes},
            {
                (self.partner("kaveri"), "in_review"),
                (self.partner("royal"), "open"),
                (self.partner("balaji"), "resolved"),
            },
        )
        resolved = disputes.filtered(lambda d: d.state == "resolved")
        self.assertEqual(resolved.resolution, "credit_note")
        self.assertFalse(resolved.move_ids.ar_followup_suspended)

        promises = self.env["ar.followup.promise"].search(
            [("company_id", "=", self.company.id), ("id", "not in", read.promise_id.ids)]
        )
        by_state = {p.state: p for p in promises}
        self.assertEqual(set(by_state), {"open", "kept", "broken"})
        self.assertEqual(by_state["open"].partner_id, self.partner("mspdcl"))
        self.assertTrue(all(by_state["open"].move_ids.mapped("ar_followup_suspended")))
        self.assertEqual(set(by_state["kept"].move_ids.mapped("payment_state")), {"paid"})
        broken = by_state["broken"]
        self.assertEqual(broken.partner_id, self.partner("shree_ganesh"))
        # each broken promise made the tone one step firmer, and so did the final
        # notices of the history
        self.assertEqual(broken.state, "broken")
        self.assertGreaterEqual(broken.partner_id.ar_tone_escalation, 1)
        # the AR clerk who owns the customer has a to-do about it
        self.assertEqual(
            broken.activity_ids.user_id, self.env.ref("ar_followup.demo_user_ar_clerk")
        )

    def test_follow_up_history_played_day_by_day(self):
        Reminder = self.env["ar.followup.reminder"]
        mine = [("company_id", "=", self.company.id)]
        sent = Reminder.search(mine + [("date_sent", "!=", False)])
        # sent on most working days of the history, by the dispatcher at 10:30 in Kolkata
        days = {reminder.date_sent.date() for reminder in sent}
        self.assertGreater(len(days), HISTORY_DAYS // 2, len(days))
        self.assertLess(min(days), self.history_start + timedelta(days=7))
        self.assertEqual(max(days), TODAY - timedelta(days=1))
        self.assertEqual({reminder.date_sent.time() for reminder in sent}, {time(5, 0)})
        states = dict(Reminder._read_group(mine, ["state"], ["__count"]))
        # delivered by the demo's mail server, then read, clicked, answered, paid after
        for state in ("delivered", "read", "replied", "paid", "to_approve", "skipped"):
            self.assertGreater(states.get(state, 0), 0, (state, states))
        self.assertFalse(Reminder.search_count(mine + [("state", "in", ("queued", "sending"))]))
        self.assertTrue(sent.filtered("date_clicked").click_ids)
        self.assertTrue(sent.filtered("date_viewed"))
        # no e-mail of a reminder is left in the outgoing mail queue
        self.assertFalse(
            self.env["mail.mail"].search_count(
                [("state", "=", "outgoing"), ("mail_message_id", "in", sent.mail_message_id.ids)]
            )
        )
        # the government buyers' reminders of the last week wait for their owner
        waiting = Reminder.search(mine + [("state", "=", "to_approve")])
        self.assertGreater(min(waiting.mapped("date")), TODAY - timedelta(days=8))
        self.assertEqual(
            waiting.partner_id.ar_segment_id,
            self.env.ref("ar_followup.ar_followup_segment_government"),
        )
        self.assertTrue(sent.filtered("approved_by_id"))

        # replies read by the inbox: handled ones and the last days' still open
        conversations = self.env["ar.followup.conversation"].search(mine)
        self.assertEqual(set(conversations.mapped("state")), {"open", "handled"})
        promises = self.env["ar.followup.promise"].search(mine + [("source", "=", "email")])
        self.assertTrue({"kept", "broken"} <= set(promises.mapped("state")), promises)
        disputes = self.env["ar.followup.dispute"].search(mine + [("source", "=", "email")])
        self.assertIn("resolved", disputes.mapped("state"))

        # the owners heard of it in their Discuss inbox, never by e-mail; what came
        # before their week away is read, that week's waits
        team = self.env.ref("base.user_admin") | self.env.ref("ar_followup.demo_user_ar_clerk")
        self.assertEqual(set(team.mapped("notification_type")), {"inbox"})
        heard = self.env["mail.notification"].search(
            [("res_partner_id", "in", team.partner_id.ids)]
        )
        self.assertEqual(set(heard.mapped("notification_type")), {"inbox"})
        away = datetime.combine(TODAY - timedelta(days=OWNER_AWAY), time())
        unread = heard.filtered(lambda n: not n.is_read)
        self.assertTrue(unread)
        self.assertGreaterEqual(min(unread.mail_message_id.mapped("date")), away)
        self.assertTrue(heard.filtered(lambda n: n.is_read and n.mail_message_id.date < away))

        # the DSO and the day's metrics of every day, from the history's first to today
        for model in ("ar.followup.dso", "ar.followup.snapshot"):
            recorded = self.env[model].search(mine)
            days = set(recorded.mapped("date"))
            self.assertEqual(len(days), HISTORY_DAYS + 1, model)
            self.assertEqual((min(days), max(days)), (self.history_start, TODAY), model)
        # so the dashboard shows the overdue amount's change over the history's length
        action = self.env["ar.followup.snapshot"]._ar_action_dashboard()
        [dashboard] = self.env["ar.followup.snapshot"].search(action["domain"])
        self.assertEqual(dashboard.date, TODAY)
        self.assertTrue(dashboard["has_snapshot_%d" % HISTORY_DAYS])
        then = self.env["ar.followup.snapshot"].search(
            mine + [("partner_id", "=", False), ("date", "=", self.history_start)]
        )
        self.assertEqual(
            dashboard["overdue_change_%d" % HISTORY_DAYS],
            dashboard.amount_overdue - then.amount_overdue,
        )

    def test_every_follow_up_menu_shows_records(self):
        # this addon's menus; the channel addons' ones show their own demo data
        root = self.env.ref("ar_followup.ar_followup_menu_root")
        own = self.env["ir.model.data"].search(
            [("module", "=", "ar_followup"), ("model", "=", "ir.ui.menu")]
        )
        menus = self.env["ir.ui.menu"].search(
            [
                ("id", "child_of", root.id),
                ("id", "in", own.mapped("res_id")),
                ("action", "!=", False),
            ]
        )
        models = {}
        for menu in menus:
            action = menu.action
            if action._name == "ir.actions.server":
                models[menu.name] = (action.model_id.model, [])
            elif action._name == "ir.actions.act_window":
                domain = safe_eval(action.domain or "[]", {"uid": self.env.uid})
                models[menu.name] = (action.res_model, domain)
        self.assertIn("Dashboard", models)
        self.assertGreater(len(models), 10)
        for name, (model, domain) in models.items():
            self.assertTrue(self.env[model].search_count(domain), name)
