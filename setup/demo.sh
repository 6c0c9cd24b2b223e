#!/usr/bin/env bash
# `make demo`: a database with the three addons and their demo data, then Odoo
# serving it on http://localhost:$HTTP_PORT. STOP=1 stops after building it.
# The database is kept between runs; FRESH=1 rebuilds it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV=$(bash "$REPO_ROOT/setup/bootstrap.sh")
DEMO_DB="${DEMO_DB:-ar_followup_demo}"
DATA_DIR="$CACHE_DIR/data"
CONF="$CACHE_DIR/demo-$DEMO_DB.conf"
mkdir -p "$DATA_DIR"
cat > "$CONF" <<CONF
[options]
addons_path = $(addons_path)
data_dir = $DATA_DIR
db_name = $DEMO_DB
dbfilter = ^$DEMO_DB\$
http_port = $HTTP_PORT
gevent_port = $((HTTP_PORT + 1))
CONF

odoo=("$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$DEMO_DB")
if [ -n "${FRESH:-}" ]; then
    dropdb --if-exists --force "$DEMO_DB"
    rm -rf "$DATA_DIR/filestore/$DEMO_DB"
fi
if psql -d "$DEMO_DB" -tAc "select 1 from ir_module_module where name='ar_followup' and state='installed'" 2>/dev/null | grep -q 1; then
    log "reusing database $DEMO_DB (FRESH=1 to rebuild it)"
    "${odoo[@]}" -u "$ADDONS" --stop-after-init --log-level=warn
else
    log "building database $DEMO_DB with demo data"
    dropdb --if-exists --force "$DEMO_DB"
    "${odoo[@]}" -i "$ADDONS" --with-demo --stop-after-init --log-level=warn
fi
log "demo database $DEMO_DB is ready"
if [ -n "${STOP:-}" ]; then
    exit 0
fi
log "serving Odoo on http://localhost:$HTTP_PORT — log in as admin / admin (Ctrl-C to stop)"
exec "${odoo[@]}"
