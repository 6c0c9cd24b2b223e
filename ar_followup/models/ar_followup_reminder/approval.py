# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields
from odoo.exceptions import UserError

from .states import OPEN_STATES


class ReminderApproval:
    """The approval queue: what goes out is what goes out is what :meth:`_ar_get_content` returns;
    a text a person edited is stored on the reminder (``text_edited``) and
    returned instead of rendering the template again. Approvals, edits and
    cancellations are noted on the customer's chatter, the AR team's record of
    what was done and by whom (the reminder itself is no ``mail.thread``: the
    planner inserts reminders by the thousand with raw SQL).
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    # -- actions -------------------------------------------------------------------

    def action_approve(self):
        reminders = self._ar_check_user().filtered(lambda r: r.state == "to_approve")
        reminders.write(
            {
                "state": "planned",
                "approved_by_id": self.env.uid,
                "date_approved": fields.Datetime.now(),
            }
        )
        reminders._ar_log_note(
            lambda r: self.env._("Payment reminder approved: %s", r.display_name)
        )
        return True

    def action_cancel(self):
        """Cancel; a reason given in the context (``ar_cancel_reason``) is recorded."""
        reason = self.env.context.get("ar_cancel_reason")
        reminders = self._ar_check_user().filtered(lambda r: r.state in OPEN_STATES)
        text = self.env._("Cancelled by %s", self.env.user.name)
        if reason:
            text = self.env._(
                "Cancelled by %(user)s: %(reason)s", user=self.env.user.name, reason=reason
            )
        reminders._ar_close("cancelled", "manual", text)
        reminders._ar_log_note(
            lambda r: self.env._(
                "Payment reminder cancelled: %(reminder)s (%(reason)s)",
                reminder=r.display_name,
                reason=r.reason_text,
            )
        )
        return True

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
                **reminder._ar_content_vals({"subject": subject, "body": body}),
                "text_edited": True,
                "edited_by_id": self.env.uid,
                "date_edited": fields.Datetime.now(),
            }
        )
        reminder._ar_log_note(
            lambda r: self.env._("Payment reminder text edited: %s", r.display_name)
        )
