# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields
from odoo.tools import clean_context, format_amount

from ...exceptions import ArUndeliveredError
from .states import OPEN_STATES, SENT_STATES

#: what a provider reports on a message that left
REPORTS = ("delivered", "read", "failed")
#: a failure reported on a message the customer has since read, answered or paid is
#: not believed: only these states fail on a report
FAILABLE_STATES = ("sent", "delivered")


class ReminderOutcome:
    """What happens to a reminder once its channel took it.

    ``sent`` (the channel took it) → ``delivered`` → ``read`` → ``replied`` →
    ``paid``: a reminder only moves forward. A report of an earlier step arriving
    late (delivered after read) fills its date and changes nothing else; the
    same report twice changes nothing. A message reported *not delivered*
    while still ``sent`` or ``delivered`` falls back to the step's next channel
    (``send_retry.py``), or fails as ``undelivered``.
    """

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    def _ar_mark_sent(self, reference, now, values=None):
        """The channel took the reminder (``reference``: its message id); ``values``: more to
        write at once. See :meth:`_ar_mark_sent_many`."""
        self.ensure_one()
        self._ar_mark_sent_many([(self, reference, values)], now)

    @api.model
    def _ar_mark_sent_many(self, sent, now):
        """The channel took each reminder of ``sent`` (``[(reminder, reference, values)]``:
        its message id, and more to write at once). Those that went for the first
        time (not again after a fallback from a sent one) then alert together
        (:meth:`_ar_after_send`)."""
        first = []
        for reminder, reference, values in sent:
            if not reminder.date_sent:
                first.append(reminder.id)
            reminder.write(
                {
                    **(values or {}),
                    "state": "sent",
                    "date_sent": now,
                    "provider_message_id": reference,
                }
            )
        self.browse(first)._ar_after_send()
        self.env["ar.followup.snapshot"]._ar_notify_activity(
            "sent", self.browse([reminder.id for reminder, _reference, _values in sent])
        )

    def _ar_after_send(self):
        """After reminders left: each escalating one alerts its AR owner (an activity on
        the customer, as ``activity_schedule`` makes it) and firms the customer's
        tone. The activities of a batch are created together, and its customers whose
        tone firms to the same step written together."""
        escalating = self.filtered("escalated")
        if not escalating or self.env.context.get("mail_activity_automation_skip"):
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        partner_model = self.env["ir.model"]._get_id("res.partner")
        activities, initial, firmer = [], {}, {}
        for reminder in escalating:
            partner = reminder.partner_id
            # the escalation is the reminder's company's: the customer's value there
            customer = partner.sudo().with_company(reminder.company_id)
            summary = self.env._(
                "Escalation: %(customer)s owes %(amount)s (%(step)s)",
                customer=partner.display_name,
                amount=format_amount(self.env, reminder.amount_residual, reminder.currency_id),
                step=reminder.step_id.name,
            )
            activities.append(
                {
                    "activity_type_id": todo.id,
                    "summary": summary,
                    "note": todo.default_note,
                    "automated": True,
                    "res_model_id": partner_model,
                    "res_id": partner.id,
                    "user_id": partner._ar_get_owner(reminder.company_id).id or self.env.uid,
                    "date_deadline": reminder.company_id._ar_today(),
                }
            )
            before = initial.setdefault(reminder.company_id, {}).setdefault(
                partner.id, {"ar_tone_escalation": customer.ar_tone_escalation}
            )["ar_tone_escalation"]
            key = (reminder.company_id, partner.id)
            firmer[key] = firmer.get(key, before) + 1
        # the customers whose tone firms to the same step, written together
        Partner = self.env["res.partner"].sudo().with_context(tracking_disable=True)
        steps = {}
        for (company, partner_id), step in firmer.items():
            steps.setdefault((company, step), []).append(partner_id)
        for (company, step), partner_ids in steps.items():
            Partner.with_company(company).browse(partner_ids).write({"ar_tone_escalation": step})
        self.env["mail.activity"].with_context(clean_context(self.env.context)).create(activities)
        # the firmer tone on the customers' chatter, as tracking shows it, logged together
        for company, company_initial in initial.items():
            self.env["res.partner"].sudo().with_company(company)._ar_message_track_many(
                company_initial
            )

    def _ar_apply_report(self, status, reason=None, when=None):
        """A provider reported ``status`` (``delivered``, ``read`` or ``failed``, with
        ``reason``) on these reminders' messages; returns the reminders it changed.

        Idempotent and never backwards (see the class). The one entry point of
        every channel's delivery, read and failure reports.
        """
        if status not in REPORTS:
            raise ValueError("unknown report %r" % status)
        now = when or fields.Datetime.now()
        changed = self.browse()
        for reminder in self:
            if status == "failed":
                if reminder.state in FAILABLE_STATES:
                    reminder._ar_handle_send_error(
                        ArUndeliveredError(
                            self.env._("Not delivered: %s", reason or self.env._("no reason given"))
                        ),
                        now,
                    )
                    changed |= reminder
                continue
            if reminder.state not in SENT_STATES:
                continue
            vals = {}
            if not reminder["date_%s" % status]:
                vals["date_%s" % status] = now
            if SENT_STATES.index(reminder.state) < SENT_STATES.index(status):
                vals["state"] = status
            if vals:
                reminder.write(vals)
                changed |= reminder
        return changed

    @api.model
    def _ar_mark_replied(self, message):
        """``message`` answers a reminder's message: the reminder is replied."""
        return self.search([("mail_message_id", "=", message.parent_id.id)])._ar_set_replied()

    def _ar_set_replied(self):
        """The customer answered these reminders: those still sent, delivered or read
        become replied (never backwards from paid); returns them."""
        reminders = self.filtered(lambda r: r.state in ("sent", "delivered", "read"))
        reminders.write({"state": "replied", "date_replied": fields.Datetime.now()})
        self.env["ar.followup.snapshot"]._ar_notify_activity("replied", reminders)
        return reminders

    @api.model
    def _ar_settle(self, moves):
        """Payments came in on ``moves``: reminders whose invoices are all paid are settled.

        Waiting reminders are cancelled (paid meanwhile); sent ones become paid.
        """
        reminders = self.search(
            [
                ("move_ids", "in", moves.ids),
                ("state", "in", (*OPEN_STATES, *SENT_STATES[:-1])),
            ]
        )
        now = fields.Datetime.now()
        paid = self.browse()
        for reminder in reminders:
            if reminder._ar_get_open_moves():
                continue
            if reminder.state in OPEN_STATES:
                reminder._ar_close("cancelled", "paid")
            else:
                reminder.write({"state": "paid", "date_paid": now})
                paid |= reminder
        paid._ar_notify_paid()
        return reminders

    def _ar_notify_paid(self):
        """The owners hear that customers being chased paid: one event per customer
        and company for the invoices these (sent) reminders claimed."""
        events = []
        for (customer, company), reminders in self.grouped(
            lambda r: (r.partner_id.commercial_partner_id, r.company_id)
        ).items():
            events.append(
                {
                    "user_id": customer.with_company(company)._ar_get_owner().id,
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "kind": "payment",
                    "description": lambda env, c=customer, m=reminders.move_ids: env._(
                        "%(customer)s paid %(invoices)s, chased by a reminder.",
                        customer=c.display_name,
                        invoices=", ".join(m.mapped("name")),
                    ),
                }
            )
        if events:
            self.env["ar.followup.notification.event"]._ar_notify(events)
