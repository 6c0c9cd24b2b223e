# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from .portal import ArFollowupPortalAccount, _routes

#: confirmations the page shows after stopping or resuming reminders (``?done=``)
DONE_CODES = ("reminders_stopped", "reminders_resumed")


class ArFollowupPortalReminderOptOut(ArFollowupPortalAccount):
    """*Payment reminders* on the receivables page: the debtor stops reminders by one
    channel, or resumes them. It writes the customer's global opt-out flag (the
    customer's will, for every company) with a consent record of source *portal*
    and a note on the customer. Same checks as the page's other forms: the link or
    login, CSRF (Odoo's), the link's rate limit, a 400 with the reason on a mistake."""

    def _ar_receivables_render(self, scope, status=200, error=None, done=None):
        if done is None and request.params.get("done") in DONE_CODES:
            done = request.params["done"]
        response = super()._ar_receivables_render(scope, status=status, error=error, done=done)
        # the page is rendered lazily: the section's values join those of the page
        if getattr(response, "qcontext", None) is not None:
            response.qcontext["opt_out_channels"] = scope.partner._ar_portal_opt_out_channels(
                scope.company
            )
        return response

    @http.route(
        _routes("/reminders"),
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def ar_receivables_reminders(self, link_id=None, secret=None, **post):
        """Stop (``action=stop``) or resume (``action=resume``) reminders by ``channel``."""
        action = post.get("action")
        user = request.env.user

        def set_opt_out(scope):
            if action not in ("stop", "resume"):
                raise UserError(request.env._("Choose to stop or to resume reminders."))
            scope.partner._ar_portal_set_opt_out(
                scope.company,
                post.get("channel"),
                action == "stop",
                actor=scope.actor,
                address=None if user._is_public() else user.partner_id.email,
            )

        done = "reminders_stopped" if action == "stop" else "reminders_resumed"
        return self._ar_receivables_act(link_id, secret, set_opt_out, done)
