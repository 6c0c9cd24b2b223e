# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged

from .common import ArFollowupCommon


@tagged("post_install", "-at_install")
class TestPortalView(HttpCase, ArFollowupCommon):
    """The invoice records when the debtor first opens it online."""

    def test_first_view_by_the_customer_is_recorded_once(self):
        invoice = self._ar_invoice(self.customer, 125000, self.days_before(10))
        self.assertFalse(invoice.ar_portal_viewed_on)
        # our own staff looking at it does not count
        self.authenticate("ar_clerk", "ar_clerk")
        self.assertEqual(self.url_open(invoice.get_portal_url()).status_code, 200)
        self.assertFalse(invoice.ar_portal_viewed_on)
        # the customer, following the link of a reminder
        self.authenticate(None, None)
        response = self.url_open(invoice.get_portal_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn(invoice.name, response.text)
        invoice.invalidate_recordset()
        first = invoice.ar_portal_viewed_on
        self.assertTrue(first)
        self.assertIn("The customer opened the invoice online.", self.chatter(invoice))
        # a second visit keeps the first date and adds nothing to the chatter
        self.url_open(invoice.get_portal_url())
        invoice.invalidate_recordset()
        self.assertEqual(invoice.ar_portal_viewed_on, first)
        self.assertEqual(self.chatter(invoice).count("The customer opened the invoice online."), 1)
