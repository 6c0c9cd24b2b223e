# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.ar_followup_link_rate import STATEMENT_RATE_LIMIT
from .public_links import plausible, signed


class ArFollowupStatementController(http.Controller):
    @http.route(
        "/ar_followup/statement/<int:company_id>/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
    )
    def statement(self, company_id, partner_id, token, **kwargs):
        """The statement of account PDF a reminder links to, for whoever holds the link.

        Today's PDF (the company's today), the one the day's reminders carry:
        printed on the first request of the day when no reminder printed it. A link
        serves at most ``STATEMENT_RATE_LIMIT`` PDFs an hour (429 beyond).
        """
        if not plausible(company_id, partner_id):
            raise request.not_found()
        env = request.env(su=True)
        company = env["res.company"].browse(company_id).exists()
        partner = env["res.partner"].browse(partner_id).exists()
        if (
            not company
            or not partner
            or partner != partner.commercial_partner_id
            or not signed(partner._ar_statement_token(company), token)
        ):
            raise request.not_found()
        if not env["ar.followup.link.rate"]._ar_take(
            "statement", company, partner, STATEMENT_RATE_LIMIT
        ):
            # printing is costly: a link replayed far more than a person would is refused
            return request.render(
                "ar_followup.public_link_rate_limited",
                {},
                status=429,
                headers=[("Retry-After", "3600")],
            )
        errors = {}
        attachment = partner._ar_get_statement_pdfs(company, errors=errors).get(partner.id)
        if not attachment:
            raise UserError(errors.get(partner.id) or env._("The statement could not be printed."))
        content = attachment.raw
        return request.make_response(
            content,
            headers=[
                (
                    "Content-Type",
                    # (HTML instead of PDF only while Odoo runs its tests without wkhtmltopdf)
                    "%s; charset=utf-8" % attachment.mimetype
                    if attachment.mimetype.startswith("text/")
                    else attachment.mimetype,
                ),
                ("Content-Length", len(content)),
                (
                    "Content-Disposition",
                    http.content_disposition(attachment.name, disposition_type="inline"),
                ),
            ],
        )

    @http.route("/ar_followup/statement/<path:rest>", type="http", auth="public", sitemap=False)
    def statement_malformed(self, rest, **kwargs):
        """Anything else under the statements' prefix: not found (see the tracked links)."""
        raise request.not_found()
