# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

#: days back a bank line without a customer may be the payment a customer made: older
#: money nobody named is less and less likely to be for a reminder going out today
PAID_MATCH_DAYS = 10


class AccountBankStatementLine(models.Model):
    """Incoming money not reconciled yet, as the follow-up reads it: a payment a
    customer says it made (AR inbox), or one that may already settle a reminder about
    to go out (the dispatcher holds it)."""

    _inherit = "account.bank.statement.line"

    ar_activity_id = fields.Many2one(
        "mail.activity",
        "Reconcile Activity",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The AR owner's to-do to reconcile this line, made when it held a payment "
        "reminder: one per line, whatever the number of reminders it holds.",
    )

    @api.model
    def _ar_get_incoming_domain(self, company):
        """Incoming lines of ``company`` not reconciled yet."""
        return [
            ("company_id", "=", company.id),
            ("is_reconciled", "=", False),
            ("amount", ">", 0),
        ]

    @api.model
    def _ar_match_since(self, company):
        """First day a line without a customer may be a customer's payment."""
        return fields.Date.subtract(company._ar_today(), days=PAID_MATCH_DAYS)

    @api.model
    def _ar_get_possible_payment_domain(self, company, partners, amounts):
        """Incoming lines of ``company`` that may pay ``amounts`` (company currency) of
        ``partners``: theirs at any date, or nobody's of the last days.

        Lines in the company currency are filtered on the amount here; lines in another
        currency are converted and compared by :meth:`_ar_amount_matches`.
        """
        currency = company.currency_id
        return [
            *self._ar_get_incoming_domain(company),
            "|",
            ("partner_id.commercial_partner_id", "in", partners.ids),
            "&",
            ("partner_id", "=", False),
            ("date", ">=", self._ar_match_since(company)),
            "|",
            ("currency_id", "!=", currency.id),
            ("amount", "in", sorted({currency.round(amount) for amount in amounts})),
        ]

    def _ar_amount_matches(self, amount, company):
        """Whether this line brings ``amount`` (company currency), equal at the company
        currency's rounding once converted at the line's date."""
        self.ensure_one()
        currency = company.currency_id
        received = self.amount
        if self.currency_id != currency:
            received = self.currency_id._convert(received, currency, company, self.date)
        return currency.compare_amounts(received, amount) == 0

    def _ar_may_pay(self, partner, amount, company, since):
        """Whether this line may be ``partner``'s payment of ``amount``: the customer's,
        or nobody's dated ``since`` (:meth:`_ar_match_since`) or later."""
        self.ensure_one()
        if self.partner_id:
            if self.partner_id.commercial_partner_id != partner.commercial_partner_id:
                return False
        elif self.date < since:
            return False
        return self._ar_amount_matches(amount, company)

    def _ar_reference(self):
        """How the bank named this line: its reference, else its label."""
        self.ensure_one()
        return self.payment_ref or self.ref or self.move_id.name
