# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import models

_logger = logging.getLogger(__name__)


class PaymentTransaction(models.Model):
    """A failed or cancelled online payment of invoices plans retry reminders.

    Hooked on the state changes of ``payment``: ``_set_error`` and
    ``_set_canceled`` return only the transactions they moved, so a provider
    notifying the same failure twice reaches the planner once (and the planner
    keys its reminders by transaction besides).
    """

    _inherit = "payment.transaction"

    def _set_canceled(self, state_message=None, extra_allowed_states=()):
        txs = super()._set_canceled(
            state_message=state_message, extra_allowed_states=extra_allowed_states
        )
        txs._ar_plan_payment_followups()
        return txs

    def _set_error(self, state_message, extra_allowed_states=()):
        txs = super()._set_error(state_message, extra_allowed_states=extra_allowed_states)
        txs._ar_plan_payment_followups()
        return txs

    def _create_payment(self, **extra_create_values):
        """Write off the early-payment discounts of every invoice a transaction pays
        when it pays all of them at their discounted amounts.

        Odoo applies the discount of one invoice paid alone (its amount due is the
        transaction's); the receivables page pays several invoices at once, each
        less its discount, and the payment must settle each of them.
        """
        write_offs = self._ar_early_discount_write_offs()
        if write_offs:
            extra_create_values = {**extra_create_values, "write_off_line_vals": write_offs}
        return super()._create_payment(**extra_create_values)

    def _ar_early_discount_write_offs(self):
        """The payment's write-off values of the early discounts of this transaction's
        invoices, when it pays several at their discounted amounts; else none."""
        self.ensure_one()
        invoices = self.invoice_ids.filtered(lambda move: move.state == "posted")
        if len(invoices) < 2 or len(invoices.currency_id) != 1:
            return []
        due = 0.0
        discounts = []
        # the offers end on the company's day, as the receivables page shows them
        for invoice in invoices.with_context(tz=invoices.company_id[:1]._ar_tz()):
            values = invoice._get_invoice_next_payment_values()
            due += values["amount_due"] if values else invoice.amount_residual
            if values.get("installment_state") == "epd":
                discounts.append((invoice, values))
        if not discounts or self.currency_id.compare_amounts(self.amount, due):
            return []
        write_offs = []
        Move = self.env["account.move"]
        for invoice, values in discounts:
            line = values["epd_line"]
            counterparts = Move._get_invoice_counterpart_amls_for_early_payment_discount(
                [
                    {
                        "aml": line,
                        "amount_currency": -line.amount_residual_currency,
                        "balance": -line.balance,
                    }
                ],
                values["epd_discount_amount"],
            )
            for vals_list in counterparts.values():
                for vals in vals_list:
                    write_offs.append({**vals, "partner_id": invoice.partner_id.id})
        return write_offs

    def _ar_plan_payment_followups(self):
        """Plan retry reminders for these failed payments of invoices.

        Never breaks the payment's own processing (a provider's notification): a
        planning error is logged and the transaction goes on.
        """
        Reminder = self.env["ar.followup.reminder"].sudo()
        for tx in self.sudo():
            if tx.operation in ("refund", "validation") or not tx.invoice_ids:
                continue
            try:
                with self.env.cr.savepoint():
                    Reminder._ar_plan_payment_followups(tx)
            except Exception:
                _logger.exception("AR: could not plan retries after payment %s", tx.reference)
