# Copyright 2026 AR Follow-up contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "AR Follow-up: Calls",
    "summary": "Call scripts for collection calls: what the AR clerk says, asks and "
    "records, per stage and tone, in the customer's language",
    "version": "19.0.1.1.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/ar-followup/ar-followup",
    "author": "AR Follow-up contributors",
    "maintainers": ["ar-followup"],
    "license": "LGPL-3",
    "installable": True,
    "depends": ["ar_followup"],
    "data": [
        "data/ar_followup_channel_data.xml",
        "data/ar_followup_template_data.xml",
        "views/ar_followup_template_views.xml",
    ],
}
