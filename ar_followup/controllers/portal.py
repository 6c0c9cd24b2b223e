# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import namedtuple
from urllib.parse import urlencode, urlsplit

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from odoo.addons.account_payment.controllers.portal import PortalAccount

from ..models.res_partner_receivables_page import DISPUTE_MAX_BYTES
from .public_links import plausible

#: who the receivables page is shown to and where its links and forms lead
Scope = namedtuple("Scope", "partner company token base actor")

#: the page's routes: for a logged-in user, and behind a reminder's link
PAGE = "/my/receivables"
TOKEN_PAGE = "/my/receivables/<int:link_id>/<string:secret>"


def _routes(suffix):
    return [PAGE + suffix, TOKEN_PAGE + suffix]


def receivables_scope(link_id=None, secret=None):
    """The customer and company the request may see, or the response to return
    instead (the login page, the expired link's page).

    Behind a link: the link's customer and company when the secret signs it and
    it is valid (an expired or revoked link says so, 403; anything else raises
    a 404, so no input reveals which links exist). Without: the logged-in
    user's customer (commercial entity) in the current company.
    """
    Token = request.env["ar.followup.portal.token"].sudo()
    if link_id is None:
        user = request.env.user
        if user._is_public():
            return request.redirect(
                "/web/login?%s" % urlencode({"redirect": request.httprequest.full_path})
            )
        partner = user.partner_id.commercial_partner_id.sudo()
        company = request.env.company.sudo()
        return Scope(partner, company, None, PAGE, partner._ar_portal_actor(user))
    if not plausible(link_id) or not secret:
        raise request.not_found()
    token, problem = Token._ar_find(link_id, secret)
    if problem:
        return request.render(
            "ar_followup.portal_receivables_expired", {"no_breadcrumbs": True}, status=403
        )
    if not token:
        raise request.not_found()
    partner = token.partner_id
    if partner.lang:
        request.update_context(lang=partner.lang)
    partner = partner.with_env(request.env(su=True))
    return Scope(
        partner,
        token.company_id,
        token,
        token._ar_path(),
        partner._ar_portal_actor(None, token),
    )


def form_ids(values, name="move_ids"):
    """The ids ``values`` (a request's form or query) hold under ``name``; a value
    that is no id raises AccessError (a 404: the page only offers ids)."""
    ids = []
    for value in values.getlist(name):
        if not value.isascii() or not value.isdigit() or not plausible(int(value)):
            raise AccessError(request.env._("Not one of your invoices."))
        ids.append(int(value))
    return ids


class ArFollowupPortalAccount(PortalAccount):
    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        # the debtor (public with the link's token, or a portal user), not our own staff
        if not request.env.user._is_internal():
            invoice._ar_record_portal_view()
        return super()._invoice_get_page_view_values(invoice, access_token, **kwargs)

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "ar_receivable_count" in counters:
            partner = request.env.user.partner_id.commercial_partner_id.sudo()
            values["ar_receivable_count"] = (
                request.env["account.move"]
                .sudo()
                .search_count(partner._ar_portal_moves_domain(request.env.company))
            )
        return values

    # -- the receivables page ----------------------------------------------------

    def _ar_receivables_render(self, scope, status=200, error=None, done=None):
        partner = scope.partner.with_company(scope.company)
        values = {
            **(self._prepare_portal_layout_values() if not scope.token else {}),
            **partner._ar_portal_page_values(scope.company),
            "page_name": "ar_receivables",
            "base": scope.base,
            "no_breadcrumbs": bool(scope.token),
            "error": error,
            "done": done,
            "max_upload_mb": DISPUTE_MAX_BYTES // (1024 * 1024),
        }
        return request.render("ar_followup.portal_receivables_page", values, status=status)

    @http.route(PAGE, type="http", auth="user", methods=["GET"], website=True, sitemap=False)
    def ar_receivables(self, done=None, **kwargs):
        """The logged-in customer's receivables page."""
        return self._ar_receivables_page(None, None, done)

    @http.route(
        TOKEN_PAGE, type="http", auth="public", methods=["GET"], website=True, sitemap=False
    )
    def ar_receivables_link(self, link_id, secret, done=None, **kwargs):
        """The same page for whoever holds a reminder's link (no login)."""
        return self._ar_receivables_page(link_id, secret, done)

    def _ar_receivables_page(self, link_id, secret, done):
        scope = receivables_scope(link_id, secret)
        if not isinstance(scope, Scope):
            return scope
        return self._ar_receivables_render(scope, done=done if done in DONE_CODES else None)

    @http.route(
        _routes("/invoice/<int:move_id>"),
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def ar_receivables_invoice(self, move_id, link_id=None, secret=None, **kwargs):
        """One of the page's invoices as PDF: Odoo's own download, through the
        invoice's access token, once the invoice is checked to be the customer's."""
        scope = receivables_scope(link_id, secret)
        if not isinstance(scope, Scope):
            return scope
        if not plausible(move_id):
            raise request.not_found()
        move = (
            request.env["account.move"]
            .sudo()
            .search(
                [
                    ("id", "=", move_id),
                    ("commercial_partner_id", "=", scope.partner.id),
                    ("company_id", "=", scope.company.id),
                    ("state", "=", "posted"),
                    ("move_type", "in", ("out_invoice", "out_refund", "out_receipt")),
                ]
            )
        )
        if not move:
            raise request.not_found()
        move._portal_ensure_token()
        return request.redirect(
            move.get_portal_url(report_type="pdf", download=True), code=303, local=True
        )

    @http.route(
        _routes("/statement"),
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def ar_receivables_statement(self, link_id=None, secret=None, **kwargs):
        """Today's statement of account: the signed statement link of reminders."""
        scope = receivables_scope(link_id, secret)
        if not isinstance(scope, Scope):
            return scope
        url = urlsplit(scope.partner._ar_statement_url(scope.company))
        return request.redirect(url.path, code=303, local=True)

    @http.route(
        _routes("/message/<int:reminder_id>"),
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def ar_receivables_message(self, reminder_id, link_id=None, secret=None, **kwargs):
        """A reminder sent to the customer, as it was sent."""
        scope = receivables_scope(link_id, secret)
        if not isinstance(scope, Scope):
            return scope
        if not plausible(reminder_id):
            raise request.not_found()
        reminder = (
            request.env["ar.followup.reminder"]
            .sudo()
            .search(
                [
                    ("id", "=", reminder_id),
                    *scope.partner._ar_portal_reminders_domain(scope.company),
                ]
            )
        )
        if not reminder:
            raise request.not_found()
        return request.render(
            "ar_followup.portal_receivables_message",
            {
                **(self._prepare_portal_layout_values() if not scope.token else {}),
                "reminder": reminder,
                "base": scope.base,
                "no_breadcrumbs": bool(scope.token),
                "page_name": "ar_receivables",
            },
        )

    @http.route(
        _routes("/pay"), type="http", auth="public", methods=["GET"], website=True, sitemap=False
    )
    def ar_receivables_pay(self, link_id=None, secret=None, **kwargs):
        """Pay the invoices chosen online: Odoo's payment form (``account_payment``'s,
        as for overdue invoices), the transaction made by
        ``controllers/receivables_payment.py`` for what they owe now less the
        early-payment discounts still open, or for the partial amount asked
        (``pay_amount``) when the company accepts one."""
        scope = receivables_scope(link_id, secret)
        if not isinstance(scope, Scope):
            return scope
        try:
            move_ids = form_ids(request.httprequest.args)
            moves = scope.partner._ar_portal_checked_moves(scope.company, move_ids)
        except AccessError:
            raise request.not_found() from None
        env = request.env(su=True)
        if not moves:
            return self._ar_receivables_render(
                scope, status=400, error=env._("Choose the invoices you want to pay.")
            )
        if len(moves.currency_id) != 1:
            return self._ar_receivables_render(
                scope, status=400, error=env._("Pay invoices of one currency at a time.")
            )
        due, saved = scope.partner._ar_portal_amount_to_pay(moves)
        try:
            total = scope.partner._ar_portal_check_amount(
                scope.company, moves, request.httprequest.args.get("pay_amount"), due=due
            )
        except UserError as error:
            return self._ar_receivables_render(scope, status=400, error=error.args[0])
        reference = (
            scope.company.get_next_batch_payment_communication() if len(moves) > 1 else moves.name
        )
        values = self._get_common_page_view_values(
            invoices_data={
                "partner": scope.partner,
                "company": scope.company,
                "total_amount": total,
                "currency": moves.currency_id,
                "amount_residual": total,
                "payment_reference": reference,
                "landing_route": "%s?done=paid" % scope.base,
                "transaction_route": "%s/transaction/%s"
                % (scope.base, "-".join(str(i) for i in moves.ids)),
            },
        )
        values.update(
            {
                **(self._prepare_portal_layout_values() if not scope.token else {}),
                "amount": total,
                "payment": {"reference": reference, "amount": total},
                "invoices": moves,
                # a partial payment earns no early discount
                "amount_saved": saved if total == due else 0.0,
                "base": scope.base,
                "no_breadcrumbs": bool(scope.token),
                "page_name": "ar_receivables",
            }
        )
        return request.render("ar_followup.portal_receivables_pay", values)

    # -- what the debtor does (forms posted, CSRF-checked by Odoo) --------------

    def _ar_receivables_act(self, link_id, secret, action, done):
        """Run ``action(scope)`` for the page's customer, then back to the page.

        Counted against the link's (or the user's) rate limit first. A document
        that is not the customer's open invoice is a 404 (the transaction rolled
        back); a mistake of the debtor shows the page again with the reason (400),
        nothing recorded. An action that returns a response (a download) answers
        with it.
        """
        scope = receivables_scope(link_id, secret)
        if not isinstance(scope, Scope):
            return scope
        env = request.env(su=True)
        counter = scope.token or env["ar.followup.portal.token"]._ar_for_user(
            request.env.user, scope.partner, scope.company
        )
        if not counter._ar_take_rate():
            return self._ar_receivables_render(
                scope,
                status=429,
                error=env._("Too many requests from this page; try again in an hour."),
            )
        try:
            with request.env.cr.savepoint():
                response = action(scope)
        except AccessError:
            raise request.not_found() from None
        except UserError as error:
            return self._ar_receivables_render(scope, status=400, error=error.args[0])
        if response is not None:
            return response
        return request.redirect("%s?done=%s" % (scope.base, done), code=303, local=True)

    @http.route(
        _routes("/dispute"),
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def ar_receivables_dispute(self, link_id=None, secret=None, **post):
        """Raise a dispute on the invoices chosen, or on the whole ledger."""

        def dispute(scope):
            files = [
                (upload.filename or "file", upload.read(DISPUTE_MAX_BYTES + 1))
                for upload in request.httprequest.files.getlist("attachments")
                if upload.filename
            ]
            scope.partner._ar_portal_raise_dispute(
                scope.company,
                form_ids(request.httprequest.form),
                post.get("reason"),
                post.get("description"),
                files=files,
                actor=scope.actor,
                ledger=post.get("scope") == "ledger",
            )

        return self._ar_receivables_act(link_id, secret, dispute, "dispute")

    @http.route(
        _routes("/acknowledge"),
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def ar_receivables_acknowledge(self, link_id=None, secret=None, **post):
        """Confirm the invoices chosen are owed."""

        def acknowledge(scope):
            scope.partner._ar_portal_acknowledge(
                scope.company,
                form_ids(request.httprequest.form),
                post.get("name"),
                actor=scope.actor,
            )

        return self._ar_receivables_act(link_id, secret, acknowledge, "acknowledge")

    @http.route(
        _routes("/promise"),
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def ar_receivables_promise(self, link_id=None, secret=None, **post):
        """Promise to pay an amount by a date for the invoices chosen."""

        def promise(scope):
            scope.partner._ar_portal_promise(
                scope.company,
                form_ids(request.httprequest.form),
                post.get("date"),
                post.get("amount"),
                actor=scope.actor,
            )

        return self._ar_receivables_act(link_id, secret, promise, "promise")

    # -- downloads of a period or a selection (forms posted, as the actions) ----

    @http.route(
        _routes("/ledger"),
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def ar_receivables_ledger(self, link_id=None, secret=None, **post):
        """The customer's ledger for the period chosen, as PDF or CSV."""

        def ledger(scope):
            partner = scope.partner.with_company(scope.company)
            date_from, date_to = partner._ar_portal_ledger_period(
                scope.company, post.get("date_from"), post.get("date_to")
            )
            name = "%s %s %s" % (
                partner._ar_statement_filename(),
                date_from.isoformat(),
                date_to.isoformat(),
            )
            if post.get("format") == "csv":
                content = partner._ar_portal_ledger_csv(scope.company, date_from, date_to)
                return download(content.encode(), "text/csv; charset=utf-8", name + ".csv")
            content, kind = partner._ar_portal_ledger_pdf(scope.company, date_from, date_to)
            return download(content, *DOCUMENT_TYPES[kind], name)

        return self._ar_receivables_act(link_id, secret, ledger, "ledger")

    @http.route(
        _routes("/invoices"),
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def ar_receivables_invoices_pdf(self, link_id=None, secret=None, **post):
        """The invoices chosen, in one PDF."""

        def invoices(scope):
            partner = scope.partner.with_company(scope.company)
            content, kind = partner._ar_portal_invoices_pdf(
                scope.company, form_ids(request.httprequest.form)
            )
            name = request.env(su=True)._("Invoices - %s", partner.name)
            return download(content, *DOCUMENT_TYPES[kind], name)

        return self._ar_receivables_act(link_id, secret, invoices, "invoices")


#: ``(Content-Type, file extension)`` of what a report prints: PDF, or HTML while
#: Odoo runs its tests without wkhtmltopdf
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", ".pdf"),
    "html": ("text/html; charset=utf-8", ".html"),
}


def download(content, mimetype, name, extension=""):
    """A response that saves ``content`` as the file ``name`` + ``extension``."""
    return request.make_response(
        content,
        headers=[
            ("Content-Type", mimetype),
            ("Content-Length", len(content)),
            ("Content-Disposition", http.content_disposition(name + extension)),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )


#: confirmations the page shows after a form (``?done=``)
DONE_CODES = ("dispute", "acknowledge", "promise", "paid")
