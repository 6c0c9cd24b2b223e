# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup, escape

from odoo import api, fields, models


class ArFollowupNotificationEvent(models.Model):
    """Something a customer did that their AR owner hears of, kept for the daily digest.

    Events are routed by the owner's ``res.users.ar_notify_mode``
    (:meth:`_ar_notify`): *each* notifies the owner at once, *digest* stores the
    event here until the daily cron sends the owner one message listing the
    day's events (:meth:`_cron_ar_send_digest`), *none* drops it. Every
    notification is a ``message_notify`` to the owner alone (an internal
    ``user_notification``): never a message the customer receives.
    """

    _name = "ar.followup.notification.event"
    _description = "AR Owner Notification Event"
    _order = "date, id"

    user_id = fields.Many2one("res.users", "Owner", required=True, index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    kind = fields.Selection(
        [("reply", "Reply"), ("payment", "Payment"), ("engagement", "Click or visit")],
        required=True,
        readonly=True,
    )
    description = fields.Char(required=True, readonly=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    date_notified = fields.Datetime("Sent In Digest On", readonly=True)

    _pending_index = models.Index("(user_id) WHERE date_notified IS NULL")

    # -- routing -------------------------------------------------------------------

    @api.model
    def _ar_route(self, vals_list):
        """Store the *digest* events of ``vals_list`` (``{user_id, partner_id,
        company_id, kind, description}``, ``description(env)`` giving the text in
        ``env``'s language); returns those to notify at once, their description
        written in the owner's language. An event without owner, for an owner who
        wants none, or that the owner caused (the current user) is dropped."""
        users = (
            self.env["res.users"]
            .sudo()
            .browse(sorted({vals["user_id"] for vals in vals_list if vals["user_id"]}))
        )
        users = {user.id: user for user in users}
        now, digest = [], []
        for vals in vals_list:
            user = users.get(vals["user_id"])
            if not user or user.id == self.env.uid or user.ar_notify_mode == "none":
                continue
            owner_env = self.with_context(lang=user.lang or self.env.lang).env
            vals = {**vals, "description": vals["description"](owner_env)}
            (now if user.ar_notify_mode == "each" else digest).append(vals)
        if digest:
            self.sudo().create(digest)
        return now

    @api.model
    def _ar_notify(self, vals_list):
        """Route ``vals_list`` (see :meth:`_ar_route`); the owners who want each event
        get a notification on the customer at once."""
        for vals in self._ar_route(vals_list):
            user = self.env["res.users"].sudo().browse(vals["user_id"])
            customer = self.env["res.partner"].sudo().browse(vals["partner_id"])
            customer.with_company(vals["company_id"]).message_notify(
                partner_ids=user.partner_id.ids,
                subject=vals["description"],
                body=vals["description"],
                subtype_xmlid="mail.mt_note",
            )

    # -- digest --------------------------------------------------------------------

    @api.model
    def _cron_ar_send_digest(self):
        """Each owner with events not yet sent gets one message listing them, with a
        link to each customer; the events are then marked sent."""
        events = self.sudo().search([("date_notified", "=", False)])
        now = fields.Datetime.now()
        for user, user_events in events.grouped("user_id").items():
            user_events = user_events.with_context(lang=user.lang, tz=user.tz)
            env = user_events.env
            items = Markup("").join(
                Markup('<li><a href="/odoo/res.partner/%s">%s</a>: %s (%s)</li>')
                % (
                    event.partner_id.id,
                    event.partner_id.display_name,
                    event.description,
                    fields.Datetime.context_timestamp(event, event.date).strftime("%Y-%m-%d %H:%M"),
                )
                for event in user_events
            )
            subject = env._("AR follow-up digest: %s event(s)", len(user_events))
            env["mail.thread"].message_notify(
                partner_ids=user.partner_id.ids,
                subject=subject,
                body=Markup("<p>%s</p><ul>%s</ul>") % (escape(subject), items),
                subtype_xmlid="mail.mt_note",
            )
            user_events.write({"date_notified": now})
