# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The vocabulary of a reminder's life, shared by the concerns of ``reminder.py``."""

from datetime import timedelta

STATES = [
    ("planned", "Planned"),
    ("to_approve", "To Approve"),
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("read", "Read"),
    ("replied", "Replied"),
    ("paid", "Paid"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
REASONS = [
    ("disputed", "Disputed"),
    ("promised", "Promised to pay"),
    ("paused", "Follow-up paused"),
    ("replied", "Customer replied, waiting in the AR inbox"),
    ("held", "On hold"),
    ("possible_payment", "Possible payment received"),
    ("paid", "Paid meanwhile"),
    ("do_not_contact", "Do not contact"),
    ("no_contact", "No valid e-mail or number"),
    ("outside_hours", "Outside sending hours"),
    ("manual", "Cancelled by a user"),
    ("interrupted", "Interrupted while sending"),
    ("error", "Sending error"),
    ("template", "Template cannot be rendered"),
    ("undelivered", "Not delivered"),
    ("superseded", "Replaced by a newer one"),
]
#: waiting to go out
OPEN_STATES = ("planned", "to_approve", "queued")
#: handed to the channel, in the order a reminder moves through them (never backwards)
SENT_STATES = ("sent", "delivered", "read", "replied", "paid")
#: a reminder in these states counts as contact for the minimum interval
CONTACT_STATES = (*OPEN_STATES, "sending", *SENT_STATES)
#: a 'sending' reminder older than this was interrupted (its dispatcher died)
SENDING_TIMEOUT = timedelta(minutes=30)
