# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.2.0: a plain-text channel's reminder keeps its text in ``text``; clicks are rows.

Before, the text of an SMS (or WhatsApp) reminder was stored in the HTML
``body``, sanitized into HTML; it moves to ``text`` as plain text. A channel
whose code the core does not know yet (its addon is upgraded after this one)
is a plain-text channel: the core's own HTML channel is known here.

Each click counted before becomes a click row, dated when the reminder was first
clicked (the only date kept).
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import html2plaintext


def migrate(cr, version):
    _migrate_clicks(cr)
    _migrate_texts(cr)


def _migrate_clicks(cr):
    cr.execute(
        """
        INSERT INTO ar_followup_reminder_click (reminder_id, date, scanner)
        SELECT old.id, COALESCE(old.date_clicked, now() AT TIME ZONE 'UTC'), false
          FROM ar_followup_click_migration old, generate_series(1, old.click_count)
        """
    )
    cr.execute("DROP TABLE ar_followup_click_migration")


def _migrate_texts(cr):
    env = api.Environment(cr, SUPERUSER_ID, {})
    Channel = env["ar.followup.channel"]
    known = {code for code, _label in Channel._ar_selection()}
    cr.execute("SELECT DISTINCT channel FROM ar_followup_reminder WHERE body IS NOT NULL")
    plain = [
        code
        for (code,) in cr.fetchall()
        if code not in known or not Channel._ar_features(code)["body_html"]
    ]
    if not plain:
        return
    cr.execute(
        "SELECT id, body FROM ar_followup_reminder WHERE body IS NOT NULL AND channel IN %s",
        [tuple(plain)],
    )
    for reminder_id, body in cr.fetchall():
        cr.execute(
            "UPDATE ar_followup_reminder SET text = %s, body = NULL WHERE id = %s",
            [html2plaintext(body), reminder_id],
        )
