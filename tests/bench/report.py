# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Print the benchmark table (Markdown) from the JSON lines ``run.py`` wrote."""

import json
import sys
from collections import defaultdict


def fmt_s(value):
    return "—" if value is None else f"{value:.2f} s"


def rate(count, seconds):
    if not count or not seconds:
        return "—"
    per_second = count / seconds
    return f"{per_second:,.1f}/s" if per_second < 10 else f"{per_second:,.0f}/s"


def counted(r, count, seconds):
    """``"N in S s (R/s)"`` of ``r[count]`` done in ``r[seconds]``, or a dash."""
    if not r.get(seconds):
        return "—"
    return f"{r[count]:,} in {fmt_s(r[seconds])} ({rate(r[count], r[seconds])})"


def ratio(a, b):
    return "—" if not a or not b else f"{a / b:.1f}×"


def main(path):
    rows = defaultdict(dict)
    with open(path) as results:
        for line in results:
            record = json.loads(line)
            rows[record.pop("n")].update(record)
    print()
    print(
        "| open invoices | bare ageing SQL | first ageing | daily refresh (× bare) "
        "| planning pass | reminders | dispatch | PDFs printed ahead: invoices · statements "
        "| dispatch with PDFs: printed ahead · nothing printed | OCA credit control | OCA ÷ planning "
        "| OCA without mail tracking (÷ planning) | peak RSS: planning / with dispatch |"
    )
    print("| ---: " * 13 + "|")
    for n, r in sorted(rows.items()):
        dispatch = (
            f"{r['dispatched']:,} in {fmt_s(r['dispatch_s'])} ({rate(r['dispatched'], r['dispatch_s'])})"
            if r.get("dispatch_s")
            else "—"
        )
        ahead = "{} · {}".format(
            counted(r, "invoice_pdfs", "invoice_pdfs_s"), counted(r, "statements", "statements_s")
        )
        pdf = "{} · {}".format(
            counted(r, "dispatched_warm", "dispatch_warm_s"),
            counted(r, "dispatched_cold", "dispatch_cold_s"),
        )
        oca = (
            f"{fmt_s(r.get('oca_s'))}, {r['oca_lines']:,} lines, {r['oca_queries']:,} queries"
            if r.get("oca_s")
            else "—"
        )
        untracked = (
            f"{fmt_s(r['oca_untracked_s'])}, {r['oca_untracked_queries']:,} queries"
            if r.get("oca_untracked_s")
            else "—"
        )
        print(
            f"| {n:,} | {fmt_s(r.get('bare_ageing_s'))} | {fmt_s(r.get('first_ageing_s'))} "
            f"| {fmt_s(r.get('refresh_s'))} ({ratio(r.get('refresh_s'), r.get('bare_ageing_s'))}) "
            f"| {fmt_s(r.get('plan_s'))} | {r.get('reminders', 0):,} | {dispatch} | {ahead} | {pdf} | {oca} "
            f"| {ratio(r.get('oca_s'), r.get('plan_s'))} "
            f"| {untracked} ({ratio(r.get('oca_untracked_s'), r.get('plan_s'))}) "
            f"| {r.get('plan_peak_mb', '—')} / {r.get('peak_mb', '—')} MB "
            f"(OCA {r.get('oca_peak_mb', '—')} MB) |"
        )

    print()
    print(
        "| open invoices | longest dispatch transaction | one dispatcher | two dispatchers at once "
        "| two ÷ one | sent once |"
    )
    print("| ---: " * 6 + "|")
    for n, r in sorted(rows.items()):
        longest = max(
            (r[k] for k in ("longest_transaction_s", "pair_longest_transaction_s") if r.get(k)),
            default=None,
        )
        one = counted(r, "pair_one", "pair_one_s")
        two = counted(r, "pair_two", "pair_two_s")
        scale = (
            ratio(r["pair_two"] / r["pair_two_s"], r["pair_one"] / r["pair_one_s"])
            if r.get("pair_one_s") and r.get("pair_two_s")
            else "—"
        )
        once = {True: "yes", False: "**no**"}.get(r.get("pair_sent_once"), "—")
        print(f"| {n:,} | {fmt_s(longest)} | {one} | {two} | {scale} | {once} |")

    print()
    print("| open invoices | DSO of the day | follow-up metrics pass | rows | reminders counted |")
    print("| ---: " * 5 + "|")
    for n, r in sorted(rows.items()):
        print(
            f"| {n:,} | {fmt_s(r.get('metrics_dso_s'))} | {fmt_s(r.get('metrics_s'))} "
            f"| {r.get('metrics_rows', 0):,} | {r.get('metrics_reminders', 0):,} |"
        )

    print()
    print(
        "| open invoices | WhatsApp dispatch (150 ms a call, 80/s cap) | calls at once "
        "| longest transaction | sent once |"
    )
    print("| ---: " * 5 + "|")
    for n, r in sorted(rows.items()):
        once = {True: "yes", False: "**no**"}.get(r.get("wa_sent_once"), "—")
        print(
            f"| {n:,} | {counted(r, 'wa_sent', 'wa_s')} | {r.get('wa_most_at_once', '—')} "
            f"| {fmt_s(r.get('wa_longest_transaction_s'))} | {once} |"
        )

    print()
    print(
        "| open invoices | call tasks queued | queue built (first cron) | daily queue refresh "
        "| Next call (median, queries) |"
    )
    print("| ---: " * 5 + "|")
    for n, r in sorted(rows.items()):
        next_call = (
            f"{r['next_call_ms']:.0f} ms, {r['next_call_queries']} queries"
            if r.get("next_call_ms") is not None
            else "—"
        )
        print(
            f"| {n:,} | {r.get('calls_queued', 0):,} | {fmt_s(r.get('calls_build_s'))} "
            f"| {fmt_s(r.get('calls_refresh_s'))} | {next_call} |"
        )

    print()
    print(
        "| open invoices | receivables page of a customer with 500 open invoices "
        "| receivables page of a customer with a few |"
    )
    print("| ---: " * 3 + "|")
    for n, r in sorted(rows.items()):
        if not r.get("portal_big_s"):
            continue
        print(
            f"| {n:,} | {r['portal_big_s'] * 1000:.0f} ms ({r['portal_invoices']} invoices) "
            f"| {r['portal_small_s'] * 1000:.0f} ms |"
        )


if __name__ == "__main__":
    main(sys.argv[1])
