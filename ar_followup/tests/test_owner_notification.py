# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The AR owner hears of replies, payments, clicks and visits, as each user chooses."""

import re
import tempfile
from datetime import timedelta
from urllib.parse import urlparse

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import file_open
from odoo.tools.misc import ReadonlyDict
from odoo.tools.translate import PYTHON_TRANSLATION_COMMENT, CodeTranslations, code_translations

from .common import TODAY, ArFollowupCommon

LINK = re.compile(r'href="([^"]*/ar_followup/r/[^"]+)"')


@tagged("post_install", "-at_install")
class TestOwnerNotification(HttpCase, ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.ar_owner_id = cls.ar_user
        cls.customer_b.ar_owner_id = cls.ar_manager

    def setUp(self):
        super().setUp()
        self.invoice = self._ar_invoice(self.customer, 125000, self.days_before(10))
        self.Event = self.env["ar.followup.notification.event"]

    # -- helpers -------------------------------------------------------------------

    def send_reminders(self):
        """Plan today's reminders and send them by e-mail, as the dispatcher does; returns
        them by customer. Messages after this are what the owners may receive."""
        reminders = self.company._ar_plan_reminders(TODAY).filtered(lambda r: r.state == "planned")
        now = fields.Datetime.now()
        for reminder in reminders:
            reminder.write({"state": "sending", "date_sending": now})
            reminder._ar_dispatch_one(reminder._ar_check_before_send(now).get(reminder.id), now)
            self.assertEqual(reminder.state, "sent")
        self.env.flush_all()
        self.first_after_send = self.env["mail.message"].search([], order="id desc", limit=1).id
        return {r.partner_id: r for r in reminders}

    def click(self, reminder, agent=None):
        pay = next(
            urlparse(url).path for url in LINK.findall(reminder.body) if url.endswith("/pay")
        )
        headers = {"User-Agent": agent} if agent else None
        self.assertEqual(
            self.url_open(pay, allow_redirects=False, headers=headers).status_code, 303
        )

    def visit(self, invoice):
        self.assertEqual(self.url_open(invoice.get_portal_url()).status_code, 200)

    def reply(self, reminder, text):
        """The customer answers the reminder's e-mail through the mail gateway."""
        raw = (
            "From: Bharat Steel Accounts <%(sender)s>\r\n"
            "To: ar@example.com\r\n"
            "Subject: Re: %(subject)s\r\n"
            "Message-Id: <n1@bharat.example.in>\r\n"
            "In-Reply-To: %(parent)s\r\n"
            "References: %(parent)s\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "%(text)s\r\n"
        ) % {
            "sender": self.customer.email,
            "subject": reminder.subject,
            "parent": reminder.mail_message_id.message_id,
            "text": text,
        }
        self.env["mail.thread"].message_process(False, raw.encode())
        self.env.invalidate_all()
        return self.env["ar.followup.conversation"].search([("partner_id", "=", self.customer.id)])

    def notifications(self, user):
        """What ``user`` received since the reminders left, oldest first, as plain text."""
        self.env.invalidate_all()
        # a user notification is readable by its recipients only: read as the system
        messages = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("id", ">", self.first_after_send),
                    ("message_type", "=", "user_notification"),
                    ("partner_ids", "in", user.partner_id.ids),
                ],
                order="id",
            )
        )
        return [self.chatter_text(m) for m in messages]

    @staticmethod
    def chatter_text(message):
        return "%s | %s" % (message.subject or "", re.sub(r"<[^>]+>", " ", message.body))

    def assertCustomerHeardNothing(self):
        """No message since the reminders left reached a customer: none addressed to
        them, no notification or e-mail for them, nothing they could see online."""
        self.env.flush_all()
        customers = (self.customer | self.customer_b).with_context(active_test=False)
        customers |= customers.child_ids
        messages = self.env["mail.message"].sudo().search([("id", ">", self.first_after_send)])
        self.assertFalse(messages.partner_ids & customers)
        self.assertFalse(
            self.env["mail.notification"].search(
                [("mail_message_id", "in", messages.ids), ("res_partner_id", "in", customers.ids)]
            )
        )
        self.assertFalse(
            messages.filtered(lambda m: m.message_type == "user_notification" and not m.is_internal)
        )

    def set_mode(self, user, mode):
        # as the user does in their own preferences
        user.with_user(user).write({"ar_notify_mode": mode})
        self.assertEqual(user.ar_notify_mode, mode)

    # -- each ----------------------------------------------------------------------

    def test_each_event_notifies_the_owner_at_once(self):
        self.assertEqual(self.ar_user.ar_notify_mode, "each", "the default")
        reminder = self.send_reminders()[self.customer]
        self.click(reminder)
        [clicked] = self.notifications(self.ar_user)
        self.assertIn("Bharat Steel Traders followed a link of a reminder.", clicked)
        message = self.env["mail.message"].sudo().search([("id", ">", self.first_after_send)])
        message = message.filtered(lambda m: m.message_type == "user_notification")
        self.assertEqual((message.model, message.res_id), ("res.partner", self.customer.id))

        conversation = self.reply(reminder, "We will pay next week.")
        self.assertEqual(
            conversation.activity_ids.user_id, self.ar_user, "a to-do for the first reply"
        )

        self._ar_pay(self.invoice, 125000)
        self.assertEqual(reminder.state, "paid")
        notes = self.notifications(self.ar_user)
        self.assertEqual(len(notes), 3)
        self.assertIn("Customer replied: Bharat Steel Traders", notes[1], "the to-do assigned")
        self.assertIn(
            "Bharat Steel Traders paid %s, chased by a reminder." % self.invoice.name, notes[2]
        )
        self.assertFalse(self.Event.search([]), "nothing kept for a digest")
        self.assertCustomerHeardNothing()

    def test_only_the_first_click_or_visit_of_a_reminder_counts(self):
        reminder = self.send_reminders()[self.customer]
        # a mail scanner opening the link is not the customer
        self.click(reminder, agent="Mozilla/5.0 (compatible; BingPreview/1.0b)")
        self.assertFalse(self.notifications(self.ar_user))
        self.visit(self.invoice)
        [visited] = self.notifications(self.ar_user)
        self.assertIn(
            "Bharat Steel Traders opened %s online after a reminder." % self.invoice.name, visited
        )
        # the same reminder again: a click, another visit
        self.click(reminder)
        self.visit(self.invoice)
        self.assertEqual(len(self.notifications(self.ar_user)), 1)
        self.assertCustomerHeardNothing()

    def test_payment_of_many_invoices_is_one_notification_per_customer(self):
        second = self._ar_invoice(self.customer, 5000, self.days_before(12))
        other = self._ar_invoice(self.customer_b, 7000, self.days_before(10))
        reminders = self.send_reminders()
        self.assertEqual(reminders[self.customer].move_ids, self.invoice | second)
        self.assertEqual(reminders[self.customer_b].move_ids, other)
        self._ar_pay(second, 5000)
        self.assertFalse(self.notifications(self.ar_user), "an invoice still open: not paid")
        # one batch reconciles both customers' last invoices
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=(self.invoice | other).ids
        ).create({"payment_date": TODAY})._create_payments()
        [paid] = self.notifications(self.ar_user)
        self.assertIn("Bharat Steel Traders paid", paid)
        self.assertIn(self.invoice.name, paid)
        self.assertIn(second.name, paid)
        [paid_b] = self.notifications(self.ar_manager)
        self.assertIn("Coastal Agro Foods paid %s" % other.name, paid_b)
        self.assertCustomerHeardNothing()

    def test_no_notification_of_what_the_owner_did(self):
        self.customer.ar_owner_id = self.env.user
        self.send_reminders()
        self._ar_pay(self.invoice, 125000)
        self.assertFalse(self.notifications(self.env.user))
        self.assertFalse(self.Event.search([]))

    # -- daily digest --------------------------------------------------------------

    def test_digest_sends_one_message_per_owner_then_nothing(self):
        self.set_mode(self.ar_user, "digest")
        self.set_mode(self.ar_manager, "digest")
        other = self._ar_invoice(self.customer_b, 7000, self.days_before(10))
        reminders = self.send_reminders()
        reminder = reminders[self.customer]
        self.click(reminder)
        conversation = self.reply(reminder, "Please send the statement.")
        self.assertFalse(conversation.activity_ids, "no to-do: the digest tells")
        self._ar_pay(self.invoice, 125000)
        self._ar_pay(other, 7000)
        self.assertFalse(self.notifications(self.ar_user))
        self.assertFalse(self.notifications(self.ar_manager))
        self.assertEqual(
            sorted(self.Event.search([("user_id", "=", self.ar_user.id)]).mapped("kind")),
            ["engagement", "payment", "reply"],
        )

        with self.frozen(TODAY + timedelta(days=1)):
            self.Event._cron_ar_send_digest()
        [digest] = self.notifications(self.ar_user)
        self.assertIn("AR follow-up digest: 3 event(s)", digest)
        self.assertIn("Bharat Steel Traders followed a link of a reminder.", digest)
        self.assertIn("Customer replied: Bharat Steel Traders: Please send the statement.", digest)
        self.assertIn("Bharat Steel Traders paid %s" % self.invoice.name, digest)
        self.assertNotIn("Coastal", digest, "each owner hears of their own customers")
        [digest_b] = self.notifications(self.ar_manager)
        self.assertIn("AR follow-up digest: 1 event(s)", digest_b)
        self.assertIn("Coastal Agro Foods paid %s" % other.name, digest_b)
        body = (
            self.env["mail.message"]
            .sudo()
            .search([("subject", "like", "AR follow-up digest")], order="id", limit=1)
            .body
        )
        self.assertIn('href="/odoo/res.partner/%s"' % self.customer.id, body)

        with self.frozen(TODAY + timedelta(days=2)):
            self.Event._cron_ar_send_digest()
        self.assertEqual(len(self.notifications(self.ar_user)), 1, "nothing new, nothing sent")
        self.assertEqual(len(self.notifications(self.ar_manager)), 1)
        self.assertCustomerHeardNothing()

    # -- none ----------------------------------------------------------------------

    def test_none_tells_the_owner_nothing(self):
        self.set_mode(self.ar_user, "none")
        reminder = self.send_reminders()[self.customer]
        self.click(reminder)
        conversation = self.reply(reminder, "We will pay next week.")
        self.assertEqual(conversation.user_id, self.ar_user, "still theirs in the inbox")
        self.assertFalse(conversation.activity_ids)
        self._ar_pay(self.invoice, 125000)
        self.assertEqual(reminder.state, "paid")
        self.Event._cron_ar_send_digest()
        self.assertFalse(self.notifications(self.ar_user))
        self.assertFalse(self.Event.search([]))
        self.assertCustomerHeardNothing()

    def test_preference_in_the_users_own_form(self):
        form = self.env.ref("base.view_users_form_simple_modif")
        arch = self.env["res.users"].with_user(self.ar_user).get_views([(form.id, "form")])
        self.assertIn('name="ar_notify_mode"', arch["views"]["form"]["arch"])

    def load_hindi_code_texts(self):
        """The Hindi of ``hi.po`` for texts in the Python code, every entry as written.

        Odoo reads them from ``hi.po`` merged with the ``.pot`` beside it, which lists
        a text only once ``make pot`` regenerated it; read from a copy, all load.
        """
        with file_open("ar_followup/i18n/hi.po", "rb") as po, tempfile.TemporaryFile() as copy:
            copy.write(po.read())
            texts = CodeTranslations._read_code_translations_file(
                copy, lambda row: row.get("value") and PYTHON_TRANSLATION_COMMENT in row["comments"]
            )
        key = ("ar_followup", "hi_IN")
        cache = code_translations.python_translations
        previous = cache.get(key)
        cache[key] = ReadonlyDict({**(previous or {}), **texts})
        self.addCleanup(
            lambda: cache.pop(key) if previous is None else cache.update({key: previous})
        )

    def test_owner_reads_notifications_and_digest_in_their_language(self):
        self._ar_load_hindi()
        self.load_hindi_code_texts()
        self.ar_user.lang = "hi_IN"
        reminder = self.send_reminders()[self.customer]
        self.click(reminder)
        [clicked] = self.notifications(self.ar_user)
        self.assertIn("Bharat Steel Traders ने अनुस्मारक का एक लिंक खोला।", clicked)
        self.set_mode(self.ar_user, "digest")
        self._ar_pay(self.invoice, 125000)
        self.Event._cron_ar_send_digest()
        digest = self.notifications(self.ar_user)[-1]
        self.assertIn("AR फ़ॉलो-अप सारांश: 1 घटना(एँ)", digest)
        self.assertIn("Bharat Steel Traders ने %s का भुगतान किया" % self.invoice.name, digest)
