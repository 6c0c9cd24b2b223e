#!/usr/bin/env bash
# `make screenshots`: the README's screenshots (ar_followup/static/description/screenshots/)
# taken from the demo database (DEMO_DB, default ar_followup_demo; built first when
# missing) served on HTTP_PORT, by setup/screenshots.py through headless Chromium.
# Not part of `make test`.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV=$(bash "$REPO_ROOT/setup/bootstrap.sh")
DEMO_DB="${DEMO_DB:-ar_followup_demo}"
OUT="$REPO_ROOT/ar_followup/static/description/screenshots"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || die "Chromium is missing: apt-get install chromium"

if ! psql -d "$DEMO_DB" -tAc "select 1 from ir_module_module where name='ar_followup' and state='installed'" 2>/dev/null | grep -q 1; then
    log "no demo database $DEMO_DB yet: building it"
    STOP=1 DEMO_DB="$DEMO_DB" bash "$REPO_ROOT/setup/demo.sh"
fi
# no cron thread: the screenshots show the demo as built, and nothing is sent meanwhile
CONF="$CACHE_DIR/screenshots-$DEMO_DB.conf"
write_conf "$CONF" "$DEMO_DB" "$HTTP_PORT" "max_cron_threads = 0"

"$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DEMO_DB" --log-level=warn &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' EXIT
for _ in $(seq 120); do
    curl -sf "http://localhost:$HTTP_PORT/web/health" >/dev/null && break
    kill -0 "$server" 2>/dev/null || die "the Odoo server of $DEMO_DB stopped"
    sleep 1
done
log "taking the screenshots of $DEMO_DB (http://localhost:$HTTP_PORT) into $OUT"
"$VENV/bin/python" "$REPO_ROOT/setup/screenshots.py" "$CONF" "$DEMO_DB" "http://localhost:$HTTP_PORT" "$OUT"
