# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Daily follow-up metrics: each figure computed again here from the records behind it."""

import doctest
import json
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

import psycopg2

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from ..models import ar_followup_snapshot
from .common import TODAY, ArFollowupCommon

WINDOW_START = TODAY - timedelta(days=ar_followup_snapshot.WINDOW_DAYS - 1)


@tagged("post_install", "-at_install")
class TestSnapshot(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["ar.followup.snapshot"]
        cls.Reminder = cls.env["ar.followup.reminder"]
        cls.deccan = cls._ar_create_customer("Deccan Motors")
        cls.vip = cls._ar_create_customer(
            "Vishal Retail", ar_segment_id=cls.env.ref("ar_followup.ar_followup_segment_vip").id
        )
        invoice = cls._ar_invoice
        cls.inv_a = invoice(cls.customer, 1000, cls.days_before(7))
        cls.inv_b = invoice(cls.customer, 2000, cls.days_before(45))
        cls.inv_c = invoice(cls.customer, 500, cls.days_before(-5))
        cls.inv_d = invoice(cls.customer_b, 700, cls.days_before(100))
        cls.inv_f = invoice(cls.customer_b, 300, cls.days_before(30))
        cls.refund = invoice(cls.customer_b, 200, cls.days_before(2), move_type="out_refund")
        cls.inv_e = invoice(cls.deccan, 1200, cls.days_before(20))
        cls.inv_v = invoice(cls.vip, 900, cls.days_before(3))
        # owes for an invoice older than the DSO period: a DSO row without a DSO
        cls.dormant = cls._ar_create_customer("Purana Mills")
        invoice(cls.dormant, 450, cls.days_before(200))

    def setUp(self):
        super().setUp()
        self.refresh_ageing()

    def _history(self):
        """A day of follow-up: disputes, promises kept and broken, planned, edited,
        manual, replied and read reminders."""
        self.env["ar.followup.dispute"].create(
            {
                "partner_id": self.deccan.id,
                "move_ids": [Command.set(self.inv_e.ids)],
                "reason": "pricing",
                "source": "call",
                "date_raised": self.days_before(4),
            }
        )
        Promise = self.env["ar.followup.promise"]
        kept = Promise.create(
            {
                "partner_id": self.customer_b.id,
                "move_ids": [Command.set(self.inv_f.ids)],
                "date_promised": self.days_before(-3),
                "source": "call",
            }
        )
        broken = Promise.create(
            {
                "partner_id": self.customer_b.id,
                "move_ids": [Command.set(self.inv_d.ids)],
                "date": self.days_before(25),
                "date_promised": self.days_before(20),
                "source": "portal",
            }
        )
        self._ar_pay(self.inv_f, 300, pay_date=TODAY)
        self.env["ar.followup.promise"]._cron_ar_check_promises()
        self.assertEqual((kept.state, broken.state), ("kept", "broken"))
        reminders = self.plan()
        # the VIP's reminder waits for approval: a clerk rewrites it
        [to_approve] = reminders.filtered(lambda r: r.state == "to_approve")
        action = to_approve.with_user(self.ar_user).action_ar_edit()
        edit = (
            self.env[action["res_model"]]
            .with_user(self.ar_user)
            .with_context(**action["context"])
            .create({})
        )
        edit.write({"subject": "Your account", "body": "<p>Please settle this week.</p>"})
        edit.action_save_approve()
        self.dispatch(at=time(4, 45))
        sent = reminders.filtered(lambda r: r.state == "sent")
        self.assertTrue(sent)
        # one read, one replied to
        sent[:1]._ar_apply_report("read")
        message = to_approve.mail_message_id
        raw = (
            "From: %s\r\nTo: ar@example.com\r\nSubject: Re: %s\r\n"
            "Message-Id: <reply-1@vishal.example.in>\r\nIn-Reply-To: %s\r\n"
            "References: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPaying Friday.\r\n"
        ) % (self.vip.email, to_approve.subject, message.message_id, message.message_id)
        self.env["mail.thread"].message_process(False, raw)
        self.assertEqual(to_approve.state, "replied")
        # a manual send about the invoice not due yet
        self.env["ar.followup.send"].with_user(self.ar_user).with_context(
            active_model="account.move", active_ids=self.inv_c.ids
        ).create({}).action_send()
        # a promise still waiting for its date
        Promise.create(
            {
                "partner_id": self.dormant.id,
                "date_promised": self.days_before(-10),
                "source": "email",
            }
        )
        self.company._ar_compute_dso(TODAY)
        self.refresh_ageing()

    # -- the figures, computed again from the records ------------------------------

    def _expected(self):
        """``{customer id or None: {field: value}}`` and the breakdown lines."""
        rows = defaultdict(Counter)
        buckets = Counter()
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company.id),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "!=", 0),
            ]
        )
        disputes = self.env["ar.followup.dispute"].search([("state", "in", ("open", "in_review"))])
        for line in lines:
            row = rows[line.partner_id.commercial_partner_id.id]
            row["amount_due"] += line.amount_residual
            if line.ar_bucket_id and line.date_maturity < TODAY:
                row["amount_overdue"] += line.amount_residual
                buckets[line.ar_bucket_id.id] += line.amount_residual
            if line.move_id in disputes.move_ids:
                row["amount_disputed"] += line.amount_residual
        reminders = self.Reminder.search(
            [("company_id", "=", self.company.id), ("date", ">=", WINDOW_START)]
        )
        by_state = Counter()
        for reminder in reminders:
            row = rows[reminder.partner_id.id]
            by_state[(reminder.channel, reminder.state)] += 1
            row["reminder_count"] += 1
            sent = bool(reminder.date_sent)
            row["sent_count"] += sent
            row["delivered_count"] += bool(reminder.date_delivered)
            row["read_count"] += bool(reminder.date_read)
            row["clicked_count"] += bool(reminder.date_clicked)
            row["replied_count"] += bool(reminder.date_replied)
            row["paid_count"] += sent and bool(reminder.date_paid)
            row["failed_count"] += reminder.state == "failed"
            row["skipped_count"] += reminder.state == "skipped"
            row["automated_count"] += sent and not reminder.manual and not reminder.text_edited
            row["manual_count"] += sent and reminder.manual
            row["edited_count"] += reminder.text_edited
            row["approved_count"] += bool(reminder.approved_by_id)
            row["responded"] += bool(reminder.date_replied) or (sent and bool(reminder.date_paid))
        for promise in self.env["ar.followup.promise"].search([]):
            row = rows[promise.partner_id.id]
            if promise.date >= WINDOW_START:
                row["promise_made_count"] += 1
                row["promise_obtained_count"] += promise.source != "portal"
            row["promise_open_count"] += promise.state == "open"
            if promise.date_done and promise.date_done >= WINDOW_START:
                row["promise_kept_count"] += promise.state == "kept"
                row["promise_broken_count"] += promise.state == "broken"
        for dispute in disputes:
            rows[dispute.partner_id.id]["dispute_open_count"] += 1
            rows[dispute.partner_id.id]["dispute_raised_count"] += 1
        company = sum(rows.values(), Counter())
        rows = {**rows, None: company}
        for row in rows.values():
            row["response_rate"] = ar_followup_snapshot.rate(row["responded"], row["sent_count"])
            row["automation_rate"] = ar_followup_snapshot.rate(
                row["automated_count"], row["sent_count"]
            )
            row["promise_kept_rate"] = ar_followup_snapshot.rate(
                row["promise_kept_count"], row["promise_kept_count"] + row["promise_broken_count"]
            )
        return rows, buckets, by_state

    def _recorded(self):
        snapshots = self.Snapshot.search(
            [("company_id", "=", self.company.id), ("date", "=", TODAY)]
        )
        return {row.partner_id.id or None: row for row in snapshots}

    def test_rate_doctests(self):
        result = doctest.testmod(ar_followup_snapshot)
        self.assertFalse(result.failed)
        self.assertGreater(result.attempted, 0)

    def test_daily_metrics_match_the_records(self):
        self._history()
        with self.committing():
            self.Snapshot._cron_ar_record()
        recorded = self._recorded()
        expected, buckets, by_state = self._expected()
        self.assertEqual(set(recorded), {p for p in expected if p} | {None})
        fields_ = [*ar_followup_snapshot.COUNTERS, *ar_followup_snapshot.AMOUNTS]
        for partner_id, row in recorded.items():
            with self.subTest(customer=row.partner_id.name or "company"):
                want = expected[partner_id]
                self.assertEqual({f: row[f] for f in fields_}, {f: want[f] for f in fields_})
                for rate in ("response_rate", "automation_rate", "promise_kept_rate"):
                    self.assertAlmostEqual(row[rate], want[rate] or 0.0, places=2)
        company = recorded[None]
        # what the scenario did, read on the company row
        self.assertEqual(
            (company.manual_count, company.edited_count, company.replied_count),
            (1, 1, 1),
        )
        self.assertEqual(
            company.automated_count, company.sent_count - 2, "neither the edited nor the manual"
        )
        self.assertEqual((company.promise_kept_count, company.promise_broken_count), (1, 1))
        self.assertEqual(company.promise_open_count, 1)
        self.assertEqual(company.promise_kept_rate, 50.0)
        self.assertEqual((company.dispute_open_count, company.dispute_open_age), (1, 4.0))
        self.assertEqual(company.amount_disputed, 1200)
        dso = self.env["ar.followup.dso"].search(
            [("company_id", "=", self.company.id), ("date", "=", TODAY), ("partner_id", "=", False)]
        )
        self.assertEqual(company.dso, dso.dso_standard)
        for partner_id, row in recorded.items():
            customer_dso = self.env["ar.followup.dso"].search(
                [("date", "=", TODAY), ("partner_id", "=", partner_id or False)]
            )
            self.assertEqual(row.dso, customer_dso.dso_standard, row.partner_id.name)
        self.assertFalse(recorded[self.dormant.id].dso, "no credit sales in the period")
        self.assertEqual(recorded[self.dormant.id].amount_overdue, 450)
        # the breakdowns
        self.assertEqual(
            {
                line.bucket_id.id: line.amount
                for line in company.line_ids.filtered(lambda l: l.kind == "bucket")
            },
            dict(buckets),
        )
        self.assertEqual(
            {
                (line.channel, line.state): line.count
                for line in company.line_ids.filtered(lambda l: l.kind == "reminder")
            },
            dict(by_state),
        )
        self.assertFalse(recorded[self.customer.id].line_ids, "breakdowns are the company's")

    # -- the dashboard's figures read when shown ------------------------------------

    def _overdue_by_bucket(self, day):
        """``{bucket: overdue}`` of the open items on ``day``, from the items and the
        buckets' ranges."""
        amounts = Counter()
        for line in self.env["account.move.line"].search(
            [
                ("company_id", "=", self.company.id),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("date_maturity", "<", day),
                # a credit note or a payment is unallocated credit, not overdue
                ("balance", ">", 0),
            ]
        ):
            late = (day - line.date_maturity).days
            [bucket] = self.buckets.filtered(
                lambda b, late=late: b.min_days <= late and (b.open_ended or late <= b.max_days)
            )
            amounts[bucket] += line.amount_residual
        return amounts

    def test_overdue_change_over_30_60_and_90_days(self):
        month_ago = self.days_before(30)
        self.refresh_ageing(month_ago)
        self.Snapshot._ar_record(self.company, month_ago)
        then = self._overdue_by_bucket(month_ago)
        self.refresh_ageing()
        self.Snapshot._ar_record(self.company, TODAY)
        Snapshot = self.Snapshot.with_user(self.ar_user)
        [company] = Snapshot.search(Snapshot._ar_action_dashboard()["domain"])
        now = self._overdue_by_bucket(TODAY)
        self.assertNotEqual(now, then, "the fixture's items changed bucket in the month")
        self.assertTrue(company.has_snapshot_30)
        self.assertAlmostEqual(
            company.overdue_change_30, sum(now.values()) - sum(then.values()), places=2
        )
        # nothing recorded 60 and 90 days before: the card says so instead of a figure
        self.assertFalse(company.has_snapshot_60 or company.has_snapshot_90)
        self.assertEqual((company.overdue_change_60, company.overdue_change_90), (0, 0))
        customer = Snapshot.search([("partner_id", "=", self.customer.id), ("date", "=", TODAY)])
        self.assertEqual(customer.overdue_change_30, 3000 - 2000, "inv_a fell due in the month")
        # the change opens the buckets, each with its change, each opening its items
        opened = company.with_context(ar_metric="overdue_change_30").action_ar_open_metric()
        lines = self.env[opened["res_model"]].with_user(self.ar_user).search(opened["domain"])
        self.assertEqual({line.bucket_id: line.amount for line in lines}, dict(now))
        for line in lines:
            with self.subTest(bucket=line.bucket_id.name):
                self.assertAlmostEqual(
                    line.change_30, now[line.bucket_id] - then.get(line.bucket_id, 0), places=2
                )
                self.assertFalse(line.has_snapshot_60)
                items = line.action_ar_open_records()
                self.assertAlmostEqual(
                    sum(self.env[items["res_model"]].search(items["domain"]).mapped("overdue")),
                    now[line.bucket_id],
                )
        self.assertEqual(
            customer.action_ar_open_buckets()["domain"], opened["domain"], "the company's buckets"
        )

    def test_collected_and_due_this_month(self):
        # June: paid on the 10th, and in May (not this month's)
        self._ar_pay(self.inv_a, 400, pay_date=self.days_before(5))
        self._ar_pay(self.inv_b, 1000, pay_date=self.days_before(30))
        self._ar_pay(self.inv_e, 200, pay_date=TODAY)
        self.refresh_ageing()
        Snapshot = self.Snapshot.with_user(self.ar_user)
        [company] = Snapshot.search(Snapshot._ar_action_dashboard()["domain"])
        payments = self.env["account.payment"].search(
            [("company_id", "=", self.company.id), ("payment_type", "=", "inbound")]
        )
        collected = payments.filtered(
            lambda p: p.date.month == TODAY.month and p.date <= TODAY and p.state != "draft"
        )
        invoices = self.env["account.move"].search(
            [("company_id", "=", self.company.id), ("move_type", "=", "out_invoice")]
        )
        due = invoices.filtered(
            lambda m: m.invoice_date_due.month == TODAY.month and m.state == "posted"
        )
        self.assertEqual(len(collected), 2)
        self.assertEqual(due, self.inv_a | self.inv_c | self.inv_v)
        self.assertEqual(company.collected_month, 600)
        self.assertEqual(company.due_month, sum(due.mapped("amount_total_signed")))
        for metric, records, field in (
            ("collected_month", collected, "amount_company_currency_signed"),
            ("due_month", due, "amount_total_signed"),
        ):
            with self.subTest(metric=metric):
                opened = company.with_context(ar_metric=metric).action_ar_open_metric()
                found = (
                    self.env[opened["res_model"]].with_user(self.ar_user).search(opened["domain"])
                )
                self.assertEqual(found, records.with_user(self.ar_user))
                self.assertEqual(sum(found.mapped(field)), company[metric])
        customer = Snapshot.search([("partner_id", "=", self.customer.id), ("date", "=", TODAY)])
        self.assertEqual((customer.collected_month, customer.due_month), (400, 1500))

    def test_today_activity_and_its_notifications(self):
        """Sent, replied and paid since midnight, on the dashboard and on the bus, to the
        company's AR users only."""
        other, _clerk_b = self._ar_other_company_clerk()
        self.env.cr.precommit.run()
        Bus = self.env["bus.bus"].sudo()
        seen = Bus.search([], order="id desc", limit=1).id or 0
        # yesterday's payment is not today's activity
        self._ar_pay(self.inv_b, 2000, pay_date=self.days_before(1))
        self._history()
        self._ar_pay(self.inv_a, 1000, pay_date=TODAY)
        self.env.cr.precommit.run()
        notices = Bus.search([("id", ">", seen)]).filtered(
            lambda b: json.loads(b.message)["type"] == "ar_followup.activity"
        )
        midnight = datetime(2026, 6, 14, 18, 30)  # TODAY's midnight in Kolkata, in UTC
        reminders = self.Reminder.search([("company_id", "=", self.company.id)])
        sent = reminders.filtered(lambda r: r.date_sent and r.date_sent >= midnight)
        replied = reminders.filtered(lambda r: r.date_replied and r.date_replied >= midnight)
        self.assertTrue(sent and replied)
        channel = (self.env.cr.dbname, "res.company", self.company.id, "ar_followup_activity")
        self.assertEqual(
            {tuple(json.loads(b.channel)) for b in notices}, {channel}, "not %s's" % other.name
        )
        payloads = [json.loads(b.message)["payload"] for b in notices]
        self.assertEqual({p["company_id"] for p in payloads}, {self.company.id})
        by_kind = Counter()
        for payload in payloads:
            by_kind[payload["kind"]] += payload["count"]
        # the two payments, the kept promise's (TODAY), and today's sends and reply
        self.assertEqual(dict(by_kind), {"sent": len(sent), "replied": len(replied), "paid": 3})
        Snapshot = self.Snapshot.with_user(self.ar_user)
        [company] = Snapshot.search(Snapshot._ar_action_dashboard()["domain"])
        paid_today = self.inv_a | self.inv_f
        self.assertEqual(
            (
                company.activity_sent_count,
                company.activity_replied_count,
                company.activity_paid_count,
                company.activity_paid_amount,
            ),
            (len(sent), len(replied), len(paid_today), 1300),
        )
        for metric, records in (
            ("activity_sent_count", sent),
            ("activity_replied_count", replied),
            ("activity_paid_count", paid_today),
        ):
            with self.subTest(metric=metric):
                opened = company.with_context(ar_metric=metric).action_ar_open_metric()
                found = (
                    self.env[opened["res_model"]].with_user(self.ar_user).search(opened["domain"])
                )
                self.assertEqual(set(found.ids), set(records.ids))

    def test_recording_a_day_again_gives_the_same_rows(self):
        self._history()
        self.Snapshot._ar_record(self.company, TODAY)
        first = {
            p: row.read([*ar_followup_snapshot.COUNTERS, *ar_followup_snapshot.AMOUNTS])[0]
            for p, row in self._recorded().items()
        }
        lines = len(self._recorded()[None].line_ids)
        self.Snapshot._ar_record(self.company, TODAY)
        again = {
            p: row.read([*ar_followup_snapshot.COUNTERS, *ar_followup_snapshot.AMOUNTS])[0]
            for p, row in self._recorded().items()
        }
        for values in (*first.values(), *again.values()):
            values.pop("id")
        self.assertEqual(again, first)
        self.assertEqual(len(self._recorded()[None].line_ids), lines)
        self.assertEqual(
            self.Snapshot.search_count(
                [("date", "=", TODAY), ("company_id", "=", self.company.id)]
            ),
            len(first),
        )

    def test_only_own_companies_metrics(self):
        other, clerk_b = self._ar_other_company_clerk()
        self.Snapshot._ar_record(self.company, TODAY)
        self.Snapshot._ar_record(other, TODAY)
        mine = self.Snapshot.with_user(self.ar_user).search([])
        self.assertEqual(mine.company_id, self.company)
        theirs = self.Snapshot.with_user(clerk_b).search([])
        self.assertEqual(theirs.company_id, other)
        self.assertFalse(
            self.env["ar.followup.snapshot.line"]
            .with_user(clerk_b)
            .search([])
            .filtered(lambda l: l.company_id == self.company)
        )

    def test_dashboard_figures_open_the_records_behind_them(self):
        self._history()
        Snapshot = self.Snapshot.with_user(self.ar_user)
        # the first opening records the day's metrics
        action = Snapshot._ar_action_dashboard()
        [company] = Snapshot.search(action["domain"])
        self.assertEqual(
            (company.company_id, company.date, company.partner_id.id), (self.company, TODAY, False)
        )
        self.assertEqual(
            self.env.ref("ar_followup.ar_followup_dashboard_menu").action,
            self.env.ref("ar_followup.ar_followup_snapshot_action_server_dashboard"),
        )
        for row in (company, Snapshot.search([("partner_id", "=", self.customer.id)])):
            for metric in ar_followup_snapshot.COUNTERS:
                with self.subTest(customer=row.partner_id.name, metric=metric):
                    opened = row.with_context(ar_metric=metric).action_ar_open_metric()
                    records = self.env[opened["res_model"]].with_user(self.ar_user)
                    self.assertEqual(records.search_count(opened["domain"]), row[metric])
            for metric in ar_followup_snapshot.AMOUNTS:
                with self.subTest(customer=row.partner_id.name, metric=metric):
                    opened = row.with_context(ar_metric=metric).action_ar_open_metric()
                    items = (
                        self.env[opened["res_model"]]
                        .with_user(self.ar_user)
                        .search(opened["domain"])
                    )
                    self.assertAlmostEqual(sum(items.mapped("residual")), row[metric])
        for line in company.line_ids:
            opened = line.with_user(self.ar_user).action_ar_open_records()
            records = self.env[opened["res_model"]].search(opened["domain"])
            if line.kind == "bucket":
                self.assertAlmostEqual(sum(records.mapped("overdue")), line.amount)
            else:
                self.assertEqual(len(records), line.count)
        # a figure that does not exist is refused with a message, not a traceback
        with self.assertRaises(UserError):
            company.with_context(ar_metric="no_such_figure").action_ar_open_metric()


@tagged("post_install", "-at_install")
class TestDashboardInBrowser(HttpCase, ArFollowupCommon):
    def test_clerk_opens_the_dashboard_and_a_figure(self):
        """In the browser: the dashboard's card shows the figures, and today's activity
        moves without reloading when a reminder is sent; Overdue opens the open overdue
        items behind it."""
        invoice = self._ar_invoice(self.customer, 1000, self.days_before(10))
        self._ar_invoice(self.customer_b, 2500, self.days_before(40))
        self.refresh_ageing()
        action = self.env.ref("ar_followup.ar_followup_snapshot_action_server_dashboard")
        # the page's bundles built before it loads: building them inside its first request
        # holds the test cursor longer than the page's other requests wait for it
        QWeb = self.env["ir.qweb"]
        QWeb._get_asset_bundle("web.assets_web", css=False).js()
        QWeb._get_asset_bundle("web.assets_web", js=False).css()
        QWeb._get_asset_bundle("web.__assets_tests_call__", css=False).js()
        code = """
            (async () => {
                const until = async (find) => {
                    for (let i = 0; i < 600; i++) {
                        const found = find();
                        if (found) return found;
                        await new Promise((resolve) => setTimeout(resolve, 100));
                    }
                    throw new Error("not found: " + find);
                };
                const card = await until(() => document.querySelector(".o_kanban_record"));
                const figure = (label) => [...card.querySelectorAll("div.col-6")].find(
                    (col) => col.querySelector(".text-muted").textContent.trim() === label
                );
                const changes = [...card.querySelectorAll("span")].filter(
                    (span) => span.textContent.trim() === "No snapshot yet"
                );
                if (changes.length !== 3) throw new Error("no snapshot yet: " + changes.length);
                const sentToday = () => card.querySelector(".o_ar_activity button").textContent.trim();
                if (sentToday() !== "0") throw new Error("sent today: " + sentToday());
                // a clerk sends a reminder by hand elsewhere: the card follows, the page stays
                window.arSamePage = true;
                const call = async (method, args) => {
                    const response = await fetch("/web/dataset/call_kw", {
                        method: "POST",
                        headers: { "Content-Type": "application/json" },
                        body: JSON.stringify({
                            jsonrpc: "2.0",
                            method: "call",
                            params: {
                                model: "ar.followup.send",
                                method,
                                args,
                                kwargs: {
                                    context: { active_model: "account.move", active_ids: [%(invoice)s] },
                                },
                            },
                        }),
                    });
                    const { result, error } = await response.json();
                    if (error) throw new Error(JSON.stringify(error));
                    return result;
                };
                const wizard = await call("create", [{}]);
                await call("action_send", [[wizard]]);
                await until(() => sentToday() === "1");
                if (!window.arSamePage) throw new Error("the page was reloaded");
                const overdue = figure("Overdue");
                if (!overdue.textContent.includes("3,500.00")) {
                    throw new Error("overdue shown: " + overdue.textContent);
                }
                overdue.querySelector("button").click();
                const rows = await until(() => {
                    const found = document.querySelectorAll(".o_list_view .o_data_row");
                    return found.length ? found : null;
                });
                if (rows.length !== 2) throw new Error("rows: " + rows.length);
                console.log("test successful");
            })();
        """ % {"invoice": invoice.id}
        self.browser_js("/odoo/action-%s" % action.id, code, login="ar_clerk", timeout=240)

    def test_only_a_companys_ar_users_hear_its_activity(self):
        """What each user's bus subscription receives when payments are matched in two
        companies: the AR users of each company their own company's, nobody else."""
        other, _clerk_b = self._ar_other_company_clerk()
        new_test_user(
            self.env,
            login="sales_only",
            groups="base.group_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        mine = self._ar_invoice(self.customer, 1000, self.days_before(10))
        theirs = self._ar_invoice(self.customer_b, 400, self.days_before(10), company=other)
        self._ar_pay(mine, 1000, pay_date=TODAY)
        self._ar_pay(theirs, 400, pay_date=TODAY)
        self.env.cr.precommit.run()
        heard = {}
        for login in ("ar_clerk", "clerk_b", "sales_only"):
            self.authenticate(login, login)
            polled = self.make_jsonrpc_request(
                "/websocket/peek_notifications", {"channels": [], "last": 0, "is_first_poll": True}
            )
            heard[login] = [
                notification["message"]["payload"]
                for notification in polled["notifications"]
                if notification["message"]["type"] == "ar_followup.activity"
            ]
        self.assertEqual(
            heard,
            {
                "ar_clerk": [{"company_id": self.company.id, "kind": "paid", "count": 1}],
                "clerk_b": [{"company_id": other.id, "kind": "paid", "count": 1}],
                "sales_only": [],
            },
        )


@tagged("post_install", "-at_install")
class TestSnapshotConcurrency(TransactionCase):
    """Two recordings of a day on two real connections (the cron and a *Refresh*).

    These tests commit, on connections of their own, and remove what they wrote.
    """

    def _cursor(self):
        registry = self.registry

        class _Env:
            def __enter__(inner):
                inner.cr = registry.cursor()
                inner.cr.execute("SET lock_timeout = '10s'")
                return api.Environment(inner.cr, SUPERUSER_ID, {})

            def __exit__(inner, exc_type, exc, tb):
                inner.cr.rollback()
                inner.cr.close()

        return _Env()

    def _remove(self):
        with self._cursor() as env:
            env.cr.execute(
                "DELETE FROM ar_followup_snapshot WHERE company_id = %s AND date = %s",
                [self.company_id, TODAY],
            )
            env.cr.commit()

    def test_a_day_recorded_twice_at_once_is_retried_not_duplicated(self):
        self.company_id = self.env.ref("base.main_company").id
        self.addCleanup(self._remove)
        with self._cursor() as env_a, self._cursor() as env_b:
            company_b = env_b["res.company"].browse(self.company_id)
            # B's transaction has begun (its snapshot is taken) when A records and commits
            env_b.cr.execute("SELECT 1 FROM ar_followup_snapshot LIMIT 1")
            env_a["ar.followup.snapshot"]._ar_record(
                env_a["res.company"].browse(self.company_id), TODAY
            )
            env_a.cr.commit()
            # B cannot see A's rows: refused as a serialization failure (which Odoo
            # retries), not as a duplicate
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                env_b["ar.followup.snapshot"]._ar_record(company_b, TODAY)
            env_b.cr.rollback()
            env_b.invalidate_all()
            rows = env_b["ar.followup.snapshot"]._ar_record(company_b, TODAY)
            env_b.cr.commit()
            self.assertEqual(
                env_b["ar.followup.snapshot"].search_count(
                    [("company_id", "=", self.company_id), ("date", "=", TODAY)]
                ),
                rows,
            )
