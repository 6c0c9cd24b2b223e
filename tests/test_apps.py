# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What an administrator sees in the Apps list, and a clean uninstall.

The Apps-list checks read the test database. The uninstall runs Odoo in a
subprocess on a throwaway database (uninstalling commits, so it cannot share
the test database): the three addons installed, uninstall them channel first,
and check that nothing of theirs is left behind. `make test` hands it a copy of
the freshly installed test database (``AR_APPS_DB``); run alone, it installs one.
"""

import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

import odoo
import odoo.release
from odoo.modules.module import get_manifest
from odoo.tools import config

ADDONS = ("ar_followup", "ar_followup_whatsapp", "ar_followup_telephony")
ODOO_BIN = Path(odoo.release.__file__).resolve().parent.parent / "odoo-bin"


def _test_db():
    db_name = config["db_name"]  # a list since Odoo 19.0
    return db_name[0] if isinstance(db_name, list) else db_name


@pytest.fixture(scope="module")
def env():
    registry = odoo.modules.registry.Registry(_test_db())
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"lang": "en_US"})
        cr.rollback()


@pytest.mark.parametrize("name", ADDONS)
def test_app_listed_with_description_and_icon(env, name):
    module = env["ir.module.module"].search([("name", "=", name)])
    assert module.state == "installed"
    assert module.author == "AR Follow-up contributors"
    assert module.license == "LGPL-3"
    assert module.installed_version == get_manifest(name)["version"]
    assert module.installed_version.startswith("19.0.")
    assert module.icon == f"/{name}/static/description/icon.png"
    # the description page shipped in static/description/index.html, not a placeholder
    assert "AR Follow-up" in module.description_html
    assert len(module.description_html) > 1000
    assert module.summary


def test_core_is_the_application(env):
    modules = env["ir.module.module"].search([("name", "in", ADDONS)])
    assert modules.filtered("application").mapped("name") == ["ar_followup"]
    for channel in modules.filtered(lambda m: m.name != "ar_followup"):
        assert channel.dependencies_id.mapped("name") == ["ar_followup"]


def _odoo(*args, command=(), **kwargs):
    return subprocess.run(
        [sys.executable, str(ODOO_BIN), *command, "-c", config["config"], *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
        **kwargs,
    )


UNINSTALL = textwrap.dedent(
    """
    modules = env["ir.module.module"].search([("name", "in", %(addons)r)])
    modules.filtered(lambda m: m.name != "ar_followup").button_immediate_uninstall()
    modules.filtered(lambda m: m.name == "ar_followup").button_immediate_uninstall()
    env.cr.commit()
    print("STATES", sorted(modules.mapped("state")))
    env.cr.execute("SELECT count(*) FROM ir_model WHERE model LIKE 'ar.followup.%%'")
    print("MODELS", env.cr.fetchone()[0])
    env.cr.execute("SELECT count(*) FROM information_schema.columns "
                   "WHERE table_name IN ('account_move', 'res_partner') AND column_name LIKE 'ar\\\\_%%'")
    print("COLUMNS", env.cr.fetchone()[0])
    """
)


def test_install_and_uninstall_cleanly():
    db = os.environ.get("AR_APPS_DB") or f"{_test_db()}_uninstall_{uuid.uuid4().hex[:6]}"
    port = str(int(config["http_port"]) + 7)
    try:
        if not os.environ.get("AR_APPS_DB"):
            _odoo(
                "-d",
                db,
                "-i",
                ",".join(ADDONS),
                "--stop-after-init",
                "--http-port",
                port,
                "--log-level=warn",
            )
        result = _odoo(
            "-d",
            db,
            "--http-port",
            port,
            "--log-level=warn",
            command=["shell"],
            input=UNINSTALL % {"addons": ADDONS},
        )
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", db], check=False, env={**os.environ})
    lines = dict(
        line.split(" ", 1)
        for line in result.stdout.splitlines()
        if line.split(" ", 1)[0] in ("STATES", "MODELS", "COLUMNS")
    )
    assert lines["STATES"] == "['uninstalled', 'uninstalled', 'uninstalled']", result.stdout
    assert lines["MODELS"] == "0"
    assert lines["COLUMNS"] == "0"
