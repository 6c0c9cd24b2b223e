# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

#: statement PDFs one signed statement link serves per RATE_WINDOW
STATEMENT_RATE_LIMIT = 10
RATE_WINDOW = timedelta(hours=1)


class ArFollowupLinkRate(models.Model):
    """How often a signed public link was used in its current window.

    A signed link needs no login and can be shared or replayed; counting its uses
    lets a route refuse a link that is used far more than a person would (the
    statement PDF, costly to serve). One row per link (kind, company, customer),
    counted with one upsert so that requests at once each count.
    """

    _name = "ar.followup.link.rate"
    _description = "Public Link Use Count"
    _log_access = False

    kind = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, readonly=True, ondelete="cascade")
    date_window = fields.Datetime("Window Start", required=True, readonly=True)
    count = fields.Integer(readonly=True)

    _link_unique = models.UniqueIndex("(kind, company_id, partner_id)")

    @api.model
    def _ar_take(self, kind, company, partner, limit, window=RATE_WINDOW):
        """Count one use of the link ``kind`` of ``partner`` in ``company``; False when it
        was already used ``limit`` times in the current ``window``.

        An upsert rather than read-then-write: two requests at once each count, and
        neither waits on a lock held for the whole request.
        """
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO ar_followup_link_rate AS r (kind, company_id, partner_id, date_window, count)
                VALUES (%(kind)s, %(company)s, %(partner)s, %(now)s, 1)
                ON CONFLICT (kind, company_id, partner_id) DO UPDATE
                   SET date_window = CASE WHEN r.date_window <= %(expired)s
                                          THEN %(now)s ELSE r.date_window END,
                       count = CASE WHEN r.date_window <= %(expired)s
                                    THEN 1 ELSE r.count + 1 END
                RETURNING count
                """,
                kind=kind,
                company=company.id,
                partner=partner.id,
                now=now,
                expired=now - window,
            )
        )
        return self.env.cr.fetchone()[0] <= limit

    @api.autovacuum
    def _gc_ar_link_rates(self):
        """Drop the counts of windows long over."""
        self.env.cr.execute(
            SQL(
                "DELETE FROM ar_followup_link_rate WHERE date_window < %s",
                fields.Datetime.now() - timedelta(days=1),
            )
        )
