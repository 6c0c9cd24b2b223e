# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .ar_followup_reminder import OPEN_STATES


class ArFollowupReminder(models.Model):
    """The approval queue: preview, edit, approve and cancel reminders before they go out.

    What goes out is what :meth:`_ar_get_content` returns; a text a person
    edited is stored on the reminder (``text_edited``) and returned instead of
    rendering the template again. Approvals, edits and cancellations are noted
    on the customer's chatter, the AR team's record of what was done and by
    whom (the reminder itself is no ``mail.thread``: the planner inserts
    reminders by the thousand with raw SQL).
    """

    _inherit = "ar.followup.reminder"

    text_edited = fields.Boolean(
        "Text Edited",
        readonly=True,
        help="A person edited the text: it goes out as written, not rendered again.",
    )
    edited_by_id = fields.Many2one("res.users", "Edited By", readonly=True)
    date_edited = fields.Datetime("Edited On", readonly=True)
    preview_subject = fields.Char("Subject Preview", compute="_compute_preview")
    preview_body = fields.Html("Preview", compute="_compute_preview", sanitize=False)
    preview_error = fields.Char("Preview Problem", compute="_compute_preview")

    @api.depends_context("lang")
    @api.depends("state", "subject", "body", "text_edited", "channel", "tone_id", "move_ids")
    def _compute_preview(self):
        """What would go out now: the edited text, else the template rendered today.

        A template that cannot be rendered is shown as a problem, not raised, so the
        queue stays usable. Reminders no longer waiting show what was sent.
        """
        for reminder in self:
            reminder.preview_subject = reminder.preview_body = reminder.preview_error = False
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
            reminder.preview_body = content["body"]

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
