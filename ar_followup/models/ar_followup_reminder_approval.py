# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import logging
from datetime import timedelta

import psycopg2
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date, html_sanitize, plaintext2html

from .ar_followup_reminder import OPEN_STATES

_logger = logging.getLogger(__name__)


class ArFollowupReminder(models.Model):
    """The approval queue and "Send reminder now".

    **Approval queue.** What goes out is what :meth:`_ar_get_content` returns;
    a text a person edited is stored on the reminder (``text_edited``) and
    returned instead of rendering the template again. Approvals, edits and
    cancellations are noted on the customer's chatter, the AR team's record of
    what was done and by whom (the reminder itself is no ``mail.thread``: the
    planner inserts reminders by the thousand with raw SQL).

    **Manual reminders** ("Send reminder now") have no step (``manual`` set
    instead), name their template, and go out through the same checks and
    channel hooks as planned ones (:meth:`_ar_check_before_send`,
    :meth:`_ar_dispatch_one`) at once, in the user's transaction: holds,
    do-not-contact and reachability still apply, the sending window does not
    (the user asked for now). One counts as contact for the policy's minimum
    interval; it claims no step, so the cadence's steps still fire. Its cycle
    key is ``manual:<minute>:<digest of channel and invoices>``: a second click
    within the same minute on the same invoices finds the first reminder (a
    partial unique index is the last guard against two requests at once) and
    sends nothing.
    """

    _inherit = "ar.followup.reminder"  # pylint: disable=consider-merging-classes-inherited

    text_edited = fields.Boolean(
        "Text Edited",
        readonly=True,
        help="A person edited the text: it goes out as written, not rendered again.",
    )
    edited_by_id = fields.Many2one("res.users", "Edited By", readonly=True)
    date_edited = fields.Datetime("Edited On", readonly=True)
    preview_subject = fields.Char("Subject Preview", compute="_compute_preview")
    preview_body = fields.Html("Preview", compute="_compute_preview", sanitize=False)
    preview_text = fields.Text("Text Preview", compute="_compute_preview")
    preview_error = fields.Char("Preview Problem", compute="_compute_preview")
    # manual reminders
    step_id = fields.Many2one(required=False)
    manual = fields.Boolean(
        readonly=True, help="Sent on an AR user's request, outside the cadence (no step)."
    )
    template_id = fields.Many2one(
        "ar.followup.template",
        "Template",
        readonly=True,
        ondelete="set null",
        help="The template chosen for a manual reminder (else the step's, or the stage's).",
    )

    _step_or_manual = models.Constraint(
        "CHECK(step_id IS NOT NULL OR manual)", "A reminder follows a step unless sent manually."
    )
    manual_key = fields.Char(
        readonly=True,
        copy=False,
        help="Manual reminders: the request's key on the clock shifted by half a minute. "
        "With the cycle key (the request's minute), two requests for the same invoices "
        "less than 30 seconds apart are one reminder, whichever side of a minute they fall.",
    )
    # the cycle index does not see step-less rows (NULL never equals NULL)
    _manual_unique = models.UniqueIndex(
        "(company_id, partner_id, cycle_key) WHERE step_id IS NULL AND state != 'skipped'",
        "This reminder was already sent.",
    )
    _manual_shifted_unique = models.UniqueIndex(
        "(company_id, partner_id, manual_key) WHERE step_id IS NULL AND state != 'skipped'",
        "This reminder was already sent.",
    )

    @api.depends_context("lang")
    @api.depends("state", "subject", "body", "text_edited", "channel", "tone_id", "move_ids")
    def _compute_preview(self):
        """What would go out now: the edited text, else the template rendered today.

        A template that cannot be rendered is shown as a problem, not raised, so the
        queue stays usable. Reminders no longer waiting show what was sent.
        """
        for reminder in self:
            reminder.preview_subject = reminder.preview_error = False
            reminder.preview_body = reminder.preview_text = False
            if reminder.state not in OPEN_STATES:
                reminder.preview_subject = reminder.subject
                reminder.preview_body = reminder.body
                continue
            try:
                content = reminder._ar_get_content()
            except (UserError, ValidationError) as error:
                reminder.preview_error = error.args[0]
                continue
            reminder.preview_subject = content["subject"]
            reminder.preview_text = content["body"]
            reminder.preview_body = reminder._ar_preview_html(content["body"])

    def _ar_preview_html(self, body):
        """``body`` made safe to show in the browser: an SMS text is escaped (its values come
        from customers and invoices, unescaped), an e-mail sanitised as its message will be."""
        self.ensure_one()
        if self.channel == "email":
            return html_sanitize(body, sanitize_style=True)
        return plaintext2html(body or "")

    @api.depends("manual")
    def _compute_display_name(self):
        res = super()._compute_display_name()
        for reminder in self.filtered(lambda r: not r.step_id):
            reminder.display_name = self.env._(
                "%(customer)s: manual reminder (%(date)s)",
                customer=reminder.partner_id.display_name,
                date=format_date(self.env, reminder.date),
            )
        return res

    # -- actions -------------------------------------------------------------------

    def action_approve(self):
        waiting = self.filtered(lambda r: r.state == "to_approve")
        res = super().action_approve()
        approved = waiting.filtered(lambda r: r.state != "to_approve")
        approved._ar_log_note(lambda r: self.env._("Payment reminder approved: %s", r.display_name))
        return res

    def action_cancel(self):
        """Cancel; a reason given in the context (``ar_cancel_reason``) is recorded."""
        reason = self.env.context.get("ar_cancel_reason")
        waiting = self.filtered(lambda r: r.state in OPEN_STATES)
        res = super().action_cancel()
        cancelled = waiting.filtered(lambda r: r.state == "cancelled").sudo()
        if reason:
            cancelled.write(
                {
                    "reason_text": self.env._(
                        "Cancelled by %(user)s: %(reason)s",
                        user=self.env.user.name,
                        reason=reason,
                    )
                }
            )
        cancelled._ar_log_note(
            lambda r: self.env._(
                "Payment reminder cancelled: %(reminder)s (%(reason)s)",
                reminder=r.display_name,
                reason=r.reason_text,
            )
        )
        return res

    def action_ar_edit(self):
        """Open the preview of this reminder, its text editable while it waits."""
        self.ensure_one()
        self._ar_check_user()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preview / Edit Reminder"),
            "res_model": "ar.followup.reminder.edit",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_reminder_id": self.id},
        }

    def action_ar_cancel_with_reason(self):
        """Ask why before cancelling these reminders."""
        self._ar_check_user()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Reminders"),
            "res_model": "ar.followup.reminder.cancel",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_reminder_ids": self.ids},
        }

    # -- business methods ----------------------------------------------------------------

    def _ar_set_text(self, subject, body):
        """Store the text a person wrote for this waiting reminder: it goes out as is."""
        self.ensure_one()
        reminder = self._ar_check_user()
        if reminder.state not in OPEN_STATES:
            raise UserError(
                self.env._(
                    "%s has left the queue: its text can no longer change.", self.display_name
                )
            )
        reminder.write(
            {
                "subject": subject,
                "body": body,
                "text_edited": True,
                "edited_by_id": self.env.uid,
                "date_edited": fields.Datetime.now(),
            }
        )
        reminder._ar_log_note(
            lambda r: self.env._("Payment reminder text edited: %s", r.display_name)
        )

    def _ar_get_content(self):
        if self.text_edited:
            return {"subject": self.subject or "", "body": self.body or ""}
        return super()._ar_get_content()

    def _ar_log_note(self, text):
        """Note ``text(reminder)`` on each reminder's customer, as the current user."""
        for reminder in self:
            partner = reminder.partner_id._ar_sudo_for_followup()
            partner.message_post(
                body=Markup("<p>%s</p>") % text(reminder), subtype_xmlid="mail.mt_note"
            )

    # -- manual reminders ----------------------------------------------------------------

    def _ar_get_sending_window(self):
        """An explicit manual send is not held back by the policy's sending hours."""
        if self.manual:
            return (0.0, 24.0)
        return super()._ar_get_sending_window()

    def _ar_get_template(self):
        if self.template_id and self.template_id.channel == self.channel:
            return self.template_id
        return super()._ar_get_template()

    @api.model
    def _ar_manual_keys(self, channel, moves, now):
        """``(cycle key, manual key)`` of a request at ``now`` to send ``moves`` by ``channel``.

        The request's minute, and its minute on a clock half a minute behind. Two
        requests less than 30 seconds apart fall in the same minute on at least one of
        the two clocks (at most one of them turns between the two), so one of the two
        unique indexes refuses the second, even when both run at once.
        """
        digest = hashlib.sha1(
            ("%s;%s" % (channel, ",".join(str(i) for i in sorted(moves.ids)))).encode()
        ).hexdigest()[:12]
        shifted = now - timedelta(seconds=30)
        return (
            "manual:%s:%s" % (now.strftime("%Y-%m-%dT%H:%M"), digest),
            "manual:%s+30s:%s" % (shifted.strftime("%Y-%m-%dT%H:%M"), digest),
        )

    @api.model
    def _ar_prepare_manual_vals(self, partner, moves, channel, template, tone, now):
        """Values of a manual reminder to ``partner`` about ``moves`` (its open invoices)."""
        company = moves.company_id[:1] or self.env.company
        today = company._ar_today()
        lines = moves.line_ids.filtered(
            lambda line: (
                line.account_type == "asset_receivable"
                and not line.reconciled
                and line.amount_residual > 0
            )
        )
        stage = template.stage
        if not stage:
            due = min((line.date_maturity or line.date for line in lines), default=today)
            stage = "overdue" if due < today else ("due" if due == today else "before_due")
        cycle_key, manual_key = self._ar_manual_keys(channel, moves, now)
        return {
            "company_id": company.id,
            "partner_id": partner.id,
            "policy_id": partner._ar_get_policies(company)[partner.id].id,
            "manual": True,
            "cycle_key": cycle_key,
            "manual_key": manual_key,
            "date": today,
            "date_scheduled": now,
            "channel": channel,
            "stage": stage,
            "template_id": template.id,
            "tone_id": tone.id,
            "amount_residual": sum(lines.mapped("amount_residual")),
            "line_ids": [
                Command.create(
                    {
                        "move_line_id": line.id,
                        "trigger_date": today,
                        "date_maturity": line.date_maturity,
                        "amount_residual": line.amount_residual,
                    }
                )
                for line in lines
            ],
            "state": "sending",
            "date_sending": now,
        }

    @api.model
    def _ar_send_manual(self, vals_list):
        """Record and send manual reminders now; returns ``[(reminder, already sent)]``.

        ``vals_list`` as :meth:`_ar_prepare_manual_vals` builds them. A reminder whose
        key is already recorded (a double submit) is returned with ``True`` and not
        sent again; when a concurrent request recorded it and has not committed (or
        committed after this transaction's snapshot), the unique index refuses the
        second row and the reminder comes back empty, with ``True``. The others are
        checked and sent as the dispatcher does, one by one; each ends sent, skipped
        (with its reason), cancelled or failed.
        """
        Reminder = self._ar_check_user()
        now = fields.Datetime.now()
        results, created = [], Reminder.browse()
        for vals in vals_list:
            existing = Reminder._ar_find_manual(vals)
            if not existing:
                try:
                    with self.env.cr.savepoint():
                        reminder = Reminder.create(vals)
                except psycopg2.errors.UniqueViolation:
                    # another request recorded the same reminder meanwhile
                    existing = Reminder._ar_find_manual(vals)
                else:
                    created |= reminder
                    results.append((reminder, False))
                    continue
            results.append((existing, True))
        problems = created._ar_check_before_send(now)
        queued = Reminder.browse()
        for reminder in created:
            problem = problems.get(reminder.id)
            if reminder._ar_commit_each() and (not problem or problem[0] == "exclude"):
                # An outside service (SMS...) is called only by the dispatcher, which
                # commits before and right after the call: sent from this request, a
                # failure at its commit (or Odoo replaying the request after a
                # serialization error) would send the message again or lose its record.
                queued |= reminder
                continue
            reminder._ar_dispatch_one(problem, now)
        if queued:
            queued.write({"state": "queued", "date_sending": False})
            self.env.ref("ar_followup.ir_cron_ar_dispatch_reminders").sudo()._trigger()
        _logger.info(
            "AR manual send by user %s: %d reminders, %d sent, %d already sent",
            self.env.uid,
            len(results),
            len(created.filtered(lambda r: r.state == "sent")),
            len([1 for _r, again in results if again]),
        )
        return results

    @api.model
    def _ar_find_manual(self, vals):
        return self.search(
            [
                ("company_id", "=", vals["company_id"]),
                ("partner_id", "=", vals["partner_id"]),
                ("step_id", "=", False),
                "|",
                ("cycle_key", "=", vals["cycle_key"]),
                ("manual_key", "=", vals["manual_key"]),
                ("state", "!=", "skipped"),
            ],
            limit=1,
        )


class ArFollowupReminderLine(models.Model):
    _inherit = "ar.followup.reminder.line"

    # a manual reminder's items follow no step
    step_id = fields.Many2one(required=False)
