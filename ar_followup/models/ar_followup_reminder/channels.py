# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api
from odoo.exceptions import UserError

from ...tools import cadence

#: channel states in which reminders may use a channel
USABLE_STATES = ("enabled", "test")


class ReminderChannels:
    """The channel contract, on the reminder's side.

    The core never asks which channel a reminder goes by: it reads the
    channel's capabilities (``ar.followup.channel._ar_features``) and calls the
    hooks a channel implements, named after its code (``_ar_<code>_<hook>``,
    the way ``ir.actions.server`` finds ``_run_action_<state>``):

    ``_ar_<code>_contact_problems(partners)`` (model method, required)
        ``{partner id: None, or (reason, text)}``: whether each customer can be
        reached, else a reason of ``tools/cadence`` (``no_contact``,
        ``do_not_contact``) and a translated text saying why (or None).
    ``_ar_<code>_send()`` (required unless the channel sends together)
        Send this one reminder; return the provider's reference. Raise
        ``ArTransientError`` (retry later), ``ArUncertainSendError`` (it may have
        left: never retried) or any other error (permanent: next channel).
    ``_ar_<code>_send_together(problems, now)`` (channels that send together)
        Send a claimed batch's reminders of the channel at once.
    ``_ar_<code>_prepare_batch()`` (optional)
        Read ahead what sending the batch's reminders of the channel needs.
    ``_ar_<code>_recover_interrupted()`` (optional)
        A reminder left ``sending`` by a dead worker: return True when the
        channel settled it (asked its provider), else the capability
        ``resend_interrupted`` decides.

    Reports from providers go through :meth:`_ar_apply_report` (``outcome.py``).
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    def _ar_channel_hook(self, hook, channel=None):
        """The method ``_ar_<channel>_<hook>`` (of this one reminder's channel by default),
        or None when the channel does not implement it."""
        if channel is None:
            self.ensure_one()
            channel = self.channel
        return getattr(self, "_ar_%s_%s" % (channel, hook), None)

    def _ar_channel_features(self):
        """``{capability: value}`` of this reminder's channel."""
        self.ensure_one()
        return self.env["ar.followup.channel"]._ar_features(self.channel)

    def _ar_channel_label(self, channel):
        return dict(self.env["ar.followup.channel"]._ar_selection()).get(channel, channel)

    @api.model
    def _ar_get_contact_problems(self, channel, partners, company):
        """``{partner id: None when ``partners`` can be reached by ``channel``, else
        (reason, text)}``, for reminders of ``company``.

        A channel the company has disabled, or that no addon implements, reaches
        nobody (``no_contact``): a step then falls back to its next channel.
        """
        label = self._ar_channel_label(channel)
        states = self.env["ar.followup.channel"]._ar_get_states(company)
        hook = self._ar_channel_hook("contact_problems", channel)
        if states.get(channel) not in USABLE_STATES:
            text = self.env._(
                "%(channel)s is disabled in %(company)s.", channel=label, company=company.name
            )
        elif hook is None:
            text = self.env._("No channel sends reminders by %s.", label)
        else:
            return hook(partners.with_company(company))
        return dict.fromkeys(partners.ids, (cadence.NO_CONTACT, text))

    def _ar_send(self):
        """Hand the reminder to its channel; returns the channel's message reference."""
        self.ensure_one()
        hook = self._ar_channel_hook("send")
        if hook is None:
            raise UserError(
                self.env._(
                    "No channel sends reminders by %s.", self._ar_channel_label(self.channel)
                )
            )
        return hook()

    def _ar_commit_each(self):
        """Whether this reminder's outcome is committed on its own, right after sending.

        Yes for a channel that calls an outside service: once the provider has
        the message, the database must say so before anything else can fail. A
        channel that sends together (e-mail: a message and a queued ``mail.mail``
        in this transaction) commits the batch at once instead.
        """
        return not self._ar_channel_features()["send_together"]

    def _ar_dispatcher_only(self):
        """Whether this reminder is sent by the dispatcher only, never from a user's request:
        its channel calls an outside service (committed reminder by reminder, or declaring
        ``dispatcher_only`` when it sends together)."""
        return self._ar_commit_each() or self._ar_channel_features()["dispatcher_only"]

    def _ar_get_sent_together(self):
        """The reminders of a claimed batch whose channel sends them together."""
        return self.filtered(lambda r: not r._ar_commit_each())
