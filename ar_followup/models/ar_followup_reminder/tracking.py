# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from urllib.parse import urlsplit, urlunsplit

from odoo import api, fields
from odoo.tools.misc import hmac

from ...tools.link_scanners import is_link_scanner
from ...tools.suspension import group_suspensions, move_suspension
from .states import SENT_STATES

#: what a tracked link of a reminder can lead to (``invoice-<id>``: one of its invoices)
TRACKED_KINDS = ("pay", "statement", "account")
INVOICE_KIND = "invoice-"


def _local_path(url):
    """``url`` without scheme and host: the redirect stays on this server."""
    parts = urlsplit(url)
    path = "/" + parts.path.lstrip("/")
    return urlunsplit(("", "", path, parts.query, parts.fragment))


class ReminderTracking:
    """Tracking of what the customer did with a reminder.

    The links of a reminder (pay now, statement, each invoice) go through
    ``/ar_followup/r/<reminder>/<token>/<kind>`` (``controllers/tracking.py``),
    which records the click and redirects to the real page. The token is an HMAC
    of the reminder and the kind under the database secret, so a link cannot be
    forged for another reminder or target. The portal records the first time
    the customer opens one of the reminder's invoices after it was sent.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    # -- links -----------------------------------------------------------------

    def _ar_tracking_token(self, kind):
        self.ensure_one()
        # 128 bits of the HMAC are plenty and keep links short enough for SMS
        return hmac(self.env(su=True), "ar_followup-reminder-link", (self.id, kind))[:32]

    def _ar_tracked_url(self, kind):
        """The absolute URL of this reminder's tracked link to ``kind``."""
        self.ensure_one()
        return "%s/ar_followup/r/%s/%s/%s" % (
            self.get_base_url(),
            self.id,
            self._ar_tracking_token(kind),
            kind,
        )

    def _ar_get_link_target(self, kind):
        """The local URL a tracked link of ``kind`` leads to, or None when it leads nowhere.

        Computed when the customer clicks: ``pay`` opens a payment link for the
        amount due now on the oldest open invoice the customer does not dispute
        (a fresh link, see ``account_payment``'s ``_get_portal_payment_link``);
        when every open invoice is disputed (or the whole account), the
        statement of account instead, and when nothing is left to pay, the
        first invoice (paid); ``statement`` the signed statement of account;
        ``invoice-<id>`` that invoice in the portal; ``account`` the customer's
        receivables page through this reminder's own link (:meth:`_ar_portal_token`).
        """
        self.ensure_one()
        reminder = self.sudo()
        if kind == "account":
            return reminder._ar_portal_token()._ar_path()
        if kind == "statement":
            return _local_path(reminder.partner_id._ar_statement_url(reminder.company_id))
        if kind == "pay":
            moves = reminder._ar_get_open_moves().filtered(
                lambda move: move.state == "posted" and move.amount_residual > 0
            )
            # not an invoice the customer disputes (a dispute opened since the reminder
            # left): the payment page of the next one instead
            payable = moves - reminder._ar_get_disputed(moves)
            move = payable.sorted(lambda m: (m.invoice_date_due or m.date, m.id))[:1]
            if move:
                return _local_path(move._get_portal_payment_link())
            if moves:  # all of it disputed: where the customer sees it all
                return reminder._ar_get_link_target("statement")
            move = reminder.move_ids[:1]
            return move.get_portal_url() if move else None
        if kind.startswith(INVOICE_KIND):
            move_id = kind[len(INVOICE_KIND) :]
            move = reminder.move_ids.filtered(lambda m: str(m.id) == move_id)
            return move.get_portal_url() if move else None
        return None

    def _ar_portal_token(self):
        """This reminder's link to the receivables page (``ar.followup.portal.token``),
        issued when it is first asked for and dated from the sending, so that
        revoking the customer's links also ends those of reminders not opened yet."""
        self.ensure_one()
        Token = self.env["ar.followup.portal.token"].sudo()
        token = Token.search([("reminder_id", "=", self.id)])
        if not token:
            reminder = self.sudo()
            token = Token._ar_issue_once(reminder, reminder.date_sent or fields.Datetime.now())
        return token

    def _ar_get_disputed(self, moves):
        """The invoices among ``moves`` (the customer's) under an open dispute today:
        those a dispute names, or all of them when one covers the whole account."""
        self.ensure_one()
        company = self.company_id
        customer = self.partner_id.commercial_partner_id
        holds = self.env["ar.followup.dispute"]._ar_get_holds(
            company, company._ar_today(), customer
        )
        entry = group_suspensions([customer.id], holds)[customer.id]
        return moves.filtered(lambda move: move_suspension(entry, move.id))

    # -- recording -------------------------------------------------------------

    def _ar_record_click(self, kind=None, user_agent=None):
        """Someone followed the link ``kind`` of this reminder: a click row, and the first
        time a person did, the reminder is clicked and read.

        Clicks never update the reminder after its first one, so clicks at once do
        not conflict; the first-click update is made by whichever request holds the
        row, the others leave it (``SKIP LOCKED``).
        """
        self.ensure_one()
        scanner = is_link_scanner(user_agent)
        now = fields.Datetime.now()
        self.env["ar.followup.reminder.click"].sudo().create(
            {"reminder_id": self.id, "kind": kind, "date": now, "scanner": scanner}
        )
        reminder = self.sudo()
        if scanner or reminder.date_clicked:
            return
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id FROM ar_followup_reminder WHERE id = %s AND date_clicked IS NULL "
            "FOR UPDATE SKIP LOCKED",
            [self.id],
        )
        if not self.env.cr.fetchone():
            return
        first_engagement = not reminder.date_viewed
        reminder.write({"date_clicked": now})
        # following a link of the message proves it was read
        reminder._ar_apply_report("read")
        if first_engagement:
            reminder._ar_notify_engaged(
                lambda env, c=reminder.partner_id: env._(
                    "%s followed a link of a reminder.", c.display_name
                )
            )

    @api.model
    def _ar_record_view(self, moves):
        """The customer opened ``moves`` online: reminders sent about them and not yet
        viewed are viewed now."""
        reminders = (
            self.sudo()
            .search(
                [
                    ("move_ids", "in", moves.ids),
                    ("state", "in", SENT_STATES),
                    ("date_sent", "!=", False),
                    ("date_viewed", "=", False),
                ]
            )
            .filtered(lambda r: r.date_sent <= fields.Datetime.now())
        )
        # a click that led here already told the owner: only a reminder's first one counts
        first = reminders.filtered(lambda r: not r.date_clicked)
        reminders.write({"date_viewed": fields.Datetime.now()})
        reminders._ar_apply_report("read")
        for customer, engaged in first.grouped("partner_id").items():
            engaged._ar_notify_engaged(
                lambda env, c=customer, m=engaged.move_ids & moves: env._(
                    "%(customer)s opened %(invoices)s online after a reminder.",
                    customer=c.display_name,
                    invoices=", ".join(m.mapped("name")),
                )
            )
        return reminders

    def _ar_notify_engaged(self, description):
        """The owners hear that the customer of these reminders engaged with one
        (``description(env)``: the text in ``env``'s language): one event per customer
        and company."""
        events = [
            {
                "user_id": customer.with_company(company)._ar_get_owner().id,
                "partner_id": customer.id,
                "company_id": company.id,
                "kind": "engagement",
                "description": description,
            }
            for customer, company in {
                (r.partner_id.commercial_partner_id, r.company_id) for r in self
            }
        ]
        if events:
            self.env["ar.followup.notification.event"]._ar_notify(events)
