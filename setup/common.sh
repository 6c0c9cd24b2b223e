#!/usr/bin/env bash
# Shared settings and helpers for the setup scripts. Sourced, never run.
# Every variable can be overridden from the environment or `make VAR=value`.
set -euo pipefail
# A failing command inside $(...) stops the script too (bash leaves it running
# otherwise): a half-built virtualenv must never be marked complete.
shopt -s inherit_errexit

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ODOO_SRC="${ODOO_SRC:-/opt/odoo}"
ODOO_BRANCH="${ODOO_BRANCH:-19.0}"
PYTHON="${PYTHON:-python3}"
CACHE_DIR="${AR_FOLLOWUP_CACHE:-$HOME/.cache/ar-followup}"
DB_USER="${DB_USER:-$(id -un)}"
HTTP_PORT="${HTTP_PORT:-8069}"
ADDONS="ar_followup,ar_followup_whatsapp,ar_followup_telephony"

log() { printf '\033[1;34m[ar-followup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[ar-followup] %s\033[0m\n' "$*" >&2; exit 1; }

# Odoo core addons live in odoo/addons for a source checkout; a packaged
# layout also has addons/. Ours are at the repository root.
addons_path() {
    local path="$ODOO_SRC/odoo/addons"
    if compgen -G "$ODOO_SRC/addons/*/__manifest__.py" >/dev/null; then
        path="$ODOO_SRC/addons,$path"
    fi
    echo "$path,$REPO_ROOT"
}

# write_conf FILE DB PORT [EXTRA_LINE...]: an Odoo configuration file for one database.
write_conf() {
    local file=$1 db=$2 port=$3
    shift 3
    mkdir -p "$CACHE_DIR/data"
    {
        echo "[options]"
        echo "addons_path = $(addons_path)"
        echo "data_dir = $CACHE_DIR/data"
        echo "db_name = $db"
        echo "dbfilter = ^$db\$"
        echo "http_port = $port"
        echo "gevent_port = $((port + 1))"
        printf '%s\n' "$@"
    } > "$file"
}

# fresh_db DB: drop a database and its filestore.
fresh_db() {
    dropdb --if-exists --force "$1"
    rm -rf "$CACHE_DIR/data/filestore/$1"
}
