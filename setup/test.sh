#!/usr/bin/env bash
# `make test`: a fresh database every time, the three addons installed, then
# every test (addon tests and the repository-level tests/) through pytest-odoo.
# Extra arguments go to pytest, e.g. `setup/test.sh ar_followup/tests/test_ageing.py -k boundaries`.
#
# The tests under ar_followup/tests/with_sale need Odoo's `sale`, which the addons
# do not depend on: they run on their own database, a copy of the test database
# with `sale` added ($TEST_DB_sale), beside the others (own port, output printed
# after theirs); the others never see `sale` (the receivables page is tested with
# and without it). Arguments naming ar_followup/tests/with_sale run there alone.
# tests/test_apps.py uninstalls the addons from another copy ($TEST_DB_apps), made
# here because a database can only be copied while nothing is connected to it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV=$(bash "$REPO_ROOT/setup/bootstrap.sh")
TEST_DB="${TEST_DB:-ar_followup_test}"
TEST_HTTP_PORT="${TEST_HTTP_PORT:-8169}"
TEST_MODULES="${TEST_MODULES:-$ADDONS,payment_demo,sms_twilio}"
CONF="$CACHE_DIR/test-$TEST_DB.conf"
SALE_DB="${TEST_DB}_sale"
SALE_CONF="$CACHE_DIR/test-$SALE_DB.conf"
SALE_TESTS="ar_followup/tests/with_sale"
write_conf "$CONF" "$TEST_DB" "$TEST_HTTP_PORT" "without_demo = True" "max_cron_threads = 0"
write_conf "$SALE_CONF" "$SALE_DB" "$((TEST_HTTP_PORT + 3))" "without_demo = True" "max_cron_threads = 0"

if [ -z "${REUSE_DB:-}" ]; then
    log "fresh database $TEST_DB: installing $TEST_MODULES"
    fresh_db "$TEST_DB"
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$TEST_DB" -i "$TEST_MODULES" \
        --stop-after-init --log-level=warn
fi

cd "$REPO_ROOT"
targets=("$@")
main=() sale=()
if [ ${#targets[@]} -eq 0 ]; then
    main=(ar_followup ar_followup_whatsapp ar_followup_telephony tests)
    sale=("$SALE_TESTS")
elif [[ " ${targets[*]} " == *" $SALE_TESTS"* ]]; then
    sale=("${targets[@]}")
else
    main=("${targets[@]}")
fi

sale_installed() {
    psql -d "$SALE_DB" -tAc "select 1 from ir_module_module where name='sale' and state='installed'" \
        2>/dev/null | grep -q 1
}
# copy_db NAME: a copy of $TEST_DB and its filestore
copy_db() {
    fresh_db "$1"
    createdb -T "$TEST_DB" "$1"
    if [ -d "$CACHE_DIR/data/filestore/$TEST_DB" ]; then
        cp -a "$CACHE_DIR/data/filestore/$TEST_DB" "$CACHE_DIR/data/filestore/$1"
    fi
}
install_sale=
if [ ${#sale[@]} -gt 0 ] && { [ -z "${REUSE_DB:-}" ] || ! sale_installed; }; then
    log "database $SALE_DB: a copy of $TEST_DB with sale installed"
    copy_db "$SALE_DB"
    install_sale=1
fi
if [[ " ${main[*]} " == *" tests "* || " ${main[*]} " == *"test_apps"* ]]; then
    copy_db "${TEST_DB}_apps"
    export AR_APPS_DB="${TEST_DB}_apps"
fi

status=0
sale_log=$(mktemp)
if [ ${#sale[@]} -gt 0 ]; then
    {
        if [ -n "$install_sale" ]; then
            "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$SALE_CONF" -d "$SALE_DB" -i sale \
                --stop-after-init --log-level=warn
        fi
        "$VENV/bin/python" -m pytest --odoo-config="$SALE_CONF" --odoo-database="$SALE_DB" \
            --odoo-http --odoo-log-level=warn "${sale[@]}"
    } > "$sale_log" 2>&1 &
    sale_pid=$!
fi
if [ ${#main[@]} -gt 0 ]; then
    log "running tests on $TEST_DB"
    "$VENV/bin/python" -m pytest --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http \
        --odoo-log-level=warn --ignore="$SALE_TESTS" "${main[@]}" || status=$?
fi
if [ ${#sale[@]} -gt 0 ]; then
    sale_status=0
    wait "$sale_pid" || sale_status=$?
    log "the tests that need sale, on $SALE_DB"
    cat "$sale_log"
    [ "$sale_status" -eq 0 ] || status=$sale_status
fi
rm -f "$sale_log"
[ -z "${AR_APPS_DB:-}" ] || fresh_db "$AR_APPS_DB"
exit "$status"
