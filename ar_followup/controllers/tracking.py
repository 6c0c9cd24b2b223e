# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import request

from .public_links import plausible, signed


class ArFollowupTrackingController(http.Controller):
    @http.route(
        "/ar_followup/r/<int:reminder_id>/<string:token>/<string:kind>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def reminder_link(self, reminder_id, token, kind, **kwargs):
        """A link of a reminder: record the click, then lead to the real page.

        Whoever holds the link may follow it (the customer is not logged in);
        a token that does not sign this reminder and kind is a 404 and records
        nothing. Clicks of our own staff (checking a reminder) and HEAD requests
        are not recorded; scanners' clicks are recorded and not counted.
        """
        if not plausible(reminder_id):
            raise request.not_found()
        reminder = request.env["ar.followup.reminder"].sudo().browse(reminder_id).exists()
        if not reminder or not signed(reminder._ar_tracking_token(kind), token):
            raise request.not_found()
        target = reminder._ar_get_link_target(kind)
        if not target:
            raise request.not_found()
        # a HEAD request (a scanner, a client checking the link) only looks
        if not request.env.user._is_internal() and request.httprequest.method == "GET":
            reminder._ar_record_click(kind, request.httprequest.user_agent.string)
        return request.redirect(target, code=303)

    @http.route("/ar_followup/r/<path:rest>", type="http", auth="public", sitemap=False)
    def reminder_link_malformed(self, rest, **kwargs):
        """Anything else under the links' prefix (a mangled link): not found, before Odoo's
        fallback (which looks the path up as an attachment) gets to read it."""
        raise request.not_found()
