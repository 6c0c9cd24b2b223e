# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Graph API client's examples (``tools/graph_api.py``) are its specification."""

import doctest
import socket

from odoo.tests import BaseCase, tagged

from ..tools import graph_api
from . import fake_graph


@tagged("post_install", "-at_install")
class TestGraphApiDoctests(BaseCase):
    def test_doctests(self):
        result = doctest.testmod(graph_api, optionflags=doctest.ELLIPSIS)
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)

    def test_unreachable_is_retried_a_lost_connection_is_not(self):
        """A send that never reached a server may be tried again; one whose connection
        closed after the request went out may have been taken, and must not be."""
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        api = graph_api.GraphApi(fake_graph.TOKEN, base_url="http://127.0.0.1:%d" % port)
        with self.assertRaises(graph_api.GraphError) as refused:
            api.send_text(fake_graph.PHONE_NUMBER_ID, "919800000001", "Hello")
        self.assertEqual(refused.exception.kind, "transient")
        with fake_graph.FakeGraph() as graph:
            graph.script["919800000001"] = [fake_graph.DROPPED]
            api = graph_api.GraphApi(fake_graph.TOKEN, base_url=graph.url)
            with self.assertRaises(graph_api.GraphError) as dropped:
                api.send_text(fake_graph.PHONE_NUMBER_ID, "919800000001", "Hello")
        self.assertEqual(dropped.exception.kind, "uncertain")
        self.assertEqual(len(graph.requests), 1)
