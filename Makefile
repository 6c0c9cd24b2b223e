# One entry point per job. Odoo comes from $(ODOO_SRC) (default /opt/odoo).
# Variables: ODOO_SRC, HTTP_PORT, STOP=1 (demo: stop after building), FRESH=1
# (demo: rebuild), TEST_DB, REUSE_DB=1 (test: skip the fresh install), T="pytest args",
# BASE=<git rev>, KEEP=1, REUSE=1 (upgrade-check), BENCH_SIZES, BENCH_DB, BENCH_HTTP_PORT
# (bench: sizes, database prefix, port), UPSTREAM, UPSTREAM_TAGS (test-odoo: Odoo's own
# suites of those modules, narrowed to those tags).
SHELL := /bin/bash
export ODOO_SRC ?= /opt/odoo
export STOP FRESH DEMO_DB HTTP_PORT TEST_DB TEST_HTTP_PORT UPSTREAM UPSTREAM_TAGS REUSE_DB BENCH_SIZES BENCH_DB BENCH_HTTP_PORT BASE KEEP REUSE UPGRADE_DB

.PHONY: demo test test-odoo lint bench setup pot help upgrade-check screenshots

help:
	@echo "make demo   build the demo database and serve Odoo on http://localhost:8069 (STOP=1: build only)"
	@echo "make test   fresh test database, install the addons, run every test"
	@echo "make lint   pre-commit on the whole tree"
	@echo "make screenshots  the README's screenshots, taken from the demo database (DEMO_DB)"
	@echo "make bench  planning and dispatch benchmark against OCA credit control (prints two tables)"
	@echo "make pot    regenerate the addons' i18n/*.pot"
	@echo "make test-odoo  the addon tests through Odoo's own --test-enable runner"
	@echo "make upgrade-check  the demo built at BASE (default: where HEAD forked from main), upgraded"
	@echo "                    to the working tree with -u: fails on a record, value or field lost"
	@echo "                    (BASE=<rev>, KEEP=1 keeps the databases, REUSE=1 reuses a kept one)"

setup:
	@bash setup/bootstrap.sh >/dev/null

demo:
	@bash setup/demo.sh

test:
	@bash setup/test.sh $(T)

# The same tests through Odoo's own runner instead of pytest.
test-odoo:
	@bash setup/test-odoo.sh

lint:
	@bash setup/lint.sh

screenshots:
	@bash setup/screenshots.sh

bench:
	@bash setup/bench.sh

pot:
	@bash setup/pot.sh

upgrade-check:
	@bash setup/upgrade-check.sh
