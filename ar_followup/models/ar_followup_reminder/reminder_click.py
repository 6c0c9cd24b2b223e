# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ArFollowupReminderClick(models.Model):
    """One click on a tracked link of a reminder.

    A row per click, appended and never updated: clicks on one link at once
    (a customer's team opening the same e-mail, a scanner) never wait for each
    other on the reminder's row. A click by a mail security scanner or a link
    preview (told by its user agent) is kept, marked, and not counted.
    """

    _name = "ar.followup.reminder.click"
    _description = "Reminder Link Click"
    _order = "date desc, id desc"
    _log_access = False  # written by the public route only: the date says when

    reminder_id = fields.Many2one(
        "ar.followup.reminder", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="reminder_id.company_id")
    kind = fields.Char("Link", help="pay, statement, account, or invoice-<id>.")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    scanner = fields.Boolean(
        "Link Scanner",
        help="Opened by a mail security scanner or a link preview, not by a person: not "
        "counted as a click.",
    )
