# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import Command, api, fields

from ...tools import cadence
from ...tools.payment_followup import followup_keys
from .states import OPEN_STATES

_logger = logging.getLogger(__name__)


class ReminderPaymentFollowup:
    """Reminders after a failed online payment (not to be confused with send retries,
    ``send_retry.py``).

    When a customer's online payment of invoices fails or is cancelled
    (``payment.transaction``), reminders with a fresh payment link are planned
    a few days later (the company's ``ar_payment_retry_days``, 1, 3 and 7 by
    default), at the step *Retry after a failed online payment*, with the
    templates of the ``payment_failed`` stage. One per transaction and day
    (the cycle key ``payment_failed:<transaction>:<days>``), so a provider
    repeating its failure notification plans nothing more. A newer failure on
    the same invoices replaces those still waiting (``superseded``); a
    payment cancels them as for any reminder (:meth:`_ar_settle`). They go out
    through the usual dispatch, which checks holds and contact data again.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    @api.model
    def _ar_get_payment_followup_step(self):
        return self.env.ref(
            "ar_followup.ar_followup_policy_step_payment_retry", raise_if_not_found=False
        )

    @api.model
    def _ar_plan_payment_followups(self, transaction):
        """Plan the reminders after the failed ``transaction``; returns the new reminders."""
        step = self._ar_get_payment_followup_step()
        invoices = transaction.invoice_ids.filtered(
            lambda m: (
                m.state == "posted"
                and m.move_type in ("out_invoice", "out_receipt")
                and m.amount_residual > 0
            )
        )
        if not step or not invoices:
            return self
        reminders = self
        groups = invoices.grouped(lambda m: (m.company_id, m.commercial_partner_id))
        for (company, partner), moves in groups.items():
            days = company._ar_payment_retry_days()
            if not days:
                continue
            self._ar_supersede_payment_followups(transaction, company, partner, moves, step)
            keys = followup_keys(transaction.id, days)
            done = set(
                self.search(
                    [
                        ("company_id", "=", company.id),
                        ("partner_id", "=", partner.id),
                        ("step_id", "=", step.id),
                        ("cycle_key", "in", keys),
                    ]
                ).mapped("cycle_key")
            )
            vals_list = [
                self._ar_prepare_payment_followup_vals(
                    transaction, company, partner, moves, step, n, key
                )
                for n, key in zip(days, keys, strict=True)
                if key not in done
            ]
            reminders |= self.create(vals_list)
        if reminders:
            _logger.info(
                "AR: payment %s failed, %d reminders planned",
                transaction.reference,
                len(reminders),
            )
        return reminders

    @api.model
    def _ar_supersede_payment_followups(self, transaction, company, partner, moves, step):
        """Retries of earlier failed payments of ``moves`` still waiting are replaced."""
        older = self.search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "=", partner.id),
                ("step_id", "=", step.id),
                ("state", "in", OPEN_STATES),
                ("move_ids", "in", moves.ids),
                ("transaction_id", "!=", False),
                ("transaction_id", "!=", transaction.id),
            ]
        )
        older._ar_close(
            "cancelled",
            "superseded",
            self.env._("Replaced by the reminders after payment %s", transaction.reference),
        )
        return older

    @api.model
    def _ar_prepare_payment_followup_vals(
        self, transaction, company, partner, moves, step, days, key
    ):
        """Values of the reminder ``days`` after ``transaction`` failed, about ``moves``."""
        partner = partner.with_company(company)
        policy = partner._ar_get_policies(company)[partner.id]
        tone = step.tone_id or partner._ar_get_tones(company)[partner.id][0]
        now = fields.Datetime.now()
        day = company._ar_today() + timedelta(days=days)
        lines = moves.line_ids.filtered(
            lambda line: (
                line.account_type == "asset_receivable"
                and not line.reconciled
                and line.amount_residual > 0
            )
        )
        return {
            "company_id": company.id,
            "partner_id": partner.id,
            "policy_id": policy.id,
            "step_id": step.id,
            "cycle_key": key,
            "date": day,
            "date_scheduled": cadence.window_opening(
                now + timedelta(days=days),
                partner.tz or company._ar_tz(),
                policy.window_start,
                policy.window_end,
            ),
            "channel": step.channel,
            "stage": step.stage,
            "tone_id": tone.id,
            "state": "to_approve" if policy.need_approval or step.need_approval else "planned",
            "amount_residual": sum(lines.mapped("amount_residual")),
            "line_ids": [
                Command.create(
                    {
                        "move_line_id": line.id,
                        "step_id": step.id,
                        "trigger_date": day,
                        "date_maturity": line.date_maturity,
                        "amount_residual": line.amount_residual,
                    }
                )
                for line in lines
            ],
            "transaction_id": transaction.id,
        }
