# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The default templates read as an AR team writes, for every kind of customer.

Every default e-mail and SMS template of the core, in every tone, in English and
Hindi, rendered for edge-case customers: proper plurals, nothing said about the
length of a relationship under a year, a pay link (a visible button in e-mails,
also once the posted message is sanitized) and only the undisputed amount asked.
"""

from lxml import html

from odoo import Command
from odoo.tests import tagged

from ..tools import render
from .common import ArFollowupCommon

TONES = ("gentle", "neutral", "formal", "firm")
LANGS = ("en_US", "hi_IN")


@tagged("post_install", "-at_install")
class TestTemplateWording(ArFollowupCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._ar_load_hindi()
        cls.usd = cls.setup_other_currency("USD")
        cls.Template = cls.env["ar.followup.template"]
        data = cls.env["ir.model.data"].search(
            [("module", "=", "ar_followup"), ("model", "=", "ar.followup.template")]
        )
        cls.defaults = cls.Template.browse(data.mapped("res_id"))
        customer = cls._ar_create_customer
        # new: a first invoice this month
        new = customer("Navi Traders")
        cls._ar_invoice(new, 4200, cls.days_before(3))
        # one invoice, a customer for a year and a half
        one = customer("Ekam Plastics")
        cls._ar_invoice(one, 9100, cls.days_before(2), invoice_date=cls.days_before(550))
        # many invoices, a customer for years
        many = customer("Bahu Castings")
        for n, amount in enumerate((1500, 2750, 3100, 880, 12000)):
            cls._ar_invoice(
                many, amount, cls.days_before(5 * n + 1), invoice_date=cls.days_before(1200 + n)
            )
        # no contact name: the invoicing address has an e-mail, no name
        anonymous = customer("Gupt Enterprises")
        cls.env["res.partner"].create(
            {"parent_id": anonymous.id, "type": "invoice", "email": "accounts@gupt.example.in"}
        )
        cls._ar_invoice(anonymous, 5000, cls.days_before(9))
        # foreign currency
        foreign = customer("Overseas Parts LLC", country_id=cls.env.ref("base.us").id)
        cls._ar_invoice(foreign, 300, cls.days_before(12), currency=cls.usd)
        # everything disputed, on an invoice and on the whole customer
        disputed = customer("Vivad Metals")
        invoice = cls._ar_invoice(disputed, 12345, cls.days_before(20))
        cls._ar_invoice(disputed, 6789, cls.days_before(15))
        Dispute = cls.env["ar.followup.dispute"]
        Dispute.create(
            {
                "partner_id": disputed.id,
                "move_ids": [Command.set(invoice.ids)],
                "reason": "wrong_amount",
            }
        )
        Dispute.create({"partner_id": disputed.id, "reason": "quality"})
        cls.edge_customers = new | one | many | anonymous | foreign | disputed
        cls.new, cls.one, cls.many, cls.anonymous = new, one, many, anonymous
        cls.foreign, cls.disputed = foreign, disputed

    def setUp(self):
        super().setUp()
        self.refresh_ageing()

    def _open_moves(self, partner):
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", partner.id),
                ("move_type", "=", "out_invoice"),
                ("amount_residual", ">", 0),
            ]
        )

    def test_every_default_template_reads_well_for_every_customer(self):
        self.assertEqual(
            set(self.defaults.mapped("channel")), {"email", "sms"}, "the core's channels"
        )
        for partner in self.edge_customers:
            moves = self._open_moves(partner)
            context = self.Template._ar_context(partner, moves)
            asked = {
                "total_due": render.money(context["total_due"], context["currency"]),
                "total_overdue": render.money(context["total_overdue"], context["currency"]),
            }
            whole = sum(moves.mapped("amount_residual_signed"))
            for lang in LANGS:
                partner.lang = lang
                for template in self.defaults:
                    for tone in TONES:
                        with self.subTest(
                            customer=partner.name, template=template.name, lang=lang, tone=tone
                        ):
                            rendered = template._ar_render(partner, moves, tone=tone)
                            shown = self._totals_shown(template, {**context, "tone": tone})
                            self._assert_reads_well(
                                template, rendered, context, {v: asked[v] for v in shown}, whole
                            )

    def _totals_shown(self, template, context):
        """Which of the totals asked for this template shows in this tone: rendered again
        with each total set to an amount found nowhere else."""
        shown = set()
        for variable in ("total_due", "total_overdue"):
            marked = {**context, variable: 987654.32}
            for field_name in ("subject", "body"):
                output, _problem = render.render_problem(
                    template[field_name] or "", marked, html=False
                )
                if "9,87,654.32" in (output or ""):
                    shown.add(variable)
        return shown

    def _assert_reads_well(self, template, rendered, context, asked, whole):
        subject, body = rendered["subject"] or "", rendered["body"]
        text = subject + "\n" + body
        self.assertNotIn("(s)", text)
        self.assertNotIn("False", text, "an empty value written as False")
        # no relationship phrase of zero years, none at all under a year
        self.assertNotRegex(text, r"\b0 (years?|वर्ष)")
        if context["relationship_years"] < 1:
            self.assertNotIn("Thank you for a year", text)
            self.assertNotIn("वर्षों के साथ", text)
            self.assertNotIn("वर्ष के साथ", text)
        # the pay link: a visible button in an e-mail, the link in an SMS
        self.assertTrue(context["pay_link"])
        if template.channel == "email":
            [button] = html.fromstring(body).xpath(
                "//a[@href=$link and contains(@style, 'background-color')]",
                link=context["pay_link"],
            )
            self.assertTrue(button.text_content().strip())
        else:
            self.assertIn(context["pay_link"], body)
        # the amount asked is the undisputed one
        for variable, amount in asked.items():
            self.assertIn(amount, text, variable)
        if context["total_disputed"]:
            disputed_whole = render.money(whole, context["currency"])
            for amount in asked.values():
                self.assertNotEqual(amount, disputed_whole)

    def test_plurals_and_relationship_in_english_and_hindi(self):
        before_due = self.env.ref("ar_followup.template_email_before_due")
        due = self.env.ref("ar_followup.template_email_due")
        sms = self.env.ref("ar_followup.template_sms_before_due")
        one = self._open_moves(self.one)
        many = self._open_moves(self.many)
        self.assertRegex(before_due._ar_render(self.one, one)["subject"], r": 1 invoice due ")
        self.assertRegex(before_due._ar_render(self.many, many)["subject"], r": 5 invoices due ")
        self.assertRegex(due._ar_render(self.one, one)["subject"], r"^1 invoice due today: ")
        self.assertIn("1 invoice of", sms._ar_render(self.one, one)["body"])
        self.assertIn("5 invoices of", sms._ar_render(self.many, many)["body"])
        english = {
            p: before_due._ar_render(p, self._open_moves(p), tone="gentle", lang="en_US")["body"]
            for p in (self.new, self.one, self.many)
        }
        hindi = {
            p: before_due._ar_render(p, self._open_moves(p), tone="gentle", lang="hi_IN")["body"]
            for p in (self.new, self.one, self.many)
        }
        self.assertNotIn("Thank you for", english[self.new])
        self.assertIn("Thank you for a year of business with us.", english[self.one])
        self.assertIn("Thank you for 3 years of business with us.", english[self.many])
        self.assertNotIn("धन्यवाद।", hindi[self.new].split("</p>")[1])
        self.assertIn("एक वर्ष के साथ के लिए धन्यवाद।", hindi[self.one])
        self.assertIn("3 वर्षों के साथ के लिए धन्यवाद।", hindi[self.many])
        # no contact name: the customer's
        anonymous = self._open_moves(self.anonymous)
        body = before_due._ar_render(self.anonymous, anonymous, tone="gentle")["body"]
        self.assertIn("Dear Gupt Enterprises,", body)

    def test_disputed_part_said_as_such(self):
        overdue = self.env.ref("ar_followup.template_email_overdue")
        moves = self._open_moves(self.disputed)
        for lang, said in (
            ("en_US", "Invoices under dispute (₹19,134.00) are left out of this reminder"),
            ("hi_IN", "विवादित बिल (₹19,134.00) विवाद सुलझने तक"),
        ):
            rendered = overdue._ar_render(self.disputed, moves, lang=lang)
            self.assertIn(said, rendered["body"])
            self.assertIn("₹0.00", rendered["subject"], "nothing undisputed is asked for")
        undisputed = overdue._ar_render(self.one, self._open_moves(self.one))["body"]
        self.assertNotIn("under dispute", undisputed)

    def test_sent_email_shows_a_pay_now_button(self):
        """The posted message is sanitized: the button keeps its colours."""
        moves = self._open_moves(self.one)
        wizard = (
            self.env["ar.followup.send"]
            .with_user(self.ar_user)
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({})
        )
        wizard.action_send()
        reminder = wizard.line_ids.reminder_id
        self.assertEqual(reminder.state, "sent")
        for body in (reminder.mail_message_id.body, reminder.body):
            [button] = html.fromstring(str(body)).xpath(
                "//a[@href=$link]", link=reminder._ar_tracked_url("pay")
            )
            style = button.get("style")
            self.assertIn("background-color:#714B67", style)
            self.assertIn("color:#ffffff", style)
            self.assertEqual(button.text_content(), "Pay now")
