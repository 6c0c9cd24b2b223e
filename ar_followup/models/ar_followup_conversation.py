# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from textwrap import shorten

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import html2plaintext

from ..tools.reply_reader import read_reply

#: characters of the last message shown in the inbox
EXCERPT_LENGTH = 200


class ArFollowupConversation(models.Model):
    """A customer's replies that wait for a person: one row of the AR inbox.

    Any channel hands a customer's reply to ``res.partner._ar_receive_reply``;
    the reply opens the customer's conversation in the reminder's company (one
    open at a time, kept by a unique index) or adds to it, with what the reply
    reader suggests. While it is open, and as the company chooses
    (``res.company.ar_reply_hold``), no automated reminder goes to the customer:
    it is a hold of the cadence engine like a dispute or a pause
    (``res.partner._ar_hold_models``). Marking it handled ends the hold; the next
    reply opens a new conversation, so handled ones stay as the record.
    """

    _name = "ar.followup.conversation"
    _description = "AR Inbox Conversation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state, date_waiting_since, id"
    _check_company_auto = True
    _ar_hold_code = "replied"

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, readonly=True, check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        "Owner",
        tracking=True,
        index=True,
        domain=[("share", "=", False)],
        help="Who answers this customer; empty until someone takes it.",
    )
    channel = fields.Selection(
        selection="_selection_channel",
        readonly=True,
        help="The channel of the customer's last reply, the one an answer goes out on.",
    )
    state = fields.Selection(
        [("open", "Waiting"), ("handled", "Handled")],
        required=True,
        default="open",
        tracking=True,
        index=True,
        readonly=True,
    )
    last_message_id = fields.Many2one("mail.message", "Last Message", readonly=True)
    last_excerpt = fields.Char("Last Message Excerpt", readonly=True)
    date_last_message = fields.Datetime("Last Reply On", readonly=True)
    date_waiting_since = fields.Datetime(
        "Waiting Since", readonly=True, index=True, help="The first reply no one has handled."
    )
    message_count = fields.Integer("Replies", readonly=True, default=0)
    reminder_id = fields.Many2one(
        "ar.followup.reminder", "Reminder Answered", readonly=True, index="btree_not_null"
    )
    date_handled = fields.Datetime("Handled On", readonly=True, copy=False)
    handled_by_id = fields.Many2one("res.users", "Handled By", readonly=True, copy=False)
    suggestion_ids = fields.One2many("ar.followup.suggestion", "conversation_id", "Suggestions")
    suggestion_summary = fields.Char("Suggestion", compute="_compute_suggestion_summary")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_overdue = fields.Monetary(
        "Amount Overdue", compute="_compute_amount_overdue", currency_field="currency_id"
    )
    waiting_long = fields.Boolean(
        "Waiting > 24 h", compute="_compute_waiting_long", search="_search_waiting_long"
    )

    _open_unique = models.UniqueIndex(
        "(partner_id, company_id) WHERE state = 'open'",
        "A customer has one open conversation per company.",
    )

    @api.model
    def _selection_channel(self):
        return self.env["ar.followup.channel"]._ar_selection()

    @api.depends("suggestion_ids.state", "suggestion_ids.kind")
    def _compute_suggestion_summary(self):
        kinds = dict(
            self.env["ar.followup.suggestion"]._fields["kind"]._description_selection(self.env)
        )
        for conversation in self:
            pending = conversation.suggestion_ids.filtered(lambda s: s.state == "new")
            conversation.suggestion_summary = ", ".join(kinds[s.kind] for s in pending)

    @api.depends("partner_id", "company_id")
    def _compute_amount_overdue(self):
        for company, conversations in self.grouped("company_id").items():
            partners = conversations.partner_id.with_company(company)
            overdue = {p.id: p.ar_total_overdue for p in partners} if partners else {}
            for conversation in conversations:
                conversation.amount_overdue = overdue.get(conversation.partner_id.id, 0.0)

    def _compute_waiting_long(self):
        limit = fields.Datetime.now() - timedelta(hours=24)
        for conversation in self:
            conversation.waiting_long = bool(
                conversation.state == "open"
                and conversation.date_waiting_since
                and conversation.date_waiting_since < limit
            )

    def _search_waiting_long(self, operator, value):
        if operator not in ("=", "in") or value not in (True, [True], (True,)):
            return NotImplemented
        limit = fields.Datetime.now() - timedelta(hours=24)
        return [("state", "=", "open"), ("date_waiting_since", "<", limit)]

    def write(self, vals):
        # the inbox's state and trail are written by the follow-up itself (through its
        # actions): a user only chooses the owner
        if not self.env.su and set(vals) - set(self._ar_user_fields()):
            raise AccessError(
                self.env._("Conversations of the AR inbox change through their buttons only.")
            )
        return super().write(vals)

    @api.model
    def _ar_user_fields(self):
        """Fields an AR user may write directly."""
        return [
            "user_id",
            "activity_ids",
            "message_follower_ids",
            "message_ids",
            "message_main_attachment_id",
        ]

    # -- actions -----------------------------------------------------------------

    def action_assign_to_me(self):
        self.filtered(lambda c: c.state == "open").write({"user_id": self.env.uid})
        return True

    def action_mark_handled(self):
        """Handled by the current user; a conversation someone already handled keeps
        who and when (two clerks on one customer do not overwrite each other)."""
        todo = self.filtered(lambda c: c.state == "open")
        if todo:
            self.env.cr.execute(
                "SELECT id FROM ar_followup_conversation WHERE id IN %s AND state = 'open' "
                "FOR UPDATE",
                [tuple(todo.ids)],
            )
            still_open = self.browse([row[0] for row in self.env.cr.fetchall()])
            still_open.sudo().write(
                {
                    "state": "handled",
                    "date_handled": fields.Datetime.now(),
                    "handled_by_id": self.env.uid,
                }
            )
            still_open.activity_ids.action_feedback(self.env._("Handled"))
            for conversation in still_open:
                conversation.partner_id._ar_log_inbox(
                    self.env._("Conversation marked handled by %s.", self.env.user.name)
                )
        return True

    def action_open_customer(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "views": [(False, "form")],
        }

    def action_reply(self):
        """Open the composer on the customer's thread: the answer goes out by e-mail
        on the thread the reply came in on, to whoever wrote the last reply (else the
        customer's invoicing contacts)."""
        self.ensure_one()
        recipients = self.last_message_id.author_id or self.partner_id._ar_get_email_recipients()
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": self.partner_id.ids,
                "default_composition_mode": "comment",
                "default_subject": self.last_message_id.subject,
                "default_parent_id": self.last_message_id.id,
                "default_partner_ids": recipients.ids,
            },
        }

    # -- business methods ----------------------------------------------------------

    @api.model
    def _ar_register_reply(self, partner, company, channel, body, author, message, reminder):
        """Record a customer's reply: open (or add to) the conversation, read it,
        notify the owner. Returns the conversation."""
        partner = partner.commercial_partner_id
        text = html2plaintext(body or "")
        now = fields.Datetime.now()
        Conversation = self.sudo().with_company(company)
        conversation = Conversation.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("state", "=", "open"),
            ],
            limit=1,
        )
        vals = {
            "channel": channel,
            "last_message_id": message.id if message else False,
            "last_excerpt": shorten(text, EXCERPT_LENGTH, placeholder=" …"),
            "date_last_message": now,
        }
        if reminder:
            vals["reminder_id"] = reminder.id
        if conversation:
            vals["message_count"] = conversation.message_count + 1
            conversation.write(vals)
        else:
            owner = partner.with_company(company)._ar_get_owner()
            conversation = Conversation.create(
                {
                    **vals,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "user_id": owner.id,
                    "date_waiting_since": now,
                    "message_count": 1,
                }
            )
        suggestions = read_reply(text, company._ar_today())
        conversation.suggestion_ids.filtered(lambda s: s.state == "new").write(
            {"state": "superseded"}
        )
        self.env["ar.followup.suggestion"].sudo()._ar_create_from_reading(
            conversation, suggestions, message
        )
        conversation._ar_notify_owner(author)
        return conversation

    def _ar_notify_owner(self, author):
        """The owner hears of each new reply as they chose (``res.users.ar_notify_mode``):
        each: a to-do on the conversation the first time, a notification of each
        later reply; daily digest: a line of the next digest; none: nothing."""
        self.ensure_one()
        owner = self.user_id
        if not owner:
            return
        summary = self.env._("Customer replied: %s", self.partner_id.display_name)
        routed = self.env["ar.followup.notification.event"]._ar_route(
            [
                {
                    "user_id": owner.id,
                    "partner_id": self.partner_id.id,
                    "company_id": self.company_id.id,
                    "kind": "reply",
                    "description": lambda env, c=self.partner_id, text=self.last_excerpt: (
                        "%s: %s" % (env._("Customer replied: %s", c.display_name), text or "")
                    ),
                }
            ]
        )
        if not routed:
            return
        if not self.activity_ids:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=owner.id,
                summary=summary,
                note=self.last_excerpt,
            )
        else:
            self.message_notify(
                model=self._name,
                res_id=self.id,
                partner_ids=owner.partner_id.ids,
                subject=summary,
                body=self.last_excerpt or summary,
                author_id=author.id if author else None,
            )

    # -- what the cadence engine reads --------------------------------------------

    @api.model
    def _ar_get_hold_domain(self, company, day):
        """Open conversations of ``company`` that hold reminders on ``day``, as the
        company chose: never, until handled, or until handled but at most N days."""
        mode = company.ar_reply_hold
        if mode == "off":
            return [("id", "=", False)]
        domain = [("company_id", "=", company.id), ("state", "=", "open")]
        if mode == "days":
            since = fields.Datetime.to_datetime(day) - timedelta(days=company.ar_reply_hold_days)
            domain.append(("date_waiting_since", ">=", since))
        return domain

    @api.model
    def _ar_get_holds(self, company, day, partners=None):
        """``[(partner_id, (), reason)]``: a customer who replied is held as a whole."""
        domain = self._ar_get_hold_domain(company, day)
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        records = self.sudo().search(domain, order="id")
        return [(r.partner_id.id, (), r._ar_hold_reason()) for r in records]

    def _ar_hold_reason(self):
        self.ensure_one()
        return self.env._(
            "The customer replied on %(date)s; waiting for a person in the AR inbox",
            date=fields.Date.to_string(
                fields.Datetime.context_timestamp(self, self.date_waiting_since).date()
            ),
        )
