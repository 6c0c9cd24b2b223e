# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The debtor's receivables page: behind a reminder's link (no login) and on
``/my/receivables`` for portal users; what it shows, what the debtor does and
downloads there (the ledger of a period, invoices in one PDF), paying (early
discounts, partial amounts), and that one debtor never sees or changes another's
account."""

import csv
import io
import re
from datetime import timedelta
from urllib.parse import urlparse

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import file_open
from odoo.tools.translate import TranslationImporter

from ..models.ar_followup_portal_token import RATE_LIMIT
from .common import TODAY, ArFollowupCommon

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
#: the smallest valid PDF for an attachment
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ReceivablesPageCommon(HttpCase, ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.ar_owner_id = cls.ar_user
        cls.old = cls._ar_invoice(cls.customer, 125000, cls.days_before(45))
        cls.old.ref = "PO/BST/4471"
        cls.recent = cls._ar_invoice(cls.customer, 250000, cls.days_before(5))
        cls.other_invoice = cls._ar_invoice(cls.customer_b, 99000, cls.days_before(20))
        cls.debtor_a = cls._ar_portal_user("debtor_a", cls.customer)
        cls.debtor_b = cls._ar_portal_user("debtor_b", cls.customer_b)

    @classmethod
    def _ar_portal_user(cls, login, customer):
        user = new_test_user(cls.env, login=login, groups="base.group_portal", tz="Asia/Kolkata")
        user.partner_id.write({"parent_id": customer.id, "email": "%s@example.in" % login})
        return user

    def setUp(self):
        super().setUp()
        self.refresh_ageing()

    def sent_reminder(self, partner=None, day=TODAY):
        """A reminder e-mail sent to ``partner`` (default: the first customer) on ``day``
        about its open invoices."""
        partner = partner or self.customer
        moves = self.env["account.move"].search(
            [("partner_id", "=", partner.id), ("payment_state", "!=", "paid")]
        )
        return (
            self.env["ar.followup.reminder"]
            .sudo()
            .create(
                {
                    "company_id": self.company.id,
                    "partner_id": partner.id,
                    "date": day,
                    "channel": "email",
                    "cycle_key": "portal-test-%s" % day,
                    "state": "sent",
                    "date_sent": "%s 05:00:00" % day,
                    "subject": "Payment reminder",
                    "move_ids": [Command.set(moves.ids)],
                }
            )
        )

    def open_link(self, reminder):
        """Follow the reminder's tracked link to the page; the page's path."""
        response = self.url_open(reminder._ar_tracked_url("account"), allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        return urlparse(response.headers["Location"]).path

    def post(self, path, data, files=None, page=None):
        """Post a form of the page at ``page`` (default: the page ``path`` belongs to) with
        the CSRF token the page carries."""
        page = page or path.rsplit("/", 1)[0]
        csrf = CSRF.search(self.url_open(page).text).group(1)
        return self.url_open(
            path, data={**data, "csrf_token": csrf}, files=files, allow_redirects=False
        )

    def disputes(self):
        return self.env["ar.followup.dispute"].search([("source", "=", "portal")])

    def promises(self):
        return self.env["ar.followup.promise"].search([("source", "=", "portal")])


@tagged("post_install", "-at_install")
class TestReceivablesLink(ReceivablesPageCommon):
    def test_reminder_link_opens_the_customers_page(self):
        reminder = self.sent_reminder()
        path = self.open_link(reminder)
        self.assertTrue(path.startswith("/my/receivables/"), path)
        page = self.url_open(path)
        self.assertEqual(page.status_code, 200)
        for text in (self.old.name, self.recent.name, "PO/BST/4471", "Bharat Steel Traders"):
            self.assertIn(text, page.text)
        self.assertNotIn(self.other_invoice.name, page.text, "another customer's invoice")
        self.assertEqual(reminder.click_ids.kind, "account")
        # the template offers the link as ``account_link``
        context = self.env["ar.followup.template"]._ar_context(
            self.customer, self.old | self.recent, reminder=reminder
        )
        self.assertEqual(context["account_link"], reminder._ar_tracked_url("account"))
        preview = self.env["ar.followup.template"]._ar_context(self.customer, self.old)
        self.assertTrue(preview["account_link"].endswith("/my/receivables"))

    def test_every_reminder_has_its_own_link(self):
        first = self.sent_reminder()
        path = self.open_link(first)
        self.assertEqual(self.open_link(first), path, "the same link on a second click")
        Token = self.env["ar.followup.portal.token"]
        self.assertEqual(
            Token._ar_issue_once(first, first.date_sent), Token.sudo().search([]), "issued once"
        )
        second_day = TODAY + timedelta(days=10)
        with self.frozen(second_day):
            second = self.sent_reminder(day=second_day)
            other = self.open_link(second)
        self.assertNotEqual(other, path)
        tokens = self.env["ar.followup.portal.token"].sudo().search([])
        self.assertEqual(tokens.reminder_id, first | second)
        self.assertEqual(tokens.partner_id, self.customer)
        # the secret is not stored: the URL cannot be read back from the table
        secret = path.rsplit("/", 1)[1]
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM ar_followup_portal_token")
        self.assertNotIn(secret, str(self.env.cr.fetchall()))

    def test_link_expires_after_the_company_period(self):
        self.company.ar_portal_link_days = 10
        path = self.open_link(self.sent_reminder())
        with self.frozen(TODAY + timedelta(days=9)):
            self.assertEqual(self.url_open(path).status_code, 200)
        with self.frozen(TODAY + timedelta(days=11)):
            expired = self.url_open(path)
        self.assertEqual(expired.status_code, 403)
        self.assertIn("This link has expired or was revoked", expired.text)
        self.assertNotIn(self.old.name, expired.text)

    def test_revoke_links_ends_issued_and_unopened_links(self):
        opened = self.open_link(self.sent_reminder())
        second_day = TODAY + timedelta(days=10)
        with self.frozen(second_day):
            unopened = self.sent_reminder(day=second_day)
        with self.frozen(second_day + timedelta(days=1)):
            self.customer.with_user(self.ar_user).action_ar_revoke_portal_links()
            self.assertIn("Links to the receivables page revoked.", self.chatter(self.customer))
            self.assertEqual(self.url_open(opened).status_code, 403)
            # a reminder sent before the revocation, opened after it
            self.assertEqual(self.url_open(self.open_link(unopened)).status_code, 403)
        third_day = second_day + timedelta(days=2)
        with self.frozen(third_day):
            fresh = self.open_link(self.sent_reminder(day=third_day))
            self.assertEqual(self.url_open(fresh).status_code, 200, "a new reminder works")

    def test_page_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("hi_IN")
        # hi.po read as a stream: from its path Odoo keeps only the terms the
        # addon's .pot lists, and the .pot is regenerated after merging
        importer = TranslationImporter(self.env.cr, verbose=False)
        with file_open("ar_followup/i18n/hi.po", "rb") as po:
            stream = io.BytesIO(po.read())
        stream.name = "hi.po"
        importer.load(stream, "po", "hi_IN")
        importer.save(overwrite=True)
        self.customer.lang = "hi_IN"
        path = self.open_link(self.sent_reminder())
        page = self.url_open(path).text
        for text in (
            "खुले बिल",
            "भुगतान का वादा",
            "विवाद दर्ज करें",
            "गुणवत्ता की समस्या",
            "शीघ्र भुगतान",
            "आपकी खाता-बही",
        ):
            self.assertIn(text, page)
        self.assertNotIn("Open invoices", page)
        # a portal user reads the page in their own language
        self.authenticate("debtor_a", "debtor_a")
        self.assertIn("Open invoices", self.url_open("/my/receivables").text)

    def test_tampered_links_are_not_found(self):
        path = self.open_link(self.sent_reminder())
        token_id, secret = path.split("/")[3:5]
        other_path = self.open_link(self.sent_reminder(self.customer_b))
        other_id = other_path.split("/")[3]
        for tampered in (
            "/my/receivables/%s/%s" % (token_id, secret[:-1] + ("0" if secret[-1] != "0" else "1")),
            "/my/receivables/%s/%s" % (other_id, secret),
            "/my/receivables/%s/%s" % (int(token_id) + 1000, secret),
            "/my/receivables/%s/%s" % (token_id, secret[:16]),
            "/my/receivables/%s/%s" % (token_id, "é" * 32),
            "/my/receivables/2147483648/%s" % secret,
            "/my/receivables/%s/%s/invoice/%s" % (token_id, secret, self.other_invoice.id),
            "/my/receivables/%s/%s/invoice/99999999" % (token_id, secret),
            "/my/receivables/%s/%s/message/2147483648" % (token_id, secret),
        ):
            with self.subTest(path=tampered):
                self.assertEqual(self.url_open(tampered).status_code, 404)
        # the logged-in page needs a login
        response = self.url_open("/my/receivables", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_downloads_and_history(self):
        reminder = self.sent_reminder()
        reminder.sudo().body = "<p>Please pay invoice %s.</p>" % self.old.name
        path = self.open_link(reminder)
        page = self.url_open(path).text
        self.assertIn("Payment reminder", page)
        # each invoice's PDF: Odoo's own download, signed by the invoice's access token
        response = self.url_open("%s/invoice/%s" % (path, self.old.id), allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        target = urlparse(response.headers["Location"])
        self.assertEqual(target.path, "/my/invoices/%s" % self.old.id)
        self.assertIn("report_type=pdf", target.query)
        self.assertIn("access_token=%s" % self.old.access_token, target.query)
        # the statement: the statement of account's signed link
        response = self.url_open(path + "/statement", allow_redirects=False)
        self.assertEqual(
            urlparse(response.headers["Location"]).path,
            urlparse(self.customer._ar_statement_url(self.company)).path,
        )
        # the customer's e-mail reply, as the mail gateway posts it on the customer
        self.customer.message_post(
            body="We will pay on Friday.",
            subject="Re: Payment reminder",
            message_type="email",
            author_id=self.debtor_a.partner_id.id,
        )
        page = self.url_open(path).text
        self.assertIn("Re: Payment reminder", page)
        self.assertIn("Your reply", page)
        message = self.url_open("%s/message/%s" % (path, reminder.id))
        self.assertEqual(message.status_code, 200)
        self.assertIn("Please pay invoice %s." % self.old.name, message.text)
        other = self.sent_reminder(self.customer_b)
        self.assertEqual(self.url_open("%s/message/%s" % (path, other.id)).status_code, 404)


@tagged("post_install", "-at_install")
class TestReceivablesPortalUser(ReceivablesPageCommon):
    def test_portal_user_sees_own_account_and_counter(self):
        self.authenticate("debtor_a", "debtor_a")
        page = self.url_open("/my/receivables")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.old.name, page.text)
        self.assertNotIn(self.other_invoice.name, page.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["ar_receivable_count"]})
        self.assertEqual(counters["ar_receivable_count"], 2)
        home = self.url_open("/my").text
        self.assertIn("/my/receivables", home)
        self.authenticate("debtor_b", "debtor_b")
        page = self.url_open("/my/receivables").text
        self.assertIn(self.other_invoice.name, page)
        self.assertNotIn(self.old.name, page)

    def test_page_shows_buckets_status_and_amounts(self):
        self._ar_pay(self.old, 25000)
        self.env["ar.followup.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.recent.ids)],
                "date_promised": TODAY + timedelta(days=7),
                "amount": 250000,
            }
        )
        self.refresh_ageing()
        self.authenticate("debtor_a", "debtor_a")
        page = self.url_open("/my/receivables").text
        old_row = re.search(r'data-number="%s".*?</tr>' % re.escape(self.old.name), page, re.DOTALL)
        self.assertIn("45", old_row.group(0), "days overdue")
        self.assertIn("₹1,00,000.00", old_row.group(0), "what is left after the part payment")
        self.assertIn("₹25,000.00", old_row.group(0), "paid")
        self.assertIn(">Open<", old_row.group(0))
        recent_row = re.search(
            r'data-number="%s".*?</tr>' % re.escape(self.recent.name), page, re.DOTALL
        )
        self.assertIn(">Promised<", recent_row.group(0))
        for bucket in self.buckets:
            self.assertIn(bucket.name, page)
        self.assertIn("₹3,50,000.00", page, "total due")

    def test_page_queries_do_not_grow_with_invoices(self):
        self.authenticate("debtor_a", "debtor_a")

        def page_queries():
            self.url_open("/my/receivables")  # warm the caches
            self.env.flush_all()
            before = self.cr.sql_log_count
            response = self.url_open("/my/receivables")
            self.assertEqual(response.status_code, 200)
            return self.cr.sql_log_count - before

        small = page_queries()
        for days in range(20):
            self._ar_invoice(self.customer, 1000 + days, self.days_before(days))
        self.refresh_ageing()
        self.assertEqual(page_queries(), small)

    def test_other_company_invoices_stay_out(self):
        other, _clerk = self._ar_other_company_clerk()
        theirs = self._ar_invoice(self.customer, 77000, self.days_before(3), company=other)
        self.refresh_ageing()
        self.authenticate("debtor_a", "debtor_a")
        page = self.url_open("/my/receivables").text
        self.assertNotIn("77,000.00", page)
        response = self.post(
            "/my/receivables/acknowledge",
            {"move_ids": [theirs.id], "name": "Ravi"},
            page="/my/receivables",
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(theirs.ar_acknowledged_on)


@tagged("post_install", "-at_install")
class TestReceivablesActions(ReceivablesPageCommon):
    def test_dispute_an_invoice_from_the_link(self):
        path = self.open_link(self.sent_reminder())
        response = self.post(
            path + "/dispute",
            {
                "move_ids": [self.old.id],
                "reason": "quality",
                "description": "Half the pipes were bent.",
            },
            files={"attachments": ("photo.pdf", PDF, "application/pdf")},
        )
        self.assertEqual(response.status_code, 303)
        done = self.url_open(response.headers["Location"]).text
        self.assertIn("your dispute is recorded", done)
        dispute = self.disputes()
        self.assertEqual(len(dispute), 1)
        self.assertEqual(
            (dispute.partner_id, dispute.move_ids, dispute.reason, dispute.state),
            (self.customer, self.old, "quality", "open"),
        )
        self.assertIn("Half the pipes were bent.", dispute.description)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", dispute._name), ("res_id", "=", dispute.id)]
        )
        self.assertEqual(attachment.name, "photo.pdf")
        # the cadence no longer chases that invoice, the other one still
        suspensions = self.customer._ar_get_suspensions(TODAY, self.company)[self.customer.id]
        self.assertIn(self.old.id, suspensions["moves"])
        self.assertNotIn(self.recent.id, suspensions["moves"])
        # the AR owner gets an e-mail; the customer's thread tells the story
        mail = self.env["mail.mail"].search(
            [
                ("res_id", "=", dispute.id),
                ("model", "=", dispute._name),
                ("recipient_ids", "in", self.ar_user.partner_id.ids),
            ]
        )
        self.assertEqual(mail.recipient_ids, self.ar_user.partner_id)
        self.assertIn(dispute.name, mail.subject)
        self.assertTrue(
            any(
                "raised dispute %s on the receivables page" % dispute.name in m
                for m in self.chatter(self.customer)
            )
        )
        # the page shows it
        page = self.url_open(path).text
        row = re.search(r'data-number="%s".*?</tr>' % re.escape(self.old.name), page, re.DOTALL)
        self.assertIn(">Disputed<", row.group(0))

    def test_dispute_the_ledger(self):
        self.authenticate("debtor_a", "debtor_a")
        response = self.post(
            "/my/receivables/dispute",
            {"scope": "ledger", "reason": "wrong_amount", "description": "Statement is wrong"},
            page="/my/receivables",
        )
        self.assertEqual(response.status_code, 303)
        dispute = self.disputes()
        self.assertFalse(dispute.move_ids, "the whole account")
        self.assertTrue(any("debtor_a" in m for m in self.chatter(self.customer)))
        suspension = self.customer._ar_get_suspensions(TODAY, self.company)[self.customer.id]
        self.assertTrue(suspension["partner"])

    def test_bad_dispute_input_is_refused_with_a_reason(self):
        path = self.open_link(self.sent_reminder())
        cases = [
            ({"move_ids": [self.old.id], "reason": "bribery"}, None, "Choose the reason"),
            ({"reason": "quality"}, None, "Choose the invoices you dispute"),
            (
                {"move_ids": [self.old.id], "reason": "quality"},
                {"attachments": ("run.exe", b"MZ\x90\x00" * 100, "application/pdf")},
                "is not a PDF, PNG or JPEG file",
            ),
            (
                {"move_ids": [self.old.id], "reason": "quality"},
                {"attachments": ("big.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf")},
                "is larger than 5 MB",
            ),
        ]
        for data, files, message in cases:
            with self.subTest(message=message):
                response = self.post(path + "/dispute", data, files=files)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
        self.assertFalse(self.disputes())

    def test_forms_need_the_csrf_token(self):
        path = self.open_link(self.sent_reminder())
        response = self.url_open(
            path + "/dispute",
            data={"move_ids": [self.old.id], "reason": "quality"},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.disputes())

    def test_promise_within_the_company_limits(self):
        self.company.write({"ar_promise_max_days": 30, "ar_portal_promise_min_share": 50})
        path = self.open_link(self.sent_reminder())
        late = TODAY + timedelta(days=31)
        soon = TODAY + timedelta(days=20)
        for data, message in (
            ({"date": late, "amount": 125000}, "Choose a date between"),
            ({"date": soon, "amount": 1000}, "Promise an amount between"),
            ({"date": soon, "amount": 125001}, "Promise an amount between"),
            ({"date": "someday", "amount": "lots"}, "Give the date and the amount"),
        ):
            with self.subTest(message=message):
                response = self.post(path + "/promise", {"move_ids": [self.old.id], **data})
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
        self.assertFalse(self.promises())
        response = self.post(
            path + "/promise", {"move_ids": [self.old.id], "date": soon, "amount": 100000}
        )
        self.assertEqual(response.status_code, 303)
        promise = self.promises()
        self.assertEqual(
            (promise.move_ids, promise.amount, promise.date_promised, promise.state),
            (self.old, 100000, soon, "open"),
        )
        self.assertTrue(
            any("promised on the receivables page" in m for m in self.chatter(self.customer))
        )

    def test_acknowledge_records_date_and_name(self):
        path = self.open_link(self.sent_reminder())
        response = self.post(
            path + "/acknowledge", {"move_ids": [self.recent.id], "name": "Ravi Kumar"}
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.recent.ar_acknowledged_by, "Ravi Kumar")
        self.assertEqual(self.recent.ar_acknowledged_on, fields.Datetime.now())
        self.assertFalse(self.old.ar_acknowledged_on)
        self.assertTrue(
            any("acknowledged %s" % self.recent.name in m for m in self.chatter(self.customer))
        )
        response = self.post(path + "/acknowledge", {"move_ids": [self.old.id], "name": " "})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.old.ar_acknowledged_on)

    def test_debtor_cannot_act_on_another_account(self):
        path = self.open_link(self.sent_reminder())
        for action, data in (
            ("/dispute", {"move_ids": [self.other_invoice.id], "reason": "quality"}),
            ("/dispute", {"move_ids": [self.old.id, self.other_invoice.id], "reason": "quality"}),
            ("/promise", {"move_ids": [self.other_invoice.id], "date": TODAY, "amount": 99000}),
            ("/acknowledge", {"move_ids": [self.other_invoice.id], "name": "Mallory"}),
            ("/acknowledge", {"move_ids": ["1 OR 1=1"], "name": "Mallory"}),
            ("/acknowledge", {"move_ids": ["99999999999"], "name": "Mallory"}),
        ):
            with self.subTest(action=action, data=data):
                self.assertEqual(self.post(path + action, data).status_code, 404)
        # a portal user of B posting A's invoice
        self.authenticate("debtor_b", "debtor_b")
        response = self.post(
            "/my/receivables/dispute",
            {"move_ids": [self.old.id], "reason": "quality"},
            page="/my/receivables",
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.disputes())
        self.assertFalse(self.promises())
        self.assertFalse(self.old.ar_acknowledged_on or self.other_invoice.ar_acknowledged_on)

    def test_posts_are_rate_limited_per_link(self):
        path = self.open_link(self.sent_reminder())
        for _i in range(RATE_LIMIT):
            self.post(path + "/acknowledge", {"move_ids": [self.recent.id], "name": "Ravi"})
        response = self.post(path + "/acknowledge", {"move_ids": [self.old.id], "name": "Ravi"})
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many requests", response.text)
        self.assertFalse(self.old.ar_acknowledged_on)
        # another link of the same customer has its own count
        with self.frozen(TODAY + timedelta(days=1)):
            other = self.open_link(self.sent_reminder(day=TODAY + timedelta(days=1)))
            response = self.post(
                other + "/acknowledge", {"move_ids": [self.old.id], "name": "Ravi"}
            )
        self.assertEqual(response.status_code, 303)

    def ledger(self, path, date_from, date_to, kind="csv", page=None):
        return self.post(
            path + "/ledger",
            {"date_from": date_from, "date_to": date_to, "format": kind},
            page=page,
        )

    def test_ledger_csv_of_a_period(self):
        self.recent.ref = '=HYPERLINK("http://evil")'
        self._ar_pay(self.old, 25000, pay_date=TODAY - timedelta(days=2))
        path = self.open_link(self.sent_reminder())
        # before both invoices: they are the period's movements, from a zero opening
        response = self.ledger(path, TODAY - timedelta(days=60), TODAY)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.headers["Content-Type"].startswith("text/csv"))
        self.assertIn("attachment", response.headers["Content-Disposition"])
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(
            rows[0], ["Date", "Number", "Reference", "Due date", "Debit", "Credit", "Balance"]
        )
        self.assertEqual(rows[1][1:], ["Opening balance", "", "", "", "", "0.00"])
        by_number = {row[1]: row for row in rows[2:-1]}
        self.assertEqual(
            by_number[self.old.name][2:],
            ["PO/BST/4471", str(self.old.invoice_date_due), "125000.00", "0.00", "125000.00"],
        )
        self.assertEqual(
            by_number[self.recent.name][2], '\'=HYPERLINK("http://evil")', "not a formula"
        )
        self.assertEqual([row[6] for row in rows[2:-1]], ["125000.00", "375000.00", "350000.00"])
        self.assertEqual(rows[-1][1:], ["Closing balance", "", "", "", "", "350000.00"])
        self.assertNotIn(self.other_invoice.name, response.text)
        # a period after the old invoice opens with it
        response = self.ledger(path, TODAY - timedelta(days=10), TODAY)
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(rows[1][6], "125000.00")
        self.assertNotIn(self.old.name, [row[1] for row in rows])

    def test_ledger_pdf_for_a_portal_user(self):
        self.authenticate("debtor_b", "debtor_b")
        response = self.ledger(
            "/my/receivables", TODAY - timedelta(days=60), TODAY, "pdf", page="/my/receivables"
        )
        self.assertEqual(response.status_code, 200)
        # (the HTML of the PDF while Odoo runs its tests without wkhtmltopdf)
        self.assertIn(self.other_invoice.name, response.text)
        self.assertNotIn(self.old.name, response.text)

    def test_bad_ledger_periods_are_refused_with_a_reason(self):
        path = self.open_link(self.sent_reminder())
        for date_from, date_to, message in (
            (TODAY, TODAY - timedelta(days=1), "starts before it ends"),
            (TODAY - timedelta(days=10), TODAY + timedelta(days=1), "starts before it ends"),
            (TODAY - timedelta(days=4 * 365), TODAY, "at most 3 years"),
            ("someday", TODAY, "Give the first and last day"),
            ("", TODAY, "Give the first and last day"),
        ):
            with self.subTest(message=message, date_from=date_from):
                response = self.ledger(path, date_from, date_to)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)

    def test_selected_invoices_in_one_pdf(self):
        path = self.open_link(self.sent_reminder())
        response = self.post(path + "/invoices", {"move_ids": [self.old.id, self.recent.id]})
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        for move in (self.old, self.recent):
            self.assertIn(move.name, response.text)
        response = self.post(path + "/invoices", {})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Choose the invoices to download", response.text)
        response = self.post(path + "/invoices", {"move_ids": list(range(1000, 1051))})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Download at most 50 invoices at once", response.text)

    def test_downloads_stay_within_the_customers_account(self):
        path = self.open_link(self.sent_reminder())
        token_id, secret = path.split("/")[3:5]
        tampered = "/my/receivables/%s/%s" % (
            token_id,
            secret[:-1] + ("0" if secret[-1] != "0" else "1"),
        )
        for data in (
            {"move_ids": [self.other_invoice.id]},
            {"move_ids": [self.old.id, self.other_invoice.id]},
            {"move_ids": ["1 OR 1=1"]},
        ):
            with self.subTest(data=data):
                self.assertEqual(self.post(path + "/invoices", data).status_code, 404)
        # a tampered link, even with a valid form's CSRF token
        for action in ("/invoices", "/ledger"):
            with self.subTest(action=action):
                response = self.post(
                    tampered + action,
                    {"move_ids": [self.old.id], "date_from": TODAY, "format": "csv"},
                    page=path,
                )
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(self.old.name, response.text)
        # a form without the CSRF token
        response = self.url_open(
            path + "/invoices", data={"move_ids": [self.old.id]}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 400)
        self.assertNotIn(self.old.name, response.text)
        # downloads count against the link's rate limit, as the other forms
        self.env["ar.followup.portal.token"].sudo().browse(int(token_id)).write(
            {"rate_count": RATE_LIMIT, "date_rate_window": fields.Datetime.now()}
        )
        response = self.post(path + "/ledger", {"date_from": TODAY, "format": "csv"})
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many requests", response.text)
        # a portal user of B asking for A's invoice
        self.authenticate("debtor_b", "debtor_b")
        response = self.post(
            "/my/receivables/invoices", {"move_ids": [self.old.id]}, page="/my/receivables"
        )
        self.assertEqual(response.status_code, 404)

    def test_no_orders_without_sale(self):
        # ``sale`` is not installed in the test database (``tests/with_sale`` runs on a copy
        # with it): the page renders and lists no orders
        self.assertNotIn("sale.order", self.env)
        self.authenticate("debtor_a", "debtor_a")
        page = self.url_open("/my/receivables").text
        self.assertIn(self.old.name, page)
        self.assertNotIn("Your quotations and orders", page)


@tagged("post_install", "-at_install")
class TestReceivablesPayment(ReceivablesPageCommon):
    """The page's customer pays with ``payment_demo``: what the invoices owe, less
    the early-payment discounts of their payment terms while they last, or part
    of it when the company allows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = (
            cls.env["payment.provider"]
            .sudo()
            .search([("code", "=", "demo"), ("company_id", "=", cls.company.id)], limit=1)
        )
        # offered to the customer (published), in test mode
        cls.provider.write({"state": "test", "is_published": True})
        cls.term = cls.env["account.payment.term"].create(
            {
                "name": "2% 10 days, net 30",
                "early_discount": True,
                "discount_percentage": 2,
                "discount_days": 10,
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})
                ],
            }
        )
        # invoiced five days ago: 2% off until TODAY + 5, due on TODAY + 25
        cls.offered = cls._ar_invoice(
            cls.customer,
            100000,
            None,
            invoice_date=TODAY - timedelta(days=5),
            payment_term=cls.term,
        )
        cls.offer_end = TODAY + timedelta(days=5)

    def transaction_params(self, path, amount):
        """What Odoo's payment form sends to the transaction route."""
        return {
            "provider_id": self.provider.id,
            "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
            "token_id": None,
            "amount": amount,
            "flow": "direct",
            "tokenization_requested": False,
            "landing_route": path + "?done=paid",
            "is_validation": False,
            "access_token": None,
            "csrf_token": "x",
            "payment_reference": None,
        }

    def transactions(self):
        return self.env["payment.transaction"].sudo().search([])

    def pay_with_demo(self, path, move_ids, amount):
        """Pay ``move_ids`` from the page at ``path`` as the payment form does, the
        browser sending ``amount``, and confirm it as ``payment_demo`` does; the
        transaction."""
        ids = "-".join(str(move_id) for move_id in move_ids)
        self.make_jsonrpc_request(
            "%s/transaction/%s" % (path, ids), self.transaction_params(path, amount)
        )
        tx = self.transactions()
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": tx.reference, "payment_details": "4242", "simulated_state": "done"},
        )
        tx._post_process()
        return tx

    def test_pay_one_invoice_with_the_demo_provider(self):
        path = self.open_link(self.sent_reminder())
        page = self.url_open("%s/pay?move_ids=%s" % (path, self.old.id))
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_payment_form", page.text)
        self.assertIn("125,000.00", page.text)  # Odoo's payment summary, in the language's grouping
        self.assertIn("%s/transaction/%s" % (path, self.old.id), page.text)
        # the browser says 1 rupee: the transaction is for what the invoice owes
        self.make_jsonrpc_request(
            "%s/transaction/%s" % (path, self.old.id), self.transaction_params(path, 1.0)
        )
        tx = self.transactions()
        self.assertEqual(
            (tx.amount, tx.partner_id, tx.invoice_ids), (125000, self.customer, self.old)
        )
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {"reference": tx.reference, "payment_details": "4242", "simulated_state": "done"},
        )
        self.assertEqual(tx.state, "done")
        tx._post_process()
        self.assertIn(self.old.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.recent.payment_state, "not_paid")
        self.assertTrue(
            any(
                "started an online payment of %s" % self.old.name in m
                for m in self.chatter(self.customer)
            )
        )

    def test_payment_of_another_customers_invoice_is_refused(self):
        path = self.open_link(self.sent_reminder())
        for ids in (
            str(self.other_invoice.id),
            "%s-%s" % (self.old.id, self.other_invoice.id),
            "x",
        ):
            with self.subTest(ids=ids):
                self.assertEqual(self.url_open("%s/pay?move_ids=%s" % (path, ids)).status_code, 404)
                with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
                    self.make_jsonrpc_request(
                        "%s/transaction/%s" % (path, ids), self.transaction_params(path, 99000)
                    )
        self.assertEqual(self.url_open(path + "/pay").status_code, 400, "nothing chosen")
        # a portal user of B with A's invoice
        self.authenticate("debtor_b", "debtor_b")
        self.assertEqual(
            self.url_open("/my/receivables/pay?move_ids=%s" % self.old.id).status_code, 404
        )
        self.assertFalse(self.transactions())

    def row(self, page, move):
        return re.search(r'data-number="%s".*?</tr>' % re.escape(move.name), page, re.DOTALL).group(
            0
        )

    def test_offer_on_the_page_and_paid_in_time(self):
        path = self.open_link(self.sent_reminder())
        page = self.url_open(path).text
        end = self.offer_end.strftime("%m/%d/%Y")
        self.assertIn("Save ₹2,000.00 until %s" % end, self.row(page, self.offered))
        self.assertNotIn("Save", self.row(page, self.old), "no offer on a plain invoice")
        self.assertIn("save ₹2,000.00 in total; the first offer ends on %s." % end, page)
        pay = self.url_open("%s/pay?move_ids=%s" % (path, self.offered.id)).text
        self.assertIn("98,000.00", pay)
        self.assertIn("Early-payment discount", pay)
        with self.frozen(self.offer_end):
            tx = self.pay_with_demo(path, self.offered.ids, 100000)
        self.assertEqual(tx.amount, 98000)
        self.assertIn(
            self.offered.payment_state, ("paid", "in_payment"), "the discount written off"
        )

    def test_several_invoices_paid_in_time_each_less_its_offer(self):
        path = self.open_link(self.sent_reminder())
        tx = self.pay_with_demo(path, (self.old | self.offered).ids, 1.0)
        self.assertEqual(tx.amount, 125000 + 98000)
        for move in (self.old, self.offered):
            self.assertIn(move.payment_state, ("paid", "in_payment"), move.name)
        self.assertEqual(self.recent.payment_state, "not_paid")

    def test_offer_gone_after_its_date(self):
        day = self.offer_end + timedelta(days=1)
        with self.frozen(day):
            self.refresh_ageing(day)
            path = self.open_link(self.sent_reminder(day=day))
            page = self.url_open(path).text
            self.assertNotIn("Save ₹", page)
            self.assertNotIn("o_ar_offers", page)
            pay = self.url_open("%s/pay?move_ids=%s" % (path, self.offered.id)).text
            self.assertIn("100,000.00", pay)
            self.assertNotIn("Early-payment discount", pay)
            tx = self.pay_with_demo(path, self.offered.ids, 98000)
        self.assertEqual(tx.amount, 100000)
        self.assertIn(self.offered.payment_state, ("paid", "in_payment"))

    def test_partial_payment_only_when_the_company_allows_it(self):
        path = self.open_link(self.sent_reminder())
        pay = "%s/pay?move_ids=%s&pay_amount=%s" % (path, self.old.id, "%s")
        response = self.url_open(pay % 50000)
        self.assertEqual(response.status_code, 400)
        self.assertIn("partial payments are not accepted", response.text)
        self.assertNotIn('name="pay_amount"', self.url_open(path).text)

        self.company.write({"ar_portal_partial_payment": True, "ar_portal_partial_min": 10000})
        self.assertIn('name="pay_amount"', self.url_open(path).text)
        for amount in (5000, 125000.01, "lots", "nan"):
            with self.subTest(amount=amount):
                response = self.url_open(pay % amount)
                self.assertEqual(response.status_code, 400)
                self.assertIn("Pay an amount between ₹10,000.00 and ₹1,25,000.00", response.text)
        response = self.url_open(pay % 50000)
        self.assertEqual(response.status_code, 200)
        self.assertIn("50,000.00", response.text)
        # the amount is checked again when the payment form makes the transaction
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.make_jsonrpc_request(
                "%s/transaction/%s" % (path, self.old.id), self.transaction_params(path, 1.0)
            )
        self.assertFalse(self.transactions())
        tx = self.pay_with_demo(path, self.old.ids, 50000)
        self.assertEqual(tx.amount, 50000)
        self.assertEqual(self.old.payment_state, "partial")
        self.assertEqual(self.old.amount_residual, 75000)
