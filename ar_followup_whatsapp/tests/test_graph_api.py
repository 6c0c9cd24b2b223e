# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Graph API client's examples (``tools/graph_api.py``) are its specification."""

import doctest

from odoo.tests import BaseCase, tagged

from ..tools import graph_api


@tagged("post_install", "-at_install")
class TestGraphApiDoctests(BaseCase):
    def test_doctests(self):
        result = doctest.testmod(graph_api, optionflags=doctest.ELLIPSIS)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)
