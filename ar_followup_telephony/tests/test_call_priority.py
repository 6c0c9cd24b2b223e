# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import doctest

from odoo.tests import BaseCase, tagged

from ..tools import call_priority, call_simulator, call_transport, exotel


@tagged("post_install", "-at_install")
class TestCallPriority(BaseCase):
    def test_doctests(self):
        result = doctest.testmod(call_priority, optionflags=doctest.ELLIPSIS)
        self.assertFalse(result.failed)
        self.assertGreater(result.attempted, 5)

    def test_other_tools_doctests(self):
        for module in (call_simulator, call_transport, exotel):
            with self.subTest(module=module.__name__):
                result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
                self.assertFalse(result.failed)
                self.assertGreater(result.attempted, 0)

    def test_order_of_customers(self):
        """Each fact moves a customer up; amounts count by tenfolds, not linearly."""
        cases = [
            # (amount, days overdue, broken promises, days since contact) higher first
            ((560000, 161, 1, 3), (560000, 161, 0, 3)),
            ((560000, 161, 0, 3), (560000, 30, 0, 3)),
            ((560000, 30, 0, 30), (560000, 30, 0, 3)),
            ((5600000, 30, 0, 3), (560000, 30, 0, 3)),
            ((100000, 120, 1, 10), (1000000, 10, 0, 1)),
        ]
        for higher, lower in cases:
            with self.subTest(higher=higher, lower=lower):
                self.assertGreater(call_priority.score(*higher), call_priority.score(*lower))
