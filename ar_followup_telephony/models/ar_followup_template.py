# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ArFollowupTemplate(models.Model):
    """Call scripts: what the AR clerk says and asks on a collection call.

    A call template is rendered like an SMS (plain text, nothing HTML-escaped)
    in the customer's language, so the clerk reads the script in the language
    the call is held in. The subject is the call's purpose, one line for the
    call queue; the body the script itself.
    """

    _inherit = "ar.followup.template"
