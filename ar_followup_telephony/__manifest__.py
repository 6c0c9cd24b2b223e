# Copyright 2026 AR Follow-up contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "AR Follow-up: Calls",
    "summary": "Collection call queue fed by the cadence, with the customer's context, call "
    "scripts and outcomes",
    "version": "19.0.1.4.1",
    "category": "Accounting/Accounting",
    "website": "https://github.com/ar-followup/ar-followup",
    "author": "AR Follow-up contributors",
    "maintainers": ["ar-followup"],
    "license": "LGPL-3",
    "installable": True,
    "depends": ["ar_followup"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/ar_followup_telephony_security.xml",
        "data/ar_followup_channel_data.xml",
        "data/ar_followup_template_data.xml",
        "data/ir_cron_data.xml",
        "views/ar_followup_template_views.xml",
        "views/ar_followup_call_views.xml",
        "views/ar_followup_channel_views.xml",
        "views/res_partner_views.xml",
        "views/ar_followup_reminder_views.xml",
        "views/ar_followup_snapshot_views.xml",
        "wizards/ar_followup_call_outcome_views.xml",
        "views/ar_followup_telephony_menus.xml",
    ],
    "demo": ["demo/ar_followup_telephony_demo.xml"],
}
