# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import request

from .public_links import plausible, signed


class ArFollowupUnsubscribeController(http.Controller):
    """The one-click unsubscribe link every reminder e-mail carries (``List-Unsubscribe``,
    RFC 8058): it stops e-mail reminders to the address it was sent to, never the
    invoices themselves."""

    def _ar_find_recipient(self, partner_id, token):
        """The recipient the link was made for, or a 404: the token signs the recipient
        and its current address, so a link stops working when the address changes."""
        if not plausible(partner_id):
            raise request.not_found()
        partner = request.env["res.partner"].sudo().browse(partner_id).exists()
        if not partner or not partner.email_normalized:
            raise request.not_found()
        if not signed(partner._ar_unsubscribe_token(), token):
            raise request.not_found()
        return partner

    @http.route(
        "/ar_followup/unsubscribe/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def unsubscribe_confirm(self, partner_id, token, **kwargs):
        """Ask before stopping: mail scanners follow links with GET, people press a button."""
        partner = self._ar_find_recipient(partner_id, token)
        return request.render(
            "ar_followup.unsubscribe_page",
            {
                "email": partner.email_normalized,
                "done": partner.ar_no_email,
                "action": request.httprequest.path,
            },
        )

    # No CSRF token: mail clients post RFC 8058's one-click body without one. Safe
    # because the URL is signed for one recipient and address, the POST can only opt
    # out (never in), and repeating it changes nothing.
    @http.route(
        "/ar_followup/unsubscribe/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        sitemap=False,
    )
    def unsubscribe(self, partner_id, token, **kwargs):
        partner = self._ar_find_recipient(partner_id, token)
        partner._ar_unsubscribe_email()
        return request.render(
            "ar_followup.unsubscribe_page",
            {"email": partner.email_normalized, "done": True},
        )

    @http.route(
        "/ar_followup/unsubscribe/<path:rest>",
        type="http",
        auth="public",
        csrf=False,
        sitemap=False,
    )
    def unsubscribe_malformed(self, rest, **kwargs):
        """Anything else under the prefix, read or posted: not found (see the tracked
        links). No CSRF check: it changes nothing, and a mangled one-click POST is a 404
        like any other mangled link."""
        raise request.not_found()
