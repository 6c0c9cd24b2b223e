# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from urllib.parse import urlparse

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools.mail import html_to_inner_content

from ..exceptions import ArTemplateError
from .common import ArFollowupCommon, ArTemplateCommon

TONES = ("gentle", "neutral", "firm", "formal")


@tagged("post_install", "-at_install")
class TestTemplate(ArTemplateCommon):
    """Reminder templates: defaults for every tone and stage, safe to edit."""

    def _render(self, xmlid, tone, partner=None, lang=None):
        template = self.env.ref("ar_followup.%s" % xmlid)
        return template._ar_render(partner or self.customer, self.moves, tone=tone, lang=lang)

    def test_every_default_renders_in_every_tone(self):
        # the channel addons' defaults (WhatsApp, call scripts) are tested in their addons
        defaults = self.Template.search(
            [("company_id", "=", False), ("channel", "in", ("email", "sms"))]
        )
        self.assertEqual(
            sorted(set(defaults.mapped(lambda t: (t.channel, t.stage)))),
            sorted(
                [
                    (channel, stage)
                    for channel in ("email", "sms")
                    for stage in ("before_due", "due", "overdue", "final")
                ]
                + [("email", "payment_failed")]
            ),
        )
        for template in defaults:
            for tone in TONES:
                with self.subTest(template=template.name, tone=tone):
                    rendered = template._ar_render(self.customer, self.moves, tone=tone)
                    text = html_to_inner_content(rendered["body"])
                    self.assertIn("₹", text)
                    self.assertIn("/my/invoices/%s?access_token=" % self.old.id, rendered["body"])
                    if template.channel == "email":
                        self.assertIn(self.old.name, text)
                        self.assertIn(self.recent.name, text)
                        self.assertIn("PO/BST/4471", text)

    def test_amounts_in_indian_grouping_and_tone_visible(self):
        gentle = self._render("template_email_overdue", "gentle")
        firm = self._render("template_email_overdue", "firm")
        formal = self._render("template_email_overdue", "formal")
        self.assertIn("₹26,25,000.00", gentle["subject"], "the total")
        self.assertIn("₹1,25,000.00", html_to_inner_content(gentle["body"]), "one invoice")
        self.assertEqual(
            firm["subject"], "Payment overdue: ₹26,25,000.00 to %s" % self.company.name
        )
        self.assertIn("Dear Bharat Steel Traders", gentle["body"])
        self.assertIn("may simply have slipped through", gentle["body"])
        self.assertIn("the oldest by 45 days", firm["body"])
        self.assertIn("Dear Sir/Madam", formal["body"])
        self.assertIn("Yours faithfully", formal["body"])
        sms = self._render("template_sms_overdue", "firm")["body"]
        self.assertTrue(sms.startswith("%s: ₹26,25,000.00 overdue for 45 days" % self.company.name))

    def test_links_work(self):
        rendered = self._render("template_email_overdue", "neutral")
        self.assertIn(self.old.get_portal_url(), rendered["body"])
        statement = self.customer._ar_statement_url()
        self.assertIn(statement, rendered["body"])
        self.assertIn(
            "/ar_followup/statement/%s/%s/" % (self.company.id, self.customer.id), statement
        )

    def test_batch_rendering_says_what_one_reminder_would(self):
        """A dispatch batch reads every customer's data at once: the text is the same."""
        other = self._ar_invoice(self.customer_b, 40000, self.days_before(70))
        paid_in_part = self._ar_invoice(self.customer_b, 90000, self.days_before(20))
        self._ar_pay(paid_in_part, 30000)
        self.refresh_ageing()
        self.env["ar.followup.promise"].create(
            {
                "partner_id": self.customer.id,
                "move_ids": [Command.set(self.old.ids)],
                "date_promised": self.days_before(-5),
            }
        )
        self.env["ar.followup.dispute"].create(
            {
                "partner_id": self.customer_b.id,
                "move_ids": [Command.set(other.ids)],
                "reason": "pricing",
            }
        )
        template = self.env.ref("ar_followup.template_email_overdue")
        moves = {self.customer: self.moves, self.customer_b: other | paid_in_part}
        alone = {partner: template._ar_context(partner, m) for partner, m in moves.items()}
        # the invoices' own fields come with the batch too (each invoice read alone
        # loaded every column of the invoice table)
        self.env["account.move"].invalidate_model()
        self.Template._ar_context_prefetch(
            self.customer | self.customer_b, self.moves | other | paid_in_part, self.company
        )
        with self.assertQueryCount(0):  # alone, each reads its lines, position and holds
            batch = {partner: template._ar_context(partner, m) for partner, m in moves.items()}
        self.Template._ar_context_forget()
        self.assertEqual(batch, alone)
        self.assertEqual(batch[self.customer]["promise"]["amount"], 125000)
        self.assertEqual(batch[self.customer_b]["dispute"]["reason"], "Pricing disagreement")
        # the disputed invoice is not asked for: given apart
        self.assertEqual(batch[self.customer_b]["total_due"], 60000)
        self.assertEqual(batch[self.customer_b]["total_disputed"], 40000)
        self.assertEqual(batch[self.customer_b]["oldest_days_overdue"], 20)
        self.assertEqual(
            [i["residual"] for i in batch[self.customer_b]["invoices"]], [40000, 60000]
        )

    def test_broken_template_refused_with_its_line(self):
        with self.assertRaisesRegex(ValidationError, r"line 2: unexpected '}'"):
            self.Template.create(
                {
                    "name": "Broken",
                    "channel": "sms",
                    "stage": "overdue",
                    "body": "Hello {{ customer.name }}\n{{ total_due }",
                }
            )
        with self.assertRaisesRegex(ValidationError, r"line 3: unknown variable 'totl_due'"):
            self.Template.create(
                {
                    "name": "Typo",
                    "channel": "email",
                    "stage": "overdue",
                    "subject": "Hello",
                    "body": "<p>Hello</p>\n<p>{{ customer.name }}</p>\n<p>{{ totl_due }}</p>",
                }
            )

    def test_malicious_template_fails_safely(self):
        template = self.Template.create(
            {
                "name": "Curious",
                "channel": "sms",
                "stage": "overdue",
                "body": "{{ customer.__class__.__mro__[1].__subclasses__() }}",
            }
        )
        with self.assertRaisesRegex(ValidationError, "unsafe"):
            template._ar_render(self.customer, self.moves)
        template.body = "{{ invoices.append(1) }}{{ invoices | length }}"
        with self.assertRaisesRegex(ValidationError, "unsafe"):
            template._ar_render(self.customer, self.moves)
        self.assertEqual(len(self.moves), 2, "nothing of the data was touched")

    def test_unknown_attribute_at_render_names_the_line(self):
        template = self.Template.create(
            {
                "name": "Nick",
                "channel": "sms",
                "stage": "overdue",
                "body": "Hi\n{{ customer.nick }}",
            }
        )
        with self.assertRaisesRegex(
            ValidationError, r"line 2: 'dict object' has no attribute 'nick'"
        ):
            template._ar_render(self.customer, self.moves)

    def test_hostile_templates_fail_with_a_clear_message(self):
        """What a template does wrong at rendering time is a clear problem naming its line,
        within bounded time and memory, never a server error."""
        template = self.Template.create(
            {"name": "Hostile", "channel": "sms", "stage": "overdue", "body": "Hello"}
        )
        cases = [
            # (body, the problem shown)
            ("Hi\n{{ customer.name | date }}", "line 2: 'str' object has no attribute 'strftime'"),
            ("{{ 12 | money({'code': 'INR'}) }}", "line 1: 'symbol'"),
            ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "maximum recursion depth exceeded"),
            (
                "{% set n = 100000 %}{% for i in range(n) %}{% for j in range(n) %}"
                + "{% endfor %}{% endfor %}",
                "more than 10000 loop iterations",
            ),
            ("{% set n = 20000000 %}{{ 'x' * n }}", "a text or list longer than 100000"),
            ("{% set n = 1000000 %}{{ 9 ** n }}", "a power above 100"),
            ("{% set n = 100000000 %}{{ 'x'.center(n) }}", "a text or list longer than 100000"),
            (
                "{% set s = 'x' * 90000 %}{% for i in range(20) %}{{ s }}{% endfor %}",
                "more than 1000000 characters",
            ),
        ]
        for body, problem in cases:
            with self.subTest(body=body):
                template.body = body
                with self.assertRaisesRegex(ArTemplateError, re.escape(problem)):
                    template._ar_render(self.customer, self.moves)
        # what is visible without running it is refused when saved
        for body, problem in [
            ("{% for i in range(100000) %}.{% endfor %}", "more than 10000 loop iterations"),
            ("{{ 2 ** 1000 }}", "a power above 100"),
            ("{{ '=' * 20000000 }}", "a text or list longer than 100000"),
        ]:
            with self.subTest(body=body), self.assertRaisesRegex(ValidationError, problem):
                template.body = body
                template.flush_recordset()

    def test_subject_is_plain_text(self):
        self.customer.name = "Shah & Sons <Pvt>"
        rendered = self._render("template_email_overdue", "neutral")
        self.assertNotIn("&amp;", rendered["subject"])
        self.assertIn("Shah &amp; Sons &lt;Pvt&gt;", rendered["body"], "the body is HTML")
        template = self.Template.create(
            {
                "name": "Named",
                "channel": "email",
                "stage": "overdue",
                "subject": "{{ customer.name }}: statement",
                "body": "<p>Hello</p>",
            }
        )
        subject = template._ar_render(self.customer, self.moves)["subject"]
        self.assertEqual(subject, "Shah & Sons <Pvt>: statement")

    def test_preview_sanitizes_what_the_template_renders(self):
        template = self.Template.create(
            {
                "name": "Sneaky",
                "channel": "email",
                "stage": "overdue",
                "subject": "Hello",
                "body": '<p>Dear {{ customer.name }}</p>{{ "<img src=x onerror=alert(1)>" | safe }}'
                "<script>alert(2)</script>",
            }
        )
        preview = self.env["ar.followup.template.preview"].create(
            {"template_id": template.id, "partner_id": self.customer.id}
        )
        self.assertEqual(str(preview.body), '<p>Dear Bharat Steel Traders</p><img src="x">')

    def test_tone_specific_template_wins(self):
        firm = self.Template.create(
            {
                "name": "Firm only",
                "channel": "sms",
                "stage": "overdue",
                "tone": "firm",
                "body": "Pay.",
            }
        )
        self.assertEqual(self.Template._ar_select("sms", "overdue", "firm", self.company), firm)
        self.assertEqual(
            self.Template._ar_select("sms", "overdue", "gentle", self.company),
            self.env.ref("ar_followup.template_sms_overdue"),
        )

    def test_a_tone_added_by_the_user_has_templates_of_its_own(self):
        warm = self.env["ar.followup.tone"].create({"name": "Warm", "code": "warm", "sequence": 1})
        self.assertIn(("warm", "Warm"), self.Template._ar_tone_selection())
        template = self.Template.create(
            {
                "name": "Warm overdue",
                "channel": "email",
                "stage": "overdue",
                "tone": "warm",
                "subject": "A friendly note from {{ company.name }}",
                "body": "<p>Dear {{ customer.contact }}, a small reminder ({{ tone }}).</p>",
            }
        )
        self.customer.ar_tone_override_id = warm
        self.company._ar_plan_reminders(self.days_before(0))
        reminder = self.env["ar.followup.reminder"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(reminder.tone_id, warm)
        self.assertEqual(reminder._ar_get_template(), template)
        rendered = reminder._ar_render()
        self.assertEqual(rendered["subject"], "A friendly note from %s" % self.company.name)
        self.assertIn("a small reminder (warm)", rendered["body"])
        # the preview offers it too
        preview = self.env["ar.followup.template.preview"].create(
            {"template_id": template.id, "partner_id": self.customer.id, "tone": "warm"}
        )
        self.assertIn("a small reminder (warm)", preview.body)
        # the templates keep their tone: its code stays, the tone can be archived, not deleted
        with self.assertRaises(UserError):
            warm.code = "friendly"
        with self.assertRaises(UserError):
            warm.unlink()
        warm.active = False
        self.assertIn(("warm", "Warm"), self.Template._ar_tone_selection())
        with self.assertRaises(ValidationError):
            template.tone = "no_such_tone"

    def test_preview_for_any_customer(self):
        preview = (
            self.env["ar.followup.template.preview"]
            .with_user(self.ar_user)
            .create(
                {
                    "template_id": self.env.ref("ar_followup.template_email_overdue").id,
                    "partner_id": self.customer.id,
                    "tone": "formal",
                }
            )
        )
        self.assertIn("Payment overdue", preview.subject)
        self.assertIn("Dear Sir/Madam", preview.body)
        self.assertFalse(preview.error)

    def test_hindi_email_for_a_hindi_speaking_customer(self):
        self._ar_load_hindi()
        self.customer.lang = "hi_IN"
        rendered = self._render("template_email_overdue", "gentle")
        self.assertIn("प्रिय Bharat Steel Traders", rendered["body"])
        self.assertIn("हमने देखा कि नीचे दिए गए बिल अभी भी बकाया हैं", rendered["body"])
        self.assertIn("अभी भुगतान करें", rendered["body"])
        self.assertIn("₹1,25,000.00", rendered["body"], "rupees in Indian grouping, in Hindi too")
        self.assertEqual(
            rendered["subject"], "भुगतान अतिदेय: %s को ₹26,25,000.00" % self.company.name
        )
        table = html_to_inner_content(rendered["body"])
        self.assertIn("देय राशि", table, "the invoice table in Hindi")
        sms = self._render("template_sms_final", "neutral")["body"]
        self.assertIn("अंतिम सूचना: ₹26,25,000.00 अतिदेय", sms)
        retry = self._render("template_email_payment_failed", "gentle")
        self.assertRegex(retry["subject"], r"^आपका भुगतान पूरा नहीं हुआ: ₹[\d,]+\.\d\d अभी भी देय$")
        self.assertIn("दुर्भाग्य से भुगतान पूरा नहीं हो सका", retry["body"])
        self.assertIn("दोबारा भुगतान करें", retry["body"])
        # an English-speaking customer still reads English
        self.assertIn(
            "Payment overdue",
            self._render("template_email_overdue", "gentle", self.customer_b)["subject"],
        )

    def test_sms_refused_until_dlt_registration_is_complete(self):
        template = self.env.ref("ar_followup.template_sms_overdue")
        self.company.country_id = self.env.ref("base.in")
        problem = self.env["ar.followup.reminder"]._ar_sms_dlt_problem(template, self.company)
        self.assertIn("DLT registration incomplete", problem)
        self.assertIn("the company's DLT entity ID", problem)
        self.assertIn("the template's DLT template ID", problem)
        self.company.write(
            {"ar_sms_dlt_entity_id": "1201159178451234567", "ar_sms_dlt_header": "SHAKTI"}
        )
        problem = self.env["ar.followup.reminder"]._ar_sms_dlt_problem(template, self.company)
        self.assertNotIn("entity ID", problem)
        self.assertIn("the template's DLT template ID", problem)
        template.sms_dlt_template_id = "1207168000001234567"
        self.assertIsNone(
            self.env["ar.followup.reminder"]._ar_sms_dlt_problem(template, self.company)
        )
        # outside India, DLT does not apply
        template.sms_dlt_template_id = False
        self.company.country_id = self.env.ref("base.be")
        self.assertIsNone(
            self.env["ar.followup.reminder"]._ar_sms_dlt_problem(template, self.company)
        )

    def test_ar_user_cannot_edit_templates(self):
        template = self.env.ref("ar_followup.template_sms_due").with_user(self.ar_user)
        self.assertTrue(template.body)
        with self.assertRaises(Exception):  # noqa: B017 (AccessError)
            template.body = "Pay up."


@tagged("post_install", "-at_install")
class TestStatementLink(HttpCase, ArFollowupCommon):
    def test_statement_link_opens_the_pdf_without_login(self):
        self._ar_invoice(self.customer, 125000, self.days_before(45))
        url = urlparse(self.customer._ar_statement_url())
        response = self.url_open(url.path)
        self.assertEqual(response.status_code, 200)
        # (a PDF outside tests; test_statement prints the PDF itself)
        self.assertIn("Statement of Account", response.text)
        self.assertIn("Bharat Steel Traders", response.text)
        self.assertIn("₹1,25,000.00", response.text)
        forged = url.path.rsplit("/", 1)[0] + "/" + "0" * 64
        self.assertEqual(self.url_open(forged).status_code, 404)
        other = url.path.replace("/%s/" % self.customer.id, "/%s/" % self.customer_b.id)
        self.assertEqual(self.url_open(other).status_code, 404)
