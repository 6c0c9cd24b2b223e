# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""`make demo`'s database, built in one process: ``python demo_build.py <odoo-bin options>``.

It creates the database and installs the AR Follow-up addons with the modules
they depend on, without demo data, as ``odoo-bin -i`` does; then, in the same
registry, it loads the three addons' demo data alone. Odoo's own demo data (its
demo partners and products, a second company with a US chart of accounts and
its invoices, account's demo entries that our demo removes again) shows nothing
of the story and took a quarter of the install. Odoo loads a module's demo data
only when every module it depends on has its own, so ours are loaded here, in
their dependency order, by the function Odoo's install uses, and marked as
loaded. Their Hindi terms are loaded last: our demo activates Hindi, which the
install did not know. One process loads Odoo's registry once instead of twice.

Exits non-zero, with the reason logged, if anything fails; nothing of the demo
data is committed then.
"""

import sys

from odoo import api
from odoo.api import SUPERUSER_ID
from odoo.modules.loading import load_demo
from odoo.modules.module_graph import ModuleGraph
from odoo.modules.registry import Registry
from odoo.service import db
from odoo.tools import config

ADDONS = ("ar_followup", "ar_followup_whatsapp", "ar_followup_telephony")


def install(name):
    """The registry of ``name``, a new database with ``ADDONS`` installed (the
    steps of ``odoo-bin -d name -i ADDONS``)."""
    db._create_empty_database(name)
    return Registry.new(name, install_modules=ADDONS, new_db_demo=False)


def load_demo_data(cr):
    """Load ``ADDONS``' demo data and their translations in ``cr``'s transaction."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    # the graph orders a module after what it depends on, which it needs to hold too
    cr.execute("SELECT name FROM ir_module_module WHERE state = 'installed'")
    graph = ModuleGraph(cr, mode="load")
    graph.extend([name for (name,) in cr.fetchall()])
    packages = [package for package in graph if package.name in ADDONS]
    if len(packages) != len(ADDONS):
        raise SystemExit("%s: not all installed" % ", ".join(ADDONS))
    for package in packages:
        if not load_demo(env, package, {}, "init"):
            raise SystemExit("the demo data of %s failed to load (log above)" % package.name)
        cr.execute("UPDATE ir_module_module SET demo = TRUE WHERE name = %s", [package.name])
    modules = env["ir.module.module"].search([("name", "in", ADDONS)])
    modules.invalidate_model(["demo"])
    modules._update_translations()


def main(args):
    config.parse_config(args, setup_logging=True)
    (name,) = config["db_name"]
    registry = install(name)
    with registry.cursor() as cr:
        load_demo_data(cr)
        cr.commit()


if __name__ == "__main__":
    main(sys.argv[1:])
