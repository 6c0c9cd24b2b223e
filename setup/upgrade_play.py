# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""`make upgrade-check`, step 2: the follow-up played forward on the BASE demo database.

Run by setup/upgrade-check.sh as ``odoo-bin shell < setup/upgrade_play.py`` with
BASE's code, which gives ``env``. It runs the crons of the three addons once, in
the order their data files create them (ageing, promises, DSO, planning, then
dispatch), the way the scheduler runs them, so the database holds what a
production one does: reminders planned, then sent or skipped, and the chatter
of the customers reminded.

This file belongs to the working tree but runs against any earlier revision:
it names no field or method a revision may lack without checking first.
"""

import sys

ADDONS = ("ar_followup", "ar_followup_whatsapp", "ar_followup_telephony")
#: reminder states that mean "handed to the channel" in every revision so far
SENT_STATES = ("sent", "delivered", "read", "replied", "paid")

env = globals()["env"]  # given by odoo-bin shell

# The planning hour and the sending windows make what gets planned and sent
# depend on the hour the check runs at: both open all day, so every run plans
# and sends the same reminders.
companies = env["res.company"].search([])
if "ar_planning_hour" in companies._fields:
    companies.write({"ar_planning_hour": 0.0})
# E-mail reminders go without PDFs: printing them (wkhtmltopdf, one process per
# document) would be most of the play's time, and the check compares records.
companies.write(
    {
        name: False
        for name in ("ar_attach_invoices", "ar_attach_statement")
        if name in companies._fields
    }
)
if "ar.followup.policy" in env and "window_start" in env["ar.followup.policy"]._fields:
    env["ar.followup.policy"].with_context(active_test=False).search([]).write(
        {"window_start": 0.0, "window_end": 24.0}
    )
env.cr.commit()

cron_data = env["ir.model.data"].search(
    [("model", "=", "ir.cron"), ("module", "in", ADDONS)], order="id"
)
crons = env["ir.cron"].browse(cron_data.mapped("res_id")).filtered("active")
for cron in crons:
    print("upgrade-check: running cron %r" % cron.name, file=sys.stderr)
    if cron.method_direct_trigger() is not True:
        sys.exit("upgrade-check: cron %r failed on BASE (see the log above)" % cron.name)
    # as the scheduler does after each job: the job ran in a cursor of its own, and
    # this one must see what it did
    env.cr.commit()

if "ar.followup.reminder" in env:
    Reminder = env["ar.followup.reminder"]
    counts = dict(Reminder._read_group([], ["state"], ["__count"]))
    print(
        "upgrade-check: reminders by state: %s"
        % ", ".join("%s %d" % item for item in sorted(counts.items())),
        file=sys.stderr,
    )
    if not any(counts.get(state) for state in SENT_STATES):
        sys.exit(
            "upgrade-check: no reminder was sent on BASE: the check would not cover sent "
            "reminders and their messages"
        )
