# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run the doctests of every plain-Python module in ``ar_followup/tools``.

These modules hold the engine's maths (ageing, tone rules, DSO, suspensions)
and must work without a database; their examples are their specification.
"""

import doctest
import importlib
import pkgutil

import pytest

from odoo.addons.ar_followup import tools

MODULES = sorted(m.name for m in pkgutil.iter_modules(tools.__path__))


def test_tools_have_modules():
    assert "ageing" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module("odoo.addons.ar_followup.tools.%s" % name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, "%s has no examples" % name
    assert result.failed == 0
