# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, consteq
from odoo.tools.misc import hmac

#: characters of the HMAC in a link: 128 bits, short enough for an SMS
SECRET_LENGTH = 32
#: debtor actions (forms posted) allowed per link in RATE_WINDOW
RATE_LIMIT = 20
RATE_WINDOW = timedelta(hours=1)


class ArFollowupPortalToken(models.Model):
    """A link to a customer's receivables page that needs no login.

    One customer (commercial entity) in one company, until ``date_expires``
    (the company's ``ar_portal_link_days`` after it was issued). Each reminder
    gets its own, made when the customer first follows the reminder's tracked
    link. The secret in the URL is an HMAC of the record under the database
    secret, so the record holds nothing that opens the page: a copy of the table
    gives no working link. *Revoke links* on the customer ends every link issued
    before it (``res.partner.ar_portal_revoked_on``), even those of reminders
    not opened yet.
    """

    _name = "ar.followup.portal.token"
    _description = "Receivables Page Link"
    _order = "id desc"

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    reminder_id = fields.Many2one(
        "ar.followup.reminder", readonly=True, index="btree_not_null", ondelete="cascade"
    )
    user_id = fields.Many2one(
        "res.users",
        "Portal User",
        readonly=True,
        ondelete="cascade",
        help="Set on the row that counts a logged-in portal user's forms: never a link.",
    )
    date_issued = fields.Datetime("Issued On", required=True, readonly=True)
    date_expires = fields.Datetime("Expires On", required=True, readonly=True)
    # rate limit of the forms posted through the link
    date_rate_window = fields.Datetime(readonly=True)
    rate_count = fields.Integer(readonly=True)

    _reminder_unique = models.UniqueIndex(
        "(reminder_id) WHERE reminder_id IS NOT NULL", "A reminder has one link."
    )

    @api.model
    def _ar_issue(self, partner, company, reminder=None, issued=None):
        """A new link to ``partner``'s page in ``company``, valid from ``issued`` (default
        now) for the company's ``ar_portal_link_days``."""
        return self.sudo().create(self._ar_prepare_token_vals(partner, company, reminder, issued))

    @api.model
    def _ar_issue_once(self, reminder, issued):
        """The link of ``reminder``, issued on its first request.

        Inserted with ``ON CONFLICT DO NOTHING``: when two first requests come at
        once, the second one meets the first one's row, which its snapshot does not
        see, and PostgreSQL raises a serialization failure: Odoo retries that request,
        which then finds the link, instead of failing on the unique index.
        """
        vals = self._ar_prepare_token_vals(
            reminder.partner_id, reminder.company_id, reminder, issued
        )
        now = fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "INSERT INTO ar_followup_portal_token (partner_id, company_id, reminder_id,"
                " date_issued, date_expires, rate_count, create_uid, create_date, write_uid,"
                " write_date) VALUES (%s, %s, %s, %s, %s, 0, %s, %s, %s, %s)"
                " ON CONFLICT (reminder_id) WHERE reminder_id IS NOT NULL DO NOTHING",
                vals["partner_id"],
                vals["company_id"],
                vals["reminder_id"],
                vals["date_issued"],
                vals["date_expires"],
                self.env.uid,
                now,
                self.env.uid,
                now,
            )
        )
        return self.sudo().search([("reminder_id", "=", reminder.id)])

    @api.model
    def _ar_prepare_token_vals(self, partner, company, reminder=None, issued=None):
        issued = issued or fields.Datetime.now()
        return {
            "partner_id": partner.commercial_partner_id.id,
            "company_id": company.id,
            "reminder_id": reminder.id if reminder else False,
            "date_issued": issued,
            "date_expires": issued + timedelta(days=company.ar_portal_link_days),
        }

    @api.model
    def _ar_for_user(self, user, partner, company):
        """The row counting the forms ``user`` (a portal user of ``partner``) posts in
        ``company``; never a link."""
        token = self.sudo().search(
            [("user_id", "=", user.id), ("company_id", "=", company.id)], limit=1
        )
        if not token:
            token = self._ar_issue(partner, company)
            token.user_id = user
        return token

    def _ar_secret(self):
        self.ensure_one()
        return hmac(
            self.env(su=True),
            "ar_followup-portal-token",
            (self.id, self.partner_id.id, self.company_id.id),
        )[:SECRET_LENGTH]

    def _ar_path(self):
        """The page's local path (the base of its downloads and forms)."""
        self.ensure_one()
        return "/my/receivables/%s/%s" % (self.id, self._ar_secret())

    def _ar_is_valid(self):
        """Not expired, and issued after the customer's links were last revoked."""
        self.ensure_one()
        revoked = self.partner_id.ar_portal_revoked_on
        now = fields.Datetime.now()
        return self.date_expires > now and (not revoked or self.date_issued > revoked)

    @api.model
    def _ar_find(self, token_id, secret):
        """``(token, problem)``: the link ``token_id`` when ``secret`` signs it (compared in
        constant time), else an empty record; ``problem`` is ``"expired"`` for a genuine
        link no longer valid, else None."""
        token = self.sudo().browse(token_id).exists()
        if (
            not token
            or token.user_id
            or not secret.isascii()
            or not consteq(token._ar_secret(), secret)
        ):
            return self.browse(), None
        if not token._ar_is_valid():
            return self.browse(), "expired"
        return token, None

    def _ar_take_rate(self):
        """Count one posted form; False when the link has reached ``RATE_LIMIT`` in the
        current window. The row is locked so that forms posted at once count each."""
        self.ensure_one()
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM ar_followup_portal_token WHERE id = %s FOR UPDATE", [self.id]
        )
        self.invalidate_recordset(["date_rate_window", "rate_count"])
        now = fields.Datetime.now()
        if not self.date_rate_window or now - self.date_rate_window >= RATE_WINDOW:
            self.write({"date_rate_window": now, "rate_count": 1})
            return True
        if self.rate_count >= RATE_LIMIT:
            return False
        self.write({"rate_count": self.rate_count + 1})
        return True
