# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.retry import parse_retry_days


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    # what e-mail reminders carry
    ar_attach_invoices = fields.Boolean(
        "Attach Invoice PDFs",
        default=True,
        help="E-mail reminders carry the PDF of every invoice they claim.",
    )
    ar_attach_invoices_format = fields.Selection(
        [
            ("combined", "All invoices in one PDF"),
            ("each", "One PDF per invoice"),
        ],
        "Invoice PDFs",
        default="combined",
        required=True,
        help="All the invoices a reminder claims merged into one PDF, or each invoice's own "
        "PDF attached on its own. Either way each invoice's PDF is printed once and kept on "
        "the invoice, as when it is sent.",
    )
    ar_attach_statement = fields.Boolean(
        "Attach Statement of Account",
        default=True,
        help="E-mail reminders carry the customer's statement of account as a PDF.",
    )
    # failed online payments
    ar_payment_retry_days = fields.Char(
        "Retry After Failed Payment (days)",
        default="1,3,7",
        help="Days after an online payment of invoices failed or was cancelled on which the "
        "customer is reminded with a fresh payment link (comma-separated; empty: never).",
    )

    @api.constrains("ar_payment_retry_days")
    def _check_ar_payment_retry_days(self):
        for company in self:
            try:
                parse_retry_days(company.ar_payment_retry_days)
            except ValueError:
                raise ValidationError(
                    self.env._(
                        "Retry days after a failed payment are whole days from 1 on, separated "
                        "by commas (e.g. 1,3,7), not “%s”.",
                        company.ar_payment_retry_days,
                    )
                ) from None

    def _ar_payment_retry_days(self):
        self.ensure_one()
        return parse_retry_days(self.ar_payment_retry_days)
