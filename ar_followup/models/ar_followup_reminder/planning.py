# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import Command, api, fields
from odoo.tools import SQL

from ...tools import cadence
from ...tools.bulk_insert import array_text, bulk_insert
from .states import CONTACT_STATES

_logger = logging.getLogger(__name__)

#: advisory lock namespace of the planner (one planner per company at a time)
PLAN_LOCK = 704_411
#: skip reasons about reaching the customer, whose details each channel gives
CONTACT_REASONS = (cadence.NO_CONTACT, cadence.DO_NOT_CONTACT)


class ReminderPlanning:
    """Planning: the daily pass recording each company's reminders for a day.

    Set-based: one query for the open items, one per kind of fact (coverage,
    last reminders, holds, tones), contact data per channel only for the
    customers a decision needs it for, the decisions in ``tools/cadence.py``,
    one streamed ``COPY`` for the reminders and one for their items. Skipped
    decisions are recorded too, once per key, with the reason.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

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
        pay_days = self._ar_fetch_pay_days(company, partners, policies, plain)
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
                pay_day=pay_days.get(partner.id),
            )
            for partner in partners
        ]
        ranges = [cadence.Bucket(*rng) for rng in company._ar_bucket_ranges()]
        covered = self._ar_fetch_covered(company, [item.line_id for item in items])
        # why a channel cannot reach a customer, kept for the skipped reminders' details
        contact_texts = {}

        def check(channel, ids):
            problems = self._ar_get_contact_problems(channel, partners.browse(ids), company)
            for pid, problem in problems.items():
                if problem and problem[1]:
                    contact_texts[channel, pid] = problem[1]
            return {pid: problem and problem[0] for pid, problem in problems.items()}

        decisions = cadence.plan_checking(customers, plain, day, ranges, covered, check)
        live, seen = self._ar_fetch_keys(company, decisions)
        decisions = cadence.new_decisions(decisions, live, seen)
        if not decisions:
            return self
        decided = partners.browse([d.partner_id for d in decisions])
        steps = self.env["ar.followup.policy.step"].browse({d.step_id for d in decisions})
        # what preparing the reminders reads, read now: they stream into a COPY as
        # they are prepared, and a connection cannot query while a COPY is under way
        steps.fetch(
            ["stage", "tone_id", "template_id", "template_b_id", "channel", "fallback_channel"]
        )
        self.env["ar.followup.policy"].union(*policies.values()).fetch(
            ["window_start", "window_end"]
        )
        # a step's own tone comes first: the customer's tone only for the other steps
        toned = {step.id for step in steps if step.tone_id}
        untoned = partners.browse([d.partner_id for d in decisions if d.step_id not in toned])
        context = {
            "day": day,
            "now": fields.Datetime.now(),
            "items": {item.line_id: item for item in items},
            "steps": {step.id: step for step in steps},
            "tones": untoned._ar_get_tones(company),
            "partners": {p.id: p for p in decided},
            "policies": policies,
            "company": company,
            "company_tz": company._ar_tz(),
            "contact_texts": contact_texts,
        }
        held = {move_id for d in decisions for move_id, _reason, _text in d.excluded}
        self.env["account.move"].browse(held).fetch(["name"])
        reminders = self._ar_create_planned(
            (self._ar_prepare_plan_vals(decision, context) for decision in decisions),
            len(decisions),
        )
        # counted from the decisions: reading the new reminders' state back would load
        # every column of every reminder just planned
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
    def _ar_create_planned(self, vals_iter, count=None):
        """Record the planner's reminders and their items: two streamed ``COPY``.

        ``vals_iter`` gives the reminders' values as
        :meth:`_ar_prepare_plan_vals` builds them, ``line_ids`` as
        ``Command.create``; a generator is best: the items are kept compactly, not
        as one dict each, until the reminders exist. Raw SQL (``tools/bulk_insert.py``)
        because the ORM's ``create`` converts and caches values one by one, most of
        a planning pass at these volumes (see ``make bench``). Defaults still apply
        and stored computed fields are computed by the ORM; nothing is tracked (the
        trail is the record).

        With ``count`` (how many reminders ``vals_iter`` gives), the values are
        prepared as the reminders stream into PostgreSQL, which inserts the ones
        already sent meanwhile: ``vals_iter`` must not query the database then (a
        connection cannot while a ``COPY`` is under way). Without, they are all
        prepared first.
        """
        # each reminder's items kept compactly until the reminders exist: one key
        # tuple for all items of a shape
        items, shapes = [], {}

        def reminders_vals():
            for vals in vals_iter:
                lines = []
                for command in vals.pop("line_ids", ()):
                    if command[0] != Command.CREATE:
                        raise ValueError("planned items are created, not %r" % (command,))
                    keys = tuple(command[2])
                    lines.append((shapes.setdefault(keys, keys), tuple(command[2].values())))
                items.append(lines)
                yield vals

        if count is None:
            vals_list = list(reminders_vals())
            reminders = bulk_insert(self, vals_list, len(vals_list))
        else:
            reminders = bulk_insert(self, reminders_vals(), count)
        bulk_insert(
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
        # read in chunks: all rows fetched at once would weigh as much again as the items
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
             WHERE r.company_id = %s AND r.state != 'skipped'
               AND l.move_line_id = ANY(%s::int[])
            """,
                company.id,
                # one array literal: a list would be parsed value by value
                array_text(line_ids),
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
    def _ar_fetch_pay_days(self, company, partners, policies, plain):
        """``{partner id: usual payment day}`` of the customers whose policy reminds
        before it (one behaviour query for them all), days unknown left out."""
        concerned = partners.filtered(
            lambda partner: plain[policies[partner.id].id].pay_day_lead is not None
        )
        if not concerned:
            return {}
        behaviour = concerned._ar_get_behaviour(company)
        return {
            pid: facts["payment_day"] for pid, facts in behaviour.items() if facts["payment_day"]
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
             WHERE company_id = %s AND partner_id = ANY(%s::int[])
               AND cycle_key = ANY(%s::varchar[])
            """,
                company.id,
                array_text({d.partner_id for d in decisions}),
                array_text({d.cycle_key for d in decisions}),
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
        # what every reminder of a step or a policy shares, read once for thousands
        memo = context.setdefault("memo", {})
        if step not in memo:
            memo[step] = (step.stage, step.tone_id.id, step.template_id.id, step.template_b_id.id)
        stage, step_tone_id, template_a_id, template_b_id = memo[step]
        if policy not in memo:
            memo[policy] = (policy.window_start, policy.window_end)
        window_start, window_end = memo[policy]
        send = decision.action == cadence.SEND
        held = {move_id: text for move_id, _reason, text in decision.excluded}
        stages = [s for s in decision.stages if not send or s.move_id not in held]
        items = context["items"]
        vals = {
            "company_id": context["company"].id,
            "partner_id": partner.id,
            "policy_id": policy.id,
            "step_id": step.id,
            "cycle_key": decision.cycle_key,
            "date": context["day"],
            "channel": decision.channel,
            "stage": stage,
            "tone_id": step_tone_id or context["tones"][partner.id][0].id,
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
            "excluded_note": False,
        }
        if held:
            moves = self.env["account.move"].browse(sorted(held))
            vals["excluded_note"] = "\n".join(
                "%s: %s" % (move.name, held[move.id]) for move in moves
            )
        if not send:
            text = decision.reason_text
            if not text and decision.reason in CONTACT_REASONS:
                texts = context["contact_texts"]
                text = " ".join(
                    texts[channel, partner.id]
                    for channel in step._ar_channels()
                    if (channel, partner.id) in texts
                )
            vals.update(
                state="skipped",
                reason=decision.reason,
                reason_text=text or False,
                date_closed=context["now"],
            )
        else:
            if template_b_id:
                arm = cadence.ab_arm(partner.id, step.id)
                template_id = template_b_id if arm == "b" else template_a_id
                vals.update(ab_arm=arm, template_id=template_id or False)
            # the same few (time zone, window) pairs for thousands of customers
            window = (partner.tz or context["company_tz"], window_start, window_end)
            openings = context.setdefault("openings", {})
            if window not in openings:
                openings[window] = cadence.window_opening(context["now"], *window)
            vals.update(
                state="to_approve" if decision.need_approval else "planned",
                date_scheduled=openings[window],
            )
        return vals
