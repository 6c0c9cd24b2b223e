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
# The fuzz tests (every test whose name says fuzz: thousands of hostile requests
# each) run the same way in a full run, on a third copy ($TEST_DB_fuzz), and the
# other tests of the WhatsApp and telephony addons, the demo's and the repository's
# on a fourth ($TEST_DB_channels): the main session alone would leave the second
# core idle once the fuzz tests end.
# tests/test_apps.py uninstalls the addons from another copy ($TEST_DB_apps). The
# copies are made here because a database can only be copied while nothing is
# connected to it.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV=$(bash "$REPO_ROOT/setup/bootstrap.sh")
TEST_DB="${TEST_DB:-ar_followup_test}"
TEST_HTTP_PORT="${TEST_HTTP_PORT:-8169}"
TEST_MODULES="${TEST_MODULES:-$ADDONS,payment_demo,sms_twilio}"
CONF="$CACHE_DIR/test-$TEST_DB.conf"
SALE_DB="${TEST_DB}_sale"
SALE_CONF="$CACHE_DIR/test-$SALE_DB.conf"
SALE_TESTS="ar_followup/tests/with_sale"
FUZZ_DB="${TEST_DB}_fuzz"
FUZZ_CONF="$CACHE_DIR/test-$FUZZ_DB.conf"
CHANNELS_DB="${TEST_DB}_channels"
CHANNELS_CONF="$CACHE_DIR/test-$CHANNELS_DB.conf"
write_conf "$CONF" "$TEST_DB" "$TEST_HTTP_PORT" "without_demo = True" "max_cron_threads = 0"
write_conf "$SALE_CONF" "$SALE_DB" "$((TEST_HTTP_PORT + 3))" "without_demo = True" "max_cron_threads = 0"
write_conf "$FUZZ_CONF" "$FUZZ_DB" "$((TEST_HTTP_PORT + 5))" "without_demo = True" "max_cron_threads = 0"
write_conf "$CHANNELS_CONF" "$CHANNELS_DB" "$((TEST_HTTP_PORT + 9))" "without_demo = True" "max_cron_threads = 0"

if [ -z "${REUSE_DB:-}" ]; then
    log "fresh database $TEST_DB: installing $TEST_MODULES"
    fresh_db "$TEST_DB"
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$TEST_DB" -i "$TEST_MODULES" \
        --stop-after-init --log-level=warn
fi

cd "$REPO_ROOT"
targets=("$@")
main=() sale=() fuzz=() channels=()
if [ ${#targets[@]} -eq 0 ]; then
    main=(-k "not fuzz" --ignore=ar_followup/tests/test_demo.py ar_followup)
    channels=(-k "not fuzz" ar_followup_whatsapp ar_followup_telephony
        ar_followup/tests/test_demo.py tests)
    sale=("$SALE_TESTS")
    fuzz=(-k fuzz ar_followup ar_followup_whatsapp ar_followup_telephony)
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
if [[ " ${main[*]} ${channels[*]} " == *" tests "* || " ${main[*]} " == *"test_apps"* ]]; then
    copy_db "${TEST_DB}_apps"
    export AR_APPS_DB="${TEST_DB}_apps"
fi

# side NAME DB CONF PYTEST-ARGS...: a pytest session beside the main one, its
# output kept in $side_dir/NAME and printed after the main session's
side_dir=$(mktemp -d)
# each session lists its slowest tests, so a session that grows shows where
report=(--durations=15 --durations-min=5)
side_pids=()
side() {
    local name=$1 db=$2 conf=$3
    shift 3
    {
        if [ "$name" = sale ] && [ -n "$install_sale" ]; then
            "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$SALE_CONF" -d "$SALE_DB" -i sale \
                --stop-after-init --log-level=warn
        fi
        "$VENV/bin/python" -m pytest --odoo-config="$conf" --odoo-database="$db" --odoo-http \
            --odoo-log-level=warn --ignore="$SALE_TESTS" "${report[@]}" "$@"
    } > "$side_dir/$name" 2>&1 &
    side_pids+=("$name:$!")
}
if [ ${#fuzz[@]} -gt 0 ]; then
    copy_db "$FUZZ_DB"
    side fuzz "$FUZZ_DB" "$FUZZ_CONF" "${fuzz[@]}"
fi
if [ ${#channels[@]} -gt 0 ]; then
    copy_db "$CHANNELS_DB"
    side channels "$CHANNELS_DB" "$CHANNELS_CONF" "${channels[@]}"
fi
[ ${#sale[@]} -eq 0 ] || side sale "$SALE_DB" "$SALE_CONF" "${sale[@]}"

status=0
if [ ${#main[@]} -gt 0 ]; then
    log "running tests on $TEST_DB"
    "$VENV/bin/python" -m pytest --odoo-config="$CONF" --odoo-database="$TEST_DB" --odoo-http \
        --odoo-log-level=warn --ignore="$SALE_TESTS" "${report[@]}" "${main[@]}" || status=$?
fi
for entry in "${side_pids[@]}"; do
    name=${entry%%:*} side_status=0
    wait "${entry#*:}" || side_status=$?
    log "the $name tests, on ${TEST_DB}_$name"
    cat "$side_dir/$name"
    [ "$side_status" -eq 0 ] || status=$side_status
done
rm -rf "$side_dir"
[ -z "${AR_APPS_DB:-}" ] || fresh_db "$AR_APPS_DB"
[ ${#fuzz[@]} -eq 0 ] || fresh_db "$FUZZ_DB"
[ ${#channels[@]} -eq 0 ] || fresh_db "$CHANNELS_DB"
exit "$status"
