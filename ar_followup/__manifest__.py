# Copyright 2026 AR Follow-up contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "AR Follow-up",
    "summary": "Automated accounts-receivable follow-up: ageing buckets, segments, "
    "tone-aware reminders, disputes, promises to pay, DSO",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/ar-followup/ar-followup",
    "author": "AR Follow-up contributors",
    "maintainers": ["ar-followup"],
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["account", "account_payment", "portal", "mail", "sms"],
    "external_dependencies": {"python": ["phonenumbers", "jinja2"]},
    "data": [
        "security/ar_followup_groups.xml",
        "security/ir.model.access.csv",
        "security/ar_followup_security.xml",
        "data/ar_followup_bucket_data.xml",
        "data/ir_cron_data.xml",
        "data/ar_followup_template_data.xml",
        "views/ar_followup_bucket_views.xml",
        "views/ar_followup_dispute_views.xml",
        "views/ar_followup_promise_views.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/ar_followup_template_views.xml",
        "views/ar_followup_menus.xml",
        "report/ar_followup_statement_report.xml",
    ],
    "demo": [
        "demo/ar_followup_demo.xml",
    ],
}
