# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict
from datetime import timedelta

import pytz
from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, format_datetime
from odoo.tools.mail import html_to_inner_content

from odoo.addons.ar_followup.tools import cadence

from ..tools import call_priority

#: a call task waiting for a collector
OPEN_STATES = ("todo", "callback")
#: tasks read at a time while looking for the next one to dial
NEXT_CALL_PAGE = 20
#: outcomes after which the customer is not called again for this task
CLOSING_OUTCOMES = ("promise", "dispute", "paid", "wrong_number", "refused")
#: outcomes a person has to follow up (confirm, call back, find the right contact, chase
#: the remittance advice): they open or update the customer's conversation in the AR inbox
INBOX_OUTCOMES = ("promise", "dispute", "paid", "callback", "refused", "wrong_number")
#: what a collector records after a call
OUTCOMES = [
    ("promise", "Promise to pay"),
    ("dispute", "Dispute"),
    ("paid", "Paid already"),
    ("callback", "Call back"),
    ("refused", "Refused to pay"),
    ("copy", "Sent a copy"),
    ("wrong_number", "Wrong number"),
    ("no_answer", "No answer"),
    ("voicemail", "Voicemail"),
]
#: how far back broken promises count in the priority
BROKEN_PROMISE_DAYS = 365


class ArFollowupCall(models.Model):
    """A collection call to make: one open task per customer and company.

    Fed by the cadence (a reminder of the channel *Phone call* queues its
    customer instead of sending a message) and by the company's thresholds
    (the daily queue refresh). The task carries a priority score explained in
    words (``tools/call_priority.py``), a collector (the customer's AR owner,
    else the team member with the fewest open calls), the context a collector
    needs on screen, and the calls placed (``ar.followup.call.attempt``). Its
    outcome closes it or brings it back later, and reports to the reminders
    that queued it (``_ar_apply_report``).
    """

    _name = "ar.followup.call"
    _description = "Collection Call"
    _order = "priority_score desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("is_company", "=", True)],
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", "Collector", index=True, domain=[("share", "=", False)], copy=False
    )
    state = fields.Selection(
        [
            ("todo", "To Call"),
            ("callback", "Call Back"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="todo",
        group_expand=True,
        index=True,
        copy=False,
    )
    source = fields.Selection(
        [
            ("cadence", "Reminder"),
            ("threshold", "Company threshold"),
            ("manual", "Added by a user"),
        ],
        required=True,
        default="manual",
        readonly=True,
    )
    reminder_ids = fields.Many2many(
        "ar.followup.reminder",
        "ar_followup_call_reminder_rel",
        "call_id",
        "reminder_id",
        string="Reminders",
        readonly=True,
        help="The reminders of the channel Phone call this task answers for: its outcome is "
        "reported to them.",
    )
    # not indexed: the daily refresh rewrites every open task's score, and without an
    # index on it PostgreSQL updates the rows in place (HOT) instead of every index (see init)
    priority_score = fields.Float("Priority", digits=(16, 1), readonly=True)
    # words rendered on read, in the reader's language, from the facts stored by the
    # refresh: writing an explanation for every open task each day is most of its time
    priority_text = fields.Char("Why Now", compute="_compute_priority_text")
    amount_overdue = fields.Monetary(readonly=True)
    days_overdue = fields.Integer(readonly=True)
    broken_promise_count = fields.Integer("Broken Promises", readonly=True)
    date_broken_promise = fields.Date("Last Promise Broken", readonly=True)
    date_last_contact = fields.Datetime("Last Contact", readonly=True)
    date_next_call = fields.Datetime(
        "Call From", help="Not called before this moment (a callback asked for, a retry)."
    )
    outcome = fields.Selection(
        OUTCOMES,
        readonly=True,
        copy=False,
        help="The outcome of the last call.",
    )
    date_done = fields.Datetime("Closed On", readonly=True, copy=False)
    close_reason = fields.Char("Closed Because", readonly=True, copy=False)
    attempt_ids = fields.One2many("ar.followup.call.attempt", "call_id", "Calls", readonly=True)
    attempt_count = fields.Integer("Calls Placed", compute="_compute_attempt_count")
    phone = fields.Char("Number", compute="_compute_phone")
    phone_problem = fields.Char("Cannot Dial", compute="_compute_phone")
    # context on screen
    message_html = fields.Html("Last Messages", compute="_compute_context", sanitize=False)
    last_payment_date = fields.Date(compute="_compute_context")
    last_payment_amount = fields.Monetary(compute="_compute_context")
    ageing_html = fields.Html("Outstanding", compute="_compute_context", sanitize=False)
    promise_id = fields.Many2one("ar.followup.promise", "Open Promise", compute="_compute_context")
    dispute_id = fields.Many2one("ar.followup.dispute", "Open Dispute", compute="_compute_context")
    tone_id = fields.Many2one("ar.followup.tone", "Tone", compute="_compute_context")
    tone_reason = fields.Char("Tone Because", compute="_compute_context")
    script_subject = fields.Char("Purpose", compute="_compute_script")
    script_body = fields.Text("Call Script", compute="_compute_script")
    previous_attempt_ids = fields.Many2many(
        "ar.followup.call.attempt", string="Previous Calls", compute="_compute_context"
    )

    _open_unique = models.UniqueIndex(
        "(company_id, partner_id) WHERE state IN ('todo', 'callback')",
        "A customer has one open call task per company.",
    )

    def init(self):
        # The daily refresh rewrites the facts and score of every open task. PostgreSQL
        # updates a row in place (HOT, no index touched) only when no indexed column
        # changes and its page has room for the new version: pages are left half empty,
        # and an index on the score, where one is left, is dropped.
        self.env.cr.execute("ALTER TABLE ar_followup_call SET (fillfactor = 50)")
        self.env.cr.execute("DROP INDEX IF EXISTS ar_followup_call__priority_score_index")

    @api.depends(
        "amount_overdue", "days_overdue", "date_broken_promise", "date_last_contact", "currency_id"
    )
    @api.depends_context("lang")
    def _compute_priority_text(self):
        now = fields.Datetime.now()
        words = self._ar_explain_words()
        for call in self:
            last_contact = call.date_last_contact
            call.priority_text = self._ar_explain(
                call.currency_id,
                words,
                call.amount_overdue,
                call.days_overdue,
                call.date_broken_promise,
                (now - last_contact).days if last_contact else None,
            )

    def _compute_attempt_count(self):
        for call in self:
            call.attempt_count = len(call.attempt_ids)

    @api.depends("partner_id")
    def _compute_phone(self):
        Reminder = self.env["ar.followup.reminder"]
        for company, calls in self.grouped("company_id").items():
            partners = calls.partner_id.with_company(company)
            numbers = Reminder.with_company(company)._ar_get_call_numbers(partners)
            for call in calls:
                if not call.partner_id:
                    call.phone = call.phone_problem = False
                    continue
                problem, number, text = numbers[call.partner_id.id]
                call.phone = number
                call.phone_problem = text if problem else False

    def _compute_context(self):
        """What a collector reads before dialling: the customer's last messages, last
        payment, outstanding by bucket, open promise or dispute, tone and its reason,
        and the calls placed to the customer before."""
        Message = self.env["mail.message"].sudo()
        for company, calls in self.grouped("company_id").items():
            partners = calls.partner_id.with_company(company)
            behaviour = partners._ar_get_behaviour(company) if partners else {}
            tones = partners._ar_get_tones(company) if partners else {}
            for call in calls:
                partner = call.partner_id.with_company(company)
                facts = behaviour.get(partner.id, {})
                tone, reason = tones.get(partner.id, (self.env["ar.followup.tone"], False))
                messages = Message.search(
                    [
                        ("model", "=", "res.partner"),
                        ("res_id", "=", partner.id),
                        ("message_type", "!=", "user_notification"),
                        ("body", "not in", (False, "", "<p></p>")),
                    ],
                    limit=3,
                    order="date desc, id desc",
                )
                promises = self.env["ar.followup.promise"].search(
                    [
                        ("partner_id", "=", partner.id),
                        ("company_id", "=", company.id),
                        ("state", "=", "open"),
                    ],
                    limit=1,
                )
                disputes = self.env["ar.followup.dispute"].search(
                    [
                        ("partner_id", "=", partner.id),
                        ("company_id", "=", company.id),
                        ("state", "in", ("open", "in_review")),
                    ],
                    limit=1,
                )
                call.update(
                    {
                        "message_html": call._ar_messages_html(messages),
                        "last_payment_date": facts.get("last_payment_date"),
                        "last_payment_amount": facts.get("last_payment_amount") or 0.0,
                        "ageing_html": partner.ar_ageing_summary if partner else False,
                        "promise_id": promises,
                        "dispute_id": disputes,
                        "tone_id": tone,
                        "tone_reason": reason,
                        "previous_attempt_ids": self.env["ar.followup.call.attempt"].search(
                            [
                                ("partner_id", "=", partner.id),
                                ("company_id", "=", company.id),
                                ("id", "not in", call.attempt_ids.ids),
                            ],
                            limit=10,
                        ),
                    }
                )

    def _compute_script(self):
        """The call script of the customer's stage and tone, in the customer's language."""
        Template = self.env["ar.followup.template"]
        for call in self:
            company = call.company_id
            partner = call.partner_id.with_company(company)
            script = {"subject": False, "body": False}
            if partner:
                stage = call._ar_script_stage()
                tone = call.tone_id.code or "neutral"
                template = Template.with_company(company)._ar_select("call", stage, tone, company)
                if template:
                    try:
                        script = template._ar_render(partner, call._ar_open_moves(), tone=tone)
                    except Exception as exc:  # noqa: BLE001 - a broken script is shown, not raised
                        script = {"subject": False, "body": str(exc)}
            call.script_subject = script["subject"]
            call.script_body = script["body"]

    # -- actions -------------------------------------------------------------------

    @api.model
    def action_next_call(self):
        """Open the current user's first task to call now (see :meth:`_ar_next_for`).

        A call placed without an outcome comes first: the collector records it
        before the next customer.
        """
        unrecorded = self.env["ar.followup.call.attempt"].search(
            [
                ("user_id", "=", self.env.uid),
                ("outcome", "=", False),
                ("status", "!=", "error"),
                ("company_id", "in", self.env.companies.ids),
            ],
            limit=1,
        )
        if unrecorded:
            return unrecorded.call_id.action_record_outcome()
        call = self._ar_next_for(self.env.user, fields.Datetime.now())
        if not call:
            raise UserError(self.env._("No customer to call now: your queue is empty."))
        return call._ar_action_open()

    def action_call(self):
        """Place a call to the customer: through the company's provider, the collector's
        phone ringing first; without one, the collector dials the number shown."""
        self.ensure_one()
        now = fields.Datetime.now()
        problem = self._ar_dial_problem(now)
        if problem:
            raise UserError(problem)
        Attempt = self.env["ar.followup.call.attempt"]
        settings = self.env["ar.followup.channel"]._ar_call_account(self.company_id)
        agent = None
        if settings.call_provider not in (False, "none") and settings.state != "test":
            agent = Attempt._ar_agent_number(self.env.user, self.company_id)
        attempt = Attempt.create(
            {
                "call_id": self.id,
                "user_id": self.env.uid,
                "from_number": agent,
                "to_number": self.phone,
                "date_start": now,
                "status": "manual",
            }
        )
        attempt._ar_place()
        if attempt.status == "error":
            # nothing was dialled: no outcome to ask for
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {"type": "danger", "message": attempt.error, "sticky": True},
            }
        return self.action_record_outcome()

    def action_record_outcome(self):
        """The outcome wizard for the task's last call without one (else a new one)."""
        self.ensure_one()
        attempt = self.attempt_ids.filtered(lambda a: not a.outcome and a.status != "error")[:1]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call outcome: %s", self.partner_id.display_name),
            "res_model": "ar.followup.call.outcome",
            "view_mode": "form",
            "target": "new",
            "context": {"default_call_id": self.id, "default_attempt_id": attempt.id},
        }

    def action_cancel(self):
        self.filtered(lambda c: c.state in OPEN_STATES).write(
            {"state": "cancelled", "date_done": fields.Datetime.now()}
        )
        return True

    def _ar_action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    # -- the queue -----------------------------------------------------------------

    @api.model
    def _ar_enqueue(self, company, partners, source, reminders=None, score=True):
        """The open task of each customer of ``partners`` in ``company``, created when
        missing (never two: the partial unique index), ``reminders`` linked to it, its
        priority refreshed (unless ``score`` is False: the caller scores them) and a
        collector assigned. Returns the tasks."""
        partners = partners.commercial_partner_id
        existing = self.search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("state", "in", OPEN_STATES),
            ]
        )
        missing = partners - existing.partner_id
        created = self.browse()
        try:
            with self.env.cr.savepoint():
                created = self.create(
                    [
                        {"partner_id": partner.id, "company_id": company.id, "source": source}
                        for partner in missing
                    ]
                )
        except pg_errors.UniqueViolation:
            # another worker queued some of them meanwhile: one at a time, its task is theirs
            for partner in missing:
                created |= self._ar_create_one(company, partner, source)
        calls = existing | created
        if reminders:
            by_partner = reminders.grouped(lambda r: r.partner_id.commercial_partner_id)
            for call in calls:
                mine = by_partner.get(call.partner_id)
                if mine:
                    call.reminder_ids = [fields.Command.link(r.id) for r in mine]
        if score:
            calls._ar_refresh_priority()
        unassigned = [
            call_id
            for columns in calls._ar_read_columns("user_id").values()
            for call_id, (user_id,) in columns.items()
            if not user_id
        ]
        self.browse(unassigned)._ar_assign()
        return calls

    @api.model
    def _ar_create_one(self, company, partner, source):
        """The open task of ``partner``: created, or the one another worker just created."""
        try:
            with self.env.cr.savepoint():
                return self.create(
                    {"partner_id": partner.id, "company_id": company.id, "source": source}
                )
        except pg_errors.UniqueViolation:
            return self.search(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "=", partner.id),
                    ("state", "in", OPEN_STATES),
                ]
            )

    def _ar_read_columns(self, *fnames):
        """``{company id: {task id: (values of fnames)}}`` of these tasks in one query: a
        queue holds tasks by the thousand, and an ORM field access for each is most of
        the daily refresh's time. Many2one values are ids."""
        self.flush_recordset(["company_id", *fnames])
        self.env.cr.execute(
            SQL(
                "SELECT company_id, id, %s FROM ar_followup_call WHERE id = ANY(%s)",
                SQL(", ").join(SQL.identifier(fname) for fname in fnames),
                self.ids,
            )
        )
        by_company = defaultdict(dict)
        for company_id, call_id, *values in self.env.cr.fetchall():
            by_company[company_id][call_id] = tuple(values)
        return by_company

    @api.model
    def _ar_get_overdue(self, company, partners=None):
        """``{customer id: (amount overdue, oldest due date)}`` in ``company``, of
        ``partners`` (commercial entities) or of every customer: one read_group."""
        Report = self.env["ar.followup.ageing.report"].sudo()
        domain = (
            Report._ar_partner_domain(partners, company)
            if partners is not None
            else [("company_id", "=", company.id)]
        )
        return {
            partner.id: (overdue, oldest)
            for partner, overdue, oldest in Report._read_group(
                [*domain, ("overdue", ">", 0)],
                groupby=["partner_id"],
                aggregates=["overdue:sum", "date_maturity:min"],
            )
        }

    def _ar_refresh_priority(self, overdue_by_company=None):
        """Score the tasks from their customers' facts: per company, one statement
        reads the broken promises, the last reminder sent and the last call placed,
        scores (:func:`~..tools.call_priority.score_sql`) and writes the rows whose
        facts or score changed. The ageing comes from one read_group, unless
        ``overdue_by_company`` gives each company's :meth:`_ar_get_overdue` of every
        customer. Raw SQL because the daily refresh scores every open task: reading
        the facts into Python and writing them back row by row took longer than the
        cron may run."""
        if not self:
            return
        fnames = [
            "amount_overdue",
            "days_overdue",
            "broken_promise_count",
            "date_broken_promise",
            "date_last_contact",
            "priority_score",
        ]
        self.flush_recordset(["company_id", "partner_id", *fnames])
        self.env["ar.followup.promise"].flush_model(
            ["company_id", "partner_id", "state", "date_done"]
        )
        self.env["ar.followup.reminder"].flush_model(
            ["company_id", "partner_id", "date_sent", "channel"]
        )
        self.env["ar.followup.call.attempt"].flush_model(["company_id", "partner_id", "date_start"])
        now = fields.Datetime.now()
        # the tasks as a joined set, never "= ANY(array)": PostgreSQL plans an ANY of
        # 20,000 values by estimating each of them
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT company_id FROM ar_followup_call "
                "JOIN unnest(%s::int[]) AS task(id) USING (id)",
                self.ids,
            )
        )
        for (company_id,) in self.env.cr.fetchall():
            company = self.env["res.company"].browse(company_id)
            today = company._ar_today()
            overdue_of = (overdue_by_company or {}).get(company.id)
            if overdue_of is None:
                overdue_of = self._ar_get_overdue(
                    company, self.filtered(lambda c, co=company: c.company_id == co).partner_id
                )
            overdue_ids = list(overdue_of)
            unit = 1000.0 if company.currency_id.name == "INR" else 100.0
            self.env.cr.execute(
                SQL(
                    """
                    WITH task AS MATERIALIZED (
                        SELECT call.id, call.partner_id
                          FROM ar_followup_call call
                          JOIN unnest(%(ids)s::int[]) AS task(id) USING (id)
                         WHERE call.company_id = %(company)s
                    ), overdue AS (
                        SELECT * FROM unnest(%(overdue_ids)s::int[], %(amounts)s::numeric[],
                                             %(oldest)s::date[]) AS o(partner_id, amount, oldest)
                    ), broken AS (
                        SELECT partner_id, count(*) AS count, max(date_done) AS last
                          FROM ar_followup_promise
                         WHERE company_id = %(company)s
                           AND partner_id IN (SELECT partner_id FROM task)
                           AND state = 'broken' AND date_done >= %(broken_since)s
                         GROUP BY partner_id
                    ), contact AS (
                        SELECT partner_id, max(last) AS last
                          FROM (SELECT partner_id, max(date_sent) AS last
                                  FROM ar_followup_reminder
                                 WHERE company_id = %(company)s
                                   AND partner_id IN (SELECT partner_id FROM task)
                                   AND date_sent IS NOT NULL
                                   AND channel IS DISTINCT FROM 'call'
                                 GROUP BY partner_id
                                 UNION ALL
                                SELECT partner_id, max(date_start)
                                  FROM ar_followup_call_attempt
                                 WHERE company_id = %(company)s
                                   AND partner_id IN (SELECT partner_id FROM task)
                                 GROUP BY partner_id) AS contacts
                         GROUP BY partner_id
                    ), facts AS (
                        SELECT task.id, COALESCE(o.amount, 0) AS overdue,
                               COALESCE(%(today)s::date - o.oldest, 0) AS days,
                               COALESCE(b.count, 0) AS promises, b.last AS broken_on,
                               c.last AS last_contact,
                               floor(extract(epoch FROM %(now)s::timestamp - c.last) / 86400)
                                   AS silence
                          FROM task
                          LEFT JOIN overdue o ON o.partner_id = task.partner_id
                          LEFT JOIN broken b ON b.partner_id = task.partner_id
                          LEFT JOIN contact c ON c.partner_id = task.partner_id
                    ), scored AS (
                        SELECT facts.*, %(score)s AS score FROM facts
                    )
                    UPDATE ar_followup_call call
                       SET amount_overdue = s.overdue, days_overdue = s.days,
                           broken_promise_count = s.promises, date_broken_promise = s.broken_on,
                           date_last_contact = s.last_contact, priority_score = s.score,
                           write_uid = %(uid)s, write_date = now() AT TIME ZONE 'UTC'
                      FROM scored s
                     WHERE call.id = s.id
                       AND (call.amount_overdue, call.days_overdue, call.broken_promise_count,
                            call.date_broken_promise, call.date_last_contact,
                            call.priority_score)
                           IS DISTINCT FROM
                           (s.overdue, s.days, s.promises, s.broken_on, s.last_contact, s.score)
                    """,
                    ids=self.ids,
                    overdue_ids=overdue_ids,
                    amounts=[overdue_of[pid][0] for pid in overdue_ids],
                    oldest=[overdue_of[pid][1] for pid in overdue_ids],
                    company=company.id,
                    broken_since=today - timedelta(days=BROKEN_PROMISE_DAYS),
                    today=today,
                    now=now,
                    score=call_priority.score_sql(
                        SQL("overdue"), SQL("days"), SQL("promises"), SQL("silence"), unit
                    ),
                    uid=self.env.uid,
                )
            )
        # the words are computed from the facts: they go with them
        self.invalidate_recordset([*fnames, "priority_text", "write_uid", "write_date"])

    @api.model
    def _ar_explain_words(self):
        """The words of :meth:`_ar_explain`, translated once for a whole queue."""
        return {
            "overdue": self.env._("%(amount)s overdue, %(days)s days"),
            "nothing": self.env._("nothing overdue"),
            "broken": self.env._("promise broken on %s"),
            "never": self.env._("never contacted"),
            "silence": self.env._("no contact for %s days"),
        }

    @api.model
    def _ar_explain(self, currency, words, overdue, days, last_broken, silence):
        """The score in words: "₹5.6 lakh overdue, 161 days, promise broken on 2 Dec"
        (``words``: :meth:`_ar_explain_words`)."""
        parts = []
        if overdue > 0:
            amount = call_priority.compact_amount(
                overdue, currency.symbol, indian=currency.name == "INR"
            )
            parts.append(words["overdue"] % {"amount": amount, "days": days})
        else:
            parts.append(words["nothing"])
        if last_broken:
            parts.append(words["broken"] % format_date(self.env, last_broken, date_format="d MMM"))
        if silence is None:
            parts.append(words["never"])
        elif silence >= 7:
            parts.append(words["silence"] % silence)
        return ", ".join(parts)

    def _ar_assign(self):
        """Give each task a collector: the customer's AR owner, else the team member
        with the fewest open calls (ties: the lowest id), counting those just given."""
        for company, calls in self.grouped("company_id").items():
            team = self._ar_get_team(company)
            load = dict.fromkeys(team.ids, 0)
            for user, count in self._read_group(
                [
                    ("company_id", "=", company.id),
                    ("state", "in", OPEN_STATES),
                    ("user_id", "in", team.ids),
                ],
                groupby=["user_id"],
                aggregates=["__count"],
            ):
                load[user.id] = count
            given = defaultdict(list)
            for call in calls:
                owner = call.partner_id._ar_get_owner(company)
                if owner and not owner.share and company in owner.company_ids:
                    given[owner.id].append(call.id)
                elif load:
                    user_id = min(load, key=lambda uid: (load[uid], uid))
                    given[user_id].append(call.id)
                    load[user_id] += 1
            for user_id, call_ids in given.items():
                self.browse(call_ids).user_id = user_id

    @api.model
    def _ar_get_team(self, company):
        """The collectors of ``company``: its call settings' team, else every active
        internal AR Follow-up user of the company."""
        team = self.env["ar.followup.channel"]._ar_call_account(company).call_team_ids
        if not team:
            group = self.env.ref("ar_followup.ar_followup_group_user")
            team = (
                self.env["res.users"]
                .sudo()
                .search(
                    [
                        ("all_group_ids", "in", group.ids),
                        ("share", "=", False),
                        ("company_ids", "in", company.ids),
                    ]
                )
            )
        return team.filtered(lambda u: u.active and not u.share)

    @api.model
    def _ar_next_for(self, user, now):
        """The first task ``user`` may dial now: theirs, else an unassigned one taken
        with a row lock that skips what another collector is taking, in order of
        priority; skipped are tasks called back later and customers that cannot be
        dialled now (calling hours, caps, numbers)."""
        base = [
            ("company_id", "in", self.env.companies.ids),
            ("state", "in", OPEN_STATES),
            "|",
            ("date_next_call", "=", False),
            ("date_next_call", "<=", now),
        ]
        for call in self._ar_search_pages([*base, ("user_id", "=", user.id)]):
            if not call._ar_dial_problem(now):
                return call
        for call in self._ar_search_pages([*base, ("user_id", "=", False)]):
            if call._ar_dial_problem(now):
                continue
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM ar_followup_call WHERE id = %s AND user_id IS NULL "
                    "FOR UPDATE SKIP LOCKED",
                    call.id,
                )
            )
            if self.env.cr.fetchone():
                call.user_id = user
                return call
        return self.browse()

    @api.model
    def _ar_search_pages(self, domain, size=NEXT_CALL_PAGE):
        """The tasks of ``domain`` in queue order, read ``size`` at a time: what is read
        about a task (its number) is read for its page only, not for the whole queue."""
        offset = 0
        while True:
            page = self.search(domain, limit=size, offset=offset)
            yield from page
            if len(page) < size:
                return
            offset += size

    def _ar_dial_problem(self, now):
        """Why the customer must not be dialled now, translated, or None: the task is
        closed, the customer opted out of calls, the number is missing, invalid or on
        the do-not-disturb list, it is outside the calling hours in the customer's
        time zone, a call is still going on, or the day's or week's calls are used."""
        self.ensure_one()
        if self.state not in OPEN_STATES:
            return self.env._("This call task is closed.")
        if self.phone_problem:
            return self.phone_problem
        company = self.company_id
        tz = self.partner_id.tz or company._ar_tz()
        start, end = company.ar_calling_hour_start, company.ar_calling_hour_end or 24.0
        if not cadence.in_window(now, tz, start, end):
            return self.env._(
                "Outside calling hours (%(start)s–%(end)s in %(tz)s): call from %(opening)s.",
                start=_hours(start),
                end=_hours(end),
                tz=tz,
                opening=format_datetime(
                    self.env, cadence.window_opening(now, tz, start, end), tz=tz, dt_format="short"
                ),
            )
        Attempt = self.env["ar.followup.call.attempt"].sudo()
        if Attempt.search_count(
            [
                ("call_id", "=", self.id),
                ("outcome", "=", False),
                ("status", "in", ("dialling", "in-progress", "queued", "uncertain")),
                ("date_start", ">", now - timedelta(minutes=30)),
            ],
            limit=1,
        ):
            return self.env._("A call to this customer is still going on.")
        settings = self.env["ar.followup.channel"]._ar_call_account(company)
        local_midnight = (
            pytz.timezone(tz)
            .localize(
                pytz.utc.localize(now)
                .astimezone(pytz.timezone(tz))
                .replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
            )
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
        )
        placed = [
            ("partner_id", "=", self.partner_id.id),
            ("company_id", "=", company.id),
            ("status", "!=", "error"),
        ]
        per_day = settings.call_max_per_day or 2
        per_week = settings.call_max_per_week or 6
        if Attempt.search_count([*placed, ("date_start", ">=", local_midnight)]) >= per_day:
            return self.env._("%s calls to this customer today already: call tomorrow.", per_day)
        if (
            Attempt.search_count([*placed, ("date_start", ">=", now - timedelta(days=7))])
            >= per_week
        ):
            return self.env._("%s calls to this customer this week already.", per_week)
        return None

    def _ar_script_stage(self):
        """The stage whose call script the task shows: its latest reminder's, else overdue."""
        self.ensure_one()
        reminder = self.reminder_ids.sorted("id")[-1:]
        return reminder.stage or reminder.step_id.stage or "overdue"

    def _ar_open_moves(self):
        """The customer's open invoices in the task's company, oldest due first."""
        self.ensure_one()
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_receipt")),
                ("payment_state", "in", ("not_paid", "partial")),
            ],
            order="invoice_date_due, id",
        )

    def _ar_messages_html(self, messages):
        """The customer's last messages as a short list: when, how, who, what (trimmed)."""
        if not messages:
            return Markup("<p>%s</p>") % self.env._("No message yet.")
        kinds = dict(messages._fields["message_type"]._description_selection(self.env))
        rows = Markup("").join(
            Markup("<li><b>%s</b> · %s · %s<br/>%s</li>")
            % (
                format_datetime(self.env, message.date, dt_format="short"),
                kinds.get(message.message_type, message.message_type),
                message.author_id.display_name or message.email_from or "",
                _shorten(html_to_inner_content(message.body or ""), 200),
            )
            for message in messages
        )
        return Markup("<ul class='list-unstyled'>%s</ul>") % rows

    def _ar_log(self, body):
        """A note on the customer's thread: the audit trail of calls. Returns it."""
        self.ensure_one()
        return (
            self.partner_id.sudo()
            .with_context(mail_post_autofollow=False)
            .message_post(
                body=body,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )
        )

    def _ar_report_outcome(self, outcome, reason=None):
        """Tell the reminders that queued the task how the call went: reached (read),
        voicemail (delivered), wrong number (failed: the step's next channel)."""
        reminders = self.reminder_ids.sudo()
        if outcome in ("promise", "dispute", "paid", "callback", "refused", "copy"):
            reminders._ar_apply_report("read")
        elif outcome == "voicemail":
            reminders._ar_apply_report("delivered")
        elif outcome == "wrong_number":
            reminders._ar_apply_report("failed", reason=reason)

    @api.model
    def _cron_ar_call_queue(self):
        """Daily: queue the customers above each company's thresholds, score every open
        task again (days overdue and silence move with the calendar), and close those
        with nothing left to call about."""
        companies = self.env["res.company"].search([])
        queued = {
            company.id: partner_ids
            for company, partner_ids in self._read_group(
                [("state", "in", OPEN_STATES)], ["company_id"], ["partner_id:array_agg"]
            )
        }
        # each company's ageing and holds read once, for its thresholds and its tasks
        overdue_by_company, holds_by_company = {}, {}
        for company in companies:
            overdue_by_company[company.id] = overdue_of = self._ar_get_overdue(company)
            candidates = self._ar_threshold_candidates(company, overdue_of)
            held = (
                candidates | candidates.browse(queued.get(company.id, []))
            )._ar_get_cadence_holds(company, company._ar_today())
            holds_by_company[company.id] = held
            queued_here = set(queued.get(company.id, []))
            partners = candidates.filtered(
                lambda p, h=held, q=queued_here: (
                    p.id not in q and not (h.get(p.id) or {}).get("partner")
                )
            )
            if partners:
                self.with_company(company)._ar_enqueue(company, partners, "threshold", score=False)
        calls = self.search([("state", "in", OPEN_STATES)], order="id")
        calls._ar_refresh_priority(overdue_by_company)
        calls._ar_close_needless(holds_by_company)

    def _ar_close_needless(self, holds_by_company=None):
        """Cancel the open tasks whose customer is now held as a whole (a dispute, a
        promise to pay, a pause: reminders stop, so do calls) or, queued by the cadence
        or a threshold, owes nothing overdue any more; the reason is kept on the task.
        ``holds_by_company``: each company's cadence holds of these tasks' customers,
        when read already."""
        columns_by_company = self._ar_read_columns(
            "state", "partner_id", "source", "amount_overdue"
        )
        for company_id, columns in columns_by_company.items():
            company = self.env["res.company"].browse(company_id)
            holds = (holds_by_company or {}).get(company_id)
            if holds is None:
                partners = self.env["res.partner"].browse({row[1] for row in columns.values()})
                holds = partners._ar_get_cadence_holds(company, company._ar_today())
            closing = defaultdict(list)
            for call_id, (state, partner_id, source, amount_overdue) in columns.items():
                if state not in OPEN_STATES:
                    continue
                hold = (holds.get(partner_id) or {}).get("partner")
                if hold:
                    reason = hold[1] or self.env._("Reminders to the customer are suspended.")
                elif source != "manual" and (amount_overdue or 0) <= 0:
                    reason = self.env._("Nothing is overdue any more.")
                else:
                    continue
                closing[reason].append(call_id)
            for reason, call_ids in closing.items():
                self.browse(call_ids).write(
                    {
                        "state": "cancelled",
                        "date_done": fields.Datetime.now(),
                        "date_next_call": False,
                        "close_reason": reason,
                    }
                )

    @api.model
    def _ar_threshold_candidates(self, company, overdue_of=None):
        """Customers (commercial entities) above ``company``'s call thresholds today:
        overdue above the amount (and for the days) set, or a promise broken in the last
        week; less those who opted out of calls. ``overdue_of``: the company's
        :meth:`_ar_get_overdue`, when read already."""
        settings = self.env["ar.followup.channel"]._ar_call_account(company)
        # only the fields read here: a customer's every column, 20,000 times, is slow
        partners = self.env["res.partner"].with_context(prefetch_fields=False)
        if not settings or settings.state == "disabled":
            return partners
        today = company._ar_today()
        if settings.call_threshold_amount > 0:
            if overdue_of is None:
                overdue_of = self._ar_get_overdue(company)
            partners |= partners.browse(
                [
                    partner_id
                    for partner_id, (overdue, oldest) in overdue_of.items()
                    if overdue >= settings.call_threshold_amount
                    and oldest
                    and (today - oldest).days >= settings.call_threshold_days
                ]
            )
        if settings.call_on_broken_promise:
            partners |= (
                self.env["ar.followup.promise"]
                .sudo()
                .search(
                    [
                        ("company_id", "=", company.id),
                        ("state", "=", "broken"),
                        ("date_done", ">=", today - timedelta(days=7)),
                    ]
                )
                .partner_id
            )
        return partners.commercial_partner_id._ar_filter_channel_allowed("call")


def _hours(value):
    """``8.5`` → ``08:30``."""
    hours, minutes = divmod(round(value * 60), 60)
    return "%02d:%02d" % (hours, minutes)


def _shorten(text, size):
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"
