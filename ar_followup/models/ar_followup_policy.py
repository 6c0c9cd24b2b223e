# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import cadence


class ArFollowupPolicy(models.Model):
    """A cadence: how and when a group of customers is reminded.

    Segments carry a default policy; a customer may override it
    (``res.partner.ar_policy_id``); the company names one for customers without
    either (``res.company.ar_policy_id``). :meth:`res.partner._ar_get_policies` says
    which policy applies to whom.

    The steps (``ar.followup.policy.step``) say when reminders go out; the
    planner (``ar.followup.reminder._ar_plan``) reads them as plain data
    (:meth:`_ar_to_plain`) for ``tools/cadence.py``. Reminders leave only within the
    sending window, in the customer's time zone (else the company's).
    """

    _name = "ar.followup.policy"
    _description = "Follow-up Cadence Policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the policy between companies."
    )
    description = fields.Text(translate=True)
    need_approval = fields.Boolean(
        "Approval First",
        help="Reminders of this policy wait for an AR user's approval before they go out.",
    )
    min_interval_days = fields.Integer(
        "Minimum Days Between Reminders",
        default=3,
        help="Never two reminders to the same customer closer than this.",
    )
    segment_ids = fields.One2many("ar.followup.segment", "policy_id", "Segments")
    # cadence
    step_ids = fields.One2many("ar.followup.policy.step", "policy_id", "Steps", copy=True)
    window_start = fields.Float(
        "Send From",
        default=8.0,
        help="Reminders leave from this hour, in the customer's time zone (else the company's).",
    )
    window_end = fields.Float(
        "Send Until",
        default=19.0,
        help="No reminder leaves from this hour on; what is left waits for the next day.",
    )
    pay_day_planning = fields.Boolean(
        "Remind Before Usual Pay Day",
        help="Overdue reminders of a customer whose usual payment day is known wait for the "
        "days just before it, instead of going out on the steps' own days. Heads-ups and "
        "due-date notices keep their day.",
    )
    pay_day_lead_days = fields.Integer(
        "Days Before Pay Day",
        default=3,
        help="How many days before the customer's usual payment day the reminder goes out.",
    )

    _min_interval_positive = models.Constraint(
        "CHECK(min_interval_days >= 0)", "The minimum interval cannot be negative."
    )
    _window_valid = models.Constraint(
        "CHECK(window_start >= 0 AND window_start < window_end AND window_end <= 24)",
        "The sending window starts before it ends, within the day.",
    )
    # within 27 days, a pay day's reminder falls in its own month or the one before
    _pay_day_lead_range = models.Constraint(
        "CHECK(pay_day_lead_days >= 0 AND pay_day_lead_days <= 27)",
        "A reminder goes out from 0 to 27 days before the usual payment day.",
    )

    def _ar_to_plain(self):
        """``{policy id: cadence.Policy}`` for the planner."""
        return {
            policy.id: cadence.Policy(
                policy.id,
                min_interval_days=policy.min_interval_days,
                need_approval=policy.need_approval,
                steps=tuple(step._ar_to_plain() for step in policy.step_ids),
                pay_day_lead=policy.pay_day_lead_days if policy.pay_day_planning else None,
            )
            for policy in self
        }


class ArFollowupPolicyStep(models.Model):
    """A step of a cadence: when a reminder goes out, by which channel, in which words.

    It fires a number of days from the due date (negative: before it), or when an
    invoice enters an ageing bucket; it may repeat every few days while the
    invoice stays unpaid, or fire on days of the month (the 5th and the 20th).
    Which step an invoice has reached is worked out in ``tools/cadence.py``.
    """

    _name = "ar.followup.policy.step"
    _description = "Cadence Step"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one(
        "ar.followup.policy", "Policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    sequence = fields.Integer(
        default=10,
        help="Firmness order: when invoices of a customer reach several steps on "
        "the same day, the reminder is written at the last one.",
    )
    name = fields.Char(required=True, translate=True)
    trigger = fields.Selection(
        [("offset", "Days from the due date"), ("bucket", "Entering an ageing bucket")],
        required=True,
        default="offset",
    )
    offset_days = fields.Integer(
        "Days From Due Date",
        help="Negative: before the due date (a heads-up); 0: on the due date; positive: after it.",
    )
    bucket_days = fields.Integer(
        "Bucket Containing Day",
        default=61,
        help="Fires when an invoice enters the ageing bucket that contains this day past due "
        "(61: the 61–90 bucket with the default buckets). A day rather than a bucket, so a "
        "policy shared by companies follows each company's buckets.",
    )
    bucket_label = fields.Char("Bucket", compute="_compute_bucket_label")
    repeat_every_days = fields.Integer(
        "Repeat Every (days)", help="Fire again every so many days while the invoice is unpaid."
    )
    days_of_month = fields.Char(
        "On Days of the Month",
        help="Comma-separated days, e.g. 5,20: from its start the step fires on those days of "
        "each month while the invoice is unpaid (31 is the last day of shorter months).",
    )
    stage = fields.Selection(
        selection=lambda self: self.env["ar.followup.template"]._fields["stage"].selection,
        required=True,
        default="overdue",
        help="Which template the reminder is written with (with the channel and the tone).",
    )
    channel = fields.Selection(
        selection="_selection_channel",
        required=True,
        default="email",
        help="Preferred channel; the customer's own preference comes first when it is one of "
        "the step's channels.",
    )
    fallback_channel = fields.Selection(
        selection="_selection_channel",
        help="Used when the customer cannot be reached by the first channel.",
    )
    template_id = fields.Many2one(
        "ar.followup.template",
        "Template",
        domain="[('stage', '=', stage), ('channel', '=', channel)]",
        help="Leave empty to use the template of the stage and channel matching the tone.",
    )
    template_b_id = fields.Many2one(
        "ar.followup.template",
        "A/B Test Template",
        domain="[('stage', '=', stage), ('channel', '=', channel)]",
        help="Test a second template: half of the customers, drawn at random once per "
        "customer, get this one, the others the template above. Each reminder records its "
        "arm, and the outcome ranking compares them.",
    )
    tone_id = fields.Many2one(
        "ar.followup.tone",
        "Tone Override",
        ondelete="restrict",
        help="Write this step in this tone whatever the customer's tone.",
    )
    need_approval = fields.Boolean(
        "Approval First", help="Reminders of this step wait for an AR user's approval."
    )
    escalate_amount = fields.Float(
        "Escalate Above",
        help="Escalate to the AR owner when the reminder claims more than this amount "
        "(company currency; 0: never).",
    )
    escalate_days = fields.Integer(
        "Escalate From Bucket of Day",
        help="Escalate to the AR owner when an invoice reminded is in the bucket containing this "
        "day past due, or an older one (0: never).",
    )

    _repeat_positive = models.Constraint(
        "CHECK(repeat_every_days >= 0)", "A step cannot repeat every negative number of days."
    )

    @api.model
    def _selection_channel(self):
        return self.env["ar.followup.channel"]._ar_selection()

    @api.depends("trigger", "bucket_days")
    @api.depends_context("company")
    def _compute_bucket_label(self):
        ranges = self.env.company._ar_bucket_ranges()
        buckets = self.env["ar.followup.bucket"].sudo().browse([r.bucket_id for r in ranges])
        names = {bucket.id: bucket.name for bucket in buckets}
        for step in self:
            bucket = (
                cadence.find_bucket(ranges, step.bucket_days) if step.trigger == "bucket" else None
            )
            step.bucket_label = names.get(bucket, False)

    @api.constrains("days_of_month")
    def _check_days_of_month(self):
        for step in self:
            try:
                cadence.parse_days_of_month(step.days_of_month)
            except ValueError:
                raise ValidationError(
                    self.env._(
                        "Step %(step)s: days of the month are numbers from 1 to 31 separated by "
                        "commas, not %(days)s.",
                        step=step.name,
                        days=step.days_of_month,
                    )
                ) from None

    @api.constrains("trigger", "bucket_days")
    def _check_bucket_days(self):
        for step in self:
            if step.trigger == "bucket" and step.bucket_days < 1:
                raise ValidationError(
                    self.env._(
                        "Step %s: the bucket is given by a day past due, 1 or more.", step.name
                    )
                )

    @api.constrains("template_b_id", "template_id", "channel")
    def _check_template_b(self):
        for step in self.filtered("template_b_id"):
            if step.template_b_id.channel != step.channel:
                raise ValidationError(
                    self.env._(
                        "Step %(step)s: the A/B test template %(template)s is not written for "
                        "the step's channel.",
                        step=step.name,
                        template=step.template_b_id.display_name,
                    )
                )
            if step.template_b_id == step.template_id:
                raise ValidationError(
                    self.env._(
                        "Step %s: an A/B test needs a second template, not the same one twice.",
                        step.name,
                    )
                )

    def _ar_channels(self):
        """The step's channels in preference order."""
        self.ensure_one()
        return tuple(dict.fromkeys(c for c in (self.channel, self.fallback_channel) if c))

    def _ar_to_plain(self):
        self.ensure_one()
        return cadence.Step(
            self.id,
            sequence=self.sequence,
            trigger=self.trigger,
            offset_days=self.offset_days,
            bucket_days=self.bucket_days,
            repeat_every_days=self.repeat_every_days,
            days_of_month=cadence.parse_days_of_month(self.days_of_month),
            channels=self._ar_channels(),
            escalate_amount=self.escalate_amount,
            escalate_days=self.escalate_days,
            need_approval=self.need_approval,
        )
