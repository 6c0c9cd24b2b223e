from . import controllers
from . import demo
from . import models
from . import wizards

from odoo.addons.ar_followup.tools import masking

# this addon's loggers, created by the imports above, mask what they emit as the core's do
masking.install_log_filter()
