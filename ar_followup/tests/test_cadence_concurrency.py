# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two dispatchers on two real database connections never send a reminder twice.

These tests commit: the reminders and their customer are created on their own
connection and removed at the end, since the test transaction's data is
invisible to other connections.
"""

import threading
from datetime import datetime, time, timedelta

import psycopg2
from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

from .common import TODAY

NOW = datetime.combine(TODAY, time(4, 30))  # 10:00 in Kolkata, inside the sending window


@tagged("post_install", "-at_install")
class TestCadenceConcurrency(TransactionCase):
    def setUp(self):
        super().setUp()
        freezer = freeze_time(NOW)
        freezer.start()
        self.addCleanup(freezer.stop)
        with self._cursor() as env:
            company = env.ref("base.main_company")
            partner = env["res.partner"].create(
                {
                    "name": "Concurrent Customer",
                    "is_company": True,
                    "tz": "Asia/Kolkata",
                    "email": "accounts@concurrent.example.in",
                }
            )
            step = env.ref("ar_followup.ar_followup_policy_step_standard_first")
            reminders = env["ar.followup.reminder"].create(
                [
                    {
                        "company_id": company.id,
                        "partner_id": partner.id,
                        "policy_id": step.policy_id.id,
                        "step_id": step.id,
                        "cycle_key": "concurrency/%s" % index,
                        "date": TODAY,
                        "channel": "email",
                        "stage": "overdue",
                        "state": "queued",
                        "date_scheduled": NOW - timedelta(hours=1),
                    }
                    for index in range(6)
                ]
            )
            self.company_id, self.partner_id, self.reminder_ids = (
                company.id,
                partner.id,
                reminders.ids,
            )
        self.addCleanup(self._remove)

    def _cursor(self):
        """A committing environment on its own connection; fails fast instead of waiting on a lock."""
        registry = self.registry

        class _Env:
            def __enter__(inner):
                inner.cr = registry.cursor()
                inner.cr.execute("SET lock_timeout = '10s'")
                return api.Environment(inner.cr, SUPERUSER_ID, {})

            def __exit__(inner, exc_type, exc, tb):
                if exc_type is None:
                    inner.cr.commit()
                else:
                    inner.cr.rollback()
                inner.cr.close()

        return _Env()

    def _remove(self):
        with self._cursor() as env:
            reminders = env["ar.followup.reminder"].browse(self.reminder_ids).exists()
            messages = reminders.mail_message_id
            env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)]).unlink()
            reminders.unlink()
            messages.unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def _sent_counts(self, env):
        env.invalidate_all()
        reminders = env["ar.followup.reminder"].browse(self.reminder_ids)
        posted = env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.partner_id)]
        )
        return {
            r.id: (r.state, len(posted.filtered(lambda m, r=r: m == r.mail_message_id)))
            for r in reminders
        }

    def test_two_dispatchers_share_the_queue(self):
        with self._cursor() as env_a, self._cursor() as env_b:
            company_a = env_a["res.company"].browse(self.company_id)
            company_b = env_b["res.company"].browse(self.company_id)
            # dispatcher A claims three reminders and is still in its transaction
            claimed = env_a["ar.followup.reminder"]._ar_claim(company_a, NOW, 3)
            self.assertEqual(len(claimed), 3)
            # dispatcher B runs meanwhile: it skips A's locked rows and sends the others
            handled = company_b._ar_dispatch_reminders()
            self.assertEqual(handled, 3)
            by_b = (
                env_b["ar.followup.reminder"]
                .browse(self.reminder_ids)
                .filtered(lambda r: r.state == "sent")
            )
            self.assertEqual(len(by_b), 3)
            self.assertFalse(set(by_b.ids) & set(claimed.ids))
            # A commits its claim, then sends: B, running again, finds nothing to take
            env_a.cr.commit()
            self.assertEqual(company_b._ar_dispatch_reminders(), 0)
            for reminder in claimed:
                reminder._ar_dispatch_one(None, NOW)
                env_a.cr.commit()
            self.assertEqual(company_a._ar_dispatch_reminders(), 0)
            self.assertEqual(company_b._ar_dispatch_reminders(), 0)
        with self._cursor() as env:
            counts = self._sent_counts(env)
        self.assertEqual(
            counts, {rid: ("sent", 1) for rid in self.reminder_ids}, "each sent exactly once"
        )

    def test_claim_is_committed_before_sending(self):
        """A dispatcher dies after claiming: the others leave its reminders alone."""
        with self._cursor() as env_a:
            claimed = env_a["ar.followup.reminder"]._ar_claim(
                env_a["res.company"].browse(self.company_id), NOW, 2
            )
            env_a.cr.commit()
            # ...and the worker dies here, before sending: no commit of anything else
        with self._cursor() as env_b:
            handled = env_b["res.company"].browse(self.company_id)._ar_dispatch_reminders()
            self.assertEqual(handled, 4, "the two claimed are not sent again by someone else")
        with self._cursor() as env:
            counts = self._sent_counts(env)
        self.assertEqual(
            counts,
            {
                rid: ("sending", 0) if rid in claimed.ids else ("sent", 1)
                for rid in self.reminder_ids
            },
        )

    def test_simultaneous_clicks_do_not_conflict(self):
        """Clicks at once on one reminder's link, each on its own connection, as the web
        server runs them (a serialization failure retried as Odoo retries a request):
        every click is recorded, the reminder is clicked and read once, no click retried twice."""
        with self._cursor() as env:
            reminder = env["ar.followup.reminder"].browse(self.reminder_ids[0])
            reminder.write({"state": "sent", "date_sent": NOW})
        clicks, barrier, retries, errors = 12, threading.Barrier(12), [], []

        def click():
            barrier.wait()
            for attempt in range(5):
                try:
                    with self._cursor() as env:
                        env["ar.followup.reminder"].browse(self.reminder_ids[0])._ar_record_click(
                            "pay", "Mozilla/5.0"
                        )
                    return
                except psycopg2.errors.SerializationFailure:
                    retries.append(attempt)
            errors.append("gave up")

        threads = [threading.Thread(target=click) for _i in range(clicks)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertFalse(errors)
        with self._cursor() as env:
            reminder = env["ar.followup.reminder"].browse(self.reminder_ids[0])
            self.assertEqual((reminder.click_count, reminder.state), (clicks, "read"))
            self.assertEqual(reminder.date_clicked, NOW)
        # only the first click updates the reminder: an insert whose snapshot predates that
        # update collides with it once, and its retry, seeing the update, never again
        self.assertFalse(
            [attempt for attempt in retries if attempt > 0], "a click is retried at most once"
        )
