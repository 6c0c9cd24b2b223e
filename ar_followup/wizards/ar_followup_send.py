# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_datetime

from ..models.ar_followup_reminder.states import SENT_STATES
from ..tools import cadence


class ArFollowupSend(models.TransientModel):
    """Send a payment reminder now, to one customer or to a selection.

    Opened from the customer form, a customer list selection or an invoice list
    selection: one line per customer with its open overdue invoices (or the
    invoices selected), the channel (the customer's preference), the tone and
    template, and a preview. *Send* records manual reminders and sends them at
    once through the usual checks (``ar.followup.reminder._ar_send_manual``),
    then shows what was sent and what was skipped, and why.
    """

    _name = "ar.followup.send"
    _description = "Send Reminder Now"

    line_ids = fields.One2many("ar.followup.send.line", "wizard_id", "Customers")
    state = fields.Selection([("draft", "To Send"), ("done", "Done")], default="draft")
    sent_count = fields.Integer(compute="_compute_counts")
    not_sent_count = fields.Integer(compute="_compute_counts")

    @api.depends("line_ids.result_state")
    def _compute_counts(self):
        for wizard in self:
            wizard.sent_count = len(
                wizard.line_ids.filtered(
                    lambda l: l.result_state in ("sent", "queued", "to_approve")
                )
            )
            wizard.not_sent_count = len(
                wizard.line_ids.filtered(
                    lambda l: l.result_state not in (False, "sent", "queued", "to_approve")
                )
            )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "line_ids" in fields_list and not values.get("line_ids"):
            values["line_ids"] = [
                Command.create(vals) for vals in self._ar_prepare_line_vals_from_context()
            ]
        return values

    @api.model
    def _ar_get_open_moves_domain(self):
        """Customer invoices with something left to pay (any company the user works in)."""
        return [
            ("move_type", "in", ("out_invoice", "out_receipt")),
            ("state", "=", "posted"),
            ("amount_residual", ">", 0),
        ]

    @api.model
    def _ar_prepare_line_vals_from_context(self):
        """Lines for the selection in the context: customers (their overdue invoices in the
        current company) or invoices (grouped by customer and company)."""
        context = self.env.context
        model = context.get("active_model")
        ids = context.get("active_ids") or (
            [context["active_id"]] if context.get("active_id") else []
        )
        Move = self.env["account.move"]
        if model == "res.partner":
            partners = self.env["res.partner"].browse(ids).commercial_partner_id
            company = self.env.company
            moves = Move.search(
                [
                    *self._ar_get_open_moves_domain(),
                    ("commercial_partner_id", "in", partners.ids),
                    ("company_id", "=", company.id),
                    ("invoice_date_due", "<", company._ar_today()),
                ]
            )
            groups = {
                (p, company): moves.filtered(lambda m, p=p: m.commercial_partner_id == p)
                for p in partners
            }
        elif model == "account.move":
            moves = Move.browse(ids).filtered_domain(self._ar_get_open_moves_domain())
            if not moves:
                raise UserError(
                    self.env._("None of the selected invoices has anything left to pay.")
                )
            groups = moves.grouped(lambda m: (m.commercial_partner_id, m.company_id))
        else:
            return []
        return [
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "move_ids": [Command.set(group.ids)],
            }
            for (partner, company), group in groups.items()
        ]

    def _ar_reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send reminder now"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_send(self):
        """Send the reminders; the wizard then shows each customer's outcome."""
        self.ensure_one()
        if self.state == "done":
            return self._ar_reopen()
        Reminder = self.env["ar.followup.reminder"]
        todo = []
        for line in self.line_ids:
            if not line.move_ids:
                line.write(
                    {
                        "result_state": "nothing",
                        "result": self.env._("Not sent: no open invoice to remind of."),
                    }
                )
                continue
            try:
                todo.append((line, line._ar_prepare_reminder_vals(fields.Datetime.now())))
            except UserError as error:  # paid meanwhile: nothing to claim
                line.write(
                    {
                        "result_state": "nothing",
                        "result": self.env._("Not sent: %s", error.args[0]),
                    }
                )
        results = Reminder._ar_send_manual([vals for _line, vals in todo])
        for (line, _vals), (reminder, again) in zip(todo, results, strict=True):
            line.write({"reminder_id": reminder.id, **line._ar_describe(reminder, again)})
        self.state = "done"
        return self._ar_reopen()

    def action_open_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ar_followup.ar_followup_reminder_action"
        )
        action["domain"] = [("id", "in", self.line_ids.reminder_id.ids)]
        action["context"] = {}
        return action


class ArFollowupSendLine(models.TransientModel):
    """One customer of a *Send Reminder Now*: what would go out, then what happened."""

    _name = "ar.followup.send.line"
    _description = "Send Reminder Now: Customer"

    wizard_id = fields.Many2one("ar.followup.send", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", "Customer", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        domain="[('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id), "
        "('move_type', 'in', ('out_invoice', 'out_receipt')), ('state', '=', 'posted'), "
        "('amount_residual', '>', 0)]",
    )
    channel = fields.Selection(
        selection=lambda self: self.env["ar.followup.reminder"]._selection_channel(),
        compute="_compute_channel",
        store=True,
        readonly=False,
    )
    tone_id = fields.Many2one(
        "ar.followup.tone", "Tone", compute="_compute_tone_id", store=True, readonly=False
    )
    template_id = fields.Many2one(
        "ar.followup.template",
        "Template",
        compute="_compute_template_id",
        store=True,
        readonly=False,
        domain="[('channel', '=', channel), ('company_id', 'in', (False, company_id))]",
        help="Chosen from the stage of the invoices, the channel and the tone; change it freely.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_residual = fields.Monetary("Amount Due", compute="_compute_amount_residual")
    preview_subject = fields.Char("Subject", compute="_compute_preview")
    preview_body = fields.Html("Preview", compute="_compute_preview", sanitize=False)
    preview_error = fields.Char("Preview Problem", compute="_compute_preview")
    send_note = fields.Char(
        "Before Sending",
        compute="_compute_send_note",
        help="What the policy says about sending this reminder now: approval, sending "
        "window, minimum interval since the last reminder.",
    )
    reminder_id = fields.Many2one("ar.followup.reminder", "Reminder", readonly=True)
    result_state = fields.Selection(
        [
            ("sent", "Sent"),
            ("queued", "Queued"),
            ("to_approve", "Awaiting Approval"),
            ("not_sent", "Not Sent"),
            ("again", "Already Sent"),
            ("nothing", "Nothing to Send"),
        ],
        "Outcome",
        readonly=True,
    )
    result = fields.Char("Details", readonly=True)

    @api.constrains("partner_id", "company_id", "move_ids")
    def _check_move_ids(self):
        """Only the customer's own invoices in the line's company (the server decides,
        whatever the client sent)."""
        for line in self:
            commercial = line.partner_id.commercial_partner_id
            foreign = line.move_ids.sudo().filtered(
                lambda move, line=line, commercial=commercial: (
                    move.commercial_partner_id != commercial or move.company_id != line.company_id
                )
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "%(invoices)s cannot be reminded of to %(customer)s: they are not "
                        "its invoices in %(company)s.",
                        invoices=", ".join(foreign.mapped("display_name")),
                        customer=commercial.display_name,
                        company=line.company_id.display_name,
                    )
                )

    @api.depends("partner_id")
    def _compute_channel(self):
        for line in self:
            line.channel = line.partner_id.commercial_partner_id.ar_channel or "email"

    @api.depends("partner_id", "company_id")
    def _compute_tone_id(self):
        for line in self:
            line.tone_id = (
                line.partner_id
                and line.partner_id.commercial_partner_id._ar_get_effective_tone(line.company_id)
            )

    @api.depends("channel", "tone_id", "move_ids")
    def _compute_template_id(self):
        for line in self:
            try:
                line.template_id = (
                    line.partner_id and line._ar_new_reminder(template=False)._ar_get_template()
                )
            except UserError:  # nothing to claim: the preview says why
                line.template_id = False

    @api.depends("move_ids")
    def _compute_amount_residual(self):
        """What the reminder will claim: the invoices' residual less the held ones
        (disputed, promised), as :meth:`_ar_prepare_reminder_vals` leaves them out."""
        for line in self:
            line.amount_residual = 0.0
            if not line.partner_id or not line.move_ids:
                continue
            try:
                vals = line._ar_prepare_reminder_vals(fields.Datetime.now(), template=False)
            except UserError:  # nothing left to pay
                continue
            line.amount_residual = vals["amount_residual"]

    @api.depends("channel", "tone_id", "template_id", "move_ids")
    def _compute_preview(self):
        for line in self:
            line.preview_subject = line.preview_body = line.preview_error = False
            if not line.partner_id or not line.move_ids:
                continue
            try:
                reminder = line._ar_new_reminder()
                content = reminder._ar_get_content()
            except (UserError, ValidationError) as error:
                line.preview_error = error.args[0]
                continue
            line.preview_subject = content["subject"]
            line.preview_body = reminder._ar_preview_html(content["body"])

    @api.depends("partner_id", "company_id", "channel", "move_ids")
    def _compute_send_note(self):
        now = fields.Datetime.now()
        Reminder = self.env["ar.followup.reminder"]
        for line in self:
            line.send_note = False
            if not line.partner_id or not line.move_ids:
                continue
            try:
                reminder = line._ar_new_reminder(template=False)
            except (UserError, ValidationError):  # nothing to claim: the preview says why
                continue
            policy = reminder.policy_id
            notes = []
            if Reminder._ar_manual_needs_approval(policy):
                notes.append(
                    self.env._("Policy %s needs approval: it waits in To Approve.", policy.name)
                )
            tz = line.partner_id.tz or line.company_id._ar_tz()
            opening = cadence.window_opening(now, tz, *reminder._ar_get_sending_window())
            if opening > now:
                notes.append(
                    self.env._(
                        "Outside the sending window: it goes out at %s.",
                        format_datetime(self.env, opening, tz=tz, dt_format="short"),
                    )
                )
            last = Reminder.sudo().search(
                [
                    ("company_id", "=", line.company_id.id),
                    ("partner_id", "=", line.partner_id.commercial_partner_id.id),
                    ("state", "in", SENT_STATES),
                ],
                order="date_sent desc",
                limit=1,
            )
            if last.date_sent and policy.min_interval_days:
                days = (now - last.date_sent).days
                if days < policy.min_interval_days:
                    notes.append(
                        self.env._(
                            "The last reminder went %(days)s days ago; the policy waits "
                            "%(interval)s days between reminders.",
                            days=days,
                            interval=policy.min_interval_days,
                        )
                    )
            line.send_note = " ".join(notes) or False

    def _ar_prepare_reminder_vals(self, now, template=None):
        self.ensure_one()
        return self.env["ar.followup.reminder"]._ar_prepare_manual_vals(
            self.partner_id.commercial_partner_id,
            self.move_ids._origin.with_company(self.company_id),
            self.channel,
            self.template_id
            if template is None
            else (template or self.env["ar.followup.template"]),
            self.tone_id,
            now,
        )

    def _ar_new_reminder(self, template=None):
        """The reminder this line would send, in memory: the same rendering as the real one."""
        vals = self._ar_prepare_reminder_vals(fields.Datetime.now(), template=template)
        return self.env["ar.followup.reminder"].new(vals)

    def _ar_describe(self, reminder, again):
        """``{"result_state", "result"}`` telling the user what became of ``reminder``."""
        self.ensure_one()
        Reminder = self.env["ar.followup.reminder"]
        states = dict(Reminder._fields["state"]._description_selection(self.env))
        reasons = dict(Reminder._fields["reason"]._description_selection(self.env))
        if again and not reminder:
            # recorded by a request still invisible to this transaction
            return {
                "result_state": "again",
                "result": self.env._("Not sent again: the same reminder was just requested."),
            }
        if again:
            return {
                "result_state": "again",
                "result": self.env._(
                    "Not sent again: the same reminder was just requested (%s).",
                    states[reminder.state],
                ),
            }
        if reminder.state == "sent":
            return {
                "result_state": "sent",
                "result": self.env._(
                    "Sent to %(recipient)s: %(amount)s",
                    recipient=reminder.recipient or reminder.partner_id.display_name,
                    amount=format_amount(self.env, reminder.amount_residual, reminder.currency_id),
                ),
            }
        if reminder.state == "to_approve":
            return {
                "result_state": "to_approve",
                "result": self.env._(
                    "Waits for approval (policy %(policy)s): %(amount)s",
                    policy=reminder.policy_id.name,
                    amount=format_amount(self.env, reminder.amount_residual, reminder.currency_id),
                ),
            }
        if reminder.state == "queued" and reminder.date_scheduled > fields.Datetime.now():
            tz = reminder.partner_id.tz or reminder.company_id._ar_tz()
            return {
                "result_state": "queued",
                "result": self.env._(
                    "Waits for the sending window, goes out at %(when)s: %(amount)s",
                    when=format_datetime(
                        self.env, reminder.date_scheduled, tz=tz, dt_format="short"
                    ),
                    amount=format_amount(self.env, reminder.amount_residual, reminder.currency_id),
                ),
            }
        if reminder.state == "queued":
            return {
                "result_state": "queued",
                "result": self.env._(
                    "Goes out in a moment by %(channel)s: %(amount)s",
                    channel=dict(Reminder._fields["channel"]._description_selection(self.env)).get(
                        reminder.channel, reminder.channel
                    ),
                    amount=format_amount(self.env, reminder.amount_residual, reminder.currency_id),
                ),
            }
        why = reasons.get(reminder.reason) or ""
        details = reminder.reason_text or reminder.error or ""
        return {
            "result_state": "not_sent",
            "result": self.env._(
                "%(state)s: %(reason)s",
                state=states[reminder.state],
                reason=" – ".join(filter(None, [why, details])),
            ),
        }
