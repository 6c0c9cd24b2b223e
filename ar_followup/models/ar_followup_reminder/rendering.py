# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date, html_sanitize, plaintext2html

from .states import OPEN_STATES

#: how a reminder's body is sanitized: as an Html field with ``sanitize_style`` (the
#: options of ``mail.message.body``), so the body of a posted e-mail needs nothing more
BODY_SANITIZE = {"sanitize_attributes": True, "sanitize_style": True}


class SanitizedHtml(Markup):
    """HTML already sanitized with :data:`BODY_SANITIZE`, such as the body of the
    ``mail.message`` an e-mail reminder posted: a reminder stores it as is."""

    __slots__ = ()


class ReminderRendering:
    """The text of a reminder: chosen template, rendered in the customer's language
    over the invoices still open, or the text a person edited; and its preview."""

    __slots__ = ()  # a part of an Odoo model, whose instances have no __dict__

    @api.model
    def _ar_sanitize_vals(self, vals):
        """``vals`` with its ``body`` sanitized, unless it already is (:class:`SanitizedHtml`).

        The body field does not sanitize by itself: an e-mail's body, sanitized by
        its message, would be sanitized twice, and sanitizing a reminder's HTML
        is among the largest costs of a dispatch (``make bench``).
        """
        body = vals.get("body")
        if not body or isinstance(body, SanitizedHtml):
            return vals
        return {**vals, "body": html_sanitize(body, **BODY_SANITIZE)}

    @api.depends_context("lang")
    def _ar_content_vals(self, content):
        """The fields keeping ``content`` (``{"subject", "body"}``): an HTML body in
        ``body``, a plain-text channel's in ``text``, never HTML-escaped."""
        self.ensure_one()
        if self._ar_channel_features()["body_html"]:
            return {"subject": content["subject"], "body": content["body"], "text": False}
        return {"subject": content["subject"], "body": False, "text": content["body"]}

    @api.depends(
        "state", "subject", "body", "text", "text_edited", "channel", "tone_id", "move_ids"
    )
    def _compute_preview(self):
        """What would go out now: the edited text, else the template rendered today.

        A template that cannot be rendered is shown as a problem, not raised, so the
        queue stays usable. Reminders no longer waiting show what was sent.
        """
        for reminder in self:
            reminder.preview_subject = reminder.preview_error = False
            reminder.preview_body = reminder.preview_text = False
            if reminder.state not in OPEN_STATES:
                reminder.preview_subject = reminder.subject
                reminder.preview_text = reminder.text
                reminder.preview_body = reminder.body or (
                    reminder.text and plaintext2html(reminder.text)
                )
                continue
            try:
                content = reminder._ar_get_content()
            except (UserError, ValidationError) as error:
                reminder.preview_error = error.args[0]
                continue
            reminder.preview_subject = content["subject"]
            reminder.preview_text = content["body"]
            reminder.preview_body = reminder._ar_preview_html(content["body"])

    def _ar_preview_html(self, body):
        """``body`` made safe to show in the browser: a plain text (SMS) is escaped (its
        values come from customers and invoices, unescaped), HTML (e-mail) sanitised as
        its message will be."""
        self.ensure_one()
        if self._ar_channel_features()["body_html"]:
            return html_sanitize(body, **BODY_SANITIZE)
        return plaintext2html(body or "")

    def _ar_get_open_moves(self):
        """The reminder's invoices that still have something due, less those held since it
        was planned (``ar_exclude_move_ids`` in the context, see :meth:`_ar_send_problem`)."""
        self.ensure_one()
        moves = self.move_ids
        if self.line_ids:
            moves = self.line_ids.move_line_id.filtered(
                lambda line: (
                    line.parent_state == "posted"
                    and not line.reconciled
                    and line.amount_residual > 0
                )
            ).move_id
        excluded = self.env.context.get("ar_exclude_move_ids")
        return moves.filtered(lambda move: move.id not in excluded) if excluded else moves

    def _ar_get_template(self):
        """The template this reminder is written with: the one a manual reminder names,
        else its step's, else the company's for its channel, stage and tone."""
        self.ensure_one()
        if self.template_id and self.template_id.channel == self.channel:
            return self.template_id
        step = self.step_id
        if step.template_id and step.template_id.channel == self.channel:
            return step.template_id
        key = (self.channel, self.stage or step.stage, self.tone_id.code or "neutral")
        # the same few templates serve a whole dispatch batch: selected once for it
        # (outside a batch, the memo is a dict of its own, forgotten at once)
        chosen = self._ar_send_memo("templates")
        if (*key, self.company_id.id) not in chosen:
            chosen[(*key, self.company_id.id)] = (
                self.env["ar.followup.template"]
                .with_company(self.company_id)
                ._ar_select(*key, self.company_id)
            )
        return chosen[(*key, self.company_id.id)]

    def _ar_get_content(self):
        """``{"subject", "body"}`` that goes out: the text a person edited before
        approving, else the template rendered now."""
        self.ensure_one()
        if self.text_edited:
            body = self.body if self._ar_channel_features()["body_html"] else self.text
            return {"subject": self.subject or "", "body": body or ""}
        return self._ar_render()

    def _ar_render(self):
        """``{"subject", "body"}`` of this reminder, in the customer's language.

        The one place text is produced: the template of the step (or of the stage,
        channel and tone) over the invoices still open, with their residual; a
        plain list when no template exists.
        """
        self.ensure_one()
        moves = self._ar_get_open_moves()
        template = self._ar_get_template()
        partner = self.partner_id.with_company(self.company_id)
        if template:
            return template.with_company(self.company_id)._ar_render(
                partner, moves, tone=self.tone_id.code or "neutral", reminder=self
            )
        return self._ar_render_default(moves)

    def _ar_render_default(self, moves):
        self.ensure_one()
        rows = Markup("").join(
            Markup("<li>%s, due %s: %s</li>")
            % (
                move.name,
                format_date(self.env, move.invoice_date_due),
                format_amount(self.env, move.amount_residual, move.currency_id),
            )
            for move in moves
        )
        return {
            "subject": self.env._("Payment reminder from %s", self.company_id.name),
            "body": Markup("<p>%s</p><ul>%s</ul>")
            % (
                self.env._(
                    "Dear %s, the following invoices are awaiting payment:", self.partner_id.name
                ),
                rows,
            ),
        }
