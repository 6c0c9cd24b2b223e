# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.tone import NUMERIC_CONDITIONS, describe_conditions


class ArFollowupToneRule(models.Model):
    """An ordered rule choosing a customer's tone from its payment behaviour.

    The first active rule (by sequence) whose conditions all hold gives the
    tone; the matching itself is :func:`ar_followup.tools.tone.choose_tone`.
    Lower bounds are inclusive, upper bounds exclusive ("fewer than"), and 0
    means no bound. A rule without company applies to every company.
    """

    _name = "ar.followup.tone.rule"
    _description = "Follow-up Tone Rule"
    _order = "sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    tone_id = fields.Many2one("ar.followup.tone", "Tone", required=True, ondelete="restrict")
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to apply the rule in every company."
    )
    min_relationship_years = fields.Float(
        "Customer for at least (years)",
        digits=(16, 1),
        help="Years since the customer's first invoice, at least this many. 0: any.",
    )
    max_relationship_years = fields.Float(
        "Customer for less than (years)",
        digits=(16, 1),
        help="Years since the customer's first invoice, fewer than this. 0: any.",
    )
    min_late_invoices = fields.Integer(
        "Late invoices (12 months) at least",
        help="Invoices due in the last 12 months paid late or still overdue, at least this many. 0: any.",
    )
    max_late_invoices = fields.Integer(
        "Late invoices (12 months) fewer than",
        help="Invoices due in the last 12 months paid late or still overdue, fewer than this: "
        "1 means never late. 0: any.",
    )
    min_avg_days_late = fields.Integer(
        "Average days late at least",
        help="Average days past due of the invoices paid in the last 12 months (on time counts 0), "
        "at least this many. 0: any.",
    )
    max_avg_days_late = fields.Integer(
        "Average days late fewer than",
        help="Average days past due of the invoices paid in the last 12 months, fewer than this. 0: any.",
    )
    segment_ids = fields.Many2many(
        "ar.followup.segment",
        string="Segments",
        check_company=True,
        help="Only for customers of these segments. Empty: any segment.",
    )
    conditions = fields.Char(compute="_compute_conditions")
    description = fields.Text(translate=True)

    @api.depends(
        *(key for low, high, _fact in NUMERIC_CONDITIONS for key in (low, high)), "segment_ids"
    )
    @api.depends_context("lang")
    def _compute_conditions(self):
        for rule in self:
            rule.conditions = describe_conditions(rule._ar_prepare_rule_dict(), gettext=self.env._)

    @api.constrains(*(key for low, high, _fact in NUMERIC_CONDITIONS for key in (low, high)))
    def _check_bounds(self):
        for rule in self:
            for low_key, high_key, _fact in NUMERIC_CONDITIONS:
                low, high = rule[low_key], rule[high_key]
                if low < 0 or high < 0:
                    raise ValidationError(
                        self.env._("Tone rule %s: bounds cannot be negative.", rule.name)
                    )
                if low and high and high <= low:
                    raise ValidationError(
                        self.env._(
                            "Tone rule %(rule)s: “%(high)s” must be above “%(low)s”.",
                            rule=rule.name,
                            high=rule._fields[high_key].get_description(self.env)["string"],
                            low=rule._fields[low_key].get_description(self.env)["string"],
                        )
                    )

    @api.model
    def _ar_get_rules_domain(self, company):
        return [("company_id", "in", [False, company.id])]

    @api.model
    def _ar_get_rules(self, company):
        """The active rules of ``company`` as plain dicts, in order (for ``choose_tone``).

        Read as superuser: the tone of a customer does not depend on who looks at it.
        """
        rules = self.sudo().search(self._ar_get_rules_domain(company))
        return [rule._ar_prepare_rule_dict() for rule in rules]

    def _ar_prepare_rule_dict(self):
        self.ensure_one()
        values = {"id": self.id, "name": self.name, "tone": self.tone_id}
        for low_key, high_key, _fact in NUMERIC_CONDITIONS:
            values[low_key] = self[low_key]
            values[high_key] = self[high_key]
        values["segment_ids"] = set(self.segment_ids.ids)
        values["segment_names"] = self.segment_ids.mapped("name")
        return values
