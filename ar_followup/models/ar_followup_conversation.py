# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from textwrap import shorten

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext

from ..tools.reply_reader import read_reply

#: characters of the last message shown in the inbox
EXCERPT_LENGTH = 200


class ArFollowupConversation(models.Model):
    """A customer's replies that wait for a person: one row of the AR inbox.

    Any channel hands a customer's reply to ``res.partner._ar_receive_reply``, and
    what else needs a person (a call's outcome) to :meth:`_ar_receive_event`;
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
        "res.partner",
        "Customer",
        index=True,
        check_company=True,
        help="Empty while an e-mail from an unknown address waits to be matched: name the "
        "customer, then the conversation is theirs.",
    )
    email_from = fields.Char(
        "Sender", readonly=True, help="The address an e-mail to the AR inbox alias came from."
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
    answer_ids = fields.One2many(
        "ar.followup.reminder",
        "conversation_id",
        "Answers",
        readonly=True,
        help="What the AR team answered from the inbox, each recorded as a reminder.",
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

    @api.depends("partner_id", "email_from")
    def _compute_display_name(self):
        for conversation in self:
            conversation.display_name = (
                conversation.partner_id.display_name or conversation.email_from or ""
            )

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
        allowed = set(self._ar_user_fields())
        if "partner_id" in vals and not self.partner_id:
            # an unmatched e-mail: a user names its customer
            allowed.add("partner_id")
            self._ar_check_match(vals["partner_id"])
        if not self.env.su and set(vals) - allowed:
            raise AccessError(
                self.env._("Conversations of the AR inbox change through their buttons only.")
            )
        return super().write(vals)

    def _ar_check_match(self, partner_id):
        """A customer named on unmatched conversations must not have an open one already:
        a customer's replies wait in one conversation."""
        partner = self.env["res.partner"].browse(partner_id).commercial_partner_id
        if not partner:
            return
        taken = self.sudo().search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "in", self.company_id.ids),
                ("state", "=", "open"),
                ("id", "not in", self.ids),
            ],
            limit=1,
        )
        if taken or len(self) > 1:
            raise UserError(
                self.env._(
                    "%s already has a conversation waiting in the AR inbox: answer there, "
                    "then mark this one handled.",
                    partner.display_name,
                )
            )

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """An e-mail to a company's AR inbox alias from an unknown address (a known
        one goes to the customer's thread, see ``mail_thread.py``): a conversation
        of its own, waiting unmatched, its messages on its own thread."""
        values = dict(custom_values or {})
        now = fields.Datetime.now()
        values.update(
            {
                "channel": "email",
                "email_from": msg_dict.get("email_from"),
                "date_waiting_since": now,
                "date_last_message": now,
            }
        )
        conversation = super(ArFollowupConversation, self.sudo()).message_new(
            msg_dict, custom_values=values
        )
        conversation._ar_notify_inbox_changed()
        return conversation

    def _message_post_after_hook(self, message, msg_vals):
        """An e-mail on an unmatched conversation is its last message."""
        res = super()._message_post_after_hook(message, msg_vals)
        if msg_vals.get("message_type", message.message_type) == "email" and not self.partner_id:
            self.sudo().write(
                {
                    "last_message_id": message.id,
                    "last_excerpt": shorten(
                        html2plaintext(message.body or ""), EXCERPT_LENGTH, placeholder=" …"
                    ),
                    "date_last_message": fields.Datetime.now(),
                    "message_count": self.message_count + 1,
                }
            )
        return res

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
            still_open._ar_notify_inbox_changed()
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
        """Open the answer: it goes out on the channel the customer last used (see
        ``ar.followup.conversation.reply``) and is recorded as a reminder."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reply to %s", self.partner_id.display_name),
            "res_model": "ar.followup.conversation.reply",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_conversation_id": self.id},
        }

    # -- business methods ----------------------------------------------------------

    @api.model
    def ar_get_waiting_count(self):
        """The number of conversations waiting for a person in the user's companies: the
        menu bar's counter. One count, the record rules choosing the companies."""
        return self.search_count([("state", "=", "open")])

    @api.model
    def _ar_receive_event(
        self,
        partner,
        company,
        channel,
        body,
        author=None,
        message=None,
        reminder=None,
        read=True,
    ):
        """Something a person has to follow came from ``partner`` on ``channel``: open
        the customer's conversation in ``company`` or add to it, with ``body`` (HTML or
        text) as its last message, and notify the owner. The hook every channel shares:
        a customer's reply (``res.partner._ar_receive_reply``), a call's outcome.

        ``message``: the ``mail.message`` on the customer's thread that says it;
        ``reminder``: the reminder answered; ``read``: whether the reply reader reads
        ``body`` for suggestions (a customer's own words, not a note of ours).
        Returns the conversation.
        """
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
            conversation._ar_notify_inbox_changed()
        if read:
            suggestions = read_reply(text, company._ar_today())
            conversation.suggestion_ids.filtered(lambda s: s.state == "new").write(
                {"state": "superseded"}
            )
            self.env["ar.followup.suggestion"].sudo()._ar_create_from_reading(
                conversation, suggestions, message
            )
        conversation._ar_notify_owner(author)
        return conversation

    def _ar_notify_inbox_changed(self):
        """Tell the AR users of these conversations' companies that the number waiting
        changed: their menu bar counts again (``ar_get_waiting_count``). Users of other
        companies, and people outside the AR groups, hear nothing."""
        if not self:
            return
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", False),
                    ("all_group_ids", "in", self.env.ref("ar_followup.ar_followup_group_user").ids),
                    ("company_ids", "in", self.company_id.ids),
                ]
            )
        )
        for user in users:
            user._bus_send(
                "ar.followup.conversation/count_changed",
                {"company_ids": (self.company_id & user.company_ids).ids},
            )

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
        domain = [
            ("company_id", "=", company.id),
            ("state", "=", "open"),
            ("partner_id", "!=", False),
        ]
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
