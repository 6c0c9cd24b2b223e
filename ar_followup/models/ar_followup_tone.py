# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


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
