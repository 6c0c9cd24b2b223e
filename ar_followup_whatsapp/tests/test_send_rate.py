# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sending rate's examples (``tools/send_rate.py``) are its specification."""

import doctest

from odoo.tests import BaseCase, tagged

from ..tools import send_rate


@tagged("post_install", "-at_install")
class TestSendRateDoctests(BaseCase):
    def test_doctests(self):
        result = doctest.testmod(send_rate, optionflags=doctest.ELLIPSIS)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)
