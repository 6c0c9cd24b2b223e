#!/usr/bin/env bash
# `make pot`: regenerate i18n/<addon>.pot of the three addons from a fresh
# database (no demo), so the templates match the code. Existing .po files are
# left alone; merge them with `msgmerge -U i18n/hi.po i18n/<addon>.pot`.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV=$(bash "$REPO_ROOT/setup/bootstrap.sh")
POT_DB="${POT_DB:-ar_followup_pot}"
CONF="$CACHE_DIR/pot.conf"
printf '[options]\naddons_path = %s\ndata_dir = %s\nwithout_demo = True\n' \
    "$(addons_path)" "$CACHE_DIR/data" > "$CONF"
dropdb --if-exists --force "$POT_DB"
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$POT_DB" -i "$ADDONS" --stop-after-init --log-level=warn
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" i18n export -c "$CONF" -d "$POT_DB" ${ADDONS//,/ }
dropdb --if-exists --force "$POT_DB"
# The export stamps the creation date; drop volatile headers so unchanged terms give no diff.
for pot in "$REPO_ROOT"/ar_followup*/i18n/*.pot; do
    sed -i -e '/^"POT-Creation-Date:/d' -e '/^"PO-Revision-Date:/d' "$pot"
done
log "wrote $(ls "$REPO_ROOT"/ar_followup*/i18n/*.pot | tr '\n' ' ')"
