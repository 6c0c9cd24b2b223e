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
