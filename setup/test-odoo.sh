#!/usr/bin/env bash
# `make test-odoo`: the same addon tests through Odoo's own runner
# (--test-enable) on a fresh database, for those who prefer it to pytest.
# TEST_TAGS narrows the run, e.g. TEST_TAGS=/ar_followup:TestAgeing.
# UPSTREAM=account,portal,payment,mail,sms runs those modules' own suites instead:
# installed with the three addons in one run, as Odoo's own CI does, so each
# module's at_install tests run as it is installed and the post_install tests with
# the three addons installed. UPSTREAM_TAGS narrows such a run to some of their tests,
# e.g. UPSTREAM=account UPSTREAM_TAGS=/account:TestAccountMoveSend,/account:TestPortalInvoice.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
VENV=$(bash "$REPO_ROOT/setup/bootstrap.sh")
TEST_DB="${TEST_DB:-ar_followup_test}_odoo"
TEST_HTTP_PORT="${TEST_HTTP_PORT:-8169}"
TEST_MODULES="${TEST_MODULES:-$ADDONS,payment_demo,sms_twilio}"
TEST_TAGS="${TEST_TAGS:-/ar_followup,/ar_followup_whatsapp,/ar_followup_telephony}"
CONF="$CACHE_DIR/test-$TEST_DB.conf"
write_conf "$CONF" "$TEST_DB" "$TEST_HTTP_PORT" "without_demo = True" "max_cron_threads = 0"
fresh_db "$TEST_DB"
if [ -n "${UPSTREAM:-}" ]; then
    exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$TEST_DB" \
        -i "$TEST_MODULES,$UPSTREAM" --test-enable --test-tags "${UPSTREAM_TAGS:-/${UPSTREAM//,/,/}}" \
        --stop-after-init --log-level=test
fi
# Installing first and testing in a second run gives the post_install tests
# the same database pytest sees.
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$TEST_DB" -i "$TEST_MODULES" \
    --stop-after-init --log-level=warn
exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$CONF" -d "$TEST_DB" -u "$ADDONS" \
    --test-enable --test-tags "$TEST_TAGS" --stop-after-init --log-level=test
