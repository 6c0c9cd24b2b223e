# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The channel contract: adding a channel is one selection entry plus its hooks.

A "carrier pigeon" channel is added for the duration of a test the way a
channel addon adds itself: one entry in ``ar.followup.channel.code`` and two
hooks named after its code. Nothing else of the core is touched, and the
pigeon appears in every channel choice and carries reminders.
"""

import ast
from contextlib import contextmanager, nullcontext
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.modules.neutralize import get_neutralization_queries

from .common import ArFollowupCommon

PIGEON = ("pigeon", "Carrier pigeon")


class TestChannelContract(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Reminder = cls.env["ar.followup.reminder"]
        cls.Channel = cls.env["ar.followup.channel"]
        cls.first = cls.env.ref("ar_followup.ar_followup_policy_step_standard_first")

    @contextmanager
    def pigeon(self, sent, lofts=None, carries=True):
        """The pigeon channel, installed for the block: ``sent`` collects the reminders
        it carries; customers not in ``lofts`` (when given) have no loft to fly to;
        without ``carries``, the channel has no send hook."""
        field = self.Channel._fields["code"]

        def contact_problems(model, partners):
            return {
                partner.id: None
                if lofts is None or partner in lofts
                else ("no_contact", "Pigeon: no loft at %s." % partner.name)
                for partner in partners
            }

        def send(reminder):
            sent.append(reminder)
            return "pigeon-%s" % reminder.id

        Reminder = type(self.Reminder)
        with (
            patch.object(field, "selection", [*field.selection, PIGEON]),
            patch.object(field, "_selection", {**field._selection, PIGEON[0]: PIGEON[1]}),
            patch.object(Reminder, "_ar_pigeon_contact_problems", contact_problems, create=True),
            patch.object(Reminder, "_ar_pigeon_send", send, create=True)
            if carries
            else nullcontext(),
        ):
            self.env.registry.clear_cache()  # the channels' capabilities are cached
            self.Channel._ar_create_missing(self.company)
            try:
                yield
            finally:
                self.env.registry.clear_cache()

    def choices(self, model, field_name):
        return self.env[model]._fields[field_name]._description_selection(self.env)

    def test_one_list_of_channels_everywhere(self):
        with self.pigeon([]):
            channels = self.choices("ar.followup.channel", "code")
            self.assertIn(PIGEON, channels)
            for model, field_name in (
                ("res.partner", "ar_channel"),
                ("ar.followup.policy.step", "channel"),
                ("ar.followup.policy.step", "fallback_channel"),
                ("ar.followup.template", "channel"),
                ("ar.followup.reminder", "channel"),
            ):
                with self.subTest(model=model, field=field_name):
                    self.assertEqual(self.choices(model, field_name), channels)
            # the company got its account of the new channel
            account = self.Channel.search(
                [("company_id", "=", self.company.id), ("code", "=", "pigeon")]
            )
            self.assertEqual((account.name, account.state), ("Carrier pigeon", "enabled"))
            # what the channel declares nothing about, it cannot do
            self.assertFalse(self.Channel._ar_features("pigeon")["send_together"])
            self.assertEqual(self.Channel._ar_features("pigeon")["contact_kind"], "none")
        self.assertNotIn(PIGEON, self.choices("res.partner", "ar_channel"))

    def test_reminders_fly_by_the_new_channel(self):
        sent = []
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        self._ar_invoice(self.customer_b, 2000, self.days_before(7))
        with self.pigeon(sent, lofts=self.customer):
            self.first.write({"channel": "pigeon", "fallback_channel": "email"})
            self.customer.ar_channel = "pigeon"
            self.refresh_ageing()
            planned = self.plan().filtered(lambda r: r.step_id == self.first)
            by_customer = {r.partner_id: r for r in planned}
            # no loft at Coastal Agro: the step's fallback, e-mail, is planned at once
            self.assertEqual(by_customer[self.customer].channel, "pigeon")
            self.assertEqual(by_customer[self.customer_b].channel, "email")
            self.dispatch()
        reminder = by_customer[self.customer]
        self.assertEqual(sent, [reminder])
        self.assertEqual(
            (reminder.state, reminder.provider_message_id),
            ("sent", "pigeon-%s" % reminder.id),
        )
        self.assertEqual(by_customer[self.customer_b].state, "sent")

    def test_a_disabled_channel_reaches_nobody_and_the_step_falls_back(self):
        self.first.write({"channel": "sms", "fallback_channel": "email"})
        self.Channel.search(
            [("company_id", "=", self.company.id), ("code", "=", "sms")]
        ).state = "disabled"
        self._ar_invoice(self.customer, 1000, self.days_before(7))
        self.refresh_ageing()
        reminder = self.plan().filtered(lambda r: r.step_id == self.first)
        self.assertEqual((reminder.channel, reminder.state), ("email", "planned"))
        problem = self.Reminder._ar_get_contact_problems("sms", self.customer, self.company)
        self.assertEqual(
            problem[self.customer.id], ("no_contact", "SMS is disabled in %s." % self.company.name)
        )

    def test_a_channel_without_hooks_sends_nothing(self):
        with self.pigeon([], carries=False):
            self._ar_invoice(self.customer, 1000, self.days_before(7))
            self.first.write({"channel": "pigeon", "fallback_channel": False})
            self.refresh_ageing()
            reminder = self.plan().filtered(lambda r: r.step_id == self.first)
            with self.assertRaisesRegex(UserError, "No channel sends reminders by Carrier pigeon"):
                reminder._ar_send()

    def test_a_dispatcher_only_channel_is_never_sent_from_a_request(self):
        """A channel that sends together but calls an outside service (``dispatcher_only``)
        leaves a manual send to the dispatcher; one that sends together inside the
        database (e-mail) sends it from the user's request."""
        features = type(self.Channel)._ar_features
        invoice = self._ar_invoice(self.customer, 1000, self.days_before(7))
        self.refresh_ageing()
        for dispatcher_only in (True, False):
            sent = []

            def declared(model, code, only=dispatcher_only):
                result = features(model, code)
                if code == "pigeon":
                    result = {**result, "send_together": True, "dispatcher_only": only}
                return result

            with (
                self.subTest(dispatcher_only=dispatcher_only),
                self.pigeon(sent),
                patch.object(type(self.Channel), "_ar_features", declared),
            ):
                vals = self.Reminder._ar_prepare_manual_vals(
                    self.customer,
                    invoice,
                    "pigeon",
                    self.env["ar.followup.template"],
                    self.env["ar.followup.tone"],
                    self.env.cr.now(),
                )
                vals["cycle_key"] += str(dispatcher_only)
                vals["manual_key"] += str(dispatcher_only)
                [(reminder, _again)] = self.Reminder._ar_send_manual([vals])
                self.assertEqual(reminder.state, "queued" if dispatcher_only else "sent")
                self.assertEqual(len(sent), 0 if dispatcher_only else 1)

    def test_a_neutralized_copy_reaches_customers_by_e_mail_only(self):
        for query in get_neutralization_queries(["ar_followup"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        states = self.Channel._ar_get_states(self.company)
        self.assertEqual((states["email"], states["sms"]), ("enabled", "disabled"))

    def test_who_may_change_a_channel(self):
        sms = self.Channel.search([("company_id", "=", self.company.id), ("code", "=", "sms")])
        with self.assertRaises(AccessError):
            sms.with_user(self.ar_user).state = "disabled"
        sms.with_user(self.ar_manager).state = "disabled"
        self.assertEqual(sms.state, "disabled")
        with self.assertRaises(AccessError):
            sms.with_user(self.ar_manager).unlink()
        other, clerk_b = self._ar_other_company_clerk()
        self.assertFalse(
            self.Channel.with_user(clerk_b).search([("company_id", "=", self.company.id)]),
            "another company's channels are not seen",
        )
        self.assertEqual(self.Channel.with_user(clerk_b).search([]).company_id, other)

    def test_sms_within_calling_hours_e_mail_within_the_policy_window(self):
        policy = self.env.ref("ar_followup.ar_followup_policy_standard")
        policy.write({"window_start": 7.0, "window_end": 21.0})
        self.company.write({"ar_calling_hour_start": 8.0, "ar_calling_hour_end": 19.0})

        def window(channel, **vals):
            reminder = self.Reminder.new(
                {"company_id": self.company.id, "policy_id": policy.id, "channel": channel, **vals}
            )
            return reminder._ar_get_sending_window()

        self.assertEqual(window("email"), (7.0, 21.0))
        self.assertEqual(window("sms"), (8.0, 19.0))
        self.assertEqual(window("email", manual=True), (7.0, 21.0), "manual sends too")
        self.assertEqual(window("sms", manual=True), (8.0, 19.0))
        policy.write({"window_start": 20.0, "window_end": 22.0})
        self.assertEqual(window("sms"), (8.0, 19.0), "windows that do not meet: calling hours")

    def test_a_channel_code_cannot_change(self):
        sms = self.Channel.search([("company_id", "=", self.company.id), ("code", "=", "sms")])
        with self.assertRaises(UserError):
            sms.code = "email"

    def test_the_core_has_no_channel_branch(self):
        """Only the channels' own files name e-mail or SMS in a comparison with a channel."""
        addon = Path(__file__).resolve().parent.parent
        own = {
            "channel_email.py",
            "channel_sms.py",
            "ar_followup_channel.py",
            "mail_notification.py",
            "sms_tracker.py",
            "res_company_email_attachments.py",
        }
        offenders = []
        for path in addon.rglob("*.py"):
            if "tests" in path.parts or path.name in own:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Compare):
                    continue
                names = {
                    part.attr if isinstance(part, ast.Attribute) else getattr(part, "id", None)
                    for part in (node.left, *node.comparators)
                }
                constants = {
                    part.value
                    for part in (node.left, *node.comparators)
                    if isinstance(part, ast.Constant)
                }
                if names & {"channel", "code"} and constants & {"email", "sms"}:
                    offenders.append("%s:%s" % (path.relative_to(addon), node.lineno))
        self.assertEqual(offenders, [])
