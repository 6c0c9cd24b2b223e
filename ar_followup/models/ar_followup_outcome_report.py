# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..tools.outcomes import OUTCOMES, PAID_WITHIN, Z_95

DIMENSIONS = [
    ("template", "Template"),
    ("tone", "Tone"),
    ("channel", "Channel"),
    ("step", "Step"),
    ("hour", "Sending Hour"),
]


class ArFollowupOutcomeReport(models.Model):
    """What sent reminders led to, ranked: one row per template, tone, channel,
    step (and arm of its A/B test) and sending hour, per company.

    Outcomes (``tools/outcomes.py``), counted from the day a reminder was sent in
    the company's time zone:

    * *paid within 7 / 14 days*: every invoice the reminder claimed is paid, and
      the last reconciliation of their receivable lines is dated from that day to
      7 (14) days after it;
    * *replied*: the customer answered the reminder;
    * *promised*: a promise to pay of the customer was recorded within 14 days;
    * *no reaction*: none of these within 14 days, and no link followed nor
      invoice viewed online.

    A database view: every group in one pass over the sent reminders
    (``GROUPING SETS``), each reminder's invoices and promises joined once.
    The confidence intervals are columns of the view (``tools/outcomes.py``'s
    ``wilson_interval``, written in SQL): the ranking sorts on the lower bound
    of the share paid within 14 days, so a group is ranked by what it proves,
    not by its share alone (1 paid out of 1 after 80 out of 100).
    """

    _name = "ar.followup.outcome.report"
    _description = "Reminder Outcomes"
    _auto = False
    _order = "dimension, paid_14_low desc, sent_count desc, id"
    _rec_name = "name"

    company_id = fields.Many2one("res.company", readonly=True)
    dimension = fields.Selection(DIMENSIONS, "Compared By", readonly=True)
    name = fields.Char("Group", compute="_compute_name")
    template_id = fields.Many2one("ar.followup.template", "Template", readonly=True)
    tone_id = fields.Many2one("ar.followup.tone", "Tone", readonly=True)
    channel = fields.Selection(selection="_selection_channel", readonly=True)
    step_id = fields.Many2one("ar.followup.policy.step", "Step", readonly=True)
    ab_arm = fields.Selection(
        [("a", "A"), ("b", "B")],
        "A/B Arm",
        readonly=True,
        help="Steps with an A/B test: the arm the reminders went out in.",
    )
    hour = fields.Integer(
        "Sending Hour", readonly=True, aggregator=None, help="In the company's time zone."
    )
    sent_count = fields.Integer("Sent", readonly=True)
    paid_7_count = fields.Integer("Paid Within 7 Days", readonly=True)
    paid_14_count = fields.Integer("Paid Within 14 Days", readonly=True)
    replied_count = fields.Integer("Replied", readonly=True)
    promised_count = fields.Integer("Promised", readonly=True)
    no_reaction_count = fields.Integer("No Reaction", readonly=True)
    # rates are shares of a row's reminders: summed over rows they would mean nothing
    paid_7_rate = fields.Float("Paid Within 7 Days (%)", readonly=True, aggregator=None)
    paid_14_rate = fields.Float("Paid Within 14 Days (%)", readonly=True, aggregator=None)
    replied_rate = fields.Float("Replied (%)", readonly=True, aggregator=None)
    promised_rate = fields.Float("Promised (%)", readonly=True, aggregator=None)
    no_reaction_rate = fields.Float("No Reaction (%)", readonly=True, aggregator=None)
    # bounds of the 95% Wilson score interval of each rate (view columns: sortable)
    paid_7_low = fields.Float("Paid in 7 Days: From", readonly=True, aggregator=None)
    paid_7_high = fields.Float("Paid in 7 Days: To", readonly=True, aggregator=None)
    paid_14_low = fields.Float(
        "Paid in 14 Days: From",
        readonly=True,
        aggregator=None,
        help="The lower bound of the 95% confidence interval of the share paid within 14 "
        "days: the share the reminders have proved. The ranking sorts on it.",
    )
    paid_14_high = fields.Float("Paid in 14 Days: To", readonly=True, aggregator=None)
    replied_low = fields.Float("Replied: From", readonly=True, aggregator=None)
    replied_high = fields.Float("Replied: To", readonly=True, aggregator=None)
    promised_low = fields.Float("Promised: From", readonly=True, aggregator=None)
    promised_high = fields.Float("Promised: To", readonly=True, aggregator=None)
    no_reaction_low = fields.Float("No Reaction: From", readonly=True, aggregator=None)
    no_reaction_high = fields.Float("No Reaction: To", readonly=True, aggregator=None)

    @api.model
    def _selection_channel(self):
        return self.env["ar.followup.channel"]._ar_selection()

    def _compute_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for row in self:
            if row.dimension == "template":
                row.name = row.template_id.display_name or self.env._(
                    "The stage's template for the tone"
                )
            elif row.dimension == "tone":
                row.name = row.tone_id.display_name or self.env._("No tone")
            elif row.dimension == "channel":
                row.name = channels.get(row.channel, row.channel or "")
            elif row.dimension == "step":
                row.name = row.step_id.display_name or self.env._("Manual reminders")
                if row.ab_arm:
                    row.name = self.env._(
                        "%(step)s (arm %(arm)s)", step=row.name, arm=row.ab_arm.upper()
                    )
            else:
                row.name = "%02d:00" % row.hour

    @api.model
    def _wilson_sql(self, hits, sent):
        """``(low, high)``: SQL expressions of ``tools/outcomes.py``'s ``wilson_interval``
        over the count columns ``hits`` and ``sent`` (never zero in a group)."""
        p = SQL("(%s::float / %s)", SQL.identifier(hits), SQL.identifier(sent))
        n = SQL("%s::float", SQL.identifier(sent))
        z2 = Z_95 * Z_95
        centre = SQL("((%s + %s / (2 * %s)) / (1 + %s / %s))", p, z2, n, z2, n)
        margin = SQL(
            "(%s / (1 + %s / %s) * SQRT(%s * (1 - %s) / %s + %s / (4 * %s * %s)))",
            Z_95,
            z2,
            n,
            p,
            p,
            n,
            z2,
            n,
            n,
        )
        return (
            SQL("GREATEST(0.0, %s - %s)", centre, margin),
            SQL("LEAST(1.0, %s + %s)", centre, margin),
        )

    def _query(self):
        short, long = PAID_WITHIN
        rates = []
        for outcome in OUTCOMES:
            count = "%s_count" % outcome
            low, high = self._wilson_sql(count, "sent_count")
            rates += [
                SQL(
                    "%s::float / sent_count AS %s",
                    SQL.identifier(count),
                    SQL.identifier("%s_rate" % outcome),
                ),
                SQL("%s AS %s", low, SQL.identifier("%s_low" % outcome)),
                SQL("%s AS %s", high, SQL.identifier("%s_high" % outcome)),
            ]
        return SQL(
            """
            WITH sent AS (
                SELECT r.id, r.company_id, r.partner_id, r.channel, r.tone_id, r.step_id,
                       r.ab_arm, COALESCE(r.template_id, s.template_id) AS template_id,
                       (r.date_sent AT TIME ZONE 'UTC' AT TIME ZONE COALESCE(cp.tz, 'UTC'))::date
                           AS day_sent,
                       EXTRACT(HOUR FROM r.date_sent AT TIME ZONE 'UTC'
                                         AT TIME ZONE COALESCE(cp.tz, 'UTC'))::int AS hour,
                       r.date_replied IS NOT NULL AS replied,
                       (r.date_clicked IS NOT NULL OR r.date_viewed IS NOT NULL) AS looked
                  FROM ar_followup_reminder r
                  JOIN res_company c ON c.id = r.company_id
                  JOIN res_partner cp ON cp.id = c.partner_id
             LEFT JOIN ar_followup_policy_step s ON s.id = r.step_id
                 WHERE r.date_sent IS NOT NULL
            ),
            -- an invoice is paid on the date of the last reconciliation of its
            -- receivable lines, once nothing is left on them
            invoice AS (
                SELECT DISTINCT l.reminder_id, aml.move_id
                  FROM ar_followup_reminder_line l
                  JOIN sent ON sent.id = l.reminder_id
                  JOIN account_move_line aml ON aml.id = l.move_line_id
            ),
            paid AS (
                SELECT i.reminder_id,
                       BOOL_AND(term.reconciled) AS settled,
                       MAX(p.max_date) AS paid_on
                  FROM invoice i
                  JOIN account_move_line term
                    ON term.move_id = i.move_id AND term.display_type = 'payment_term'
             LEFT JOIN account_partial_reconcile p ON p.debit_move_id = term.id
                 GROUP BY i.reminder_id
            ),
            outcome AS (
                SELECT sent.*,
                       COALESCE(paid.settled AND paid.paid_on >= sent.day_sent
                                AND paid.paid_on <= sent.day_sent + %(short)s, FALSE) AS paid_7,
                       COALESCE(paid.settled AND paid.paid_on >= sent.day_sent
                                AND paid.paid_on <= sent.day_sent + %(long)s, FALSE) AS paid_14,
                       EXISTS (
                           SELECT 1
                             FROM ar_followup_promise pr
                             JOIN res_partner pp ON pp.id = pr.partner_id
                            WHERE pr.company_id = sent.company_id
                              AND pp.commercial_partner_id = sent.partner_id
                              AND pr.date >= sent.day_sent
                              AND pr.date <= sent.day_sent + %(long)s
                       ) AS promised
                  FROM sent
             LEFT JOIN paid ON paid.reminder_id = sent.id
            ),
            grouped AS (
                SELECT company_id,
                       CASE WHEN GROUPING(template_id) = 0 THEN 'template'
                            WHEN GROUPING(tone_id) = 0 THEN 'tone'
                            WHEN GROUPING(channel) = 0 THEN 'channel'
                            WHEN GROUPING(step_id) = 0 THEN 'step'
                            ELSE 'hour'
                       END AS dimension,
                       template_id, tone_id, channel, step_id, ab_arm, hour,
                       COUNT(*) AS sent_count,
                       COUNT(*) FILTER (WHERE paid_7) AS paid_7_count,
                       COUNT(*) FILTER (WHERE paid_14) AS paid_14_count,
                       COUNT(*) FILTER (WHERE replied) AS replied_count,
                       COUNT(*) FILTER (WHERE promised) AS promised_count,
                       COUNT(*) FILTER (
                           WHERE NOT (paid_14 OR replied OR promised OR looked)
                       ) AS no_reaction_count
                  FROM outcome
                 GROUP BY company_id, GROUPING SETS (
                       (template_id), (tone_id), (channel), (step_id, ab_arm), (hour)
                 )
            )
            SELECT ROW_NUMBER() OVER (
                       ORDER BY company_id, dimension, template_id, tone_id, channel, step_id,
                                ab_arm, hour
                   ) AS id,
                   grouped.*,
                   %(rates)s
              FROM grouped
            """,
            short=short,
            long=long,
            rates=SQL(", ").join(rates),
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
