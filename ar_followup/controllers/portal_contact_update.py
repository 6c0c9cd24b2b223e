# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import request

from .portal import ArFollowupPortalAccount, _routes

#: what the debtor may post in the contact update form
FIELDS = ("name", "email", "mobile", "channel", "lang")


class ArFollowupPortalContactUpdate(ArFollowupPortalAccount):
    """*Update who we contact* on the receivables page: the debtor proposes the person,
    e-mail, mobile (WhatsApp) number, channel and language of reminders; the AR team
    reviews it (``ar.followup.contact.request``). Same checks as the page's other
    forms: the link or login, CSRF (Odoo's), the link's rate limit, a 400 with the
    reason on a mistake."""

    def _ar_receivables_render(self, scope, status=200, error=None, done=None):
        if done is None and request.params.get("done") == "contact":
            done = "contact"
        response = super()._ar_receivables_render(scope, status=status, error=error, done=done)
        # the page is rendered lazily: the form's values join those of the page
        if getattr(response, "qcontext", None) is not None:
            response.qcontext.update(self._ar_contact_update_values(scope))
        return response

    def _ar_contact_update_values(self, scope):
        env = request.env(su=True)
        partner = scope.partner
        return {
            "contact_channels": env["ar.followup.channel"]._ar_selection(),
            "contact_langs": env["res.lang"].get_installed(),
            "contact_current": {
                "channel": partner.ar_channel,
                "lang": partner.lang,
            },
            "contact_pending": env["ar.followup.contact.request"].search_count(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", scope.company.id),
                    ("state", "=", "pending"),
                ]
            ),
        }

    @http.route(
        _routes("/contact"),
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def ar_receivables_contact(self, link_id=None, secret=None, **post):
        """Propose whom reminders should reach; nothing changes before the AR team's review."""

        def propose(scope):
            request.env["ar.followup.contact.request"].sudo()._ar_create_from_portal(
                scope.partner,
                scope.company,
                {name: post.get(name) for name in FIELDS},
                actor=scope.actor,
            )

        return self._ar_receivables_act(link_id, secret, propose, "contact")
