#!/usr/bin/env bash
# `make demo`: a database with the three addons and their demo data, then Odoo
# serving it on http://localhost:$HTTP_PORT. STOP=1 stops after building it.
# The database is kept between runs; FRESH=1 rebuilds it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV=$(bash "$REPO_ROOT/setup/bootstrap.sh")
DEMO_DB="${DEMO_DB:-ar_followup_demo}"
CONF="$CACHE_DIR/demo-$DEMO_DB.conf"
write_conf "$CONF" "$DEMO_DB" "$HTTP_PORT"

odoo=("$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DEMO_DB")
[ -z "${FRESH:-}" ] || fresh_db "$DEMO_DB"
if psql -d "$DEMO_DB" -tAc "select 1 from ir_module_module where name='ar_followup' and state='installed' and demo" 2>/dev/null | grep -q 1; then
    log "reusing database $DEMO_DB (FRESH=1 to rebuild it)"
    "${odoo[@]}" -u "$ADDONS" --stop-after-init --log-level=warn
else
    log "building database $DEMO_DB with demo data"
    fresh_db "$DEMO_DB"
    # Odoo's modules and ours without demo data, then our demo data alone, in one
    # process (setup/demo_build.py says why)
    "$VENV/bin/python" "$REPO_ROOT/setup/demo_build.py" -c "$CONF" -d "$DEMO_DB" --log-level=warn \
        || { fresh_db "$DEMO_DB"; die "the demo database failed to build (log above)"; }
fi
log "demo database $DEMO_DB is ready"
if [ -n "${STOP:-}" ]; then
    exit 0
fi
log "serving Odoo on http://localhost:$HTTP_PORT — log in as admin / admin (Ctrl-C to stop)"
exec "${odoo[@]}"
