# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request, route

from odoo.addons.account_payment.controllers.payment import PaymentPortal

from .portal import PAGE, TOKEN_PAGE, Scope, receivables_scope
from .public_links import plausible


class ArFollowupReceivablesPayment(PaymentPortal):
    @route(
        [PAGE + "/transaction/<string:move_ids>", TOKEN_PAGE + "/transaction/<string:move_ids>"],
        type="jsonrpc",
        auth="public",
    )
    def ar_receivables_transaction(
        self,
        move_ids,
        link_id=None,
        secret=None,
        access_token=None,
        payment_reference=None,
        **kwargs,
    ):
        """The transaction of the receivables page's payment form, for the invoices in
        the path (``<id>-<id>``), made the way ``account_payment`` makes one for
        overdue invoices.

        The amount is what the invoices owe now (less the early-payment discounts
        still open), whatever the browser sent, unless the company accepts partial
        payments and the browser's amount is one it accepts; invoices that are not
        the page's customer's open invoices refuse the payment. (The
        payment form also sends an ``access_token``: the page's link or login is
        what authorises it here. ``payment_reference``, the reference the page showed,
        prefixes the transaction's, as for overdue invoices.)
        """
        # ``link_id`` names the page's link: ``token_id`` is the payment form's saved card
        scope = receivables_scope(link_id, secret)
        env = request.env(su=True)
        if not isinstance(scope, Scope):
            raise ValidationError(env._("This link has expired or was revoked."))
        parts = move_ids.split("-")
        if not all(part.isascii() and part.isdigit() and plausible(int(part)) for part in parts):
            raise ValidationError(env._("Not one of your invoices."))
        try:
            moves = scope.partner._ar_portal_checked_moves(
                scope.company, [int(part) for part in parts]
            )
        except AccessError as error:
            raise ValidationError(error.args[0]) from None
        if len(moves.currency_id) != 1:
            raise ValidationError(env._("Pay invoices of one currency at a time."))
        self._validate_transaction_kwargs(kwargs)
        company = scope.company
        try:
            kwargs["amount"] = scope.partner._ar_portal_check_amount(
                company,
                moves,
                kwargs.get("amount") if company.ar_portal_partial_payment else None,
            )
        except UserError as error:
            raise ValidationError(error.args[0]) from None
        user = request.env.user
        partner = user.partner_id if not user._is_public() else scope.partner
        scope.partner._ar_portal_log(
            env._(
                "%(who)s started an online payment of %(invoices)s on the receivables page.",
                who=scope.actor,
                invoices=", ".join(moves.mapped("name")),
            )
        )
        return self._process_transaction(
            partner.id, moves.currency_id.id, moves.ids, payment_reference, **kwargs
        )
