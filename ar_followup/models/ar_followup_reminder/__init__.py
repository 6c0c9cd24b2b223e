# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""``ar.followup.reminder``: the model in ``reminder.py``, its behaviour split by concern."""

from . import reminder
from . import reminder_line
from . import reminder_click
