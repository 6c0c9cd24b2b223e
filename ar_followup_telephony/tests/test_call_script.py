# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.ar_followup.tests.common import ArTemplateCommon

TONES = ("gentle", "neutral", "firm", "formal")
STAGES = ("before_due", "due", "overdue", "final", "payment_failed")


@tagged("post_install", "-at_install")
class TestCallScript(ArTemplateCommon):
    """Call scripts: what the clerk says, asks and records, per tone, stage and language."""

    def _render(self, stage, tone, partner=None):
        template = self.env.ref("ar_followup_telephony.template_call_%s" % stage)
        return template._ar_render(partner or self.customer, self.moves, tone=tone)

    def test_a_script_for_every_stage_in_every_tone(self):
        defaults = self.Template.search([("channel", "=", "call"), ("company_id", "=", False)])
        self.assertEqual(sorted(defaults.mapped("stage")), sorted(STAGES))
        for stage in STAGES:
            for tone in TONES:
                with self.subTest(stage=stage, tone=tone):
                    script = self._render(stage, tone)
                    self.assertIn("Bharat Steel Traders", script["subject"])
                    self.assertNotIn("\n", script["subject"], "one line for the call queue")
                    body = script["body"]
                    self.assertIn("%s (your ref. PO/BST/4471): ₹1,25,000.00" % self.old.name, body)
                    self.assertIn("%s: ₹25,00,000.00" % self.recent.name, body)
                    self.assertIn("45 days overdue", body)
                    self.assertIn("Last payment: none recorded.", body)
                    self.assertIn("/my/invoices/%s?access_token=" % self.old.id, body)
                    self.assertIn("4. RECORD THE OUTCOME", body)
                    self.assertNotIn("&#", body, "plain text, nothing escaped")
                    self.assertNotIn("\n\n\n", body, "no empty blocks left over")

    def test_tone_and_stage_change_the_words(self):
        gentle = self._render("overdue", "gentle")
        firm = self._render("overdue", "firm")
        formal = self._render("overdue", "formal")
        self.assertEqual(
            firm["subject"],
            "Call Bharat Steel Traders: ₹26,25,000.00 overdue, oldest 45 days",
        )
        self.assertIn(
            '"Hello Bharat Steel Traders, this is [your name] from %s' % self.company.name,
            gentle["body"],
            "no AR owner: the clerk says their name",
        )
        self.assertIn("Do you have two minutes?", gentle["body"])
        self.assertIn("We need the payment of ₹26,25,000.00. On which date", firm["body"])
        self.assertIn("accounts department of %s" % self.company.name, formal["body"])
        self.assertIn("share the payment advice", formal["body"])
        self.assertIn("₹26,25,000.00 is overdue, the oldest invoice by 45 days.", firm["body"])
        final = self._render("final", "neutral")["body"]
        self.assertIn("Final notice: ₹26,25,000.00 is overdue", final)
        self.assertIn("A courtesy call", self._render("before_due", "neutral")["body"])

    def test_promise_dispute_and_owner_in_the_script(self):
        self.customer.ar_owner_id = self.ar_user
        self._ar_pay(self.old, 25000, self.days_before(3))
        self.env["ar.followup.promise"].create(
            {
                "partner_id": self.customer.id,
                "date_promised": self.days_before(-7),
                "amount": 100000,
            }
        )
        body = self._render("overdue", "neutral")["body"]
        self.assertIn("this is AR Clerk from %s" % self.company.name, body)
        self.assertIn("Open promise to pay", body)
        self.assertIn("₹1,00,000.00 by 22 Jun 2026", body)
        self.assertIn("Last payment: ₹25,000.00 on 12 Jun 2026.", body)
        self.assertIn("₹1,00,000.00, due", body, "the residual of the part-paid invoice")

    def test_html_in_customer_data_is_not_escaped(self):
        self.customer.name = "Bharat Steel & Sons <Pune>"
        body = self._render("due", "neutral")["body"]
        self.assertIn("CALL: Bharat Steel & Sons <Pune>", body)

    def test_broken_script_refused_on_save_with_its_line(self):
        template = self.env.ref("ar_followup_telephony.template_call_overdue")
        with self.assertRaisesRegex(ValidationError, r"line 2: unknown variable 'custmer'"):
            template.body = "Hello\n{{ custmer.name }}"

    def test_hindi_script_for_a_hindi_speaking_customer(self):
        self.env["res.lang"]._activate_lang("hi_IN")
        self.env["ir.module.module"]._load_module_terms(
            ["ar_followup", "ar_followup_telephony"], ["hi_IN"], overwrite=True
        )
        self.customer.lang = "hi_IN"
        for stage in STAGES:
            with self.subTest(stage=stage):
                script = self._render(stage, "gentle")
                self.assertIn("कॉल", script["subject"])
                self.assertIn("1. अभिवादन", script["body"])
                self.assertIn("4. परिणाम दर्ज करें", script["body"])
        script = self._render("overdue", "gentle")
        self.assertEqual(
            script["subject"],
            "Bharat Steel Traders को कॉल करें: ₹26,25,000.00 अतिदेय, सबसे पुराना 45 दिन",
        )
        self.assertIn('"नमस्ते Bharat Steel Traders जी', script["body"])
        self.assertIn("₹1,25,000.00, नियत तिथि", script["body"])
        self.assertIn("45 दिन अतिदेय", script["body"])
        self.assertEqual(
            self.env.ref("ar_followup_telephony.template_call_overdue")
            .with_context(lang="hi_IN")
            .name,
            "कॉल स्क्रिप्ट: अतिदेय",
        )
        # an English-speaking customer still gets the English script
        english = self._render("overdue", "gentle", self.customer_b)
        self.assertIn("1. GREETING", english["body"])
