# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ArFollowupSegment(models.Model):
    """A group of customers followed up alike: Standard, VIP, Strategic, Government.

    A customer gets the first segment (by sequence) sharing one of its tags
    (``partner_category_ids``), else Standard, and can be moved by hand
    (``res.partner.ar_segment_id``). The segment's default tone applies when
    no tone rule matches. A segment without company is shared by all companies.
    """

    _name = "ar.followup.segment"
    _description = "Customer Segment"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Short technical key, for imports and integrations.")
    sequence = fields.Integer(
        default=10, help="Order in which segments are tried against a customer's tags."
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the segment."
    )
    tone_id = fields.Many2one(
        "ar.followup.tone",
        "Default Tone",
        ondelete="restrict",
        help="Tone of the segment's customers when no tone rule matches.",
    )
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="Customer Tags",
        help="Customers with one of these tags get this segment by default.",
    )
    description = fields.Text(translate=True)
    color = fields.Integer()
    policy_id = fields.Many2one(
        "ar.followup.policy",
        "Cadence Policy",
        ondelete="restrict",
        help="How the segment's customers are reminded, unless a customer has its own.",
    )

    _code_company_unique = models.UniqueIndex(
        "(code, COALESCE(company_id, 0)) WHERE code IS NOT NULL",
        "Two segments of a company cannot share a code.",
    )
