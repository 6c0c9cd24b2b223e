# Copyright 2026 AR Follow-up contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "AR Follow-up: WhatsApp",
    "summary": "Payment reminders by WhatsApp Business (Meta Cloud API): approved templates, "
    "receipts, replies and reply buttons on the customer's thread, a test mode",
    "version": "19.0.1.5.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/ar-followup/ar-followup",
    "author": "AR Follow-up contributors",
    "maintainers": ["ar-followup"],
    "license": "LGPL-3",
    "installable": True,
    "depends": ["ar_followup"],
    "external_dependencies": {"python": ["requests", "phonenumbers"]},
    "data": [
        "security/ir.model.access.csv",
        "security/ar_followup_whatsapp_security.xml",
        "data/ar_followup_channel_data.xml",
        "data/ar_followup_template_data.xml",
        "data/ir_cron_data.xml",
        "views/ar_followup_channel_views.xml",
        "views/ar_followup_template_views.xml",
        "views/ar_followup_whatsapp_message_reply_views.xml",
        "views/ar_followup_whatsapp_message_views.xml",
        "views/res_partner_views.xml",
    ],
    "demo": ["demo/ar_followup_whatsapp_demo.xml"],
}
