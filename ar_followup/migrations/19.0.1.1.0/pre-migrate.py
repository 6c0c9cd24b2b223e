# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""19.0.1.1.0: the reminder, settings and customer views are one view each.

The views that used to extend them from other files are gone from the data,
and their arch no longer fits the merged views: validating the merged views
with them still in the database would fail the upgrade. They are deleted
before the data loads (Odoo would only drop them at the end).
"""

MERGED_VIEWS = (
    "ar_followup_reminder_view_form_approval",
    "ar_followup_reminder_view_list_cancel",
    "ar_followup_reminder_view_form_retry",
    "ar_followup_reminder_view_list_tracking",
    "ar_followup_reminder_view_form_tracking",
    "ar_followup_reminder_view_search_tracking",
    "res_config_settings_view_form_retry",
    "res_config_settings_view_form_reminder_email",
    "res_config_settings_view_form_dso",
    "res_config_settings_view_form_cadence",
    "res_partner_view_form_send",
)


def migrate(cr, version):
    cr.execute(
        """
        DELETE FROM ir_ui_view
         WHERE id IN (SELECT res_id FROM ir_model_data
                       WHERE module = 'ar_followup' AND model = 'ir.ui.view' AND name IN %s)
        """,
        (MERGED_VIEWS,),
    )
    cr.execute(
        "DELETE FROM ir_model_data WHERE module = 'ar_followup' AND model = 'ir.ui.view' "
        "AND name IN %s",
        (MERGED_VIEWS,),
    )
