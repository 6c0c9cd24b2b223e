# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date, format_datetime

from odoo.addons.ar_followup.tools import cadence

from ..models.ar_followup_call import INBOX_OUTCOMES, OPEN_STATES, OUTCOMES


class ArFollowupCallOutcome(models.TransientModel):
    """What came of a call: the collector records it before the next call.

    A promise to pay creates an ``ar.followup.promise`` (reminders suspended), a
    dispute an ``ar.followup.dispute``; paid already, refused and wrong number
    close the task; a callback brings it back at the time asked; no answer and
    voicemail bring it back after the company's wait, within calling hours.
    Sent a copy: the customer asked for its invoices or statement, e-mailed at once
    on its thread (``res.partner._ar_send_copy``, as the AR inbox sends them), and
    the task comes back the next day, once the customer has had time to read them.
    Every outcome is a note on the customer's thread and is reported to the
    reminders that queued the call; one a person has to follow up
    (:data:`~..models.ar_followup_call.INBOX_OUTCOMES`) opens or updates the
    customer's conversation in the AR inbox, the note as its last message.
    """

    _name = "ar.followup.call.outcome"
    _description = "Call Outcome"

    call_id = fields.Many2one("ar.followup.call", required=True, ondelete="cascade")
    attempt_id = fields.Many2one("ar.followup.call.attempt", ondelete="cascade")
    partner_id = fields.Many2one(related="call_id.partner_id")
    company_id = fields.Many2one(related="call_id.company_id")
    currency_id = fields.Many2one(related="call_id.currency_id")
    outcome = fields.Selection(OUTCOMES, required=True)
    promise_date = fields.Date("Pay By")
    promise_amount = fields.Monetary("Promised Amount")
    dispute_reason = fields.Selection(
        selection=lambda self: (
            self.env["ar.followup.dispute"]._fields["reason"]._description_selection(self.env)
        ),
        string="Dispute Reason",
    )
    callback_at = fields.Datetime("Call Back At")
    copy_document = fields.Selection(
        [("invoice", "Invoices"), ("statement", "Statement of account")],
        "Send",
        default="invoice",
    )
    copy_move_ids = fields.Many2many(
        "account.move",
        string="Invoices to Send",
        domain="[('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id), "
        "('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
        help="Empty: every open invoice of the customer.",
    )
    note = fields.Text(help="What was said: goes to the customer's thread.")

    @api.onchange("outcome")
    def _onchange_outcome(self):
        if self.outcome == "promise" and not self.promise_amount:
            self.promise_amount = self.call_id.amount_overdue

    def action_confirm(self):
        self.ensure_one()
        call = self.call_id
        if call.state not in OPEN_STATES:
            raise UserError(self.env._("This call task is closed already."))
        now = fields.Datetime.now()
        # the call placed from the task, else one dialled outside Odoo
        attempt = (
            self.attempt_id
            or call.attempt_ids.filtered(lambda a: not a.outcome and a.status != "error")[:1]
            or self.env["ar.followup.call.attempt"].create(
                {
                    "call_id": call.id,
                    "user_id": self.env.uid,
                    "to_number": call.phone,
                    "date_start": now,
                    "status": "manual",
                }
            )
        )
        if attempt.outcome:
            raise UserError(self.env._("The outcome of this call is recorded already."))
        summary, vals = self._ar_apply(call, now)
        attempt.write({"outcome": self.outcome, "note": self.note})
        call.write({"outcome": self.outcome, **vals})
        label = dict(OUTCOMES)[self.outcome]
        body = Markup("<p>%s</p>") % self.env._(
            "Call by %(user)s: %(outcome)s. %(summary)s",
            user=self.env.user.name,
            outcome=label,
            summary=summary,
        )
        if self.note:
            body += Markup("<p>%s</p>") % self.note
        message = call._ar_log(body)
        call._ar_report_outcome(self.outcome, reason=self.note or label)
        if self.outcome in INBOX_OUTCOMES:
            # the collector's words, not the customer's: nothing for the reply reader
            self.env["ar.followup.conversation"]._ar_receive_event(
                call.partner_id,
                call.company_id,
                "call",
                body,
                author=self.env.user.partner_id,
                message=message,
                read=False,
            )
        return {"type": "ir.actions.act_window_close"}

    def _ar_apply(self, call, now):
        """``(summary text, values for the task)`` of the outcome, records created."""
        close = {"state": "done", "date_done": now, "date_next_call": False}
        if self.outcome == "promise":
            if not self.promise_date or self.promise_amount <= 0:
                raise UserError(self.env._("A promise to pay needs a date and an amount."))
            promise = self.env["ar.followup.promise"].create(
                {
                    "partner_id": call.partner_id.id,
                    "company_id": call.company_id.id,
                    "amount": self.promise_amount,
                    "date_promised": self.promise_date,
                    "source": "call",
                    "note": self.note,
                }
            )
            return (
                self.env._(
                    "%(amount)s by %(date)s (%(promise)s).",
                    amount=format_amount(self.env, self.promise_amount, call.currency_id),
                    date=format_date(self.env, self.promise_date),
                    promise=promise.name,
                ),
                close,
            )
        if self.outcome == "dispute":
            if not self.dispute_reason:
                raise UserError(self.env._("Say what the customer disputes."))
            dispute = self.env["ar.followup.dispute"].create(
                {
                    "partner_id": call.partner_id.id,
                    "company_id": call.company_id.id,
                    "reason": self.dispute_reason,
                    "source": "call",
                    "description": self.note and Markup("<p>%s</p>") % self.note,
                }
            )
            return self.env._("Dispute %s raised.", dispute.name), close
        if self.outcome == "callback":
            if not self.callback_at or self.callback_at <= now:
                raise UserError(self.env._("Say when to call back (a time to come)."))
            return (
                self.env._(
                    "Call back on %s.",
                    format_datetime(self.env, self.callback_at, dt_format="short"),
                ),
                {"state": "callback", "date_next_call": self.callback_at},
            )
        if self.outcome in ("no_answer", "voicemail"):
            settings = self.env["ar.followup.channel"]._ar_call_account(call.company_id)
            company = call.company_id
            retry = cadence.window_opening(
                now + timedelta(minutes=settings.call_retry_minutes or 120),
                call.partner_id.tz or company._ar_tz(),
                company.ar_calling_hour_start,
                company.ar_calling_hour_end or 24.0,
            )
            return (
                self.env._(
                    "Called again from %s.", format_datetime(self.env, retry, dt_format="short")
                ),
                {"state": "todo", "date_next_call": retry},
            )
        if self.outcome == "copy":
            return self._ar_send_copy(call, now)
        if self.outcome == "paid":
            call.partner_id.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Ask %s for the remittance advice", call.partner_id.name),
                user_id=self.env.uid,
                date_deadline=call.company_id._ar_today(),
            )
            # a payment may be in the bank already, waiting to be matched
            unmatched = (
                self.env["account.bank.statement.line"]
                .sudo()
                .search_count(
                    [
                        ("company_id", "=", call.company_id.id),
                        ("partner_id", "child_of", call.partner_id.id),
                        ("is_reconciled", "=", False),
                        ("amount", ">", 0),
                    ]
                )
            )
            if unmatched:
                summary = self.env._(
                    "Remittance advice asked for; %s bank receipt(s) of the customer are not "
                    "matched yet.",
                    unmatched,
                )
            else:
                summary = self.env._(
                    "Remittance advice asked for; no bank receipt of the customer is waiting "
                    "to be matched."
                )
            return summary, close
        return "", close

    def _ar_send_copy(self, call, now):
        """E-mail the copy the customer asked for; the task comes back the next day."""
        message = call.partner_id._ar_send_copy(
            call.company_id,
            self.copy_document,
            moves=self.copy_move_ids if self.copy_document == "invoice" else None,
        )
        company = call.company_id
        again = cadence.window_opening(
            now + timedelta(days=1),
            call.partner_id.tz or company._ar_tz(),
            company.ar_calling_hour_start,
            company.ar_calling_hour_end or 24.0,
        )
        return (
            self.env._(
                "%(documents)s sent by e-mail to %(recipients)s. Called again from %(date)s.",
                documents=", ".join(message.attachment_ids.mapped("name")),
                recipients=", ".join(message.partner_ids.mapped("display_name")),
                date=format_datetime(self.env, again, dt_format="short"),
            ),
            {"state": "todo", "date_next_call": again},
        )
