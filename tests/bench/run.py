# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One phase of the benchmark, in its own process so peak memory is the phase's own.

Run by ``setup/bench.sh`` (``make bench``), which builds the databases and
prints the table; each phase prints one JSON line on stdout::

    python tests/bench/run.py CONF DB generate N
    python tests/bench/run.py CONF DB ours N
    python tests/bench/run.py CONF DB oca N
    python tests/bench/run.py CONF DB oca_untracked N
    python tests/bench/run.py CONF DB whatsapp N
    python tests/bench/run.py CONF DB calls N
    python tests/bench/run.py CONF DB metrics N
    python tests/bench/run.py CONF DB portal N

``ours`` times, on the benchmark day D (today) and the day after:
the bare SQL ageing aggregate (the floor: one GROUP BY over the same lines),
the first ageing of freshly loaded lines, the daily bucket refresh, the daily
planning pass (refresh + decisions + reminder records) and the dispatch pass,
without attachments, then with the default ones (:func:`bench_attachments`).
``oca`` times OCA ``account_credit_control`` generating its credit lines for
the same invoices on day D+1, as a user starts it; ``oca_untracked`` the same
without mail tracking (see :func:`phase_env`). ``whatsapp`` times WhatsApp dispatch
against a local fake Graph API (:func:`phase_whatsapp`); ``calls`` the call queue
(:func:`phase_calls`); ``metrics`` the day's follow-up metrics pass (:func:`phase_metrics`);
``portal`` the debtor's receivables page of a customer with ``PORTAL_INVOICES`` open
invoices (:func:`phase_portal`).
"""

import bisect
import datetime
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import odoo
from odoo.modules.registry import Registry
from odoo.tools import config

sys.path.insert(0, str(Path(__file__).parent))
import datagen

# freezegun freezes time.perf_counter, and replaces module globals that point to it:
# keep the real clock inside a dict, where it does not look.
CLOCK = {"now": time.perf_counter, "wall": time.time}
#: what freezegun leaves on the real clock: the dispatcher's transaction budget
#: (``time.monotonic``) must run as in production
REAL_CLOCK_MODULES = ["odoo.addons.ar_followup.models", "odoo.addons.ar_followup_whatsapp.models"]
#: reminders each dispatcher sends in the two-worker measure (one alone, then two at once)
PAIR_SAMPLE = 1000
#: reminders sent by WhatsApp in its measure, and the simulated latency of Meta's answers
WA_SAMPLE = 1600
WA_LATENCY = 0.15
#: the account's messages per second in that measure: Meta's default, unless
#: ``AR_BENCH_WA_RATE`` sets another (a high one shows what a worker manages uncapped)
WA_RATE = int(os.environ.get("AR_BENCH_WA_RATE") or 80)
#: open invoices of the customer whose receivables page is timed, and the requests timed
PORTAL_INVOICES = 500
PORTAL_RUNS = 10
#: planning passes timed, the median reported
PLAN_RUNS = 3
#: reminders sent with their invoice PDFs and statement attached, printed ahead (warm)
PDF_WARM = 100
#: then reminders sent with nothing printed ahead (cold): their batch printed before sending
PDF_COLD = 30

BARE_AGEING = """
    SELECT aml.company_id, aml.partner_id,
           CASE WHEN d <= 0 THEN 0 WHEN d <= 30 THEN 1 WHEN d <= 60 THEN 2
                WHEN d <= 90 THEN 3 ELSE 4 END AS bucket,
           sum(aml.amount_residual)
      FROM (SELECT aml.*, %s::date - aml.date_maturity AS d
              FROM account_move_line aml
              JOIN account_account a ON a.id = aml.account_id
             WHERE a.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
               AND NOT aml.reconciled AND aml.amount_residual != 0) aml
     GROUP BY 1, 2, 3
"""


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def timed(func, *args, **kwargs):
    start = CLOCK["now"]()
    result = func(*args, **kwargs)
    return CLOCK["now"]() - start, result


def vacuum_analyze(dbname, *tables):
    """``VACUUM ANALYZE`` (outside any transaction, on a connection of its own)."""
    import psycopg2
    from psycopg2 import sql

    _name, info = odoo.sql_db.connection_info_for(dbname)
    connection = psycopg2.connect(**info)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
    finally:
        connection.close()


def count_queries(cr):
    return getattr(cr, "sql_log_count", 0)


def phase_generate(env, n):
    seconds, _count = timed(datagen.generate, env, n)
    # setup/bench.sh then runs VACUUM ANALYZE, as autovacuum would on a live database
    return {"generate_s": seconds}


def phase_ours(env, n):
    from freezegun import freeze_time

    cr = env.cr
    company = env.company
    day = company._ar_today()
    next_day = day + datetime.timedelta(days=1)
    bare = []
    for _i in range(3):
        seconds, _rows = timed(lambda: (cr.execute(BARE_AGEING, [next_day]), cr.fetchall()))
        bare.append(seconds)
    result = {"bare_ageing_s": statistics.median(bare)}

    aml = env["account.move.line"]
    with freeze_time(f"{day} 06:00:00"):
        result["first_ageing_s"], _n = timed(aml._ar_refresh_ageing, company)
        cr.commit()
    # The daily refresh runs a day after the first ageing, which rewrote every open
    # line and invoice: autovacuum has cleaned up behind it by then (it starts once a
    # fifth of a table changed). Timed right away, the refresh would pay for the dead
    # rows of the first ageing. So is each pass below, after the rolled-back one
    # before it.
    aged = (cr.dbname, "account_move_line", "account_move")
    with freeze_time(f"{next_day} 04:30:00", ignore=REAL_CLOCK_MODULES):  # 10:00 Kolkata
        # the median of three, each rolled back (the planning pass below refreshes
        # again, from the same state), as for the bare aggregate
        refreshes = []
        for _i in range(3):
            vacuum_analyze(*aged)
            seconds, result["transitions"] = timed(aml._ar_refresh_ageing, company)
            refreshes.append(seconds)
            cr.rollback()
        result["refresh_s"] = statistics.median(refreshes)
        plan = getattr(company, "_ar_plan_reminders", None)
        if plan is not None:
            # the median of three passes from the same state (the first two rolled
            # back): this machine's speed varies by a third from one minute to the next
            runs = []
            for i in range(PLAN_RUNS - 1):
                vacuum_analyze(*aged)
                if i == 0 and os.environ.get("AR_BENCH_PROFILE"):
                    # a cProfile of the first pass, for whoever looks into the figures
                    import cProfile

                    with cProfile.Profile() as profile:
                        runs.append(timed(plan, next_day)[0])
                    profile.dump_stats(os.environ["AR_BENCH_PROFILE"])
                else:
                    runs.append(timed(plan, next_day)[0])
                cr.rollback()
            vacuum_analyze(*aged)
            queries = count_queries(cr)
            runs.append(timed(plan, next_day)[0])
            result["plan_queries"] = count_queries(cr) - queries
            result["plan_s"] = statistics.median(runs)
            result["plan_runs_s"] = runs
            result["plan_peak_mb"] = peak_mb()  # loading, ageing and planning
            result["reminders"] = env["ar.followup.reminder"].search_count([])
            cr.commit()
            dispatch = getattr(company, "_ar_dispatch_reminders", None)
            if dispatch is not None:
                transactions, dispatch = record_transactions(env, dispatch)
                # throughput without PDFs (a report-engine cost, like the provider's
                # latency), then samples with the invoice PDFs and statement attached
                attach = ["ar_attach_invoices", "ar_attach_statement"]
                attach = [name for name in attach if name in company._fields]
                company.write(dict.fromkeys(attach, False))
                cr.commit()
                pdf_sample = PDF_WARM + PDF_COLD if attach else 0
                batch = min(result["reminders"] - pdf_sample, 2000)
                seconds, done = timed(dispatch, limit=batch)
                result["dispatched"], result["dispatch_s"] = done, seconds
                if attach:
                    serve_http(env)
                    company.write(dict.fromkeys(attach, True))
                    cr.commit()
                    result.update(bench_attachments(env, company, dispatch))
                cr.rollback()
                result["longest_transaction_s"] = max(transactions, default=None)
    result["peak_mb"] = peak_mb()
    return result


def bench_attachments(env, company, dispatch):
    """Dispatch with the default attachments (invoice PDFs in one PDF, the statement).

    Warm: the next :data:`PDF_WARM` reminders the dispatcher will claim, their
    invoice PDFs and statements printed ahead first (with the methods the
    prepare cron calls: a wkhtmltopdf run per chunk), then sent. Cold: the
    :data:`PDF_COLD` after them with nothing printed: the dispatcher prints what
    its claimed batch misses before sending it (``res.company._ar_prepare_attachments``).
    """
    if not hasattr(env["res.company"], "_ar_prepare_attachments"):
        return {}
    cr = env.cr
    Reminder = env["ar.followup.reminder"]
    queue = Reminder.search(
        [
            ("company_id", "=", company.id),
            ("state", "=", "queued"),
            ("date_scheduled", "<=", odoo.fields.Datetime.now()),
        ],
        order="date_scheduled, id",
        limit=PDF_WARM + PDF_COLD,
    )
    warm, cold = queue[:PDF_WARM], queue[PDF_WARM:]
    result = {}
    moves = env["account.move"].union(*(r._ar_get_open_moves() for r in warm))
    seconds, pdfs = timed(moves._ar_get_invoice_pdfs)
    cr.commit()
    result["invoice_pdfs"], result["invoice_pdfs_s"] = len(pdfs), seconds
    partners = warm.partner_id.commercial_partner_id
    seconds, statements = timed(partners._ar_get_statement_pdfs, company)
    cr.commit()
    result["statements"], result["statements_s"] = len(statements), seconds
    seconds, done = timed(dispatch, limit=len(warm))
    result["dispatched_warm"], result["dispatch_warm_s"] = done, seconds
    result["warm_pdfs"] = len(
        Reminder.search([("id", "in", warm.ids)]).mail_message_id.attachment_ids
    )

    # the dispatcher prints what the claimed batch misses, a run per commit
    seconds, done = timed(dispatch, limit=len(cold))
    result["dispatched_cold"], result["dispatch_cold_s"] = done, seconds
    return result


def serve_http(env):
    """Odoo's web server in this process: wkhtmltopdf fetches the styles of a PDF from it."""
    from odoo.service.server import ThreadedServer

    ThreadedServer(odoo.http.root).http_spawn()
    env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{config['http_port']}")


def phase_oca(env, n):
    from freezegun import freeze_time

    cr = env.cr
    company = env.company
    next_day = company._ar_today() + datetime.timedelta(days=1)
    policy = env.ref("account_credit_control.credit_control_3_time")
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)]
    )
    policy.write({"account_ids": [odoo.Command.set(receivable.ids)]})
    company.credit_policy_id = policy
    env.flush_all()
    with freeze_time(f"{next_day} 04:30:00"):
        run = env["credit.control.run"].create(
            {"date": next_day, "policy_ids": [odoo.Command.set(policy.ids)]}
        )
        queries = count_queries(cr)
        seconds, _ = timed(run.generate_credit_lines)
        lines = len(run.line_ids)
    cr.rollback()
    return {
        "oca_s": seconds,
        "oca_lines": lines,
        "oca_queries": count_queries(cr) - queries,
        "oca_peak_mb": peak_mb(),
    }


def phase_oca_untracked(env, n):
    """OCA's run without mail tracking, as earlier versions of this bench timed it:
    printed beside the figures, not what OCA's users get."""
    return {
        f"oca_untracked_{key[4:]}": value
        for key, value in phase_oca(env, n).items()
        if key != "oca_peak_mb"
    }


def record_transactions(env, dispatch):
    """``(lengths, dispatch)``: ``dispatch`` wrapped so that ``lengths`` receives the
    length of every transaction it commits (``ir.cron._commit_progress`` ends each
    one; the first starts with the call)."""
    Cron = type(env["ir.cron"])
    original = Cron._commit_progress
    lengths, last = [], [CLOCK["now"]()]

    def recording(cron, *args, **kwargs):
        result = original(cron, *args, **kwargs)
        now = CLOCK["now"]()
        lengths.append(now - last[0])
        last[0] = now
        return result

    def recorded(*args, **kwargs):
        last[0] = CLOCK["now"]()
        Cron._commit_progress = recording
        try:
            return dispatch(*args, **kwargs)
        finally:
            Cron._commit_progress = original

    return lengths, recorded


def phase_dispatch_worker(env, n):
    """One dispatcher sending up to ``n`` reminders, from the wall-clock time in
    ``AR_BENCH_START`` (so that two processes start together)."""
    from freezegun import freeze_time

    company = env.company
    next_day = company._ar_today() + datetime.timedelta(days=1)
    transactions, dispatch = record_transactions(env, company._ar_dispatch_reminders)
    start = float(os.environ.get("AR_BENCH_START") or 0)
    while CLOCK["wall"]() < start:
        time.sleep(0.01)
    begun = CLOCK["wall"]()
    with freeze_time(f"{next_day} 04:30:00", ignore=REAL_CLOCK_MODULES):
        done = dispatch(limit=n)
    return {
        "done": done,
        "begun": begun,
        "ended": CLOCK["wall"](),
        "longest_transaction_s": max(transactions, default=0.0),
    }


def phase_pair(env, n):
    """Dispatch by one worker, then by two worker processes at once on the same queue
    (``SKIP LOCKED`` claims), without attachments; checks that no reminder went out
    twice: every reminder sent has its own message, and there are as many new
    reminder messages as reminders sent."""
    import subprocess

    cr = env.cr
    company = env.company
    company.write({"ar_attach_invoices": False, "ar_attach_statement": False})
    Reminder = env["ar.followup.reminder"]
    queued = Reminder.search([("company_id", "=", company.id), ("state", "=", "queued")])
    sample = min(PAIR_SAMPLE, len(queued) // 3)
    if not sample:
        return {}
    cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_message")
    first_message = cr.fetchone()[0]
    cr.commit()

    def workers(count):
        start = CLOCK["wall"]() + 8  # the workers load Odoo meanwhile
        env_vars = {**os.environ, "AR_BENCH_START": str(start)}
        processes = [
            subprocess.Popen(
                [sys.executable, __file__, *sys.argv[1:3], "dispatch_worker", str(sample)],
                stdout=subprocess.PIPE,
                env=env_vars,
            )
            for _i in range(count)
        ]
        results = [json.loads(p.communicate()[0].decode().splitlines()[-1]) for p in processes]
        done = sum(r["done"] for r in results)
        wall = max(r["ended"] for r in results) - min(r["begun"] for r in results)
        return done, wall, max(r["longest_transaction_s"] for r in results)

    one_done, one_s, one_longest = workers(1)
    two_done, two_s, two_longest = workers(2)
    cr.execute(
        """
        SELECT COUNT(*) FILTER (WHERE state IN ('sent', 'delivered', 'read', 'replied', 'paid')),
               COUNT(DISTINCT mail_message_id)
          FROM ar_followup_reminder WHERE id = ANY(%s)
        """,
        [queued.ids],
    )
    sent, distinct_messages = cr.fetchone()
    cr.execute(
        """
        SELECT COUNT(*) FROM mail_message
         WHERE id > %s AND model = 'res.partner' AND message_type = 'comment'
        """,
        [first_message],
    )
    new_messages = cr.fetchone()[0]
    return {
        "pair_one": one_done,
        "pair_one_s": one_s,
        "pair_two": two_done,
        "pair_two_s": two_s,
        "pair_longest_transaction_s": max(one_longest, two_longest),
        "pair_sent": sent,
        "pair_sent_once": sent == distinct_messages == new_messages,
    }


def phase_whatsapp(env, n):
    """WhatsApp dispatch by one worker against the local fake Graph API answering each
    call after :data:`WA_LATENCY` (Meta's usual), the account capped at :data:`WA_RATE`
    messages a second: up to ``WA_SAMPLE`` of the day's reminders switched to
    WhatsApp. Checks that each went once (one request, one message id each), and counts
    the most calls that reached the server within one second."""
    from freezegun import freeze_time

    from odoo.addons.ar_followup_whatsapp.tests import fake_graph

    cr = env.cr
    company = env.company
    next_day = company._ar_today() + datetime.timedelta(days=1)
    moment = f"{next_day} 04:30:00"
    Reminder = env["ar.followup.reminder"]
    with freeze_time(moment, ignore=REAL_CLOCK_MODULES):
        if not Reminder.search_count([("state", "in", ("planned", "queued"))]):
            company._ar_plan_reminders(next_day)
    # the ones the dispatcher claims first (see ``_ar_claim``)
    reminders = Reminder.search(
        [("company_id", "=", company.id), ("state", "in", ("planned", "queued"))],
        order="date_scheduled, id",
        limit=min(n, WA_SAMPLE),
    )
    if not reminders:
        return {}
    for index, partner in enumerate(reminders.partner_id):
        partner.phone = "+91 98%03d %05d" % (index // 100000, index % 100000)
    reminders.write({"channel": "whatsapp", "text_edited": False})
    env["ar.followup.template"].search([("channel", "=", "whatsapp")]).wa_status = "approved"
    with fake_graph.FakeGraph(latency=WA_LATENCY) as graph:
        env["ar.followup.channel"]._ar_whatsapp_account(company).write(
            {
                "wa_business_account_id": fake_graph.WABA_ID,
                "wa_phone_number_id": fake_graph.PHONE_NUMBER_ID,
                "wa_access_token": fake_graph.TOKEN,
                "wa_app_secret": fake_graph.APP_SECRET,
                "wa_verify_token": fake_graph.VERIFY_TOKEN,
                "wa_rate_limit": WA_RATE,
                "state": "enabled",
            }
        )
        cr.commit()
        transactions, dispatch = record_transactions(env, company._ar_dispatch_reminders)
        with freeze_time(moment, ignore=REAL_CLOCK_MODULES):
            seconds, done = timed(dispatch, limit=len(reminders))
        requests = len(graph.messages)
        most_at_once = graph.max_in_flight
        arrivals = sorted(graph.arrivals)
    # the most calls that came in within one second, whichever second
    most_in_a_second = max(
        (bisect.bisect_left(arrivals, start + 1.0) - i for i, start in enumerate(arrivals)),
        default=0,
    )
    # the worker's pace once sending: from the first call to the last, without the
    # claim before the first and the recording after the last
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0
    sent = reminders.filtered(lambda r: r.channel == "whatsapp" and r.provider_message_id)
    return {
        "wa_rate": WA_RATE,
        "wa_sent": len(sent),
        "wa_done": done,
        "wa_s": seconds,
        "wa_most_at_once": most_at_once,
        "wa_most_in_a_second": most_in_a_second,
        "wa_calls_per_s": (len(arrivals) - 1) / span if span else None,
        "wa_longest_transaction_s": max(transactions, default=None),
        "wa_sent_once": requests == len(sent) == len(set(sent.mapped("provider_message_id"))),
    }


#: collectors sharing the call queue, and the *Next call* openings timed (the median reported)
CALL_TEAM = 5
NEXT_CALL_RUNS = 7


def phase_calls(env, n):
    """The call queue of ``ar_followup_telephony`` at the bench's size.

    Every customer with anything overdue is queued (threshold: any amount, any
    age) and gets a number. Timed: the daily cron building the queue from
    nothing (every task created, scored and given a collector), the same cron
    the next day (every task scored again: the daily refresh), and a collector
    opening *Next call* at 11:00 in India (the median, each run rolled back).
    """
    from freezegun import freeze_time

    cr = env.cr
    company = env.company
    cr.execute(
        "UPDATE res_partner SET phone = '+91 98' || lpad(id::text, 8, '0') "
        "WHERE customer_rank > 0 AND id = commercial_partner_id"
    )
    env.invalidate_all()
    # the ages the daily planning records first (run before this phase in ``make bench``)
    env["account.move.line"]._ar_refresh_ageing(company)
    group = env.ref("ar_followup.ar_followup_group_user")
    team = env["res.users"].create(
        [
            {
                "name": "Collector %s" % index,
                "login": "bench-collector-%s" % index,
                "phone": "+91 98100 0000%s" % index,
                "company_id": company.id,
                "company_ids": [(6, 0, company.ids)],
                "group_ids": [(4, group.id)],
            }
            for index in range(CALL_TEAM)
        ]
    )
    env["ar.followup.channel"]._ar_call_account(company).write(
        {
            "state": "test",
            "call_threshold_amount": 0.01,
            "call_threshold_days": 0,
            "call_team_ids": [(6, 0, team.ids)],
        }
    )
    cr.commit()
    Call = env["ar.followup.call"]
    today = company._ar_today()
    with freeze_time(f"{today} 05:30:00", ignore=REAL_CLOCK_MODULES):
        build_s, _ = timed(Call._cron_ar_call_queue)
    cr.commit()
    queued = Call.search_count([("company_id", "=", company.id), ("state", "=", "todo")])
    next_day = today + datetime.timedelta(days=1)
    with freeze_time(f"{next_day} 05:30:00", ignore=REAL_CLOCK_MODULES):
        refresh_s, _ = timed(Call._cron_ar_call_queue)
        cr.commit()
        collector = Call.with_user(team[0]).with_company(company)
        runs, queries = [], []
        for _run in range(NEXT_CALL_RUNS):
            env.invalidate_all()
            before = count_queries(cr)
            seconds, action = timed(collector.action_next_call)
            runs.append(seconds)
            queries.append(count_queries(cr) - before)
            cr.rollback()
    return {
        "calls_queued": queued,
        "calls_build_s": build_s,
        "calls_refresh_s": refresh_s,
        "next_call_ms": statistics.median(runs) * 1000,
        "next_call_queries": max(queries),
        "next_call_opens": action.get("res_model"),
    }


def phase_metrics(env, n):
    """The day's follow-up metrics (``ar.followup.snapshot``) after the planning and dispatch
    of ``ours``: the DSO of the day first (the metrics read it), then the metrics pass,
    the median of three (each a full pass replacing the day's rows)."""
    from freezegun import freeze_time

    company = env.company
    # the day ``ours`` planned and dispatched on
    day = company._ar_today() + datetime.timedelta(days=1)
    result = {}
    Snapshot = env["ar.followup.snapshot"]
    passes = []
    with freeze_time(f"{day} 05:15:00", ignore=REAL_CLOCK_MODULES):
        result["metrics_dso_s"], _rows = timed(company._ar_compute_dso, day)
        env.cr.commit()
        for _i in range(3):
            vacuum_analyze(env.cr.dbname, "ar_followup_snapshot", "ar_followup_snapshot_line")
            seconds, rows = timed(Snapshot._ar_record, company, day)
            env.cr.commit()
            passes.append(seconds)
    result["metrics_s"] = statistics.median(passes)
    result["metrics_rows"] = rows
    result["metrics_reminders"] = Snapshot.search(
        [("company_id", "=", company.id), ("date", "=", day), ("partner_id", "=", False)]
    ).reminder_count
    return result


def phase_portal(env, n):
    """The receivables page (``/my/receivables/<link>``) of one customer given
    ``PORTAL_INVOICES`` of the generated invoices, against a customer with a few: the
    median time of ``PORTAL_RUNS`` requests after one to warm the caches (the number
    of queries, the same at both sizes, is a test: ``test_receivables_page.py``)."""
    import requests

    cr = env.cr
    company = env.company
    cr.execute(
        "SELECT id, partner_id FROM account_move WHERE name LIKE %s ORDER BY id LIMIT %s",
        [datagen.PREFIX + "%", PORTAL_INVOICES + 5],
    )
    rows = cr.fetchall()
    big, small = rows[0][1], rows[-1][1]
    moved = [move_id for move_id, _partner in rows[:PORTAL_INVOICES]]
    # the benchmark's invoices are clones: give the first ones to one customer in SQL
    cr.execute(
        "UPDATE account_move SET partner_id = %(p)s, commercial_partner_id = %(p)s "
        "WHERE id = ANY(%(ids)s)",
        {"p": big, "ids": moved},
    )
    cr.execute(
        "UPDATE account_move_line SET partner_id = %(p)s WHERE move_id = ANY(%(ids)s)",
        {"p": big, "ids": moved},
    )
    env.invalidate_all()
    env["account.move.line"]._ar_refresh_ageing(company)
    Partner, Token = env["res.partner"], env["ar.followup.portal.token"]
    links = {
        size: Token._ar_issue(Partner.browse(partner_id), company)._ar_path()
        for size, partner_id in (("big", big), ("small", small))
    }
    cr.execute(
        "SELECT count(*) FROM account_move WHERE commercial_partner_id = %s AND state = 'posted'"
        " AND payment_state NOT IN ('paid', 'in_payment', 'reversed')",
        [big],
    )
    (open_invoices,) = cr.fetchone()
    cr.commit()
    serve_http(env)
    base = f"http://127.0.0.1:{config['http_port']}"
    result = {"portal_invoices": open_invoices}
    for size, path in links.items():
        session = requests.Session()
        session.get(base + path, timeout=60).raise_for_status()
        times = []
        for _i in range(PORTAL_RUNS):
            # timed by a client on this machine: what a debtor waits for, less the network
            seconds, response = timed(session.get, base + path, timeout=60)
            response.raise_for_status()
            times.append(seconds)
        result[f"portal_{size}_s"] = statistics.median(times)
    return result


PHASES = {
    "generate": phase_generate,
    "ours": phase_ours,
    "oca": phase_oca,
    "oca_untracked": phase_oca_untracked,
    "dispatch_worker": phase_dispatch_worker,
    "pair": phase_pair,
    "whatsapp": phase_whatsapp,
    "calls": phase_calls,
    "metrics": phase_metrics,
    "portal": phase_portal,
}


def phase_env(cr, phase):
    """The environment a phase runs in: each side as it runs in production.

    Our passes as the cron runs them (the superuser, no special context). OCA's
    run as a person starts it, the only way it runs: a user's request (the
    administrator), with the mail tracking of its ``mail.thread`` credit lines
    (it sets no context of its own). ``oca_untracked`` is the same user
    with ``tracking_disable``; the data generation skips mail tracking too.
    """
    untracked = phase in ("generate", "oca_untracked")
    env = odoo.api.Environment(
        cr, odoo.SUPERUSER_ID, {"tracking_disable": True} if untracked else {}
    )
    if phase.startswith("oca"):
        env = env(user=env.ref("base.user_admin").id, su=False)
    return env


def main(conf, db, phase, n):
    # the database's own web server (wkhtmltopdf fetches a report's styles from it)
    config.parse_config(["-c", conf, "-d", db, "--db-filter=^%s$" % db, "--log-level=warn"])
    registry = Registry(db)
    with registry.cursor() as cr:
        result = PHASES[phase](phase_env(cr, phase), int(n))
        cr.commit()
    print(json.dumps({"phase": phase, "n": int(n), **result}))


if __name__ == "__main__":
    main(*sys.argv[1:5])
