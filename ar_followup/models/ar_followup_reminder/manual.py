# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import logging
from datetime import timedelta

import psycopg2

from odoo import Command, api, fields
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

#: reminders a "Send reminder now" sends within the user's request; more are queued for
#: the dispatcher, which commits in bounded transactions
MANUAL_SEND_AT_ONCE = 5


class ReminderManual:
    """ "Send reminder now": manual reminders.

    Manual reminders have no step (``manual`` set instead), name their
    template, and go out through the same checks and
    channel hooks as planned ones (:meth:`_ar_check_before_send`,
    :meth:`_ar_dispatch_one`) at once, in the user's transaction (a bulk send of
    more than :data:`MANUAL_SEND_AT_ONCE`, and any channel calling an outside
    service, is queued for the dispatcher instead): holds,
    do-not-contact, reachability and the policy's sending window still apply
    (outside it the reminder waits for its opening), and a policy that needs
    approval keeps a clerk's manual reminder in *To Approve* (an AR manager's goes
    at once). One counts as contact for the policy's minimum interval (the
    wizard warns when the last one is more recent); it claims no step, so the
    cadence's steps still fire. Its cycle
    key is ``manual:<minute>:<digest of channel and invoices>``: a second click
    within the same minute on the same invoices finds the first reminder (a
    partial unique index is the last guard against two requests at once) and
    sends nothing.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    @api.model
    def _ar_manual_keys(self, channel, moves, now):
        """``(cycle key, manual key)`` of a request at ``now`` to send ``moves`` by ``channel``.

        The request's minute, and its minute on a clock half a minute behind. Two
        requests less than 30 seconds apart fall in the same minute on at least one of
        the two clocks (at most one of them turns between the two), so one of the two
        unique indexes refuses the second, even when both run at once.
        """
        digest = hashlib.sha1(
            ("%s;%s" % (channel, ",".join(str(i) for i in sorted(moves.ids)))).encode()
        ).hexdigest()[:12]
        shifted = now - timedelta(seconds=30)
        return (
            "manual:%s:%s" % (now.strftime("%Y-%m-%dT%H:%M"), digest),
            "manual:%s+30s:%s" % (shifted.strftime("%Y-%m-%dT%H:%M"), digest),
        )

    @api.model
    def _ar_get_manual_lines(self, partner, moves, company):
        """The open receivable lines a manual reminder to ``partner`` claims for ``moves``.

        Raises ``UserError`` when one of ``moves`` is not a posted customer invoice of
        ``partner`` (its commercial entity) in ``company`` — what a client sends is
        never trusted to be the customer's — or when nothing is left to pay on them.
        """
        commercial = partner.commercial_partner_id
        foreign = moves.sudo().filtered(
            lambda move: (
                move.commercial_partner_id != commercial
                or move.company_id != company
                or move.state != "posted"
                or not move.is_sale_document(include_receipts=True)
            )
        )
        if foreign:
            raise UserError(
                self.env._(
                    "%(invoices)s cannot be reminded of to %(customer)s: only the customer's "
                    "own posted invoices of %(company)s can.",
                    invoices=", ".join(foreign.mapped("display_name")),
                    customer=commercial.display_name,
                    company=company.display_name,
                )
            )
        lines = moves.line_ids.filtered(
            lambda line: (
                line.account_type == "asset_receivable"
                and not line.reconciled
                and line.amount_residual > 0
            )
        )
        if not lines:
            raise UserError(self.env._("Nothing is left to pay on the selected invoices."))
        return lines

    @api.model
    def _ar_prepare_manual_vals(self, partner, moves, channel, template, tone, now):
        """Values of a manual reminder to ``partner`` about ``moves`` (its open invoices);
        see :meth:`_ar_get_manual_lines` for what it refuses."""
        company = moves.company_id[:1] or self.env.company
        today = company._ar_today()
        lines = self._ar_get_manual_lines(partner, moves, company)
        # invoices held (disputed, promised) are left out of what the reminder asks for,
        # as the dispatcher leaves out those held after planning; when all are held the
        # reminder keeps them and is skipped with the hold's reason
        holds = partner._ar_get_cadence_holds(company, today).get(
            partner.commercial_partner_id.id, {}
        )
        held = lines.filtered(lambda line: line.move_id.id in holds.get("moves", {}))
        excluded_note = False
        if held and held != lines and not holds.get("partner"):
            lines -= held
            excluded_note = "\n".join(
                "%s: %s" % (move.name, holds["moves"][move.id][1]) for move in held.move_id
            )
        stage = template.stage
        if not stage:
            due = min((line.date_maturity or line.date for line in lines), default=today)
            stage = "overdue" if due < today else ("due" if due == today else "before_due")
        cycle_key, manual_key = self._ar_manual_keys(channel, moves, now)
        policy = partner._ar_get_policies(company)[partner.id]
        approval = self._ar_manual_needs_approval(policy)
        return {
            "company_id": company.id,
            "partner_id": partner.id,
            "policy_id": policy.id,
            "manual": True,
            "cycle_key": cycle_key,
            "manual_key": manual_key,
            "date": today,
            "date_scheduled": now,
            "channel": channel,
            "stage": stage,
            "template_id": template.id,
            "tone_id": tone.id,
            "amount_residual": sum(lines.mapped("amount_residual")),
            "excluded_note": excluded_note,
            "line_ids": [
                Command.create(
                    {
                        "move_line_id": line.id,
                        "trigger_date": today,
                        "date_maturity": line.date_maturity,
                        "amount_residual": line.amount_residual,
                    }
                )
                for line in lines
            ],
            "state": "to_approve" if approval else "sending",
            "date_sending": False if approval else now,
        }

    @api.model
    def _ar_manual_needs_approval(self, policy):
        """Whether a manual reminder under ``policy`` waits for approval: the policy
        needs it, and the user is no AR manager (whose send is an approval)."""
        return bool(
            policy.need_approval
            and not self.env.su
            and not self.env.user.has_group("ar_followup.ar_followup_group_manager")
        )

    @api.model
    def _ar_send_manual(self, vals_list):
        """Record and send manual reminders now; returns ``[(reminder, already sent)]``.

        ``vals_list`` as :meth:`_ar_prepare_manual_vals` builds them. A reminder whose
        key is already recorded (a double submit) is returned with ``True`` and not
        sent again; when a concurrent request recorded it and has not committed (or
        committed after this transaction's snapshot), the unique index refuses the
        second row and the reminder comes back empty, with ``True``. The others are
        checked and sent as the dispatcher does, one by one; each ends sent, skipped
        (with its reason), cancelled or failed.
        """
        Reminder = self._ar_check_user()
        now = fields.Datetime.now()
        results, created = [], Reminder.browse()
        for vals in vals_list:
            existing = Reminder._ar_find_manual(vals)
            if not existing:
                try:
                    with self.env.cr.savepoint():
                        reminder = Reminder.create(vals)
                except psycopg2.errors.UniqueViolation:
                    # another request recorded the same reminder meanwhile
                    existing = Reminder._ar_find_manual(vals)
                else:
                    created |= reminder
                    results.append((reminder, False))
                    continue
            results.append((existing, True))
        waiting = created.filtered(lambda r: r.state == "to_approve")
        waiting._ar_log_note(
            lambda r: self.env._("Payment reminder waiting for approval: %s", r.display_name)
        )
        created -= waiting
        problems = created._ar_check_before_send(now)
        # what will go out: beyond a handful, rendering and attachments would hold the
        # user's request for minutes, so a bulk send is left to the dispatcher
        going = created.filtered(lambda r: not problems.get(r.id) or problems[r.id][0] == "exclude")
        bulk = len(going) > MANUAL_SEND_AT_ONCE
        queued = Reminder.browse()
        for reminder in created:
            problem = problems.get(reminder.id)
            if reminder in going and (bulk or reminder._ar_dispatcher_only()):
                # An outside service (SMS...) is called only by the dispatcher, which
                # commits before and right after the call: sent from this request, a
                # failure at its commit (or Odoo replaying the request after a
                # serialization error) would send the message again or lose its record.
                queued |= reminder
                continue
            reminder._ar_dispatch_one(problem, now)
        if queued:
            queued.write({"state": "queued", "date_sending": False})
            self.env.ref("ar_followup.ir_cron_ar_dispatch_reminders").sudo()._trigger()
        _logger.info(
            "AR manual send by user %s: %d reminders, %d sent, %d already sent",
            self.env.uid,
            len(results),
            len(created.filtered(lambda r: r.state == "sent")),
            len([1 for _r, again in results if again]),
        )
        return results

    @api.model
    def _ar_find_manual(self, vals):
        return self.search(
            [
                ("company_id", "=", vals["company_id"]),
                ("partner_id", "=", vals["partner_id"]),
                ("step_id", "=", False),
                "|",
                ("cycle_key", "=", vals["cycle_key"]),
                ("manual_key", "=", vals["manual_key"]),
                ("state", "!=", "skipped"),
            ],
            limit=1,
        )
