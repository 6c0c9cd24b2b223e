#!/usr/bin/env bash
# `make bench`: planning and dispatch at N open invoices (BENCH_SIZES, default
# "10000 100000"), against OCA account_credit_control 19.0 from PyPI on the same
# database, and the debtor's receivables page. Prints the tables; not a test. Takes about 25 minutes at the defaults.
# BENCH_DB (default ar_followup_bench) prefixes its databases, configuration and
# results, and BENCH_HTTP_PORT (default 8569) is the port wkhtmltopdf fetches a
# report's styles from: two benches on one machine set both apart.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV=$(bash "$REPO_ROOT/setup/bootstrap.sh")
BENCH_SIZES="${BENCH_SIZES:-10000 100000}"
OCA_VERSION="${OCA_VERSION:-19.0.1.0.0.13}"
OCA_DIR="$CACHE_DIR/bench-addons-$OCA_VERSION"
BENCH_DB="${BENCH_DB:-ar_followup_bench}"
TEMPLATE_DB="${BENCH_DB}_template"
RESULTS="$CACHE_DIR/$BENCH_DB-results.jsonl"

# OCA credit control, only for the comparison: downloaded, never committed.
if [ ! -f "$OCA_DIR/account_credit_control/__manifest__.py" ]; then
    log "downloading odoo-addon-account-credit-control==$OCA_VERSION from PyPI"
    rm -rf "$OCA_DIR" && mkdir -p "$OCA_DIR/wheel"
    "$VENV/bin/pip" download -q --no-deps -d "$OCA_DIR/wheel" "odoo-addon-account-credit-control==$OCA_VERSION"
    "$VENV/bin/python" -m zipfile -e "$OCA_DIR"/wheel/*.whl "$OCA_DIR/wheel/x"
    mv "$OCA_DIR/wheel/x/odoo/addons/account_credit_control" "$OCA_DIR/"
fi
CONF="$CACHE_DIR/$BENCH_DB.conf"
write_conf "$CONF" "$TEMPLATE_DB" "${BENCH_HTTP_PORT:-8569}" "without_demo = True" "max_cron_threads = 0"
sed -i "s|^addons_path = .*|&,$OCA_DIR|" "$CONF"

log "template database: the three addons and account_credit_control"
fresh_db "$TEMPLATE_DB"
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$TEMPLATE_DB" \
    -i "$ADDONS,account_credit_control" --stop-after-init --log-level=warn

: > "$RESULTS"
phase() { "$VENV/bin/python" "$REPO_ROOT/tests/bench/run.py" "$CONF" "$@" | tee -a "$RESULTS" >&2; }
for n in $BENCH_SIZES; do
    db="${BENCH_DB}_$n"
    fresh_db "$db"
    createdb -T "$TEMPLATE_DB" "$db"
    log "N=$n: generating invoices"
    phase "$db" generate "$n"
    # a live database is vacuumed and analysed by autovacuum; right after a bulk load
    # it is neither, and every first read of a row would pay for it
    psql -q -d "$db" -c "VACUUM ANALYZE"
    log "N=$n: our planning and dispatch"
    phase "$db" ours "$n"
    log "N=$n: the day's follow-up metrics"
    phase "$db" metrics "$n"
    log "N=$n: dispatch by one worker, then by two at once"
    phase "$db" pair "$n"
    log "N=$n: WhatsApp dispatch against a fake Graph API (150 ms a call, 80/s cap)"
    phase "$db" whatsapp "$n"
    log "N=$n: the call queue: built, refreshed, Next call"
    phase "$db" calls "$n"
    log "N=$n: OCA credit control run, as a user starts it, then without mail tracking"
    # each after VACUUM ANALYZE, as our passes: no dead rows of the runs before it
    for oca in oca oca_untracked; do
        psql -q -d "$db" -c "VACUUM ANALYZE"
        phase "$db" "$oca" "$n"
    done
    log "N=$n: the receivables page of a customer with 500 open invoices (moves them: last)"
    phase "$db" portal "$n"
    [ -n "${BENCH_KEEP:-}" ] || fresh_db "$db"
done
fresh_db "$TEMPLATE_DB"
"$VENV/bin/python" "$REPO_ROOT/tests/bench/report.py" "$RESULTS"
