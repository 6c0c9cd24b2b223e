# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Errors a channel (or the reminder's template) raises to tell the dispatcher what to
do next.

Any other exception is *permanent*: the reminder falls back to the step's next
channel (see ``models/ar_followup_reminder/send_retry.py``).
"""

from odoo.exceptions import UserError, ValidationError


class ArTransientError(UserError):
    """The provider could not take the message now but nothing left: try again later.

    Raise it for provider 5xx answers, rate limits (429) and connection errors
    that happened before the request reached the provider. The reminder is
    requeued with an exponential backoff, up to the company's attempt limit.
    """


class ArUncertainSendError(UserError):
    """The request may have reached the provider, and no answer came back.

    A read timeout after the message was sent, for example. Retrying or falling
    back could reach the customer twice, so the reminder fails and the AR owner
    gets an activity to check with the provider.
    """


class ArUndeliveredError(UserError):
    """The provider took the message, then reported it was not delivered (a bounce, an
    unreachable number).

    Permanent for this channel: the reminder falls back to the step's next channel
    at once, else fails as *not delivered*.
    """


class ArTemplateError(ValidationError):
    """The reminder's template cannot be rendered for this customer (its message names
    the template and the line).

    A mistake in the template, not in the channel: the reminder is skipped with the
    reason, and the template waits for an AR manager to fix it.
    """
