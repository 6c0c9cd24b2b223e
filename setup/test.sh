#!/usr/bin/env bash
# `make test`: a fresh database every time, the three addons installed, then
# every test (addon tests and the repository-level tests/) through pytest-odoo.
# Extra arguments go to pytest, e.g. `setup/test.sh ar_followup/tests/test_ageing.py -k boundaries`.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV=$(bash "$REPO_ROOT/setup/bootstrap.sh")
TEST_DB="${TEST_DB:-ar_followup_test}"
TEST_HTTP_PORT="${TEST_HTTP_PORT:-8169}"
TEST_MODULES="${TEST_MODULES:-$ADDONS,payment_demo,sms_twilio}"
CONF="$CACHE_DIR/test-$TEST_DB.conf"
write_conf "$CONF" "$TEST_DB" "$TEST_HTTP_PORT" "without_demo = True" "max_cron_threads = 0"

if [ -z "${REUSE_DB:-}" ]; then
    log "fresh database $TEST_DB: installing $TEST_MODULES"
    fresh_db "$TEST_DB"
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$TEST_DB" -i "$TEST_MODULES" \
        --stop-after-init --log-level=warn
fi

cd "$REPO_ROOT"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ar_followup ar_followup_whatsapp ar_followup_telephony tests)
log "running tests on $TEST_DB"
exec "$VENV/bin/python" -m pytest --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http \
    --odoo-log-level=warn "${targets[@]}"
