# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.ar_followup.exceptions import (
    ArTransientError,
    ArUncertainSendError,
    ArUndeliveredError,
)
from odoo.addons.ar_followup.models.ar_followup_reminder.dispatch import SEND_CACHE
from odoo.addons.ar_followup.models.ar_followup_template import CONTEXT_CACHE
from odoo.addons.ar_followup.tools import cadence, masking

from ..exceptions import WhatsAppTemplateError, WhatsAppTokenError
from ..tools import graph_api, send_rate
from ..wizards.ar_followup_whatsapp_message_reply import SERVICE_WINDOW

_logger = logging.getLogger(__name__)

#: most HTTP calls to Meta in flight at once per dispatcher (threads doing nothing else)
MAX_WORKERS = 32
#: reminders read and rendered together, ahead of their calls: few enough that calls go
#: on while the next ones are rendered, enough to share the reads of a chunk; the main
#: thread renders the next chunk once fewer than this wait for a thread
PREPARE_CHUNK = 40
#: reminders checked and read ahead together (the core's checks before sending): enough
#: to share their queries, few enough that the calls waiting for a thread outlast them
CHECK_CHUNK = 100
#: seconds between the commits of answers: Meta's message ids are in the database that
#: soon after Meta gave them; each commit has a cost of its own (recording the answers
#: together, the transaction's cache emptied and read again), shared by more answers
COMMIT_SECONDS = 2.0
#: each dispatcher's calls to Meta, kept from one batch to the next (:class:`_Stream`)
STREAMS = {}  # {(database, company id, dispatcher's thread id): _Stream}
#: each company's sending rate in this process, kept from one batch to the next: the calls
#: of a batch's last second count against the first calls of the next
RATES = {}  # {(database, company id): SendRate}
#: the advisory lock of a company's sending turn: (this number, company id)
TURN_LOCK = 0x57410001
#: test mode: how long after sending the simulator reports delivered, then read
SIMULATED_DELIVERY = timedelta(minutes=2)
SIMULATED_READ = timedelta(minutes=3)
#: test mode: one reminder in this many is answered by the simulated customer
SIMULATED_REPLY_EVERY = 3
#: the answer of a call its dispatcher stopped before it started (its reminder stays
#: ``sending``, as any claimed reminder of a dispatcher that stopped)
NOT_STARTED = object()


def _call_meta_in_turn(turn, api, phone_number_id, number, name, language, components):
    """A worker thread's job: wait for the company's sending turn and a free slot of
    its rate (:class:`send_rate.Turn`), then send. The wamid, the :class:`GraphError`,
    or :data:`NOT_STARTED` when the dispatcher stopped before the call could start."""
    if not turn.enter():
        return NOT_STARTED
    return _call_meta(api, phone_number_id, number, name, language, components)


def _call_meta(api, phone_number_id, number, name, language, components):
    """One send of plain data, no database. The wamid, or the :class:`GraphError`."""
    try:
        return api.send_template(phone_number_id, number, name, language, components)
    except graph_api.GraphError as error:
        return error
    except Exception as exc:  # noqa: BLE001 - whatever happened, the message may have left
        return graph_api.GraphError("uncertain", type(exc).__name__)


class _Stream:
    """A dispatcher's calls to Meta for one company, from one batch to the next: its
    pool of threads, its turn, the calls handed over and not answered
    (``{future: (reminder, request)}``) and the answers not recorded yet."""

    def __init__(self, rate, workers, api):
        self.workers = workers
        self.api = api
        self.pool = ThreadPoolExecutor(max_workers=workers) if api else None
        self.turn = send_rate.Turn(rate)  # open while this dispatcher holds the turn
        self.flying = {}
        self.answered = []  # (reminder, request, wamid or GraphError)
        self.committed = send_rate.real_clock()

    def collect(self):
        """Move the answered calls to :attr:`answered`."""
        for future in [future for future in self.flying if future.done()]:
            self.answered.append((*self.flying.pop(future), future.result()))

    def stop(self):
        """No call starts any more; wait for those running (their answers dropped)."""
        self.turn.stop()
        if self.pool:
            self.pool.shutdown(wait=True, cancel_futures=True)


class ArFollowupReminder(models.Model):
    """The WhatsApp channel of reminders: the hooks of the core's channel contract.

    A reminder goes as the approved Meta template of its stage and tone, its body
    parameters rendered from the reminder (``ar.followup.template``), to the
    mobile of the customer's first invoicing contact with a valid number, else
    the customer's (as SMS). Each message is committed on its own once Meta took
    it; its id (wamid) is the reminder's ``provider_message_id``, which
    receipts and replies arriving by webhook are matched with.
    """

    _inherit = "ar.followup.reminder"

    # -- contact data ----------------------------------------------------------------

    @api.model
    def _ar_whatsapp_contact_problems(self, partners):
        """See the core's ``channels.py``: not opted out, a valid mobile number, and for a
        live account at least one template Meta approved."""
        company = partners.env.company
        account = self.env["ar.followup.channel"]._ar_whatsapp_account(company)
        if account.state == "enabled" and not self.env["ar.followup.template"].search_count(
            [
                ("channel", "=", "whatsapp"),
                "|",
                ("wa_status", "=", "approved"),
                "&",
                ("wa_approved_any", "=", True),
                ("wa_status", "!=", "stopped"),
                ("company_id", "in", (False, company.id)),
            ],
            limit=1,
        ):
            text = self.env._("WhatsApp: no template of %s is approved by Meta.", company.name)
            return dict.fromkeys(partners.ids, (cadence.NO_CONTACT, text))
        numbers = self._ar_get_whatsapp_numbers(partners)
        # a chunk being sent keeps them for its rendering (``_ar_whatsapp_check_and_prepare``)
        self._ar_send_memo("whatsapp_numbers").update(numbers)
        return {
            pid: (problem, text) if problem else None
            for pid, (problem, _number, text) in numbers.items()
        }

    @api.model
    def _ar_get_whatsapp_numbers(self, partners):
        """``{partner id: (problem, E.164 number or None, text or None)}`` for WhatsApp, as
        the core chooses a phone channel's number (``phone_numbers.py``); a customer who
        opted out of WhatsApp is told apart with the date."""

        def refused(customer):
            return self.env._(
                "The customer does not want WhatsApp reminders (since %s).",
                fields.Datetime.to_string(customer.ar_no_whatsapp_date)
                if customer.ar_no_whatsapp_date
                else "-",
            )

        return self._ar_get_phone_numbers(partners, "whatsapp", self.env._("WhatsApp"), refused)

    # -- sending -----------------------------------------------------------------------

    def _ar_whatsapp_prepare_request(self, account, numbers=None, content=None):
        """``(template, number, language, components)`` of this reminder's message, read
        and rendered in the database before any call to Meta. ``numbers``: those of
        :meth:`_ar_get_whatsapp_numbers` read for a round; ``content``: what
        ``_ar_get_content()`` gave (a template's rendering carries the parameters).

        Raises, before anything is sent (permanent: the next channel), when there is
        no WhatsApp template for the stage, the template is not approved (live
        account), a parameter cannot be rendered or the number cannot be used; and
        :class:`WhatsAppTokenError` while Meta refuses the account's token.
        """
        self.ensure_one()
        company = self.company_id
        live = account.state == "enabled"
        template = self._ar_get_template()
        if not template or template.channel != "whatsapp":
            stage = self.stage or self.step_id.stage
            stages = dict(self._fields["stage"]._description_selection(self.env))
            raise UserError(
                self.env._("No WhatsApp template for the stage %s.", stages.get(stage, stage))
            )
        partner = self.partner_id.with_company(company)
        lang = partner.lang or self.env.lang
        language = template.with_context(lang=lang).wa_language
        not_sendable = template._ar_whatsapp_not_sendable(live, language)
        if not_sendable:
            raise UserError(not_sendable)
        if numbers is None or partner.id not in numbers:
            numbers = self._ar_get_whatsapp_numbers(partner)
        problem, number, text = numbers[partner.id]
        if problem:
            raise UserError(text or self.env._("The customer cannot be reached by WhatsApp."))
        if live and account.wa_token_error:
            raise WhatsAppTokenError(
                self.env._(
                    "WhatsApp is stopped for %s: Meta refused the access token.", company.name
                )
            )
        params = (content or {}).get("params")
        if params is None or (content or {}).get("wa_template_name") != template.wa_template_name:
            params = template._ar_render_whatsapp_params(
                partner,
                self._ar_get_open_moves(),
                tone=self.tone_id.code or "neutral",
                lang=lang,
                reminder=self,
            )
        components = template._ar_whatsapp_components(params, reminder=self)
        return template, number, language, components

    def _ar_whatsapp_send(self):
        """Send this one reminder as its approved template; returns Meta's message id.

        The dispatcher sends WhatsApp reminders together
        (:meth:`_ar_whatsapp_send_together`); this is the same for one reminder.
        """
        self.ensure_one()
        account = self.env["ar.followup.channel"]._ar_whatsapp_account(self.company_id)
        template, number, language, components = self._ar_whatsapp_prepare_request(account)
        self.write({"recipient": number, "recipient_note": self._ar_describe_number(number)})
        if account.state != "enabled":
            return self._ar_whatsapp_simulate_send(number, template, components)
        api = account._ar_whatsapp_api()
        try:
            return api.send_template(
                account.wa_phone_number_id, number, template.wa_template_name, language, components
            )
        except graph_api.GraphError as error:
            self._ar_whatsapp_raise(error, template)
        finally:
            api.close()

    def _ar_whatsapp_send_together(self, problems, now, deadline):
        """Send a claimed batch's WhatsApp reminders, many calls to Meta at a time.

        Per company (:meth:`_ar_whatsapp_send_company`); returns the reminders not
        started by ``deadline``, given back to the queue. ``problems`` has none of
        them: the channel streams its calls (``_ar_whatsapp_send_together_end``), so
        it checks its reminders itself, a chunk at a time.
        """
        # the calls of a company without reminders in this batch do not wait through it
        db, thread = self.env.cr.dbname, threading.get_ident()
        idle = [key[1] for key in STREAMS if key[::2] == (db, thread)]
        idle = self.env["res.company"].browse(idle) - self.company_id
        if idle:
            self._ar_whatsapp_send_together_end(idle, now)
        left = self.browse()
        for reminders in self.grouped("company_id").values():
            left |= reminders._ar_whatsapp_send_company(now, deadline)
        return left

    def _ar_whatsapp_send_company(self, now, deadline):
        """Send these reminders of one company as a pipeline; returns those not started.

        The main thread checks, reads and renders the reminders a chunk at a time
        (the core's ``_ar_check_before_send`` and ``_ar_prepare_send``, then
        :meth:`_ar_whatsapp_prepare_many`) and hands their calls (plain values, no
        database) to a pool of threads, keeping about a chunk waiting for a thread.
        A thread starts its next call as soon as it is free and the account's rate
        allows it (:class:`SendRate`: never more calls started in any second than
        its messages per second), whatever the main thread is doing: checking,
        rendering, recording or committing. Answers are recorded together and
        committed about every :data:`COMMIT_SECONDS`. Calls start only within the
        company's turn (:meth:`_ar_whatsapp_take_turn`, :class:`send_rate.Turn`),
        which the main thread takes again after each commit, so dispatchers
        working for the same company take turns. Nothing is read or rendered for a
        call after ``deadline``: what is left is returned.

        The calls still running or waiting when the last chunk is handed over go on
        while the core claims the next batch: this dispatcher's pool and calls
        (:class:`_Stream`) stay from one batch to the next, and the next batch's
        pipeline takes the turn again before its first chunk, so the waiting calls
        start while that chunk is checked. Their answers are recorded in a later
        transaction, at the latest by :meth:`_ar_whatsapp_send_together_end`. A
        worker that dies leaves the calls not recorded yet ``sending``: those fail
        as interrupted, never sent twice. The HTTP client is the account's one of
        this process (``_ar_whatsapp_shared_api``), whose connections stay open
        between batches.
        """
        company = self.company_id
        account = self.env["ar.followup.channel"]._ar_whatsapp_account(company)
        stream = self._ar_whatsapp_stream(account)
        cache = self.env.cr.cache
        todo = list(self)  # not checked yet
        checked = []  # checked and read ahead, not rendered yet
        problems, read_ahead = {}, {}
        left = self.browse()  # not started by the deadline: given back
        turn_held = False
        while True:
            stream.collect()
            due = stream.committed + COMMIT_SECONDS - send_rate.real_clock()
            if not (todo or checked) or (stream.answered and due <= 0):
                if stream.answered:
                    turn_held = self._ar_whatsapp_commit_answers(
                        stream, company, now, again=bool(todo or checked)
                    )
                if not (todo or checked):
                    break
                continue
            if not turn_held:
                self._ar_whatsapp_take_turn(company)
                stream.turn.open()
                turn_held = True
            if time.monotonic() >= deadline:
                left = self.browse([reminder.id for reminder in checked + todo])
                todo, checked = [], []
                continue
            if not checked:
                checking = self.browse([reminder.id for reminder in todo[:CHECK_CHUNK]])
                del todo[:CHECK_CHUNK]
                problems = checking._ar_whatsapp_check(now)
                # a commit empties the transaction's cache (``cr.cache``): what was read
                # ahead for these reminders is put back before each chunk is rendered
                read_ahead = {
                    key: cache[key] for key in (SEND_CACHE, CONTEXT_CACHE) if key in cache
                }
                checked = list(checking)
                continue
            if len(stream.flying) < stream.workers + PREPARE_CHUNK:
                chunk = self.browse([reminder.id for reminder in checked[:PREPARE_CHUNK]])
                del checked[:PREPARE_CHUNK]
                cache.update(read_ahead)
                numbers = self._ar_send_memo("whatsapp_numbers") or None
                for reminder, request in chunk._ar_whatsapp_prepare_many(
                    problems, now, account, numbers
                ):
                    call = reminder._ar_whatsapp_launch(request, account, stream)
                    stream.flying[call] = (reminder, request)
                continue
            # nothing to do until a call is answered or the answers are due for their commit
            wait_futures(
                stream.flying,
                timeout=max(due, 0.0) if stream.answered else None,
                return_when=FIRST_COMPLETED,
            )
        # the core commits next: no call starts before this dispatcher holds the turn again
        stream.turn.close()
        return left

    @api.model
    def _ar_whatsapp_send_together_end(self, companies, now, failed=False):
        """After the last batch: wait for this dispatcher's calls still running, record
        their answers and commit them, then stop its threads. ``failed`` (the dispatch
        raised): only stop them; their reminders stay ``sending`` (interrupted, never
        sent twice)."""
        for company in companies:
            stream = STREAMS.pop(self._ar_whatsapp_stream_key(company), None)
            if stream is None:
                continue
            try:
                turn_held = False
                while not failed and (stream.flying or stream.answered):
                    stream.collect()
                    due = stream.committed + COMMIT_SECONDS - send_rate.real_clock()
                    if stream.answered and (due <= 0 or not stream.flying):
                        turn_held = self._ar_whatsapp_commit_answers(
                            stream, company, now, again=bool(stream.flying)
                        )
                        continue
                    if not turn_held:
                        self._ar_whatsapp_take_turn(company)
                        stream.turn.open()
                        turn_held = True
                    wait_futures(
                        stream.flying,
                        timeout=max(due, 0.0) if stream.answered else None,
                        return_when=FIRST_COMPLETED,
                    )
            finally:
                stream.stop()

    def _ar_whatsapp_check(self, now):
        """Check these reminders as the core checks a batch before sending (holds,
        payments, the customers' numbers, the sending window) and read ahead what
        rendering them reads (the core's ``_ar_prepare_send``); returns the problems
        (see ``_ar_check_before_send``). The numbers and open invoices the check reads
        are kept for the rendering (``whatsapp_numbers`` and ``open_moves`` of the
        batch's memo): each is read once."""
        self._ar_forget_send()
        self.env.cr.cache[SEND_CACHE] = {
            "templates": {},
            "whatsapp_numbers": {},
            "open_moves": {},
        }
        problems = self._ar_check_before_send(now)
        try:
            with self.env.cr.savepoint():
                self._ar_prepare_send(problems)
        except Exception:
            _logger.exception("WhatsApp: batch data not read ahead")
        return problems

    def _ar_get_open_moves(self):
        """Read once per reminder while its chunk is checked and rendered (``open_moves``
        of the memo of :meth:`_ar_whatsapp_check`), unless invoices are left out."""
        self.ensure_one()
        if self.env.context.get("ar_exclude_move_ids"):
            return super()._ar_get_open_moves()
        memo = self._ar_send_memo("open_moves")
        moves = memo.get(self.id)
        if moves is None:
            moves = memo[self.id] = super()._ar_get_open_moves()
        return moves.with_env(self.env)

    @api.model
    def _ar_whatsapp_commit_answers(self, stream, company, now, again=False):
        """Record the answers ``stream`` collected, close the turn and commit (which ends
        the turn), take the turn ``again`` at once when calls are to go on (the threads
        wait only for the commit), then apply ``company``'s receipts that came before
        their message's id. Returns whether the turn is held."""
        self._ar_whatsapp_record(stream.answered, now)
        stream.answered = []
        stream.turn.close()  # no call starts after the transaction holding the turn
        self.env["ir.cron"]._commit_progress()
        stream.committed = send_rate.real_clock()
        if again:
            self._ar_whatsapp_take_turn(company)
            stream.turn.open()
        self.env["ar.followup.whatsapp.status"]._ar_apply_early(company)
        return again

    @api.model
    def _ar_whatsapp_stream_key(self, company):
        # one dispatcher is one thread working with one cursor
        return (self.env.cr.dbname, company.id, threading.get_ident())

    def _ar_whatsapp_stream(self, account):
        """This dispatcher's :class:`_Stream` of ``account``'s company, made at its first
        batch."""
        key = self._ar_whatsapp_stream_key(account.company_id)
        stream = STREAMS.get(key)
        if stream is None:
            rate = self._ar_whatsapp_rate(account)
            workers = min(rate.rate, MAX_WORKERS)
            api = account._ar_whatsapp_shared_api(workers) if account.state == "enabled" else None
            stream = STREAMS[key] = _Stream(rate, workers, api)
        elif stream.api:
            # the account's client, marked used (or replaced once its settings changed)
            stream.api = account._ar_whatsapp_shared_api(stream.workers)
        return stream

    @api.model
    def _ar_whatsapp_rate(self, account):
        """The :class:`SendRate` of ``account``'s company in this process, at the account's
        messages per second."""
        limit = max(account.wa_rate_limit, 1)
        key = (self.env.cr.dbname, account.company_id.id)
        rate = RATES.setdefault(key, send_rate.SendRate(limit))
        rate.rate = limit
        return rate

    @api.model
    def _ar_whatsapp_take_turn(self, company):
        """Wait for ``company``'s sending turn: a PostgreSQL advisory lock held until the
        transaction ends, shared by every dispatcher of the database. Another
        dispatcher holds it for one transaction (about two seconds); a dead one's ends
        with its connection."""
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", TURN_LOCK, company.id))

    def _ar_whatsapp_prepare_many(self, problems, now, account, numbers=None):
        """``[(reminder, (template, number, language, components))]`` of these reminders,
        read and rendered; reminders that do not go or cannot be prepared are settled.

        All in one savepoint; when one of them fails, each again in its own, so that
        only that one is settled with its error. ``numbers``: those of
        :meth:`_ar_get_whatsapp_numbers` read for the batch (read here without).
        """
        if numbers is None:
            company = account.company_id
            numbers = self._ar_get_whatsapp_numbers(self.partner_id.with_company(company))
        try:
            with self.env.cr.savepoint():
                return [
                    (reminder, request)
                    for reminder in self
                    for request in [reminder._ar_whatsapp_prepare_one(problems, account, numbers)]
                    if request
                ]
        except Exception:  # noqa: BLE001 - each on its own below, each error recorded
            _logger.info("WhatsApp: a reminder of %s could not be prepared", len(self))
        requests = []
        for reminder in self:
            try:
                with self.env.cr.savepoint():
                    request = reminder._ar_whatsapp_prepare_one(problems, account, numbers)
            except Exception as exc:  # noqa: BLE001 - recorded on the reminder, not raised
                reminder._ar_handle_send_error(exc, now)
                continue
            if request:
                requests.append((reminder, request))
        return requests

    def _ar_whatsapp_prepare_one(self, problems, account, numbers):
        """This reminder's request (see :meth:`_ar_whatsapp_prepare_request`), its text
        written on it; None when it does not go now (see ``_ar_apply_send_problem``)."""
        self.ensure_one()
        going = self._ar_apply_send_problem(problems.get(self.id))
        if going is None:
            return None
        content = going._ar_get_content()
        self.write(self._ar_content_vals(content))
        return going._ar_whatsapp_prepare_request(account, numbers, content)

    def _ar_whatsapp_launch(self, request, account, stream):
        """Hand this reminder's call over: the future of a thread of ``stream``, which
        starts it within its turn (live), or the simulator's answer, given within the
        turn (test mode)."""
        self.ensure_one()
        template, number, lang, components = request
        if stream.api is None:
            answer = Future()
            if stream.turn.enter():
                answer.set_result(self._ar_whatsapp_simulate_send(number, template, components))
            else:
                answer.set_result(NOT_STARTED)
            return answer
        # the threads get plain values only: a record read there would use the cursor
        return stream.pool.submit(
            _call_meta_in_turn,
            stream.turn,
            stream.api,
            account.wa_phone_number_id,
            number,
            template.wa_template_name,
            lang,
            components,
        )

    @api.model
    def _ar_whatsapp_record(self, answered, now):
        """Write the outcomes of answered calls (``[(reminder, request, answer)]``): sent
        with Meta's id and whom it went to, together, or the error mapped, each."""
        notes = self.browse([reminder.id for reminder, _request, _answer in answered])
        notes = notes._ar_describe_numbers(
            {reminder.id: request[1] for reminder, request, _answer in answered}
        )
        sent = []
        for reminder, (template, number, _lang, _components), answer in answered:
            if isinstance(answer, graph_api.GraphError):
                try:
                    reminder._ar_whatsapp_raise(answer, template)
                except Exception as exc:  # noqa: BLE001 - recorded on the reminder, not raised
                    reminder._ar_handle_send_error(exc, now)
                continue
            sent.append(
                (reminder, answer, {"recipient": number, "recipient_note": notes[reminder.id]})
            )
        self._ar_mark_sent_many(sent, now)

    def _ar_whatsapp_raise(self, error, template):
        """Raise the core's error matching Meta's ``error`` (see ``tools/graph_api.py``)."""
        text = self.env._(
            "WhatsApp error %(code)s: %(message)s", code=error.code or "-", message=error
        )
        if error.kind == "transient":
            raise ArTransientError(text)
        if error.kind == "uncertain":
            raise ArUncertainSendError(
                self.env._(
                    "No answer from WhatsApp (%s): the message may have been sent. Check "
                    "with Meta before sending again.",
                    error,
                )
            )
        if error.kind == "undeliverable":
            raise ArUndeliveredError(text)
        if error.kind == "template":
            raise WhatsAppTemplateError(text, template)
        if error.kind == "token":
            raise WhatsAppTokenError(text)
        raise UserError(text)

    def _ar_handle_send_error(self, exc, now):
        """A refused template or token stops it for everyone, then the core decides what
        follows for this reminder (fallback, retry)."""
        if isinstance(exc, WhatsAppTemplateError):
            exc.template._ar_whatsapp_stop(str(exc), self.company_id)
        elif isinstance(exc, WhatsAppTokenError):
            self.env["ar.followup.channel"]._ar_whatsapp_account(self.company_id)._ar_whatsapp_stop(
                str(exc)
            )
        return super()._ar_handle_send_error(exc, now)

    # -- answers from the AR inbox -------------------------------------------------------

    @api.model
    def _ar_whatsapp_last_received(self, conversation):
        """The customer's latest WhatsApp message to the conversation's company."""
        return (
            self.env["ar.followup.whatsapp.message"]
            .sudo()
            .search(
                [
                    ("company_id", "=", conversation.company_id.id),
                    ("partner_id", "child_of", conversation.partner_id.id),
                    ("number", "!=", False),
                ],
                order="date desc, id desc",
                limit=1,
            )
        )

    @api.model
    def _ar_whatsapp_reply_problem(self, conversation):
        """Meta allows free text only within :data:`SERVICE_WINDOW` of the customer's last
        message; after that only an approved template, which is what reminders are."""
        last = self._ar_whatsapp_last_received(conversation)
        if not last or last.date + SERVICE_WINDOW < fields.Datetime.now():
            return self.env._(
                "More than 24 hours have passed since the customer's last WhatsApp message: "
                "Meta only allows an approved template now. Answer by e-mail instead."
            )
        return None

    def _ar_whatsapp_send_reply(self):
        """An answer from the AR inbox: this reminder's text as free text to the number the
        customer last wrote from; returns Meta's message id (the simulator's in test
        mode). Noted on the customer's thread by the user who answered."""
        self.ensure_one()
        last = self._ar_whatsapp_last_received(self.conversation_id)
        account = self.env["ar.followup.channel"]._ar_whatsapp_account(self.company_id)
        if account.state == "enabled":
            api = account._ar_whatsapp_api()
            try:
                wamid = api.send_text(account.wa_phone_number_id, last.number, self.text)
            except graph_api.GraphError as error:
                raise UserError(account._ar_whatsapp_error_text(error)) from None
            finally:
                api.close()
        else:
            _logger.info(
                "WhatsApp test mode: answer to %s simulated", masking.mask_number(last.number)
            )
            wamid = "wamid.TEST.%s" % uuid.uuid4().hex
        message = self.partner_id.with_context(mail_post_autofollow=False).message_post(
            body=Markup("<p>%s</p><p>%s</p>")
            % (self.env._("WhatsApp to %s:", masking.mask_number(last.number)), self.text),
            author_id=self.env.user.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.write(
            {
                "recipient": last.number,
                "recipient_note": self._ar_describe_number(last.number),
                "mail_message_id": message.id,
            }
        )
        return wamid

    # -- test mode -----------------------------------------------------------------------

    def _ar_whatsapp_simulate_send(self, number, template, components):
        """Test mode: the message goes to the simulator, nowhere else; a made-up wamid."""
        self.ensure_one()
        _logger.info(
            "WhatsApp test mode: template %s to %s simulated",
            template.wa_template_name,
            masking.mask_number(number),
        )
        return "wamid.TEST.%s" % uuid.uuid4().hex

    @api.model
    def _cron_ar_whatsapp_simulate(self, now=None):
        """Test mode's receipts and replies, as Meta's webhooks would bring them: a
        simulated message is delivered :data:`SIMULATED_DELIVERY` after it was sent, read
        :data:`SIMULATED_READ` after that, and one customer in :data:`SIMULATED_REPLY_EVERY`
        answers it with a tap on *I will pay on…*."""
        now = now or fields.Datetime.now()
        accounts = (
            self.env["ar.followup.channel"]
            .sudo()
            .search([("code", "=", "whatsapp"), ("state", "=", "test")])
        )
        Inbox = self.env["ar.followup.whatsapp.message"].sudo()
        for account in accounts:
            company = account.company_id
            reminders = self.sudo().search(
                [
                    ("company_id", "=", company.id),
                    ("channel", "=", "whatsapp"),
                    ("provider_message_id", "=like", "wamid.TEST.%"),
                    ("state", "in", ("sent", "delivered")),
                ]
            )
            for reminder in reminders:
                if reminder.state == "sent" and reminder.date_sent <= now - SIMULATED_DELIVERY:
                    reminder._ar_apply_report("delivered", when=now)
                elif (
                    reminder.state == "delivered"
                    and reminder.date_delivered <= now - SIMULATED_READ
                ):
                    reminder._ar_apply_report("read", when=now)
                    if reminder.id % SIMULATED_REPLY_EVERY == 0:
                        Inbox._ar_receive(
                            company,
                            {
                                "id": "wamid.TESTIN.%s" % uuid.uuid4().hex,
                                "from": (reminder.recipient or "").lstrip("+"),
                                "type": "button",
                                "button": {"text": "I will pay on…", "payload": "ar_promise"},
                                "context": {"id": reminder.provider_message_id},
                            },
                            {},
                        )

    # -- reports -----------------------------------------------------------------------

    @api.model
    def _ar_whatsapp_find(self, wamids, company):
        """The WhatsApp reminders of ``company`` whose message ids are ``wamids``."""
        if not wamids:
            return self.browse()
        return self.sudo().search(
            [
                ("channel", "=", "whatsapp"),
                ("company_id", "=", company.id),
                ("provider_message_id", "in", list(wamids)),
            ]
        )
