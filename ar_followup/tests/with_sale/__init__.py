# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tests that need Odoo's ``sale`` installed, which ``ar_followup`` does not depend on.

Not imported by ``tests/__init__.py``: ``make test`` runs them on a copy of its
database with ``sale`` added (``setup/test.sh``), the other tests on a database
without it.
"""
