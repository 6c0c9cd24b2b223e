# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import html_sanitize

from ..models.ar_followup_reminder.rendering import BODY_SANITIZE


class ArFollowupTemplatePreview(models.TransientModel):
    """Render a reminder template for any customer, in any tone and language."""

    _name = "ar.followup.template.preview"
    _description = "Reminder Template Preview"

    template_id = fields.Many2one("ar.followup.template", required=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        domain=[("is_company", "=", True)],
        help="Rendered with this customer's open invoices.",
    )
    tone = fields.Selection("_ar_tone_selection", default="neutral", required=True)
    lang = fields.Selection(
        "_selection_lang", "Language", help="Defaults to the customer's language."
    )
    subject = fields.Char(compute="_compute_preview")
    body = fields.Html(compute="_compute_preview", sanitize=False)
    body_text = fields.Text(compute="_compute_preview")
    error = fields.Char(compute="_compute_preview")

    @api.model
    def _ar_tone_selection(self):
        return self.env["ar.followup.template"]._ar_tone_selection()

    @api.model
    def _selection_lang(self):
        return self.env["res.lang"].get_installed()

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id.lang:
            self.lang = self.partner_id.lang
        if self.partner_id:
            # the tone the cadence would use for this customer today
            tone = self.partner_id.commercial_partner_id._ar_get_effective_tone()
            if tone.code in dict(self._ar_tone_selection()):
                self.tone = tone.code

    @api.depends("template_id", "partner_id", "tone", "lang")
    def _compute_preview(self):
        for wizard in self:
            wizard.subject = wizard.body = wizard.body_text = wizard.error = False
            if not wizard.template_id or not wizard.partner_id:
                continue
            partner = wizard.partner_id.commercial_partner_id
            moves = self.env["account.move"].search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("ar_bucket_id", "!=", False),
                    ("company_id", "=", self.env.company.id),
                ]
            )
            try:
                rendered = wizard.template_id._ar_render(
                    partner, moves, tone=wizard.tone, lang=wizard.lang
                )
            except ValidationError as error:
                wizard.error = error.args[0]
                continue
            wizard.subject = rendered["subject"]
            if wizard.template_id._ar_is_html():
                # sanitised as the reminder's e-mail will be: a template's markup
                # never runs in the browser of whoever previews it
                wizard.body = html_sanitize(rendered["body"], **BODY_SANITIZE)
            else:
                wizard.body_text = rendered["body"]
