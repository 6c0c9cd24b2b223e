# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A dispatch batch posts its e-mails together: the same messages, e-mails and
notifications as ``message_post`` for each, or one by one when that fails."""

from datetime import datetime, time
from unittest.mock import patch

from freezegun import freeze_time
from markupsafe import Markup

from odoo import SUPERUSER_ID
from odoo.tests import new_test_user, tagged

from .common import TODAY, ArFollowupCommon

NOW = datetime.combine(TODAY, time(4, 30))
REMINDER_LOGGER = "odoo.addons.ar_followup.models.ar_followup_reminder"
MESSAGE_FIELDS = (
    "model",
    "res_id",
    "author_id",
    "email_from",
    "reply_to",
    "subject",
    "body",
    "parent_id",
    "message_type",
    "subtype_id",
    "partner_ids",
    "attachment_ids",
    "record_alias_domain_id",
    "record_company_id",
    "record_name",
    "email_layout_xmlid",
    "email_add_signature",
    "date",
)
MAIL_FIELDS = (
    "subject",
    "email_from",
    "reply_to",
    "email_to",
    "recipient_ids",
    "auto_delete",
    "is_notification",
    "state",
    "model",
    "res_id",
)


@tagged("post_install", "-at_install")
class TestEmailBatch(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["ar.followup.reminder"]
        cls.ar_user.email = "clerk@ar-test.example.com"
        cls.customer.ar_owner_id = cls.ar_user
        cls.accounts = cls.env["res.partner"].create(
            {
                "name": "Bharat Steel Accounts",
                "type": "invoice",
                "email": "accounts@bharat.example.in",
                "parent_id": cls.customer.id,
            }
        )
        # customer C's invoicing contact is a user who reads notifications in Odoo
        cls.customer_c = cls._ar_create_customer("Deccan Pumps")
        cls.inbox_user = new_test_user(
            cls.env, login="deccan_ap", name="Deccan AP", notification_type="inbox"
        )
        cls.inbox_user.partner_id.write(
            {"type": "invoice", "parent_id": cls.customer_c.id, "email": "ap@deccan.example.in"}
        )

    def capture(self, reminder):
        """What a reminder's e-mail left, as the AR team and the mail queue see it."""
        message = reminder.mail_message_id.sudo()
        own = message.message_id

        def plain(record, names):
            values = {}
            for name in names:
                value = record[name]
                values[name] = value.ids if hasattr(value, "ids") else value
            if "attachment_ids" in names:  # PDFs printed anew each time
                values["attachment_ids"] = sorted(record.attachment_ids.mapped("name"))
            return values

        def references(text):
            # the ancestors' Message-Ids, the message's own last
            return (text or "").replace(own, "<this-message>")

        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        notifications = (
            self.env["mail.notification"].sudo().search([("mail_message_id", "=", message.id)])
        )
        return {
            "reminder": plain(reminder, ("state", "subject", "body", "recipient")),
            "message": plain(message, MESSAGE_FIELDS),
            "mails": [
                {
                    **plain(mail, MAIL_FIELDS),
                    "body_html": mail.body_html,
                    "references": references(mail.references),
                    "headers": mail.headers,
                }
                for mail in mails
            ],
            "notifications": sorted(
                (
                    n.res_partner_id.id,
                    n.notification_type,
                    n.notification_status,
                    n.is_read,
                    n.author_id.id,
                    n.mail_mail_id in mails,
                )
                for n in notifications
            ),
            "followers": reminder.partner_id.message_partner_ids.ids,
            # an escalating reminder: its activity and the tone it firmed, on the customer
            "activities": [
                (a.activity_type_id.id, a.summary, a.user_id.id, a.date_deadline, a.automated)
                for a in reminder.partner_id.activity_ids
            ],
            "tracking": self.tracking(reminder.partner_id),
        }

    def tracking(self, partner):
        """The tracking messages on ``partner``'s chatter, as the chatter shows them."""
        self.env.cr.precommit.run()  # Odoo's own tracking logs at commit
        return [
            (
                m.author_id.id,
                m.message_type,
                m.subtype_id.id,
                m.is_internal,
                str(m.body),
                [
                    (t.field_id.name, t.old_value_integer, t.new_value_integer)
                    for t in m.sudo().tracking_value_ids
                ],
            )
            for m in self.env["mail.message"].search(
                [("model", "=", "res.partner"), ("res_id", "=", partner.id)], order="id"
            )
            if m.sudo().tracking_value_ids
        ]

    def sent_both_ways(self, reminders):
        """``{customer: capture}`` after sending each alone (``message_post``), then, from
        the same state, after sending them together; as the dispatch cron (superuser)."""
        # as the cron runs (the tests' context turns tracking off)
        reminders = reminders.with_user(SUPERUSER_ID).with_context(
            tracking_disable=False, mail_notrack=False
        )
        with freeze_time(NOW):
            problems = reminders._ar_check_before_send(NOW)
            self.env.flush_all()
            savepoint = self.env.cr.savepoint()
            for reminder in reminders:
                reminder._ar_dispatch_one(problems.get(reminder.id), NOW)
            self.env.flush_all()
            alone = {r.partner_id: self.capture(r) for r in reminders}
            savepoint.rollback()
            savepoint.close()
            self.env.invalidate_all()
            self.assertEqual(reminders._ar_get_sent_together(), reminders)
            # posted together indeed: no fall back to message_post (logged as an error)
            with self.assertNoLogs(REMINDER_LOGGER, "ERROR"):
                reminders._ar_email_send_together(problems, NOW, float("inf"))
            self.env.flush_all()
            together = {r.partner_id: self.capture(r) for r in reminders}
        return alone, together

    def test_batch_posts_as_message_post_would(self):
        for customer in (self.customer, self.customer_b, self.customer_c):
            self._ar_invoice(customer, 1000, self.days_before(7))
        # some history on the first customer: the reminder joins its thread
        earlier = self.customer.message_post(
            body=Markup("<p>Called, they will check.</p>"), message_type="comment"
        )
        # more history: its References name three of its messages, public ones first
        note = self.customer.message_post(body=Markup("<p>Disputed a freight charge.</p>"))
        internal = self.customer.message_post(
            body=Markup("<p>Sent the copy of the invoice.</p>"), message_type="comment"
        )
        public = self.customer.message_post(
            body=Markup("<p>Asked for the statement.</p>"),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        # its invoicing contact follows it: recipients are read for the batch at once
        self.customer.message_subscribe(partner_ids=self.accounts.ids)
        reminders = self.plan().sorted(lambda r: r.partner_id.id)
        self.assertEqual(len(reminders), 3)
        # two escalate: their activities and firmer tones are made together too
        reminders[:2].escalated = True
        alone, together = self.sent_both_ways(reminders)
        for customer in reminders.partner_id:
            self.assertEqual(together[customer], alone[customer], customer.name)
        # what they are: one e-mail each to the invoicing contacts, threaded, from the owner
        first = together[self.customer]
        self.assertEqual(first["reminder"]["state"], "sent")
        self.assertEqual(first["reminder"]["recipient"], "accounts@bharat.example.in")
        self.assertEqual(first["message"]["author_id"], self.ar_user.partner_id.ids)
        [mail] = first["mails"]
        self.assertEqual(mail["recipient_ids"], self.accounts.ids)
        # the thread's earlier messages, then its own: a reply finds the customer
        self.assertEqual(
            mail["references"].split(),
            [earlier.message_id, internal.message_id, public.message_id, "<this-message>"],
        )
        self.assertNotIn(note.message_id, mail["references"], "a note, not a discussion")
        self.assertIn("X-Odoo-Objects", mail["headers"])
        self.assertIn("Called, they will check.", self.chatter(self.customer))
        self.assertEqual(
            first["notifications"],
            [(self.accounts.id, "email", "ready", True, self.ar_user.partner_id.id, True)],
        )
        self.assertIn(self.ar_user.partner_id.id, first["followers"], "the owner gets answers")
        # the owner is told, and the firmer tone is on the chatter
        self.assertEqual(
            first["activities"],
            [
                (
                    self.env.ref("mail.mail_activity_data_todo").id,
                    "Escalation: %s owes ₹\xa01,000.00 (%s)"
                    % (self.customer.name, reminders[0].step_id.name),
                    self.ar_user.id,
                    TODAY,
                    True,
                )
            ],
        )
        self.assertEqual([t[-1] for t in first["tracking"]], [[("ar_tone_escalation", 0, 1)]])
        self.assertFalse(together[self.customer_c]["activities"])
        # an invoicing contact who is a user reads it in Odoo: no e-mail, an inbox notification
        third = together[self.customer_c]
        self.assertFalse(third["mails"])
        self.assertEqual(
            [n[:3] for n in third["notifications"]],
            [(self.inbox_user.partner_id.id, "inbox", "sent")],
        )

    def test_tracking_logged_together_as_odoo_tracks(self):
        """The tone firmed by a batch of escalations is logged as Odoo's tracking logs it."""
        # as in a later transaction (Odoo tracks no record created in the same one)
        self.env.cr.precommit.run()
        tracked = self.env["res.partner"].with_user(SUPERUSER_ID)
        tracked = tracked.with_context(tracking_disable=False, mail_notrack=False)
        tracked.browse(self.customer.id).ar_tone_escalation = 2
        odoo_logged = self.tracking(self.customer)
        initial = {self.customer_b.id: {"ar_tone_escalation": 0}}
        tracked.browse(self.customer_b.id).with_context(tracking_disable=True).write(
            {"ar_tone_escalation": 2}
        )
        self.assertEqual(len(tracked._ar_message_track_many(initial)), 1)
        self.assertEqual(self.tracking(self.customer_b), odoo_logged)
        self.assertEqual(odoo_logged[0][-1], [("ar_tone_escalation", 0, 2)])
        # nothing changed, or tracking turned off: nothing logged
        unchanged = {self.customer_b.id: {"ar_tone_escalation": 2}}
        self.assertFalse(tracked._ar_message_track_many(unchanged))
        self.assertFalse(self.env["res.partner"]._ar_message_track_many(initial))

    def test_same_customer_twice_posted_in_order(self):
        """Two posts on one customer in one call: the second's References name the first,
        as they would after two message_post."""
        Partner = self.env["res.partner"]
        posts = [
            (
                self.customer,
                {
                    "body": Markup("<p>Reminder %s</p>") % n,
                    "subject": "Reminder %s" % n,
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                    "partner_ids": self.customer.ids,
                    "author_id": self.company.partner_id.id,
                    "force_send": False,
                    "notify_skip_followers": True,
                },
            )
            for n in (1, 2)
        ]
        first, second = Partner._ar_message_post_many(posts)
        self.assertEqual((first.subject, second.subject), ("Reminder 1", "Reminder 2"))
        mails = (
            self.env["mail.mail"].sudo().search([("mail_message_id", "in", (first | second).ids)])
        )
        references = {mail.mail_message_id: mail.references.split() for mail in mails}
        self.assertEqual(references[second][-2:], [first.message_id, second.message_id])
        self.assertNotIn(second.message_id, references[first], "posted after the first")
        # what reminders do not give is refused, for the caller to use message_post
        for refused in ({"force_send": True}, {"outgoing_email_to": "cfo@bharat.example.in"}):
            with self.assertRaises(ValueError):
                Partner._ar_message_post_many([(self.customer, {**posts[0][1], **refused})])

    def test_one_bad_post_does_not_stop_the_batch(self):
        """The batch cannot be posted together: each is posted alone, the bad one fails."""
        for customer in (self.customer, self.customer_b, self.customer_c):
            self._ar_invoice(customer, 1000, self.days_before(7))
        reminders = self.plan().sorted(lambda r: r.partner_id.id)
        # no phone: the step's SMS fallback cannot take it either
        bad = reminders.filtered(lambda r: r.partner_id == self.customer_c)
        # the first escalates: its firmer tone is tracked on the customer's chatter
        reminders[0].escalated = True
        self.env.cr.precommit.run()
        original = type(self.Reminder)._ar_get_email_attachments

        def attachments(reminder):
            if reminder == bad:  # an attachment deleted meanwhile
                return self.env["ir.attachment"].browse(999999999)
            return original(reminder)

        with (
            freeze_time(NOW),
            patch.object(type(self.Reminder), "_ar_get_email_attachments", attachments),
            self.assertLogs(REMINDER_LOGGER, "WARNING") as logs,
        ):
            # tracked as the cron tracks (the tests' context turns tracking off)
            cron = reminders.with_context(tracking_disable=False, mail_notrack=False)
            cron._ar_email_send_together(reminders._ar_check_before_send(NOW), NOW, float("inf"))
        self.assertIn("posting them one by one", logs.output[0])
        self.assertIn("AR reminder %s could not be sent" % bad.id, logs.output[1])
        self.assertEqual((bad.state, bad.reason), ("failed", "error"))
        self.assertFalse(bad.mail_message_id)
        for reminder in reminders - bad:
            self.assertEqual(reminder.state, "sent")
            self.assertEqual(len(reminder.partner_id.message_ids.filtered("partner_ids")), 1)
        # sent in the fall back, the escalating one firmed the tone, on the chatter
        self.env.cr.precommit.run()
        tracked = self.customer.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "ar_tone_escalation"
        )
        self.assertEqual((tracked.old_value_integer, tracked.new_value_integer), (0, 1))

    def test_one_reminder_that_cannot_be_rendered_fails_alone(self):
        """A batch is prepared at once; a reminder whose template fails there is skipped
        with the reason, and the others are posted together."""
        for customer in (self.customer, self.customer_b):
            self._ar_invoice(customer, 1000, self.days_before(7))
        reminders = self.plan().sorted(lambda r: r.partner_id.id)
        bad = reminders.filtered(lambda r: r.partner_id == self.customer_b)
        # a runtime mistake (a filter on the wrong kind of value) the check cannot see
        broken = bad._ar_get_template().copy({"name": "Broken"})
        broken.body = "<p>{{ customer.name | date }}</p>"
        bad.template_id = broken
        with freeze_time(NOW), self.assertNoLogs(REMINDER_LOGGER, "ERROR"):
            reminders._ar_email_send_together(
                reminders._ar_check_before_send(NOW), NOW, float("inf")
            )
        self.assertEqual((bad.state, bad.reason), ("skipped", "template"))
        self.assertIn("cannot be rendered for %s" % self.customer_b.name, bad.reason_text)
        self.assertFalse(bad.mail_message_id)
        good = reminders - bad
        self.assertEqual(good.mapped("state"), ["sent"])
        self.assertEqual(good.mail_message_id.partner_ids, self.accounts)
        self.assertIn("Bharat Steel", good.mail_message_id.record_name)
