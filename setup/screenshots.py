#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""`make screenshots`: the README's screenshots, taken from the demo database.

Usage: screenshots.py CONF DB BASE_URL OUT_DIR

The Odoo server of CONF must be serving DB at BASE_URL (``setup/screenshots.sh``
starts it). The script reads from the database what each page needs (a customer,
a reminder's link to the debtor's page), then drives headless Chromium through the
Chrome DevTools protocol (``websocket-client``, as Odoo's browser tests do), logs
in as the demo's AR manager and writes one PNG per page to OUT_DIR. Not a test.
"""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import websocket

import odoo
from odoo.modules.registry import Registry
from odoo.tools import config

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 1280, 800
#: seconds a page may take to load and settle
PAGE_TIMEOUT = 60
#: the customer shown: the strategic account, whose follow-up tells the most
CUSTOMER = "ar_followup.demo_partner_kaveri"
LOGIN = PASSWORD = "admin"
#: a reminder's link to the debtor's page lives 30 days by default: a younger one opens
LINK_FRESH_DAYS = 20


def pages(env, base_url):
    """[(file name, URL, CSS selector the page shows once loaded)], read from ``env``."""
    ref = env.ref
    customer = ref(CUSTOMER)
    # the debtor's page of the largest claim still open: a page with something to show
    reminder = env["ar.followup.reminder"].search(
        [
            ("date_sent", ">=", datetime.now() - timedelta(days=LINK_FRESH_DAYS)),
            ("state", "in", ("sent", "delivered", "read")),
        ],
        order="amount_residual desc",
        limit=1,
    ) or env["ar.followup.reminder"].search([("date_sent", "!=", False)], limit=1)
    if not reminder:
        sys.exit("The database has no reminder sent: build it with `make demo` first.")
    portal = reminder._ar_portal_token()._ar_path()
    tab = "ar_followup"

    def action(xmlid):
        return "%s/odoo/action-%s" % (base_url, xmlid)

    # the debtor's page first, opened before logging in as a debtor would; the
    # dashboard (a server action) after a page of its app, so the menu bar shows it
    return [
        ("debtor_portal.png", base_url + portal, "main"),
        ("reminders.png", action("ar_followup.ar_followup_reminder_action"), ".o_list_view"),
        (
            "dashboard.png",
            action("ar_followup.ar_followup_snapshot_action_server_dashboard"),
            ".o_action_manager .o_kanban_record",
        ),
        (
            "customer_follow_up.png",
            "%s/odoo/action-%s/%s"
            % (base_url, "ar_followup.res_partner_action_followup", customer.id),
            ".o_form_view",
            tab,
        ),
        (
            "ar_inbox.png",
            action("ar_followup.ar_followup_conversation_action"),
            ".o_view_controller",
        ),
    ]


class Browser:
    """Headless Chromium driven through the DevTools protocol."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="ar-screenshots-")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--hide-scrollbars",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=%d" % port,
                "--user-data-dir=%s" % self.profile,
                "--window-size=%d,%d" % (WIDTH, HEIGHT),
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=2) as r:
                    tabs = [t for t in json.load(r) if t["type"] == "page"]
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.close()
                    sys.exit("Chromium did not start (%s)." % CHROMIUM)
                time.sleep(0.5)
        self.socket = websocket.create_connection(
            tabs[0]["webSocketDebuggerUrl"], timeout=PAGE_TIMEOUT
        )
        self.next_id = 0
        self.call("Page.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError("%s: %s" % (method, message["error"]))
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_for(self, expression, what):
        deadline = time.monotonic() + PAGE_TIMEOUT
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise RuntimeError("%s did not show in %d s" % (what, PAGE_TIMEOUT))
            time.sleep(0.3)

    def open(self, url, selector):
        self.call("Page.navigate", url=url)
        self.wait_for(
            "document.readyState === 'complete' && !!document.querySelector(%s)"
            % json.dumps(selector),
            url,
        )
        # the web client renders after its RPCs: wait until none is running
        self.wait_for(
            "!document.querySelector('.o_loading_indicator, .o_blockUI')",
            "%s (still loading)" % url,
        )
        time.sleep(1.5)

    def log_in(self, base_url):
        self.open(base_url + "/web/login", "form.oe_login_form")
        self.evaluate(
            "document.querySelector('input[name=login]').value = %s;"
            "document.querySelector('input[name=password]').value = %s;"
            "document.querySelector('form.oe_login_form').submit();"
            % (json.dumps(LOGIN), json.dumps(PASSWORD))
        )
        self.wait_for(
            "location.pathname.startsWith('/odoo') && !!document.querySelector('.o_main_navbar')",
            "the web client after logging in",
        )

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        Path(path).write_bytes(base64.b64decode(data["data"]))

    def close(self):
        if getattr(self, "socket", None):
            self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main(conf, db, base_url, out_dir):
    config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        shots = pages(env, base_url)
        # the reminder's link to the debtor's page is issued on its first request
        cr.commit()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    browser = Browser()
    try:
        for index, (name, url, selector, *tab) in enumerate(shots):
            if index == 1:
                browser.log_in(base_url)
            browser.open(url, selector)
            if tab:
                browser.evaluate(
                    "document.querySelector('.o_notebook a[name=%s]').click()" % json.dumps(tab[0])
                )
                time.sleep(1)
            browser.screenshot(out / name)
            print("%s: %s" % (name, url))
    finally:
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:5])
