# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import io
import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount, format_date

from ..tools import cadence

_logger = logging.getLogger(__name__)

STATES = [
    ("planned", "Planned"),
    ("to_approve", "To Approve"),
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("read", "Read"),
    ("replied", "Replied"),
    ("paid", "Paid"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
REASONS = [
    ("disputed", "Disputed"),
    ("promised", "Promised to pay"),
    ("paused", "Follow-up paused"),
    ("held", "On hold"),
    ("paid", "Paid meanwhile"),
    ("do_not_contact", "Do not contact"),
    ("no_contact", "No valid e-mail or number"),
    ("outside_hours", "Outside sending hours"),
    ("manual", "Cancelled by a user"),
    ("interrupted", "Interrupted while sending"),
    ("error", "Sending error"),
]
#: waiting to go out
OPEN_STATES = ("planned", "to_approve", "queued")
#: handed to the channel
SENT_STATES = ("sent", "delivered", "read", "replied", "paid")
#: a reminder in these states counts as contact for the minimum interval
CONTACT_STATES = (*OPEN_STATES, "sending", *SENT_STATES)
#: a 'sending' reminder older than this was interrupted (its dispatcher died)
SENDING_TIMEOUT = timedelta(minutes=30)
#: advisory lock namespace of the planner (one planner per company at a time)
PLAN_LOCK = 704_411
#: key in ``cr.cache`` of what :meth:`ArFollowupReminder._ar_prepare_send` read for a batch
SEND_CACHE = "ar_followup.reminder.send"


def _copy_text(value):
    """``value`` in PostgreSQL's COPY text format."""
    if value is None or value is False:  # the ORM's "no value" (booleans come as "t"/"f")
        return r"\N"
    text = str(value)
    if isinstance(value, str):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class _CopySource(io.TextIOBase):
    """A file ``COPY`` reads from, filled from ``lines`` as it reads: PostgreSQL
    inserts the rows already sent while Python formats the next ones (two cores
    at work instead of one, and no copy of the whole table in memory)."""

    def __init__(self, lines):
        super().__init__()
        self._lines = iter(lines)
        self._pending = ""

    def readable(self):
        return True

    # a file's read, not a model's
    def read(self, size=-1):  # pylint: disable=method-required-super
        chunks, length = [self._pending], len(self._pending)
        while size < 0 or length < size:
            line = next(self._lines, None)
            if line is None:
                break
            chunks.append(line)
            length += len(line)
        data = "".join(chunks)
        if size < 0:
            self._pending = ""
            return data
        self._pending = data[size:]
        return data[:size]


def _copy_rows(cr, table, columns, lines):
    """``COPY`` ``lines`` (rows in the COPY text format, see :func:`_copy_text`) into
    ``table``: the fastest way into PostgreSQL, a fraction of what an INSERT of
    large arrays costs to parse. ``lines`` is consumed while the server inserts
    (see ``_CopySource``)."""
    query = SQL(
        "COPY %s (%s) FROM STDIN",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(column) for column in columns),
    )
    cr.copy_expert(query.code, _CopySource(lines), size=65536)


def _bulk_insert(model, vals_iter, count=None):
    """Insert the rows ``vals_iter`` gives (dicts of plain column values) into
    ``model``'s table in one streamed ``COPY``.

    Every plain stored column is written, as ``create`` would: the value given,
    else the field's default, else NULL. With ``count`` (how many rows
    ``vals_iter`` gives) the ids are drawn first, the new records are returned
    and the ORM computes their stored computed fields; without, the table's
    sequence numbers the rows and nothing is returned (rows nobody reads back).
    ``vals_iter`` is consumed while the server inserts: a generator building rows
    goes in step with it, but must not query the database (a connection cannot
    while a ``COPY`` is under way). For the planner's volumes only (see
    ``ArFollowupReminder._ar_create_planned``); values must be plain (no
    translations, no commands, no computed fields).
    """
    env = model.env
    columns = [
        field
        for field in model._fields.values()
        if field.store and field.column_type and not field.compute and field.name != "id"
    ]
    for field in columns:
        if field.translate or field.column_type[0] == "jsonb":
            raise ValueError("%s.%s is not a plain column" % (model._name, field.name))
    names = [field.name for field in columns]
    booleans = {field.name for field in columns if field.type == "boolean"}
    defaults = model.default_get(names)
    if model._log_access:
        now = env.cr.now()
        defaults.update(create_uid=env.uid, write_uid=env.uid, create_date=now, write_date=now)

    def text(name, value):
        if name in booleans:
            return "t" if value else "f"
        return _copy_text(value)

    # a row is the defaults' text with the values given put in: formatting only
    # those (a reminder gives 16 of its 48 columns)
    blank = [text(name, defaults.get(name)) for name in names]
    position = {name: index for index, name in enumerate(names)}

    def row(vals):
        parts = blank.copy()
        for name, value in vals.items():
            index = position.get(name)
            if index is None:
                raise ValueError(
                    "%s: not plain columns: %s"
                    % (model._name, ", ".join(sorted(set(vals) - set(position))))
                )
            parts[index] = text(name, value)
        return "\t".join(parts)

    if count is None:
        _copy_rows(env.cr, model._table, names, (row(vals) + "\n" for vals in vals_iter))
        return model.browse()
    if not count:
        return model.browse()
    # ids drawn first, so each row's id is known without relying on the insertion order
    env.cr.execute(
        SQL("SELECT nextval(%s) FROM generate_series(1, %s)", "%s_id_seq" % model._table, count)
    )
    ids = [record_id for (record_id,) in env.cr.fetchall()]
    _copy_rows(
        env.cr,
        model._table,
        ["id", *names],
        (
            "%d\t%s\n" % (record_id, row(vals))
            for record_id, vals in zip(ids, vals_iter, strict=True)
        ),
    )
    records = model.browse(ids)
    for field in model._fields.values():
        if field.store and field.compute:
            env.add_to_compute(field, records)
    return records


class ArFollowupReminder(models.Model):
    """A payment reminder: the dispatch queue and the audit trail in one record.

    Lifecycle::

        planned ──(its time comes)──> queued ──> sending ──> sent ──> delivered ──> read
           │                           ^                     └────> replied / paid
           └─(approval first)─> to_approve ──(approved)──> planned
        any open state ──> skipped (reason) | cancelled (reason);  sending ──> failed

    **Planning** (:meth:`_ar_plan`, daily per company) is set-based: one query
    for the open items, one per kind of fact (coverage, last reminders, holds,
    tones), contact data per channel for the customers a decision needs it for,
    the decisions in ``tools/cadence.py``, one streamed ``COPY`` for the reminders
    and one for their items. Skipped decisions are recorded too, once per key.

    **Exactly once.** A reminder is identified by (company, customer, step,
    cycle key), unique in the database while it is not skipped. Dispatch
    (:meth:`_ar_dispatch`) claims due reminders with ``FOR UPDATE SKIP LOCKED``
    and commits them as ``sending`` *before* any channel is called; each
    reminder is then sent and committed on its own. A second dispatcher skips
    what the first holds, and never selects what it committed as
    ``sending``. A reminder left ``sending`` by a dispatcher that died is
    recovered after :data:`SENDING_TIMEOUT` by its channel
    (:meth:`_ar_recover_interrupted`): e-mail is posted in the same
    transaction as the state, so it is requeued; a channel calling an outside
    service must not guess and marks it failed for a person to check.

    **Channels** plug in like payment providers: ``channel`` is the customer's
    ``ar_channel`` selection, which channel addons extend with
    ``selection_add``, and they override :meth:`_ar_send`,
    :meth:`_ar_get_contact_problems` and :meth:`_ar_recover_interrupted`,
    calling ``super()`` and returning its result when the reminder is not
    theirs.
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
    step_id = fields.Many2one(
        "ar.followup.policy.step", "Step", required=True, readonly=True, ondelete="restrict"
    )
    cycle_key = fields.Char(
        required=True,
        readonly=True,
        help="What the reminder covers (earliest trigger and a digest of invoices and steps): "
        "the same situation never gives two reminders.",
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
    # the invoices of the items, not stored: a second table of 85,000 links (and their
    # foreign-key checks) took 1.4 s of a first planning pass at 100,000 invoices
    move_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_move_ids", search="_search_move_ids"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_residual = fields.Monetary(
        "Amount Claimed", readonly=True, help="What the items owed when planned (company currency)."
    )
    subject = fields.Char(readonly=True)
    body = fields.Html(readonly=True, sanitize_style=True)
    recipient = fields.Char(readonly=True, help="Addresses or numbers the reminder went to.")
    mail_message_id = fields.Many2one(
        "mail.message", "Message", readonly=True, index="btree_not_null", ondelete="set null"
    )
    provider_message_id = fields.Char(
        "Provider Reference",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The channel's message id (e-mail Message-Id, WhatsApp message id...).",
    )
    error = fields.Text(readonly=True)
    approved_by_id = fields.Many2one("res.users", "Approved By", readonly=True)
    date_approved = fields.Datetime("Approved On", readonly=True)
    date_sending = fields.Datetime("Sending Since", readonly=True)
    date_sent = fields.Datetime("Sent On", readonly=True)
    date_delivered = fields.Datetime("Delivered On", readonly=True)
    date_read = fields.Datetime("Read On", readonly=True)
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
    _dispatch_idx = models.Index(
        "(date_scheduled, id) WHERE state IN ('planned', 'queued', 'sending')"
    )

    @api.model
    def _selection_channel(self):
        return self.env["res.partner"]._fields["ar_channel"]._description_selection(self.env)

    @api.depends("partner_id", "step_id", "date")
    def _compute_display_name(self):
        for reminder in self:
            reminder.display_name = self.env._(
                "%(customer)s: %(step)s (%(date)s)",
                customer=reminder.partner_id.display_name,
                step=reminder.step_id.name,
                date=format_date(self.env, reminder.date),
            )

    # -- actions -------------------------------------------------------------

    def _ar_check_user(self):
        """AR users act on reminders through these actions only: the trail is read-only."""
        if not self.env.su and not self.env.user.has_group("ar_followup.ar_followup_group_user"):
            raise AccessError(self.env._("Only AR Follow-up users can act on reminders."))
        self.check_access("read")
        return self.sudo()

    def action_approve(self):
        reminders = self._ar_check_user().filtered(lambda r: r.state == "to_approve")
        reminders.write(
            {
                "state": "planned",
                "approved_by_id": self.env.uid,
                "date_approved": fields.Datetime.now(),
            }
        )
        return True

    def action_cancel(self):
        reminders = self._ar_check_user().filtered(lambda r: r.state in OPEN_STATES)
        reminders._ar_close(
            "cancelled", "manual", self.env._("Cancelled by %s", self.env.user.name)
        )
        return True

    def action_open_message(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _ar_close(self, state, reason, text=None):
        self.write(
            {
                "state": state,
                "reason": reason,
                "reason_text": text or False,
                "date_closed": fields.Datetime.now(),
            }
        )

    @api.depends("line_ids.move_line_id.move_id")
    def _compute_move_ids(self):
        for reminder in self:
            reminder.move_ids = reminder.line_ids.move_line_id.move_id

    def _search_move_ids(self, operator, value):
        if operator != "in":
            return NotImplemented
        return [("line_ids.move_line_id.move_id", "in", value)]

    # -- planning ------------------------------------------------------------

    @api.model
    def _ar_plan(self, company, day):
        """Record the reminders of ``company`` for ``day``; returns them (skipped included).

        Holds an advisory lock on the company until the transaction ends, so two
        planners never decide on the same state; the unique index stays the last
        guard. Broken promises asking for the next step are consumed once their
        customer got a reminder.
        """
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", PLAN_LOCK, company.id))
        items = self._ar_fetch_items(company)
        if not items:
            return self
        Partner = self.env["res.partner"].with_company(company)
        partners = Partner.browse(sorted({item.partner_id for item in items}))
        # what planning reads of the customers, in one narrow query: a first access
        # to any other field would load every column of res.partner for all of them
        partners.fetch(
            [
                "commercial_partner_id",
                "parent_id",
                "tz",
                "email_normalized",
                "ar_channel",
                "ar_policy_id",
                "ar_segment_id",
                "ar_tone_override_id",
                "ar_tone_escalation",
                "country_id",
                "company_id",
                *(name for name in ("phone", "mobile") if name in Partner._fields),
                *(name for name in Partner._fields if name.startswith("ar_no_")),
            ]
        )
        policies = partners._ar_get_policies(company)
        plain = policies and self.env["ar.followup.policy"].union(*policies.values())._ar_to_plain()
        channels = {c for p in plain.values() for step in p.steps for c in step.channels}
        holds = partners._ar_get_cadence_holds(company, day)
        last = self._ar_fetch_last_reminders(company, partners, day)
        broken = (
            self.env["ar.followup.promise"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("state", "=", "broken"),
                    ("escalate_next_step", "=", True),
                ]
            )
        )
        advance_ids = set(broken.partner_id.ids)
        by_partner = {}
        for item in items:
            by_partner.setdefault(item.partner_id, []).append(item)
        customers = [
            cadence.Customer(
                partner.id,
                policies[partner.id].id,
                tuple(by_partner[partner.id]),
                last_reminder=last.get(partner.id),
                hold=holds[partner.id]["partner"],
                move_holds=holds[partner.id]["moves"],
                # checked only for the customers a decision needs them for (most are
                # reached by their first channel), see cadence.plan_checking
                contact=dict.fromkeys(channels, cadence.UNCHECKED),
                preferred_channel=partner.ar_channel,
                advance=partner.id in advance_ids,
            )
            for partner in partners
        ]
        ranges = [cadence.Bucket(*rng) for rng in company._ar_bucket_ranges()]
        covered = self._ar_fetch_covered(company, [item.line_id for item in items])
        decisions = cadence.plan_checking(
            customers,
            plain,
            day,
            ranges,
            covered,
            lambda channel, ids: self._ar_get_contact_problems(channel, partners.browse(ids)),
        )
        live, seen = self._ar_fetch_keys(company, decisions)
        decisions = cadence.new_decisions(decisions, live, seen)
        if not decisions:
            return self
        decided = partners.browse([d.partner_id for d in decisions])
        steps = self.env["ar.followup.policy.step"].browse({d.step_id for d in decisions})
        context = {
            "day": day,
            "now": fields.Datetime.now(),
            "items": {item.line_id: item for item in items},
            "steps": {step.id: step for step in steps},
            "tones": decided._ar_get_tones(company),
            "partners": {p.id: p for p in decided},
            "policies": policies,
            "company": company,
            "company_tz": company._ar_tz(),
            "decisions": decisions,
        }
        reminders = self._ar_create_planned(
            self._ar_prepare_plan_vals(decision, context) for decision in decisions
        )
        # counted from the decisions: reading the new reminders' state back would load
        # every column of 20,000 reminders at 100,000 invoices (30 MB, ``make bench``)
        advanced = {d.partner_id for d in decisions if d.action == cadence.SEND}
        broken.filtered(lambda p: p.partner_id.id in advanced)._ar_consume_escalations()
        _logger.info(
            "AR cadence %s on %s: %d open items, %d reminders planned, %d skipped",
            company.name,
            day,
            len(items),
            len(advanced),
            len(decisions) - len(advanced),
        )
        return reminders

    @api.model
    def _ar_create_planned(self, vals_iter):
        """Record the planner's reminders and their items: two streamed ``COPY``.

        ``vals_iter`` gives the reminders' values as
        :meth:`_ar_prepare_plan_vals` builds them, ``line_ids`` as
        ``Command.create``; a generator is best: the items are kept compactly, not
        as 85,000 dicts (30 MB at 100,000 invoices), until the reminders exist. Raw
        SQL because it was measured: the ORM's ``create`` spent 11 of 14 s of a
        planning pass over 10,000 invoices converting and caching values one by one
        (``make bench``). Defaults still apply and stored computed fields are
        computed by the ORM; nothing is tracked (the trail is the record).
        """
        # prepared before the COPY, as preparing may read the database (which a
        # connection cannot do while a COPY is under way); each reminder's items are
        # kept compactly meanwhile: one key tuple for all items of a shape
        vals_list, items, shapes = [], [], {}
        for vals in vals_iter:
            lines = []
            for command in vals.pop("line_ids", ()):
                if command[0] != Command.CREATE:
                    raise ValueError("planned items are created, not %r" % (command,))
                keys = tuple(command[2])
                lines.append((shapes.setdefault(keys, keys), tuple(command[2].values())))
            items.append(lines)
            vals_list.append(vals)
        reminders = _bulk_insert(self, vals_list, len(vals_list))
        _bulk_insert(
            self.env["ar.followup.reminder.line"],
            (
                dict(zip(keys, values, strict=True), reminder_id=reminder_id)
                for reminder_id, lines in zip(reminders.ids, items, strict=True)
                for keys, values in lines
            ),
        )
        return reminders

    @api.model
    def _ar_fetch_items(self, company):
        """The open receivable due lines of ``company``'s customer invoices, as ``cadence.Item``.

        One query: the bucket and the day the line entered it (its invoice's last
        transition to that bucket) come with it. Raw SQL because the ORM would
        read every open line and its transitions record by record; parameterised.
        """
        self.env["account.move.line"].flush_model(
            ["ar_bucket_id", "amount_residual", "reconciled", "parent_state", "date_maturity"]
        )
        self.env["account.move"].flush_model(["move_type", "commercial_partner_id"])
        self.env["ar.followup.bucket.transition"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            SELECT aml.id, aml.move_id, m.commercial_partner_id,
                   COALESCE(aml.date_maturity, aml.date), aml.amount_residual::float8,
                   aml.ar_bucket_id,
                   (SELECT MAX(t.date)
                      FROM ar_followup_bucket_transition t
                     WHERE t.move_id = aml.move_id AND t.to_bucket_id = aml.ar_bucket_id)
              FROM account_move_line aml
              JOIN account_move m ON m.id = aml.move_id
             WHERE aml.company_id = %(company)s
               AND aml.ar_bucket_id IS NOT NULL
               AND aml.parent_state = 'posted'
               AND NOT aml.reconciled
               AND aml.amount_residual > 0
               AND m.move_type IN ('out_invoice', 'out_receipt')
               AND m.commercial_partner_id IS NOT NULL
             ORDER BY m.commercial_partner_id, aml.id
            """,
                company=company.id,
            )
        )
        # read in chunks: 100,000 rows fetched at once weighed as much again as the items
        items = []
        while rows := self.env.cr.fetchmany(10_000):
            items.extend(cadence.Item(*row) for row in rows)
        return items

    @api.model
    def _ar_fetch_covered(self, company, line_ids):
        """``{(line id, step id, trigger)}`` already in a reminder that was not skipped."""
        if not line_ids:
            return set()
        self.flush_model(["state", "company_id"])
        self.env["ar.followup.reminder.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            SELECT l.move_line_id, l.step_id, l.trigger_date
              FROM ar_followup_reminder_line l
              JOIN ar_followup_reminder r ON r.id = l.reminder_id
             WHERE r.company_id = %s AND r.state != 'skipped' AND l.move_line_id = ANY(%s)
            """,
                company.id,
                line_ids,
            )
        )
        return set(self.env.cr.fetchall())

    @api.model
    def _ar_fetch_last_reminders(self, company, partners, day=None):
        """``{partner id: day}`` of each customer's last reminder (planned, queued or sent),
        up to ``day``: one planned for a later day (a retry after a failed payment) counts
        as contact from its own day, not before."""
        return {
            partner.id: last
            for partner, last in self._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    ("state", "in", CONTACT_STATES),
                    *([("date", "<=", day)] if day else []),
                ],
                ["partner_id"],
                ["date:max"],
            )
        }

    @api.model
    def _ar_fetch_keys(self, company, decisions):
        """Keys of ``decisions`` already recorded: (not skipped, any state)."""
        if not decisions:
            return set(), set()
        self.flush_model(["company_id", "partner_id", "step_id", "cycle_key", "state"])
        self.env.cr.execute(
            SQL(
                """
            SELECT partner_id, step_id, cycle_key, state
              FROM ar_followup_reminder
             WHERE company_id = %s AND partner_id = ANY(%s) AND cycle_key = ANY(%s)
            """,
                company.id,
                list({d.partner_id for d in decisions}),
                list({d.cycle_key for d in decisions}),
            )
        )
        live, seen = set(), set()
        for partner_id, step_id, key, state in self.env.cr.fetchall():
            seen.add((partner_id, step_id, key))
            if state != "skipped":
                live.add((partner_id, step_id, key))
        return live, seen

    @api.model
    def _ar_prepare_plan_vals(self, decision, context):
        """Values of the reminder recording ``decision`` (see :meth:`_ar_plan`)."""
        step = context["steps"][decision.step_id]
        partner = context["partners"][decision.partner_id]
        policy = context["policies"][partner.id]
        send = decision.action == cadence.SEND
        held = {move_id: text for move_id, _reason, text in decision.excluded}
        stages = [s for s in decision.stages if not send or s.move_id not in held]
        items = context["items"]
        moves = self.env["account.move"].browse(sorted(held))
        vals = {
            "company_id": context["company"].id,
            "partner_id": partner.id,
            "policy_id": policy.id,
            "step_id": step.id,
            "cycle_key": decision.cycle_key,
            "date": context["day"],
            "channel": decision.channel,
            "stage": step.stage,
            "tone_id": (step.tone_id or context["tones"][partner.id][0]).id,
            "escalated": decision.escalate,
            "amount_residual": sum(s.residual for s in stages),
            "line_ids": [
                Command.create(
                    {
                        "move_line_id": s.line_id,
                        "step_id": s.step_id,
                        "trigger_date": s.trigger,
                        "date_maturity": items[s.line_id].due,
                        "amount_residual": s.residual,
                    }
                )
                for s in stages
            ],
            "excluded_note": "\n".join("%s: %s" % (move.name, held[move.id]) for move in moves)
            or False,
        }
        if not send:
            vals.update(
                state="skipped",
                reason=decision.reason,
                reason_text=decision.reason_text or False,
                date_closed=context["now"],
            )
        else:
            # the same few (time zone, window) pairs for thousands of customers
            window = (
                partner.tz or context["company_tz"],
                policy.window_start,
                policy.window_end,
            )
            openings = context.setdefault("openings", {})
            if window not in openings:
                openings[window] = cadence.window_opening(context["now"], *window)
            vals.update(
                state="to_approve" if decision.need_approval else "planned",
                date_scheduled=openings[window],
            )
        return vals

    # -- channels: contact data ---------------------------------------------------

    @api.model
    def _ar_get_contact_problems(self, channel, partners):
        """``{partner id: None when ``partners`` can be reached by ``channel``, else a reason}``.

        For a batch of customers. Channel addons override it, call ``super()`` and
        return its result for other channels; a channel nobody handles reaches
        nobody (``no_contact``), so a step falls back to its next channel.
        """
        problems = {partner.id: cadence.NO_CONTACT for partner in partners}
        if channel != "email":
            return problems
        recipients = self._ar_get_email_recipients(partners)
        for partner in partners:
            if not partner._ar_is_channel_allowed("email"):
                problems[partner.id] = cadence.DO_NOT_CONTACT
            elif recipients[partner.id] is None:
                problems[partner.id] = cadence.NO_CONTACT
            elif not recipients[partner.id]:
                problems[partner.id] = cadence.DO_NOT_CONTACT
            else:
                problems[partner.id] = None
        return problems

    @api.model
    def _ar_get_email_recipients(self, partners):
        """``{partner id: recipients}`` of e-mail reminders, blacklisted addresses left out.

        ``None`` when the customer has no valid address at all; an empty recordset
        when every address is blacklisted (the customer opted out). One blacklist
        search for all ``partners``.
        """
        # res.partner._ar_get_email_recipients() for a batch: the invoicing contacts of
        # all the customers in one query instead of each customer's contacts in turn
        commercial = {partner.id: partner.commercial_partner_id for partner in partners}
        contacts = self.env["res.partner"].search_fetch(
            [
                ("parent_id", "in", list({p.id for p in commercial.values()})),
                ("type", "=", "invoice"),
                ("email", "!=", False),
            ],
            ["parent_id", "email_normalized"],
        )
        by_parent = contacts.grouped("parent_id")
        candidates = {
            pid: (by_parent.get(customer) or customer).filtered("email_normalized")
            for pid, customer in commercial.items()
        }
        emails = {email for r in candidates.values() for email in r.mapped("email_normalized")}
        blacklisted = set(
            self.env["mail.blacklist"]
            .sudo()
            .search([("email", "in", list(emails))])
            .mapped("email")
        )
        return {
            pid: recipients.filtered(lambda r: r.email_normalized not in blacklisted)
            if recipients
            else None
            for pid, recipients in candidates.items()
        }

    # -- dispatch ------------------------------------------------------------------

    @api.model
    def _ar_get_due_domain(self, companies, now):
        return [
            ("company_id", "in", companies.ids),
            ("state", "=", "queued"),
            ("date_scheduled", "<=", now),
        ]

    @api.model
    def _ar_dispatch(self, companies, limit=None, batch_size=200):
        """Send the reminders of ``companies`` due now, in batches; returns how many were handled.

        1. recover reminders left ``sending`` by a dead dispatcher;
        2. release planned reminders whose time came (``queued``), cancelling those
           whose invoices were paid meanwhile;
        3. claim a batch (``FOR UPDATE SKIP LOCKED``), mark it ``sending`` and commit;
        4. check each reminder again (holds, payments, contact, sending window),
           send each through its channel, committed on its own when the channel
           calls an outside service, then post the batch's e-mails together and
           commit them (:meth:`_ar_dispatch_together`).

        Commits go through ``ir.cron._commit_progress``, which also reports the
        progress of the cron and tells when its time is up; what was claimed but
        not reached then goes back to the queue. Batches of 200: the e-mails of a
        batch are posted and committed together, and each batch has a few
        queries and a commit of its own (30% faster than batches of 50 here).
        """
        Cron = self.env["ir.cron"]
        now = fields.Datetime.now()
        self._ar_recover_interrupted(companies, now)
        self._ar_release(companies, now)
        due = self.search_count(self._ar_get_due_domain(companies, now))
        time_left = Cron._commit_progress(remaining=min(due, limit) if limit else due)
        done = 0
        while time_left and (limit is None or done < limit):
            batch = self._ar_claim(
                companies, now, batch_size if limit is None else min(batch_size, limit - done)
            )
            if not batch:
                break
            # the claim is committed before any channel is called: a crash from here on
            # leaves the batch 'sending', never sent twice
            Cron._commit_progress()
            problems = batch._ar_check_before_send(now)
            pending = 0
            try:
                try:
                    with self.env.cr.savepoint():
                        batch._ar_prepare_send(problems)
                except Exception:
                    _logger.exception("AR dispatch: batch data not read ahead")
                # each reminder of an outside service committed on its own first, then the
                # others together (a failure among them cannot undo a committed call)
                together = batch._ar_get_sent_together()
                rest = batch - together
                for index, reminder in enumerate(rest):
                    reminder._ar_dispatch_one(problems.get(reminder.id), now)
                    done += 1
                    pending += 1
                    if not reminder._ar_commit_each():
                        continue
                    time_left = Cron._commit_progress(pending)
                    pending = 0
                    if not time_left:
                        (rest[index + 1 :] | together)._ar_unclaim()
                        Cron._commit_progress()
                        break
                else:
                    if together:
                        together._ar_dispatch_together(problems, now)
                        done += len(together)
                        pending += len(together)
            finally:
                self._ar_forget_send()
            if pending:
                time_left = Cron._commit_progress(pending)
        return done

    def _ar_prepare_send(self, problems):
        """Read for the whole batch what sending each reminder would read on its own.

        The template of each kind of reminder, the e-mail recipients and the
        reply-to of the customers, the data of their templates (open lines,
        position, promise, dispute): a few queries per batch instead of as many
        per reminder. Kept in the transaction's cache (``cr.cache``, emptied by a
        commit or rollback), and dropped after the batch by :meth:`_ar_forget_send`;
        a reminder that finds nothing there reads its own. ``problems``: those
        of :meth:`_ar_check_before_send` (reminders that will not go out as planned
        are left out).
        """
        going = self.filtered(lambda r: r.id not in problems)
        memo = self.env.cr.cache.setdefault(SEND_CACHE, {"templates": {}})
        email = going.filtered(lambda r: r.channel == "email")
        if email:
            memo["recipients"] = self._ar_get_email_recipients(email.partner_id)
            # per reminder: the author (hence the reply-to) depends on its company
            memo["post"] = {}
            for author, reminders in email.grouped(lambda r: r._ar_get_email_author()).items():
                defaults = reminders.partner_id._ar_get_post_defaults(author)
                memo["post"].update({r.id: defaults[r.partner_id.id] for r in reminders})
        Template = self.env["ar.followup.template"]
        for company, reminders in going.grouped("company_id").items():
            moves = self.env["account.move"].union(*(r._ar_get_open_moves() for r in reminders))
            Template.with_company(company)._ar_context_prefetch(
                reminders.partner_id.with_company(company), moves, company
            )

    @api.model
    def _ar_forget_send(self):
        """Drop what :meth:`_ar_prepare_send` kept."""
        self.env.cr.cache.pop(SEND_CACHE, None)
        self.env["ar.followup.template"]._ar_context_forget()

    @api.model
    def _ar_send_memo(self, key):
        """What :meth:`_ar_prepare_send` kept under ``key`` for the batch being sent, or {}."""
        return self.env.cr.cache.get(SEND_CACHE, {}).get(key, {})

    def _ar_commit_each(self):
        """Whether this reminder's outcome is committed on its own, right after sending.

        Yes for a channel that calls an outside service: once the provider has
        the message, the database must say so before anything else can fail. An
        e-mail is only a message and a queued ``mail.mail`` in this transaction:
        the batch commits them together (a commit also empties the ORM cache, which
        made every reminder load its data again), and a crash before that commit
        leaves the batch ``sending`` with nothing posted, requeued by
        :meth:`_ar_recover_interrupted_one`.
        """
        return self.channel != "email"

    @api.model
    def _ar_claim(self, companies, now, size):
        """Lock and mark ``sending`` up to ``size`` due reminders nobody else holds.

        Raw SQL: ``FOR UPDATE SKIP LOCKED`` with a limit over a domain, which the
        ORM's ``try_lock_for_update`` (on given ids) cannot express.
        """
        self.flush_model(["state", "company_id", "date_scheduled"])
        self.env.cr.execute(
            SQL(
                """
            SELECT id
              FROM ar_followup_reminder
             WHERE state = 'queued' AND company_id = ANY(%s) AND date_scheduled <= %s
             ORDER BY date_scheduled, id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
                companies.ids,
                now,
                size,
            )
        )
        batch = self.browse([row[0] for row in self.env.cr.fetchall()])
        batch.write({"state": "sending", "date_sending": now})
        return batch

    def _ar_unclaim(self):
        """Give back claimed reminders that were not handed to their channel."""
        self.filtered(lambda r: r.state == "sending").write(
            {"state": "queued", "date_sending": False}
        )

    @api.model
    def _ar_release(self, companies, now):
        """Planned reminders whose time came join the queue.

        One UPDATE: on the morning after a first planning pass they are tens of
        thousands, and nothing computed depends on this step of their life.
        """
        self.flush_model(["state", "company_id", "date_scheduled"])
        self.env.cr.execute(
            SQL(
                """
            UPDATE ar_followup_reminder
               SET state = 'queued', write_uid = %s, write_date = %s
             WHERE state = 'planned' AND company_id = ANY(%s) AND date_scheduled <= %s
         RETURNING id
            """,
                self.env.uid,
                fields.Datetime.now(),
                companies.ids,
                now,
            )
        )
        released = self.browse([row[0] for row in self.env.cr.fetchall()])
        released.invalidate_recordset(["state", "write_uid", "write_date"])
        released.modified(["state"])
        return released

    @api.model
    def _ar_recover_interrupted(self, companies, now):
        """Reminders ``sending`` for longer than :data:`SENDING_TIMEOUT`: their dispatcher died.

        Each channel decides (:meth:`_ar_recover_interrupted_one`).
        """
        stuck = self.search(
            [
                ("company_id", "in", companies.ids),
                ("state", "=", "sending"),
                ("date_sending", "<", now - SENDING_TIMEOUT),
            ]
        ).try_lock_for_update()
        for reminder in stuck:
            reminder._ar_recover_interrupted_one()
        return stuck

    def _ar_recover_interrupted_one(self):
        """Requeue an interrupted e-mail reminder; fail one of any other channel.

        E-mail is posted on the customer in the transaction that marks the
        reminder sent, so ``sending`` means nothing left: safe to requeue. A
        channel calling an outside service cannot know whether the call went
        through; it fails the reminder (``interrupted``) unless it overrides this
        to ask its provider, calling ``super()`` for other channels.
        """
        self.ensure_one()
        if self.channel == "email":
            self._ar_unclaim()
            _logger.warning("AR reminder %s was interrupted while sending: requeued", self.id)
            return
        self.write(
            {
                "state": "failed",
                "reason": "interrupted",
                "date_closed": fields.Datetime.now(),
                "error": self.env._(
                    "Interrupted while sending: check with the provider whether it left."
                ),
            }
        )

    def _ar_check_before_send(self, now):
        """``{reminder id: (state, reason, text)}`` for reminders that must not go out as planned.

        Set-based over the batch (one search per hold model, one contact check per
        channel); see :meth:`_ar_send_problem`.
        """
        problems = {}
        for company, reminders in self.grouped("company_id").items():
            holds = reminders.partner_id._ar_get_cadence_holds(company, company._ar_today())
            contact = {
                channel: self._ar_get_contact_problems(
                    channel, group.partner_id.with_company(company)
                )
                for channel, group in reminders.grouped("channel").items()
            }
            for reminder in reminders:
                problem = reminder._ar_send_problem(
                    holds.get(reminder.partner_id.id) or {}, contact[reminder.channel], now
                )
                if problem:
                    problems[reminder.id] = problem
        return problems

    def _ar_send_problem(self, hold, contact, now):
        """Why this reminder must not go out now as planned, or None.

        ``("cancelled", "paid", None)`` when its invoices were paid meanwhile;
        ``("skipped", reason, text)`` when the customer or all its invoices are now
        held, or cannot be reached; ``("exclude", move ids, text)`` when some of its
        invoices are now held (sent without them); ``("queued", opening, None)``
        outside the sending window, or skipped (``outside_hours``) once the next
        opening is more than a day after the day it was planned (or approved) for.
        """
        self.ensure_one()
        open_moves = self._ar_get_open_moves()
        if self.line_ids and not open_moves:
            return ("cancelled", "paid", None)
        if hold.get("partner"):
            return ("skipped", *hold["partner"])
        held = {m: hold["moves"][m.id] for m in open_moves if m.id in hold.get("moves", {})}
        if held and len(held) == len(open_moves):
            return ("skipped", *next(iter(held.values())))
        if contact.get(self.partner_id.id):
            return ("skipped", contact[self.partner_id.id], None)
        tz = self.partner_id.tz or self.company_id._ar_tz()
        opening = cadence.window_opening(now, tz, *self._ar_get_sending_window())
        if opening > now:
            # late by more than a day (counted from the approval for approved ones): the
            # situation may have changed, planning will decide again
            since = self.date_approved.date() if self.date_approved else self.date
            if opening.date() > since + timedelta(days=1):
                return ("skipped", "outside_hours", None)
            return ("queued", opening, None)
        if held:
            note = "\n".join("%s: %s" % (move.name, text) for move, (_code, text) in held.items())
            return ("exclude", [move.id for move in held], note)
        return None

    def _ar_get_sending_window(self):
        """``(from hour, until hour)`` in the customer's time zone: the policy's window.

        The hook for reminders that may leave at any hour (a manual send).
        """
        self.ensure_one()
        return (self.policy_id.window_start, self.policy_id.window_end or 24)

    def _ar_dispatch_one(self, problem, now):
        """Send one claimed reminder, or record why not. Errors of the channel fail it."""
        self.ensure_one()
        reminder = self._ar_apply_send_problem(problem)
        if reminder is None:
            return
        try:
            with self.env.cr.savepoint():
                content = reminder._ar_get_content()
                self.write({"subject": content["subject"], "body": content["body"]})
                reference = reminder._ar_send()
                if not reference:
                    raise UserError(self.env._("No channel sends reminders by %s.", self.channel))
        except Exception as exc:  # noqa: BLE001 - a channel's failure is recorded, not raised
            self._ar_handle_send_error(exc, now)
            return
        self._ar_mark_sent(reference, now)

    def _ar_apply_send_problem(self, problem):
        """The reminder to send after ``problem`` (see :meth:`_ar_send_problem`), or None.

        None when it does not go now: requeued for the opening of the sending
        window, or closed with its reason. A reminder some of whose invoices are
        now held goes without them (``ar_exclude_move_ids`` in its context).
        """
        self.ensure_one()
        if problem and problem[0] == "queued":
            self.write({"state": "queued", "date_sending": False, "date_scheduled": problem[1]})
            return None
        if problem and problem[0] == "exclude":
            self.excluded_note = "\n".join(filter(None, [self.excluded_note, problem[2]]))
            return self.with_context(ar_exclude_move_ids=problem[1])
        if problem:
            self._ar_close(*problem)
            return None
        return self

    def _ar_mark_sent(self, reference, now, values=None):
        """The channel took the reminder (``reference``: its message id); ``values``: more to
        write at once. An escalating reminder alerts its AR owner the first time it goes."""
        self.ensure_one()
        first_send = not self.date_sent  # not again after a fallback from a sent one
        self.write(
            {**(values or {}), "state": "sent", "date_sent": now, "provider_message_id": reference}
        )
        if first_send:
            self._ar_after_send()

    def _ar_handle_send_error(self, exc, now):
        """Record why the channel could not send this reminder (it fails).

        The hook for retries and fallbacks: an override may requeue the
        reminder instead, and calls ``super()`` for what it does not handle.
        """
        self.ensure_one()
        _logger.warning("AR reminder %s could not be sent: %s", self.id, exc)
        self.write(
            {
                "state": "failed",
                "reason": "error",
                "error": str(exc),
                "date_closed": fields.Datetime.now(),
            }
        )

    def _ar_get_open_moves(self):
        """The reminder's invoices that still have something due, less those held since it
        was planned (``ar_exclude_move_ids`` in the context, see :meth:`_ar_send_problem`)."""
        self.ensure_one()
        moves = self.move_ids
        if self.line_ids:
            moves = self.line_ids.move_line_id.filtered(
                lambda line: (
                    line.parent_state == "posted"
                    and not line.reconciled
                    and line.amount_residual > 0
                )
            ).move_id
        excluded = self.env.context.get("ar_exclude_move_ids")
        return moves.filtered(lambda move: move.id not in excluded) if excluded else moves

    # -- rendering and sending -------------------------------------------------------

    def _ar_get_template(self):
        self.ensure_one()
        step = self.step_id
        if step.template_id and step.template_id.channel == self.channel:
            return step.template_id
        key = (self.channel, self.stage or step.stage, self.tone_id.code or "neutral")
        # the same few templates serve a whole dispatch batch: selected once for it
        # (outside a batch, the memo is a dict of its own, forgotten at once)
        chosen = self._ar_send_memo("templates")
        if (*key, self.company_id.id) not in chosen:
            chosen[(*key, self.company_id.id)] = (
                self.env["ar.followup.template"]
                .with_company(self.company_id)
                ._ar_select(*key, self.company_id)
            )
        return chosen[(*key, self.company_id.id)]

    def _ar_get_content(self):
        """``{"subject", "body"}`` that goes out: the rendered template by default.

        The hook for texts a person edited before approving (an override returns
        them instead of rendering again).
        """
        self.ensure_one()
        return self._ar_render()

    def _ar_render(self):
        """``{"subject", "body"}`` of this reminder, in the customer's language.

        The one place text is produced: the template of the step (or of the stage,
        channel and tone) over the invoices still open, with their residual; a
        plain list when no template exists.
        """
        self.ensure_one()
        moves = self._ar_get_open_moves()
        template = self._ar_get_template()
        partner = self.partner_id.with_company(self.company_id)
        if template:
            return template.with_company(self.company_id)._ar_render(
                partner, moves, tone=self.tone_id.code or "neutral", reminder=self
            )
        return self._ar_render_default(moves)

    def _ar_render_default(self, moves):
        self.ensure_one()
        rows = Markup("").join(
            Markup("<li>%s, due %s: %s</li>")
            % (
                move.name,
                format_date(self.env, move.invoice_date_due),
                format_amount(self.env, move.amount_residual, move.currency_id),
            )
            for move in moves
        )
        return {
            "subject": self.env._("Payment reminder from %s", self.company_id.name),
            "body": Markup("<p>%s</p><ul>%s</ul>")
            % (
                self.env._(
                    "Dear %s, the following invoices are awaiting payment:", self.partner_id.name
                ),
                rows,
            ),
        }

    def _ar_send(self):
        """Hand the reminder to its channel; returns the channel's message reference.

        Each channel extends this like a payment provider: call ``super()``, return
        its result when ``self.channel`` is not yours, else send and return your
        reference. ``None`` means no channel took it (the reminder fails). The
        dispatcher sends e-mails of a batch together, without this method (see
        :meth:`_ar_get_sent_together`); a manual send goes through it.
        """
        self.ensure_one()
        if self.channel != "email":
            return None
        return self._ar_send_email()

    def _ar_send_email(self):
        """Post the reminder on the customer's thread, e-mailed to its invoicing contacts.

        Posted as a message of the customer: the customer's reply (In-Reply-To this
        message) lands on the customer's chatter, where the AR team reads it, and
        marks this reminder replied. Left to Odoo's outgoing mail queue (no
        immediate send), followers not notified. A dispatch batch posts its
        e-mails together instead (:meth:`_ar_dispatch_together`), the same way.
        """
        self.ensure_one()
        post = self._ar_get_email_post({"subject": self.subject, "body": self.body})
        message = self._ar_post_email(post)
        self.write(self._ar_email_sent_values(message, post))
        return message.message_id

    def _ar_get_email_post(self, content):
        """The arguments of ``message_post`` that send this reminder's ``content``
        (``{"subject", "body"}``) by e-mail. Raises when the customer has no address."""
        self.ensure_one()
        partner = self.partner_id
        recipients = self._ar_send_memo("recipients").get(partner.id)
        if recipients is None:
            recipients = self._ar_get_email_recipients(partner)[partner.id]
        if not recipients:
            raise UserError(
                self.env._("%s has no e-mail address to send to.", partner.display_name)
            )
        author = self._ar_get_email_author()
        # reply-to, alias domain and company as message_post would compute them,
        # computed for the whole batch (see _ar_prepare_send)
        defaults = self._ar_send_memo("post").get(self.id, {})
        return {
            **defaults,
            "body": Markup(content["body"] or ""),
            "subject": content["subject"],
            "message_type": "comment",
            "subtype_xmlid": "mail.mt_comment",
            "partner_ids": recipients.ids,
            "attachment_ids": self._ar_get_email_attachments().ids,
            "author_id": author.id,
            "email_layout_xmlid": "mail.mail_notification_light",
            "email_add_signature": False,
            "force_send": False,
            "notify_skip_followers": True,
        }

    def _ar_post_email(self, post):
        """The message ``message_post`` posts on the customer with ``post``."""
        self.ensure_one()
        return self.partner_id.with_context(mail_post_autofollow=False).message_post(**post)

    def _ar_email_sent_values(self, message, post):
        """What the reminder keeps of its e-mail ``message``, posted with ``post``."""
        recipients = self.env["res.partner"].browse(post["partner_ids"])
        return {"mail_message_id": message.id, "recipient": ", ".join(recipients.mapped("email"))}

    def _ar_get_sent_together(self):
        """The reminders of a claimed batch sent together by :meth:`_ar_dispatch_together`
        instead of one by one through :meth:`_ar_dispatch_one` and :meth:`_ar_send`: the
        e-mails. An addon that must see each e-mail go through ``_ar_send`` returns none."""
        return self.filtered(lambda r: r.channel == "email")

    def _ar_dispatch_together(self, problems, now):
        """Send these e-mail reminders of a claimed batch together.

        Each is checked, rendered and its post prepared on its own, in a
        savepoint (what fails there fails that reminder alone, through
        :meth:`_ar_handle_send_error`). Their messages are then posted in one go
        (``res.partner._ar_message_post_many``: one ``create`` per model for the
        batch, about twice as fast as a ``message_post`` each). Should that fail, the
        batch is posted one reminder at a time, and only a reminder whose own
        post fails is failed. Like :meth:`_ar_dispatch_one` for other channels.
        """
        ready = []
        for reminder in self:
            sending = reminder._ar_apply_send_problem(problems.get(reminder.id))
            if sending is None:
                continue
            try:
                with self.env.cr.savepoint():
                    content = sending._ar_get_content()
                    post = sending._ar_get_email_post(content)
            except Exception as exc:  # noqa: BLE001 - recorded on the reminder
                reminder._ar_handle_send_error(exc, now)
                continue
            ready.append((reminder, content, post))
        if not ready:
            return
        messages = None
        try:
            with self.env.cr.savepoint():
                messages = self.env["res.partner"]._ar_message_post_many(
                    [(reminder.partner_id, post) for reminder, _content, post in ready]
                )
        except Exception:
            _logger.exception("AR dispatch: e-mails not posted together, posting them one by one")
        for index, (reminder, content, post) in enumerate(ready):
            if messages:
                message = messages[index]
            else:
                try:
                    with self.env.cr.savepoint():
                        message = reminder._ar_post_email(post)
                except Exception as exc:  # noqa: BLE001 - recorded on the reminder
                    reminder._ar_handle_send_error(exc, now)
                    continue
            # the text that went out is kept with the outcome, in one write
            values = {**content, **reminder._ar_email_sent_values(message, post)}
            reminder._ar_mark_sent(message.message_id, now, values)

    def _ar_get_email_author(self):
        """The partner e-mail reminders come from: the AR owner, else the company."""
        self.ensure_one()
        owner = self.partner_id._ar_get_owner()
        return owner.partner_id if owner.partner_id.email else self.company_id.partner_id

    def _ar_get_email_attachments(self):
        """``ir.attachment`` records sent with the e-mail (none by default; the hook for
        invoice PDFs and the statement of account)."""
        self.ensure_one()
        return self.env["ir.attachment"]

    def _ar_after_send(self):
        """After a reminder left: an escalating one alerts the AR owner and firms the tone."""
        self.ensure_one()
        if not self.escalated:
            return
        partner = self.partner_id
        owner = partner._ar_get_owner()
        summary = self.env._(
            "Escalation: %(customer)s owes %(amount)s (%(step)s)",
            customer=partner.display_name,
            amount=format_amount(self.env, self.amount_residual, self.currency_id),
            step=self.step_id.name,
        )
        partner.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            user_id=owner.id or self.env.uid,
            date_deadline=self.company_id._ar_today(),
        )
        partner.ar_tone_escalation += 1

    # -- after sending -----------------------------------------------------------------

    @api.model
    def _ar_mark_replied(self, message):
        """``message`` answers a reminder's message: the reminder is replied."""
        reminders = self.search(
            [
                ("mail_message_id", "=", message.parent_id.id),
                ("state", "in", ("sent", "delivered", "read")),
            ]
        )
        reminders.write({"state": "replied", "date_replied": fields.Datetime.now()})
        return reminders

    @api.model
    def _ar_settle(self, moves):
        """Payments came in on ``moves``: reminders whose invoices are all paid are settled.

        Waiting reminders are cancelled (paid meanwhile); sent ones become paid.
        """
        reminders = self.search(
            [
                ("move_ids", "in", moves.ids),
                ("state", "in", (*OPEN_STATES, *SENT_STATES[:-1])),
            ]
        )
        now = fields.Datetime.now()
        for reminder in reminders:
            if reminder._ar_get_open_moves():
                continue
            if reminder.state in OPEN_STATES:
                reminder._ar_close("cancelled", "paid")
            else:
                reminder.write({"state": "paid", "date_paid": now})
        return reminders


class ArFollowupReminderLine(models.Model):
    """An item a reminder claims: one due line of an invoice, at one step.

    Read by the planner: an item reminded at a step on a trigger date is not
    reminded again for it (unless the reminder was skipped).
    """

    _name = "ar.followup.reminder.line"
    _description = "Payment Reminder Item"
    _order = "reminder_id, date_maturity, id"
    # written once by the planner, by the hundred thousand on a first run: no
    # create/write stamps (their reminder has them), no stored company or invoice, so
    # an item costs three foreign-key checks instead of eight (measured, ``make bench``)
    _log_access = False

    reminder_id = fields.Many2one(
        "ar.followup.reminder", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="reminder_id.company_id")
    move_line_id = fields.Many2one(
        "account.move.line", "Due Line", required=True, ondelete="cascade", index=True
    )
    # read through the due line, not stored: one foreign-key check less per item
    move_id = fields.Many2one(related="move_line_id.move_id", string="Invoice")
    step_id = fields.Many2one("ar.followup.policy.step", "Step", required=True, ondelete="restrict")
    trigger_date = fields.Date("Step Date", required=True)
    date_maturity = fields.Date("Due Date")
    currency_id = fields.Many2one(related="reminder_id.currency_id")
    amount_residual = fields.Monetary("Due When Planned")
    amount_residual_now = fields.Monetary("Due Now", compute="_compute_amount_residual_now")

    @api.depends("move_line_id.amount_residual")
    def _compute_amount_residual_now(self):
        for line in self:
            line.amount_residual_now = line.move_line_id.amount_residual
