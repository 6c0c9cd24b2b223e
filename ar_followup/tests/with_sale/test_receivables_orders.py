# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The receivables page with ``sale`` installed: the customer's open quotations and
orders, each with its page and its PDF, behind a reminder's link and for portal users;
never another customer's, nor another company's."""

import re
from html import unescape
from urllib.parse import parse_qs, urlparse

from odoo import Command
from odoo.tests import tagged

from ..test_receivables_page import ReceivablesPageCommon

#: the PDF links of the listed orders
ORDER_PDF = re.compile(r'<a [^>]*class="o_ar_order_pdf"[^>]*>')
HREF = re.compile(r'href="([^"]+)"')


@tagged("post_install", "-at_install")
class TestReceivablesOrders(ReceivablesPageCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company, _clerk = cls._ar_other_company_clerk(chart=False)
        cls.quotation = cls._ar_order(cls.customer, 18000)
        cls.order = cls._ar_order(cls.customer, 42000)
        cls.order.action_confirm()
        cls.cancelled = cls._ar_order(cls.customer, 5000)
        cls.cancelled.action_cancel()
        cls.theirs = cls._ar_order(cls.customer_b, 7000)
        cls.elsewhere = cls._ar_order(cls.customer, 9000, company=cls.other_company)

    @classmethod
    def _ar_order(cls, partner, price, company=None):
        """A quotation of one line at ``price`` for ``partner`` (in ``company``)."""
        return (
            cls.env["sale.order"]
            .sudo()
            .with_company(company or cls.company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": (company or cls.company).id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product_a.id,
                                "product_uom_qty": 1,
                                "price_unit": price,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

    def listed(self, page):
        """The names of the orders the page lists, newest first."""
        self.assertIn("Your quotations and orders", page)
        section = page.split('class="o_ar_orders', 1)[1]
        orders = self.quotation | self.order | self.cancelled | self.theirs | self.elsewhere
        return [
            order.name
            for order in orders.sorted(lambda o: (o.date_order, o.id), reverse=True)
            if order.name in section
        ]

    def test_reminder_link_lists_the_customers_open_orders(self):
        path = self.open_link(self.sent_reminder())
        page = self.url_open(path).text
        self.assertEqual(self.listed(page), [self.order.name, self.quotation.name])
        self.assertIn("₹18,000.00", page)
        # each with sale's own page, signed by its access token
        self.assertIn(unescape(self.quotation.get_portal_url()), unescape(page))

    def test_portal_users_see_their_own_customers_orders(self):
        self.authenticate("debtor_a", "debtor_a")
        page = self.url_open("/my/receivables").text
        self.assertEqual(self.listed(page), [self.order.name, self.quotation.name])
        self.authenticate("debtor_b", "debtor_b")
        page = self.url_open("/my/receivables").text
        self.assertEqual(self.listed(page), [self.theirs.name])

    def test_download_a_quotation_pdf(self):
        path = self.open_link(self.sent_reminder())
        page = unescape(self.url_open(path).text)
        links = [HREF.search(tag).group(1) for tag in ORDER_PDF.findall(page)]
        self.assertEqual(len(links), 2, "a PDF per listed order")
        [link] = [url for url in links if urlparse(url).path == self.quotation.access_url]
        query = parse_qs(urlparse(link).query)
        self.assertEqual((query["report_type"], query["download"]), (["pdf"], ["true"]))
        # no login needed: the quotation's access token signs the link
        response = self.url_open(link)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        # (the HTML of the PDF while Odoo runs its tests without wkhtmltopdf)
        self.assertIn(self.quotation.name, response.text)
        self.assertNotIn(self.theirs.name, response.text)
        # another quotation's PDF with this one's token is refused
        forged = link.replace(self.quotation.access_url, self.theirs.access_url)
        response = self.url_open(forged, allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(self.theirs.name, response.text)
