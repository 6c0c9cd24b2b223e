# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.2.0: a reminder's clicks become rows of ``ar.followup.reminder.click``.

Its stored ``click_count`` is kept aside here, before the module loads, and
turned into click rows by the post-migration.
"""


def migrate(cr, version):
    cr.execute(
        """
        CREATE TABLE ar_followup_click_migration AS
        SELECT id, click_count, date_clicked
          FROM ar_followup_reminder
         WHERE click_count > 0
        """
    )
