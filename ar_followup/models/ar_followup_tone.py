# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class ArFollowupTone(models.Model):
    """A tone reminders are written in: Gentle, Neutral, Firm, Formal.

    ``sequence`` is the firmness order, gentlest first: escalation after a
    broken promise moves a customer along it (``res.partner._ar_get_tones``).
    Templates are chosen by ``code``, which the cadence engine and channel
    addons rely on; the name is what users read.
    """

    _name = "ar.followup.tone"
    _description = "Follow-up Tone"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True, help="Technical key of the tone, used to pick reminder templates."
    )
    sequence = fields.Integer(default=10, help="Firmness order: the gentlest tone comes first.")
    description = fields.Text(translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _code_unique = models.Constraint("UNIQUE(code)", "Two tones cannot share a code.")

    @api.model
    def _ar_firmness_order(self):
        """The active tones, gentlest first (what escalation walks along)."""
        return self.sudo().search([])

    def _ar_templates_using(self):
        """Templates (active or not) written for one of these tones."""
        return (
            self.env["ar.followup.template"]
            .sudo()
            .with_context(active_test=False)
            .search([("tone", "in", self.mapped("code"))])
        )

    def write(self, vals):
        if "code" in vals:
            renamed = self.filtered(lambda tone: tone.code != vals["code"])
            if renamed._ar_templates_using():
                raise UserError(
                    self.env._(
                        "Templates are written for the tone %s: its code cannot change.",
                        ", ".join(renamed.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used_by_templates(self):
        templates = self._ar_templates_using()
        if templates:
            raise UserError(
                self.env._(
                    "Tones with templates of their own cannot be deleted (archive them): %s.",
                    ", ".join(templates.mapped("name")),
                )
            )
