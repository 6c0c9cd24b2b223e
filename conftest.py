# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Repository-wide pytest settings.

A skipped test is a test that did not pass: Odoo skips browser tours when
Chromium or websocket-client is missing, and pytest-odoo skips HttpCase
without --odoo-http. Unless AR_FOLLOWUP_ALLOW_SKIP is set, any skip fails the run.
"""

import os

import pytest


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("AR_FOLLOWUP_ALLOW_SKIP"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(
            "%d test(s) skipped: a skipped test is not a passing one "
            "(set AR_FOLLOWUP_ALLOW_SKIP=1 to allow)" % len(skipped),
            red=True,
        )
        session.exitstatus = 1
