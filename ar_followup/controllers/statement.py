# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import request
from odoo.tools import consteq


class ArFollowupController(http.Controller):
    @http.route(
        "/ar_followup/statement/<int:company_id>/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
    )
    def statement(self, company_id, partner_id, token, **kwargs):
        """The statement of account PDF a reminder links to, for whoever holds the link."""
        env = request.env(su=True)
        company = env["res.company"].browse(company_id).exists()
        partner = env["res.partner"].browse(partner_id).exists()
        if (
            not company
            or not partner
            or partner != partner.commercial_partner_id
            or not consteq(partner._ar_statement_token(company), token)
        ):
            raise request.not_found()
        report = env.ref("ar_followup.action_report_statement").with_company(company)
        # (HTML instead of PDF only while Odoo runs its tests without wkhtmltopdf workers)
        content, report_format = report._render_qweb_pdf(report.report_name, partner.ids)
        filename = "Statement of Account - %s.%s" % (partner.name, report_format)
        return request.make_response(
            content,
            headers=[
                (
                    "Content-Type",
                    "application/pdf" if report_format == "pdf" else "text/html; charset=utf-8",
                ),
                ("Content-Length", len(content)),
                (
                    "Content-Disposition",
                    http.content_disposition(filename, disposition_type="inline"),
                ),
            ],
        )
