# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.ar_followup.tests.common import ArTemplateCommon

TONES = ("gentle", "neutral", "firm", "formal")
STAGES = ("before_due", "due", "overdue", "final", "payment_failed")


@tagged("post_install", "-at_install")
class TestWhatsappTemplate(ArTemplateCommon):
    """WhatsApp templates: parameters of a Meta-approved template, per tone and language."""

    def _template(self, stage):
        return self.env.ref("ar_followup_whatsapp.template_whatsapp_%s" % stage)

    def test_a_default_for_every_stage_in_every_tone(self):
        defaults = self.Template.search([("channel", "=", "whatsapp"), ("company_id", "=", False)])
        self.assertEqual(sorted(defaults.mapped("stage")), sorted(STAGES))
        for template in defaults:
            approved = template.wa_template_text
            self.assertEqual(template.wa_language, "en")
            self.assertTrue(re.fullmatch(r"[a-z0-9_]+", template.wa_template_name))
            for tone in TONES:
                with self.subTest(template=template.name, tone=tone):
                    params = template._ar_render_whatsapp_params(
                        self.customer, self.moves, tone=tone
                    )
                    self.assertEqual(len(params), len(re.findall(r"{{\d+}}", approved)))
                    for param in params:
                        self.assertTrue(param.strip(), "Meta refuses empty parameters")
                        self.assertNotRegex(param, r"[\n\t]| {5,}", "nor line breaks or tabs")
                    joined = " | ".join(params)
                    self.assertIn(self.old.name, joined)
                    self.assertIn(self.recent.name, joined)
                    self.assertRegex(joined, r"₹[\d,]+\.\d\d")
                    self.assertIn(
                        "/my/invoices/%s?access_token=" % self.old.id, joined, "the pay link"
                    )
                    rendered = template._ar_render(self.customer, self.moves, tone=tone)
                    self.assertEqual(rendered["params"], params)
                    self.assertNotIn("{{", rendered["body"], "every placeholder filled")
                    self.assertTrue(rendered["body"].startswith("Dear "))

    def test_overdue_parameters_by_tone(self):
        template = self._template("overdue")
        gentle = template._ar_render_whatsapp_params(self.customer, self.moves, tone="gentle")
        firm = template._ar_render_whatsapp_params(self.customer, self.moves, tone="firm")
        formal = template._ar_render_whatsapp_params(self.customer, self.moves, tone="formal")
        self.assertEqual(gentle[0], "Bharat Steel Traders")
        self.assertEqual(formal[0], "Sir/Madam")
        self.assertIn("may simply have slipped through", gentle[1])
        self.assertIn("the oldest by 45 days", firm[1])
        self.assertIn("payment advice", formal[1])
        self.assertEqual(gentle[2], "%s, %s" % (self.old.name, self.recent.name))
        self.assertEqual(gentle[3], "₹26,25,000.00")
        self.assertEqual(gentle[4], self.old.get_base_url() + self.old.get_portal_url())
        self.assertEqual(gentle[5], self.company.name)
        message = template._ar_render(self.customer, self.moves, tone="formal")["body"]
        self.assertIn("Dear Sir/Madam,\n\nOur records show", message)
        self.assertIn("Amount overdue: ₹26,25,000.00\n", message)

    def test_approved_text_shows_where_each_line_goes(self):
        preview = self._template("overdue").wa_preview_text
        self.assertTrue(preview.startswith("Dear [parameter 1: body line 1],"))
        self.assertIn("Amount overdue: [total_overdue | money]\nPay online: [pay_link]", preview)
        self.assertFalse(self.env.ref("ar_followup.template_sms_due").wa_preview_text)

    def test_many_invoices_keep_the_parameter_short(self):
        moves = self.moves
        for days in range(10, 16):
            moves |= self._ar_invoice(self.customer, 1000, self.days_before(days))
        self.refresh_ageing()
        params = self._template("overdue")._ar_render_whatsapp_params(
            self.customer, moves, tone="neutral"
        )
        self.assertEqual(params[2].count(","), 4, "five invoice numbers")
        self.assertTrue(params[2].endswith("(+3)"))

    def test_broken_parameter_refused_on_save_naming_the_line(self):
        template = self._template("overdue")
        lines = template.body.split("\n")
        with self.assertRaisesRegex(ValidationError, r"line 4.*unexpected '}'"):
            template.body = "\n".join(lines[:3] + ["{{ total_overdue | money }"] + lines[4:])
        with self.assertRaisesRegex(ValidationError, r"line 4 \(parameter \{\{4\}\}\): empty"):
            template.body = "\n".join(lines[:3] + ["  "] + lines[4:])
        with self.assertRaisesRegex(ValidationError, r"unknown variable 'totl_overdue'"):
            template.body = "\n".join(lines[:3] + ["{{ totl_overdue }}"] + lines[4:])
        # an expression spanning two lines would be two parameters: refused too
        with self.assertRaisesRegex(ValidationError, r"line 2 \(parameter \{\{2\}\}\)"):
            template.body = "\n".join(lines[:1] + ["{% if tone == 'firm' %}Pay", "{% endif %}"])
        with self.assertRaisesRegex(ValidationError, r"the approved text has the parameters"):
            template.body = "\n".join(lines[:5])
        with self.assertRaisesRegex(ValidationError, r"starts or ends with a parameter"):
            template.wa_template_text = "Dear {{1}}, {{2}} {{3}} {{4}} {{5}} {{6}}."
        with self.assertRaisesRegex(ValidationError, r"lowercase letters"):
            template.wa_template_name = "Payment Overdue"

    def test_value_meta_refuses_is_reported_before_sending(self):
        template = self._template("due")
        self.customer.name = "Bharat   \t Steel"
        with self.assertRaisesRegex(
            ValidationError, r"line 1 \(parameter \{\{1\}\}\): the value has a line break, a tab"
        ):
            template._ar_render_whatsapp_params(self.customer, self.moves, tone="gentle")

    def test_relationship_said_only_from_a_year(self):
        """A new customer is not thanked for "0 year(s)" of business; plurals are proper."""
        template = self._template("before_due")
        new = template._ar_render_whatsapp_params(self.customer, self.moves, tone="gentle")
        self.assertNotIn("(s)", new[1])
        self.assertNotIn("Thank you for", new[1])
        self.assertTrue(new[1].startswith("A quick note ahead of time"))
        older = self._ar_invoice(
            self.customer_b, 1000, self.days_before(-3), invoice_date=self.days_before(400)
        )
        self.refresh_ageing()
        a_year = template._ar_render_whatsapp_params(self.customer_b, older, tone="gentle")
        self.assertTrue(a_year[1].startswith("Thank you for a year of business with us."))
        self._ar_load_hindi("ar_followup", "ar_followup_whatsapp")
        self.customer_b.lang = "hi_IN"
        hindi = template._ar_render_whatsapp_params(self.customer_b, older, tone="gentle")
        self.assertTrue(hindi[1].startswith("एक वर्ष के साथ के लिए धन्यवाद।"))

    def test_hindi_speaking_customer(self):
        self._ar_load_hindi("ar_followup", "ar_followup_whatsapp")
        self.customer.lang = "hi_IN"
        template = self._template("overdue")
        rendered = template._ar_render(self.customer, self.moves, tone="gentle")
        self.assertEqual(rendered["wa_language"], "hi", "the template's Hindi version")
        self.assertEqual(rendered["wa_template_name"], "ar_payment_overdue")
        params = rendered["params"]
        self.assertIn("हमने देखा कि नीचे दिए गए बिल अभी भी बकाया हैं", params[1])
        self.assertEqual(params[3], "₹26,25,000.00")
        self.assertIn("अतिदेय राशि: ₹26,25,000.00", rendered["body"])
        self.assertTrue(rendered["body"].startswith("प्रिय Bharat Steel Traders,"))
        formal = template._ar_render_whatsapp_params(self.customer, self.moves, tone="formal")
        self.assertEqual(formal[0], "महोदय/महोदया")
        for stage in STAGES:
            with self.subTest(stage=stage):
                params = self._template(stage)._ar_render_whatsapp_params(
                    self.customer, self.moves, tone="neutral"
                )
                self.assertRegex(params[1], r"[\u0900-\u097F]", "Hindi text")
                self.assertNotRegex(params[1], r"\b(the|invoices|payment)\b")
        # an English-speaking customer still gets the English template
        english = template._ar_render(self.customer_b, self.moves, tone="gentle")
        self.assertEqual(english["wa_language"], "en")

    def test_preview_shows_the_message(self):
        preview = (
            self.env["ar.followup.template.preview"]
            .with_user(self.ar_user)
            .create(
                {
                    "template_id": self._template("final").id,
                    "partner_id": self.customer.id,
                    "tone": "firm",
                }
            )
        )
        self.assertFalse(preview.error)
        self.assertIn("This is our final reminder", preview.body_text)
        self.assertIn("Amount overdue: ₹26,25,000.00", preview.body_text)
        self.assertNotIn("{{", preview.body_text)
