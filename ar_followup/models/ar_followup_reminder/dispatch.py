# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import time
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount, format_date

from ...tools import cadence
from .states import SENDING_TIMEOUT

_logger = logging.getLogger(__name__)

#: key in ``cr.cache`` of what :meth:`ReminderDispatch._ar_prepare_send` read for a batch
SEND_CACHE = "ar_followup.reminder.send"
#: longest a dispatch transaction prepares reminders sent together, in seconds (system
#: parameter ``ar_followup.dispatch_transaction_seconds``): well under Odoo's default
#: ``limit_time_real_cron`` (120 s), leaving room for posting and committing the batch
TRANSACTION_SECONDS = 45


class ReminderDispatch:
    """Dispatch: sending the reminders whose time came, exactly once.

    Due reminders are claimed with ``FOR UPDATE SKIP LOCKED`` and committed as
    ``sending`` *before* any channel is called; each is then checked again and
    sent, committed on its own when its channel calls an outside service, or
    with its batch when its channel sends together. A second dispatcher skips
    what the first holds, and never selects what it committed as ``sending``.
    A reminder left ``sending`` by a dispatcher that died is recovered after
    ``SENDING_TIMEOUT`` (:meth:`_ar_recover_interrupted`).
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

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
           calls an outside service, then the reminders of channels that send
           together (e-mail), each channel's at once, and commit them.

        Commits go through ``ir.cron._commit_progress``, which also reports the
        progress of the cron and tells when its time is up; what was claimed but
        not reached then goes back to the queue. Reminders sent together are
        prepared within :meth:`_ar_transaction_deadline`: what is not ready by
        then goes back to the queue too, so no transaction outlives the cron's
        time limit, whatever is attached. Batches are large because each has a
        few queries and a commit of its own (see ``make bench``).

        A channel that streams its calls (WhatsApp) implements the hook
        ``_ar_<code>_send_together_end(companies, now, failed=False)``: the core then
        neither checks nor reads ahead its reminders, which its ``send_together``
        does a few at a time while its calls go, and its calls still running when
        ``send_together`` returns go on while the next batch is claimed; the hook
        records them after the last batch or before a batch without the channel's
        reminders (or, ``failed``, only stops them: their reminders stay ``sending``,
        recovered as interrupted, never sent twice).
        """
        Cron = self.env["ir.cron"]
        now = fields.Datetime.now()
        self._ar_recover_interrupted(companies, now)
        self._ar_release(companies, now)
        due = self.search_count(self._ar_get_due_domain(companies, now))
        time_left = Cron._commit_progress(remaining=min(due, limit) if limit else due)
        streaming = set()  # channels that may have left calls running (``send_together_end``)
        try:
            done = self._ar_dispatch_batches(
                companies, now, limit, batch_size, streaming, time_left
            )
        except Exception:
            self._ar_end_streams(companies, now, streaming, failed=True)
            raise
        if streaming:
            self._ar_end_streams(companies, now, streaming)
            Cron._commit_progress()
        return done

    @api.model
    def _ar_end_streams(self, companies, now, channels, failed=False):
        """Let the calls of ``channels`` (a set of codes, emptied) end (``send_together_end``)."""
        while channels:
            self._ar_channel_hook("send_together_end", channels.pop())(companies, now, failed)

    @api.model
    def _ar_dispatch_batches(self, companies, now, limit, batch_size, streaming, time_left):
        """The batches of :meth:`_ar_dispatch`; returns how many reminders were handled.
        ``streaming`` receives the channels whose ``send_together_end`` must run after
        the last batch."""
        Cron = self.env["ir.cron"]
        done = 0
        while time_left and (limit is None or done < limit):
            size = batch_size if limit is None else min(batch_size, limit - done)
            batch = self._ar_claim(companies, now, size)
            if not batch:
                break
            done_before = done
            # the claim is committed before any channel is called: a crash from here on
            # leaves the batch 'sending', never sent twice
            time_left = Cron._commit_progress()
            # a channel's calls do not wait through a batch without its reminders
            idle = streaming - set(batch.mapped("channel"))
            streaming -= idle
            self._ar_end_streams(companies, now, idle)
            # slow work a channel can do ahead and keep (e-mail: printing the PDFs still
            # missing), committed a step at a time
            for channel, group in batch.grouped("channel").items():
                ahead = group._ar_channel_hook("before_send", channel)
                if ahead and time_left:
                    time_left = ahead(Cron._commit_progress)
            # a channel that streams its calls checks its reminders itself, a few at a time
            # while its calls go (see ``send_together_end``)
            streams = batch.filtered(lambda r: r._ar_channel_hook("send_together_end"))
            problems = (batch - streams)._ar_check_before_send(now)
            pending = 0
            try:
                try:
                    with self.env.cr.savepoint():
                        (batch - streams)._ar_prepare_send(problems)
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
                    deadline = self._ar_transaction_deadline()
                    for channel, reminders in together.grouped("channel").items():
                        send = reminders._ar_channel_hook("send_together", channel)
                        if reminders & streams:
                            streaming.add(channel)
                        left = send(problems, now, deadline)
                        left._ar_unclaim()
                        done += len(reminders) - len(left)
                        pending += len(reminders) - len(left)
                    if len(batch) < size or (limit is not None and done >= limit):
                        # the last batch: its calls end and are recorded with it
                        self._ar_end_streams(companies, now, streaming)
            finally:
                self._ar_forget_send()
            if pending:
                time_left = Cron._commit_progress(pending)
            if done == done_before:
                # every reminder of the batch was given back (its channel had no time
                # left to start one): claiming them again at once would spin until the
                # cron is killed; they wait for the next run
                _logger.info(
                    "AR dispatch: %s reminders given back, left to the next run", len(batch)
                )
                break
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
        self.env.cr.cache.setdefault(SEND_CACHE, {"templates": {}})
        for channel, reminders in going.grouped("channel").items():
            prepare = reminders._ar_channel_hook("prepare_batch", channel)
            if prepare:
                prepare()
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
        """Settle a reminder its dispatcher left ``sending``.

        The channel's ``_ar_<code>_recover_interrupted`` hook decides when it has
        one (asking its provider); else a channel whose interrupted send leaves
        nothing behind (``resend_interrupted``: e-mail is posted in the
        transaction that marks it sent) is queued again, and any other fails
        (``interrupted``) for a person to check with the provider, who is told:
        asking again could reach the customer twice.
        """
        self.ensure_one()
        hook = self._ar_channel_hook("recover_interrupted")
        if hook and hook():
            return
        if self._ar_channel_features()["resend_interrupted"]:
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
        self._ar_schedule_failure_activity()

    def _ar_check_before_send(self, now):
        """``{reminder id: (state, reason, text)}`` for reminders that must not go out as planned.

        Set-based over the batch (one search per hold model, one contact check per
        channel, one search of bank lines); see :meth:`_ar_send_problem` and
        :meth:`_ar_get_possible_payments`.
        """
        problems = {}
        for company, reminders in self.grouped("company_id").items():
            holds = reminders.partner_id._ar_get_cadence_holds(company, company._ar_today())
            contact = {
                channel: self._ar_get_contact_problems(channel, group.partner_id, company)
                for channel, group in reminders.grouped("channel").items()
            }
            going = []
            for reminder in reminders:
                problem = reminder._ar_send_problem(
                    holds.get(reminder.partner_id.id) or {}, contact[reminder.channel], now
                )
                if problem:
                    problems[reminder.id] = problem
                else:
                    going.append(reminder.id)
            # only a reminder that would go out whole: one that leaves held invoices out
            # claims less than its items, and one waiting for its window is checked again
            paid_maybe = self.browse(going)._ar_get_possible_payments(company)
            for reminder, line in paid_maybe.items():
                problems[reminder.id] = (
                    "skipped",
                    "possible_payment",
                    reminder._ar_possible_payment_text(line),
                )
            self._ar_tell_possible_payments(paid_maybe)
        return problems

    def _ar_get_possible_payments(self, company):
        """``{reminder: bank line}`` for these reminders of ``company`` whose whole amount
        an unreconciled incoming bank line may already have brought.

        The customer's own line at any date comes first, then the newest line without
        a customer of the last days (``account.bank.statement.line._ar_may_pay``). One
        search for the whole batch, read as superuser: whether a reminder goes out does
        not depend on who sends it.
        """
        if not self or not company.ar_possible_payment_hold:
            return {}
        currency = company.currency_id
        asking = self.filtered(lambda r: currency.compare_amounts(r.amount_residual, 0) > 0)
        if not asking:
            return {}
        Line = self.env["account.bank.statement.line"].sudo()
        lines = Line.search(
            Line._ar_get_possible_payment_domain(
                company, asking.partner_id.commercial_partner_id, asking.mapped("amount_residual")
            ),
            order="date desc, id desc",
        )
        since = Line._ar_match_since(company)
        found = {}
        for reminder in asking:
            candidates = lines.filtered(
                lambda line, r=reminder: line._ar_may_pay(
                    r.partner_id, r.amount_residual, company, since
                )
            )
            if candidates:
                found[reminder] = candidates.sorted(lambda line: not line.partner_id)[0]
        return found

    def _ar_possible_payment_text(self, line):
        """Why this reminder is held by bank ``line``, as the reminder shows it."""
        self.ensure_one()
        return self.env._(
            "Possible payment received on %(date)s: %(amount)s, %(reference)s",
            date=format_date(self.env, line.date),
            amount=format_amount(self.env, line.amount, line.currency_id),
            reference=line._ar_reference(),
        )

    @api.model
    def _ar_tell_possible_payments(self, paid_maybe):
        """One to-do per bank line of ``paid_maybe`` (``{reminder: bank line}``) for the AR
        owner of the first customer it holds, to reconcile it; a line whose to-do was
        made already gets none."""
        told = self.env["account.bank.statement.line"]
        for reminder, line in paid_maybe.items():
            if line in told or line.ar_activity_id:
                continue
            told |= line
            partner = reminder.partner_id.commercial_partner_id
            held = [r for r, held_by in paid_maybe.items() if held_by == line]
            activity = partner.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Reconcile a possible payment"),
                note=Markup("<p>%s</p><p>%s</p>")
                % (
                    reminder._ar_possible_payment_text(line),
                    self.env._("Held: %s", ", ".join(r.display_name for r in held)),
                ),
                user_id=(
                    partner._ar_get_owner(reminder.company_id) or reminder._ar_fallback_user()
                ).id,
                date_deadline=reminder.company_id._ar_today(),
            )
            line.ar_activity_id = activity

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
            return ("skipped", *contact[self.partner_id.id])
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
        """``(from hour, until hour)`` in the customer's time zone.

        The policy's window, manual sends included (a clerk's evening send waits
        for the morning, as the policy promises the customers). A channel that
        obeys calling hours is also held to the company's.
        """
        self.ensure_one()
        window = (self.policy_id.window_start or 0.0, self.policy_id.window_end or 24.0)
        if self._ar_channel_features()["obeys_calling_hours"]:
            company = self.company_id
            calling = (company.ar_calling_hour_start, company.ar_calling_hour_end or 24.0)
            both = (max(window[0], calling[0]), min(window[1], calling[1]))
            # windows that do not meet: the calling hours are the law, the policy a wish
            window = both if both[0] < both[1] else calling
        return window

    @api.model
    def _ar_transaction_deadline(self):
        """When (``time.monotonic()``) reminders sent together stop being prepared for
        this transaction: the company's transaction budget from now, so the cron commits
        well within Odoo's ``limit_time_real_cron``."""
        seconds = self.env.context.get("ar_transaction_seconds")
        if seconds is None:
            seconds = int(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("ar_followup.dispatch_transaction_seconds", TRANSACTION_SECONDS)
            )
        return time.monotonic() + seconds

    def _ar_dispatch_one(self, problem, now):
        """Send one claimed reminder, or record why not. Errors of the channel fail it."""
        self.ensure_one()
        reminder = self._ar_apply_send_problem(problem)
        if reminder is None:
            return
        try:
            with self.env.cr.savepoint():
                content = reminder._ar_get_content()
                self.write(self._ar_content_vals(content))
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
            # the held invoices leave the reminder's items and the amount it claims: a
            # reminder asks only for what it may ask for
            held = self.line_ids.filtered(lambda line: line.move_id.id in problem[1])
            self.write(
                {
                    "excluded_note": "\n".join(filter(None, [self.excluded_note, problem[2]])),
                    "amount_residual": self.amount_residual - sum(held.mapped("amount_residual")),
                }
            )
            held.unlink()
            return self.with_context(ar_exclude_move_ids=problem[1])
        if problem:
            self._ar_close(*problem)
            return None
        return self
