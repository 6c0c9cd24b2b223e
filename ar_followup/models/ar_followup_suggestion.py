# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError


class ArFollowupSuggestion(models.Model):
    """What the reply reader (``tools/reply_reader.py``) read in a customer's reply.

    Pre-filled with what the reply states (date, amount, invoices named, UTR or
    cheque number) and the words it was read from. A person confirms it (the
    promise or dispute is recorded, the opt-out set, the copy sent) or dismisses
    it; both are kept, so the confirmed and dismissed counts per kind measure how
    often the rules read right.
    """

    _name = "ar.followup.suggestion"
    _description = "AR Inbox Suggestion"
    _order = "id desc"
    _check_company_auto = True

    conversation_id = fields.Many2one(
        "ar.followup.conversation", required=True, index=True, ondelete="cascade", readonly=True
    )
    partner_id = fields.Many2one(related="conversation_id.partner_id", store=True)
    company_id = fields.Many2one(related="conversation_id.company_id", store=True, index=True)
    message_id = fields.Many2one("mail.message", "Reply", readonly=True)
    kind = fields.Selection(
        [
            ("promise", "Promise to pay"),
            ("dispute", "Dispute"),
            ("paid", "Says it has paid"),
            ("copy", "Asks for a copy"),
            ("stop", "Asks to stop"),
        ],
        required=True,
        readonly=True,
    )
    words = fields.Char(
        "Read From", readonly=True, help="The words of the reply this suggestion was read from."
    )
    date = fields.Date(help="The date the reply states: when it will pay, or when it paid.")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary()
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices Named",
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice')]",
    )
    reference = fields.Char(help="UTR, cheque or transaction number stated.")
    document = fields.Selection(
        [("invoice", "Invoice"), ("statement", "Statement of account")],
        help="The document a copy is asked of.",
    )
    channel = fields.Selection(related="conversation_id.channel")
    state = fields.Selection(
        [
            ("new", "To Review"),
            ("confirmed", "Confirmed"),
            ("dismissed", "Dismissed"),
            ("superseded", "Superseded"),
        ],
        required=True,
        default="new",
        readonly=True,
        index=True,
        help="Superseded: a later reply of the customer was read instead.",
    )
    decided_by_id = fields.Many2one("res.users", "Decided By", readonly=True)
    date_decided = fields.Datetime("Decided On", readonly=True)
    promise_id = fields.Many2one("ar.followup.promise", readonly=True)
    dispute_id = fields.Many2one("ar.followup.dispute", readonly=True)
    bank_line_ids = fields.Many2many(
        "account.bank.statement.line",
        string="Possible Payments",
        compute="_compute_bank_line_ids",
        help="Unreconciled incoming bank lines of the customer, or of the amount stated, "
        "from the last days.",
    )

    @api.depends("kind", "partner_id", "amount", "company_id")
    def _compute_bank_line_ids(self):
        Line = self.env["account.bank.statement.line"]
        for suggestion in self:
            if suggestion.kind != "paid":
                suggestion.bank_line_ids = Line
                continue
            suggestion.bank_line_ids = Line.search(suggestion._get_bank_line_domain(), limit=20)

    def _get_bank_line_domain(self):
        """Unreconciled incoming lines of the last days: the customer's, or of the
        amount the customer states when the bank did not name it."""
        self.ensure_one()
        Line = self.env["account.bank.statement.line"]
        who = [("partner_id", "=", self.partner_id.id)]
        if self.amount:
            who = ["|", *who, ("amount", "=", self.amount)]
        return [
            *Line._ar_get_incoming_domain(self.company_id),
            ("date", ">=", Line._ar_match_since(self.company_id)),
            *who,
        ]

    def write(self, vals):
        # what was read and what was decided is the measure of the rules: a user only
        # corrects the values of a suggestion still to review
        if not self.env.su:
            if set(vals) - {"date", "amount", "move_ids", "reference", "document"}:
                raise AccessError(self.env._("Suggestions change through their buttons only."))
            if any(s.state != "new" for s in self):
                raise UserError(self.env._("A decided suggestion cannot be changed."))
        return super().write(vals)

    # -- actions -----------------------------------------------------------------

    def action_confirm(self):
        """Do what the suggestion says, once: a second click (or a second clerk) finds
        it decided."""
        self.ensure_one()
        self._ar_check_new()
        getattr(self, "_ar_confirm_%s" % self.kind)()
        self._ar_decide("confirmed")
        return True

    def action_dismiss(self):
        for suggestion in self:
            suggestion._ar_check_new()
            suggestion._ar_decide("dismissed")
        return True

    def _ar_check_new(self):
        self.env.cr.execute(
            "SELECT state FROM ar_followup_suggestion WHERE id = %s FOR UPDATE", [self.id]
        )
        self.invalidate_recordset(["state"])
        if self.state != "new":
            raise UserError(
                self.env._(
                    "This suggestion was already %(state)s by %(user)s.",
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        self.state
                    ].lower(),
                    user=self.decided_by_id.name or self.env._("the follow-up"),
                )
            )

    def _ar_decide(self, state):
        self.sudo().write(
            {"state": state, "decided_by_id": self.env.uid, "date_decided": fields.Datetime.now()}
        )
        kind = dict(self._fields["kind"]._description_selection(self.env))[self.kind]
        text = (
            self.env._(
                "Suggestion confirmed: %(kind)s (read from: %(words)s).",
                kind=kind,
                words=self.words,
            )
            if state == "confirmed"
            else self.env._(
                "Suggestion dismissed: %(kind)s (read from: %(words)s).",
                kind=kind,
                words=self.words,
            )
        )
        self.partner_id._ar_log_inbox(text)

    def _ar_confirm_promise(self):
        """A reply that names no amount promises what the customer owes overdue when
        confirmed (a promise needs an amount); with nothing overdue the user sets it."""
        if not self.date:
            raise UserError(self.env._("Set the date the customer promises to pay by first."))
        amount = self.amount or self.conversation_id.amount_overdue
        if self.currency_id.compare_amounts(amount, 0) <= 0:
            raise UserError(self.env._("Set the amount the customer promises to pay first."))
        promise = self.env["ar.followup.promise"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "move_ids": [Command.set(self.move_ids.ids)],
                "date_promised": self.date,
                "source": self._ar_source(),
                "note": self.words,
                "amount": amount,
            }
        )
        self.sudo().promise_id = promise

    def _ar_confirm_dispute(self):
        dispute = self.env["ar.followup.dispute"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.company_id.id,
                "move_ids": [Command.set(self.move_ids.ids)],
                "reason": "other",
                "source": self._ar_source(),
                "description": self.message_id.body or self.words,
            }
        )
        self.sudo().dispute_id = dispute

    def _ar_confirm_paid(self):
        """A paid claim confirmed: the customer's reminders stay held while the
        conversation is open; the bank lines are reconciled in Accounting."""

    def _ar_confirm_stop(self):
        """Opt the customer out of the channel it replied on (its ``ar_no_<channel>``)."""
        flag = "ar_no_%s" % self.channel
        partner = self.partner_id
        if flag not in partner._fields:
            raise UserError(
                self.env._("Customers cannot opt out of %s reminders.", self.channel or "?")
            )
        partner._ar_sudo_for_followup().with_context(
            ar_consent_source="reply_stop", ar_consent_note=self.words
        ).write({flag: True})
        partner._ar_log_inbox(
            self.env._(
                "Reminders by %(channel)s stopped on %(date)s at the customer's request "
                "(read from: %(words)s).",
                channel=dict(self._fields["channel"]._description_selection(self.env)).get(
                    self.channel, self.channel
                ),
                date=fields.Date.to_string(self.company_id._ar_today()),
                words=self.words,
            )
        )

    def _ar_confirm_copy(self):
        """Send the invoices named (else the open ones), or the statement, on the
        customer's thread by e-mail, in reply to the message that asked."""
        self.partner_id._ar_send_copy(
            self.company_id,
            self.document,
            moves=self.move_ids,
            subject=self.message_id.subject,
            parent=self.message_id,
        )

    def _ar_source(self):
        """The hold's ``source``: the channel the customer replied on when it is one."""
        sources = dict(self.env["ar.followup.promise"]._fields["source"].selection)
        return self.channel if self.channel in sources else "manual"

    # -- business methods ----------------------------------------------------------

    @api.model
    def _ar_create_from_reading(self, conversation, suggestions, message):
        """Records for what ``tools.reply_reader.read_reply`` read."""
        company = conversation.company_id
        vals_list = []
        for suggestion in suggestions:
            moves = self.env["account.move"]
            if suggestion.invoices:
                moves = moves.search(
                    [
                        ("name", "in", list(suggestion.invoices)),
                        ("company_id", "=", company.id),
                        ("commercial_partner_id", "=", conversation.partner_id.id),
                        ("move_type", "=", "out_invoice"),
                    ]
                )
            amount = suggestion.amount
            if suggestion.kind == "promise" and not amount and moves:
                amount = sum(moves.mapped("amount_residual"))
            vals_list.append(
                {
                    "conversation_id": conversation.id,
                    "message_id": message.id if message else False,
                    "kind": suggestion.kind,
                    "words": ", ".join(suggestion.words),
                    "date": suggestion.date,
                    "amount": amount or 0.0,
                    "move_ids": [Command.set(moves.ids)],
                    "reference": suggestion.reference,
                    "document": suggestion.document,
                }
            )
        return self.create(vals_list)
