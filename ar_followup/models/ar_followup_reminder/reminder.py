# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_date

from .approval import ReminderApproval
from .channel_email import ReminderEmail
from .channel_sms import ReminderSms
from .channels import ReminderChannels
from .dispatch import ReminderDispatch
from .inbox_reply import ReminderInboxReply
from .manual import ReminderManual
from .outcome import ReminderOutcome
from .payment_followup import ReminderPaymentFollowup
from .phone_numbers import ReminderPhoneNumbers
from .planning import ReminderPlanning
from .recipients import ReminderRecipients
from .rendering import ReminderRendering
from .retention import ReminderRetention
from .send_retry import ReminderSendRetry
from .states import REASONS, STATES
from .tracking import ReminderTracking


class ArFollowupReminder(
    ReminderPlanning,
    ReminderChannels,
    ReminderDispatch,
    ReminderRendering,
    ReminderOutcome,
    ReminderSendRetry,
    ReminderApproval,
    ReminderManual,
    ReminderInboxReply,
    ReminderPaymentFollowup,
    ReminderTracking,
    ReminderEmail,
    ReminderSms,
    ReminderPhoneNumbers,
    ReminderRecipients,
    ReminderRetention,
    models.Model,
):
    """A payment reminder: the dispatch queue and the audit trail in one record.

    Lifecycle::

        planned ──(its time comes)──> queued ──> sending ──> sent ──> delivered ──> read
           │                           ^  ^         │          │          └──> replied / paid
           └─(approval first)─> to_approve│         │          └─(not delivered)─┐
                                          └─(retry, fallback channel)─┴──────────┘
        any open state ──> skipped (reason) | cancelled (reason)
        sending, sent, delivered ──> failed (no channel left, or uncertain)

    The record is defined here, its fields complete; its behaviour is split by
    concern into the classes it is built from, which never override one another:

    ======================  ===============================================
    ``planning.py``         the daily set-based planning pass
    ``channels.py``         the channel contract: contact checks, sending,
                            capabilities (``ar.followup.channel``)
    ``dispatch.py``         claiming, checking again and sending due reminders
    ``rendering.py``        the text that goes out, its preview
    ``outcome.py``          sent, delivery and read reports, replies, payments
    ``send_retry.py``       retries on the same channel and channel fallback
    ``approval.py``         the approval queue and edited texts
    ``manual.py``           "Send reminder now"
    ``inbox_reply.py``      answers from the AR inbox, on the customer's channel
    ``payment_followup.py`` reminders after a failed online payment
    ``tracking.py``         tracked links, clicks and views
    ``phone_numbers.py``    the number a phone channel reaches a customer at
    ``recipients.py``       whom a reminder went to, and why
    ``channel_email.py``    the e-mail channel
    ``channel_sms.py``      the SMS channel
    ``retention.py``        what is erased of sent reminders, and when
    ======================  ===============================================

    **Exactly once.** A reminder is identified by (company, customer, step,
    cycle key), unique in the database while it is not skipped. Dispatch
    claims due reminders with ``FOR UPDATE SKIP LOCKED`` and commits them as
    ``sending`` *before* any channel is called (see ``dispatch.py``).
    """

    _name = "ar.followup.reminder"
    _description = "Payment Reminder"
    _order = "date desc, id desc"
    _rec_names_search = ["partner_id", "step_id"]

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, readonly=True, ondelete="restrict"
    )
    policy_id = fields.Many2one("ar.followup.policy", "Policy", readonly=True, ondelete="restrict")
    step_id = fields.Many2one("ar.followup.policy.step", "Step", readonly=True, ondelete="restrict")
    manual = fields.Boolean(
        readonly=True, help="Sent on an AR user's request, outside the cadence (no step)."
    )
    template_id = fields.Many2one(
        "ar.followup.template",
        "Template",
        readonly=True,
        ondelete="set null",
        help="The template chosen for a manual reminder, or for the arm of a step's A/B test "
        "(else the step's, or the stage's).",
    )
    ab_arm = fields.Selection(
        [("a", "A"), ("b", "B")],
        "A/B Arm",
        readonly=True,
        help="The arm of its step's A/B test the customer is in: A gets the step's template, "
        "B the test template. Empty when the step tests nothing.",
    )
    cycle_key = fields.Char(
        required=True,
        readonly=True,
        help="What the reminder covers (earliest trigger and a digest of invoices and steps): "
        "the same situation never gives two reminders.",
    )
    manual_key = fields.Char(
        readonly=True,
        copy=False,
        help="Manual reminders: the request's key on the clock shifted by half a minute. "
        "With the cycle key (the request's minute), two requests for the same invoices "
        "less than 30 seconds apart are one reminder, whichever side of a minute they fall.",
    )
    conversation_id = fields.Many2one(
        "ar.followup.conversation",
        "Answer in Conversation",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="An AR user's answer from the AR inbox, to this conversation of the customer.",
    )
    transaction_id = fields.Many2one(
        "payment.transaction",
        "Failed Payment",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The online payment whose failure this reminder follows up.",
    )
    date = fields.Date("Planned For", required=True, readonly=True, index=True)
    date_scheduled = fields.Datetime(
        "Not Before", readonly=True, help="Start of the sending window in the customer's time zone."
    )
    channel = fields.Selection(selection="_selection_channel", readonly=True)
    stage = fields.Selection(
        selection=lambda self: self.env["ar.followup.template"]._fields["stage"].selection,
        readonly=True,
    )
    tone_id = fields.Many2one("ar.followup.tone", "Tone", readonly=True, ondelete="set null")
    escalated = fields.Boolean(
        readonly=True, help="The step's escalation threshold was reached: the AR owner is told."
    )
    state = fields.Selection(STATES, required=True, default="planned", readonly=True, index=True)
    reason = fields.Selection(
        REASONS,
        readonly=True,
        index="btree_not_null",
        help="Why the reminder was skipped, cancelled or failed.",
    )
    reason_text = fields.Char("Details", readonly=True)
    excluded_note = fields.Text(
        "Left Out", readonly=True, help="Invoices due for a step but held, and why."
    )
    line_ids = fields.One2many("ar.followup.reminder.line", "reminder_id", "Items", readonly=True)
    # the invoices of the items, not stored: a second table of links (and their
    # foreign-key checks) would double what planning writes
    move_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_move_ids", search="_search_move_ids"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_residual = fields.Monetary(
        "Amount Claimed", readonly=True, help="What the items owed when planned (company currency)."
    )
    subject = fields.Char(readonly=True)
    # sanitized by create and write (_ar_sanitize_vals), once: not by the field
    body = fields.Html(
        readonly=True, sanitize=False, help="What an HTML channel (e-mail) sent, or will send."
    )
    text = fields.Text(
        readonly=True, help="What a plain-text channel (SMS, WhatsApp) sent, or will send."
    )
    recipient = fields.Char(readonly=True, help="Addresses or numbers the reminder went to.")
    recipient_note = fields.Text(
        "Sent To",
        readonly=True,
        help="Whom the reminder went to and why: follow-up contact, escalation contact from "
        "a step, invoicing contact or the customer itself.",
    )
    mail_message_id = fields.Many2one(
        "mail.message", "Message", readonly=True, index="btree_not_null", ondelete="set null"
    )
    provider_message_id = fields.Char(
        "Provider Reference",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The channel's message id (e-mail Message-Id, SMS uuid, WhatsApp message id...).",
    )
    error = fields.Text(readonly=True)
    # approval queue
    text_edited = fields.Boolean(
        "Text Edited",
        readonly=True,
        help="A person edited the text: it goes out as written, not rendered again.",
    )
    edited_by_id = fields.Many2one("res.users", "Edited By", readonly=True)
    date_edited = fields.Datetime("Edited On", readonly=True)
    approved_by_id = fields.Many2one("res.users", "Approved By", readonly=True)
    date_approved = fields.Datetime("Approved On", readonly=True)
    preview_subject = fields.Char("Subject Preview", compute="_compute_preview")
    preview_body = fields.Html("Preview", compute="_compute_preview", sanitize=False)
    preview_text = fields.Text("Text Preview", compute="_compute_preview")
    preview_error = fields.Char("Preview Problem", compute="_compute_preview")
    # send retries and channel fallback
    attempt_count = fields.Integer(
        "Attempts",
        default=0,
        readonly=True,
        help="Failed attempts on the current channel (transient errors are retried).",
    )
    channels_tried = fields.Char(
        "Channels Tried",
        readonly=True,
        help="Channels that could not send this reminder, in the order they were tried.",
    )
    # the trail
    date_sending = fields.Datetime("Sending Since", readonly=True)
    date_sent = fields.Datetime(
        "Sent On", readonly=True, help="When the channel took it (e-mail: Odoo's outgoing queue)."
    )
    date_delivered = fields.Datetime(
        "Delivered On",
        readonly=True,
        help="When the provider reported it delivered (e-mail: accepted by the mail server).",
    )
    date_read = fields.Datetime(
        "Read On",
        readonly=True,
        help="When the provider reported it read, or the customer first followed its links.",
    )
    date_viewed = fields.Datetime(
        "Viewed On",
        readonly=True,
        copy=False,
        help="When the customer first opened one of the reminder's invoices online after it "
        "was sent.",
    )
    date_clicked = fields.Datetime(
        "First Clicked On",
        readonly=True,
        copy=False,
        help="When the customer first followed a link of the reminder.",
    )
    click_ids = fields.One2many("ar.followup.reminder.click", "reminder_id", "Click Log")
    click_count = fields.Integer(
        "Clicks", compute="_compute_click_count", help="Links of the reminder followed by people."
    )
    date_replied = fields.Datetime("Replied On", readonly=True)
    date_paid = fields.Datetime("Paid On", readonly=True)
    date_closed = fields.Datetime(
        "Closed On", readonly=True, help="When it was skipped, cancelled or failed."
    )

    # skipped reminders do not count: the same situation is planned again once it clears
    _cycle_unique = models.UniqueIndex(
        "(company_id, partner_id, step_id, cycle_key) WHERE state != 'skipped'",
        "A customer gets one reminder per step and cycle.",
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
    _step_or_manual = models.Constraint(
        "CHECK(step_id IS NOT NULL OR manual)", "A reminder follows a step unless sent manually."
    )
    _dispatch_idx = models.Index(
        "(date_scheduled, id) WHERE state IN ('planned', 'queued', 'sending')"
    )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._ar_sanitize_vals(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._ar_sanitize_vals(vals))

    @api.model
    def _selection_channel(self):
        return self.env["ar.followup.channel"]._ar_selection()

    @api.depends("partner_id", "step_id", "date", "manual")
    def _compute_display_name(self):
        for reminder in self:
            if reminder.step_id:
                reminder.display_name = self.env._(
                    "%(customer)s: %(step)s (%(date)s)",
                    customer=reminder.partner_id.display_name,
                    step=reminder.step_id.name,
                    date=format_date(self.env, reminder.date),
                )
            else:
                reminder.display_name = self.env._(
                    "%(customer)s: manual reminder (%(date)s)",
                    customer=reminder.partner_id.display_name,
                    date=format_date(self.env, reminder.date),
                )

    @api.depends("line_ids.move_line_id.move_id")
    def _compute_move_ids(self):
        for reminder in self:
            reminder.move_ids = reminder.line_ids.move_line_id.move_id

    def _compute_click_count(self):
        counts = dict(
            self.env["ar.followup.reminder.click"]._read_group(
                [("reminder_id", "in", self.ids), ("scanner", "=", False)],
                ["reminder_id"],
                ["__count"],
            )
        )
        for reminder in self:
            reminder.click_count = counts.get(reminder, 0)

    def _search_move_ids(self, operator, value):
        if operator != "in":
            return NotImplemented
        return [("line_ids.move_line_id.move_id", "in", value)]

    # -- business methods ------------------------------------------------------

    def _ar_check_user(self):
        """AR users act on reminders through these actions only: the trail is read-only."""
        if not self.env.su and not self.env.user.has_group("ar_followup.ar_followup_group_user"):
            raise AccessError(self.env._("Only AR Follow-up users can act on reminders."))
        self.check_access("read")
        return self.sudo()

    def _ar_close(self, state, reason, text=None):
        self.write(
            {
                "state": state,
                "reason": reason,
                "reason_text": text or False,
                "date_closed": fields.Datetime.now(),
            }
        )

    def _ar_log_note(self, text):
        """Note ``text(reminder)`` on each reminder's customer, as the current user."""
        for reminder in self:
            partner = reminder.partner_id._ar_sudo_for_followup()
            partner.message_post(
                body=Markup("<p>%s</p>") % text(reminder), subtype_xmlid="mail.mt_note"
            )
