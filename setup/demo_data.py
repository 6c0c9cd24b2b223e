# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""`make demo`, second step: the AR Follow-up addons' demo data, run by `odoo-bin shell`.

The first step installs Odoo's modules and ours without demo data. Odoo's own demo
data (its demo partners and products, a second company with a US chart of accounts
and its invoices, account's demo entries that our demo removes again) shows nothing
of the story and took a quarter of the install; Odoo loads a module's demo data
only when every module it depends on has its own, so ours are loaded here, in
their dependency order, by the function Odoo's install uses, and marked as loaded.
Their Hindi terms are loaded last: our demo activates Hindi, which the install did
not know.

Input of `odoo-bin shell` (``env`` is given); commits when every file loaded.
"""

# ruff: noqa: F821 (``env`` is the shell's)
from odoo import api
from odoo.api import SUPERUSER_ID
from odoo.modules.loading import load_demo
from odoo.modules.module_graph import ModuleGraph

ADDONS = ("ar_followup", "ar_followup_whatsapp", "ar_followup_telephony")

cr = env.cr
install_env = api.Environment(cr, SUPERUSER_ID, {})
# the graph orders a module after what it depends on, which it needs to hold too
cr.execute("SELECT name FROM ir_module_module WHERE state = 'installed'")
graph = ModuleGraph(cr, mode="load")
graph.extend([name for (name,) in cr.fetchall()])
packages = [package for package in graph if package.name in ADDONS]
if len(packages) != len(ADDONS):
    raise SystemExit("%s: not all installed" % ", ".join(ADDONS))
for package in packages:
    if not load_demo(install_env, package, {}, "init"):
        raise SystemExit("the demo data of %s failed to load (log above)" % package.name)
    cr.execute("UPDATE ir_module_module SET demo = TRUE WHERE name = %s", [package.name])
modules = install_env["ir.module.module"].search([("name", "in", ADDONS)])
modules.invalidate_model(["demo"])
modules._update_translations()
cr.commit()
