# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.ar_followup.models.ar_followup_template import CONTEXT_VARIABLES
from odoo.addons.ar_followup.tools import render

from ..tools import graph_api

#: ``{{1}}``, ``{{ 2 }}``: the numbered placeholders of a Meta template's body
PLACEHOLDER = re.compile(r"{{\s*(\d+)\s*}}")
#: a placeholder ending the text (punctuation after it does not count): Meta refuses it
EDGE_PLACEHOLDER = re.compile(r"{{\s*\d+\s*}}[\s.!?,;:]*$")
#: a parameter line that is one plain expression: ``{{ total_overdue | money }}``
SIMPLE_EXPRESSION = re.compile(r"{{\s*([^{}%]+?)\s*}}")
#: Meta's template names: lowercase letters, digits and underscores
TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
#: what Meta refuses in a body parameter (error 132012 / "param text can't have new-line/tab
#: characters or more than 4 consecutive spaces")
FORBIDDEN_IN_PARAMETER = re.compile(r"[\n\r\t]| {5,}")
#: Meta's template statuses, and ours
META_STATUSES = {
    "APPROVED": "approved",
    "PENDING": "pending",
    "IN_APPEAL": "pending",
    "REJECTED": "rejected",
    "PAUSED": "paused",
    "DISABLED": "disabled",
    "PENDING_DELETION": "disabled",
}
#: of a template's languages, the status that says most about what is wrong wins
STATUS_PRIORITY = ["rejected", "disabled", "paused", "pending", "draft", "approved"]


class ArFollowupTemplate(models.Model):
    """WhatsApp reminder templates: the parameters of a template approved by Meta.

    Meta only delivers business-initiated messages written with a template it
    approved beforehand (name + language, body with ``{{1}}``, ``{{2}}``…). The
    record names that template and fills its parameters: the body holds one
    Jinja2 expression per line, line *n* being parameter ``{{n}}``. Each line is
    rendered on its own in the core's sandbox, so a tone or the customer's
    language changes what goes into a parameter, never the approved wording.
    """

    _inherit = "ar.followup.template"

    wa_template_name = fields.Char(
        "Meta Template Name",
        help="The name of the message template approved in WhatsApp Manager (lowercase "
        "letters, digits and underscores), e.g. ar_payment_overdue.",
    )
    wa_language = fields.Char(
        "Meta Template Language",
        translate=True,
        help="The language code the template is approved in (en, en_US, hi…). Translated "
        "with the template: a Hindi-speaking customer receives the template's hi version.",
    )
    wa_template_text = fields.Text(
        "Approved Text",
        translate=True,
        help="The template's body exactly as approved by Meta, with its numbered parameters "
        "{{1}}, {{2}}… Shown in previews and the reminder's history; Meta sends its own copy.",
    )
    wa_url_button = fields.Boolean(
        "Pay Now Button",
        help="The Meta template has a URL button (first button) whose address ends with "
        "{{1}}: each message fills it with the reminder's tracked payment link.",
    )
    wa_reply_buttons = fields.Boolean(
        "Reply Buttons",
        help="The Meta template has two quick-reply buttons after the Pay Now button: "
        "'I will pay on…' (records a promise to confirm) and 'I dispute this' (records a "
        "dispute to review).",
    )
    wa_status = fields.Selection(
        [
            ("draft", "Not Submitted"),
            ("pending", "Pending"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("paused", "Paused"),
            ("disabled", "Disabled"),
            ("stopped", "Stopped After an Error"),
        ],
        "Meta Status",
        default="draft",
        readonly=True,
        copy=False,
        help="What Meta says of the template (Sync Status, and Meta's status webhook). Only "
        "approved templates are sent by a live account; a test-mode account sends any.",
    )
    wa_status_reason = fields.Char("Meta Status Reason", readonly=True, copy=False)
    wa_language_status = fields.Json(
        "Meta Status per Language",
        readonly=True,
        copy=False,
        help="{language code: {status, reason}} as Meta last said; Meta Status is the most "
        "telling of them.",
    )
    wa_approved_any = fields.Boolean(
        "Approved in a Language",
        readonly=True,
        copy=False,
        help="Meta approved the template in at least one language.",
    )
    wa_meta_id = fields.Char("Meta Template ID", readonly=True, copy=False)
    wa_preview_text = fields.Text(
        "Parameters in Place",
        compute="_compute_wa_preview_text",
        help="The approved text with each parameter's body line in its place; Preview "
        "renders it for a customer.",
    )

    @api.depends("channel", "wa_template_text", "body")
    def _compute_wa_preview_text(self):
        """Show where each body line lands in the approved text, for registering it."""
        for template in self:
            labels = []
            for number, line in enumerate(template._ar_whatsapp_param_lines(), start=1):
                simple = SIMPLE_EXPRESSION.fullmatch(line.strip())
                labels.append(
                    "[%s]" % simple[1]
                    if simple
                    else self.env._("[parameter %(number)s: body line %(number)s]", number=number)
                )
            template.wa_preview_text = (
                template._ar_whatsapp_preview_text(labels)
                if template.channel == "whatsapp"
                else False
            )

    @api.constrains("channel", "body", "wa_template_name", "wa_template_text")
    def _check_whatsapp(self):
        """Refuse on save what Meta would refuse when sending: a parameter line that is
        blank or does not compile on its own, a count of lines that differs from the
        approved text's placeholders, a name Meta does not allow."""
        for template in self.filtered(lambda t: t.channel == "whatsapp"):
            if not template.wa_language:
                raise ValidationError(
                    self.env._(
                        "WhatsApp template %(template)s: give the language code the template "
                        "is approved in (e.g. en, hi).",
                        template=template.name,
                    )
                )
            if not template.wa_template_name or not TEMPLATE_NAME.match(template.wa_template_name):
                raise ValidationError(
                    self.env._(
                        "WhatsApp template %(template)s: the Meta template name must be "
                        "lowercase letters, digits and underscores.",
                        template=template.name,
                    )
                )
            lines = template._ar_whatsapp_param_lines()
            for number, line in enumerate(lines, start=1):
                problem = (
                    render.TemplateProblem(1, self.env._("empty parameter"))
                    if not line.strip()
                    else render.check(line, CONTEXT_VARIABLES)
                )
                if problem:
                    raise ValidationError(
                        self.env._(
                            "WhatsApp template %(template)s, line %(line)s (parameter "
                            "{{%(line)s}}): %(problem)s",
                            template=template.name,
                            line=number,
                            problem=problem.message,
                        )
                    )
            text = (template.wa_template_text or "").strip()
            if not text or PLACEHOLDER.match(text) or EDGE_PLACEHOLDER.search(text):
                raise ValidationError(
                    self.env._(
                        "WhatsApp template %(template)s: give the approved text; Meta refuses "
                        "a text that starts or ends with a parameter.",
                        template=template.name,
                    )
                )
            placeholders = template._ar_whatsapp_placeholders()
            if placeholders != list(range(1, len(lines) + 1)):
                raise ValidationError(
                    self.env._(
                        "WhatsApp template %(template)s: the approved text has the parameters "
                        "%(placeholders)s but the body gives %(count)s line(s); Meta needs "
                        "{{1}} to {{n}}, one line each, in the same order.",
                        template=template.name,
                        placeholders=", ".join("{{%s}}" % n for n in placeholders) or "-",
                        count=len(lines),
                    )
                )

    # rendering

    def _ar_whatsapp_param_lines(self):
        """The body's parameter lines (one per Meta parameter), trailing blank lines cut."""
        self.ensure_one()
        body = (self.body or "").replace("\r\n", "\n").rstrip("\n")
        return body.split("\n") if body.strip() else []

    def _ar_whatsapp_placeholders(self, text=None):
        """The sorted distinct numbers of the ``{{n}}`` placeholders of the approved text."""
        self.ensure_one()
        text = self.wa_template_text if text is None else text
        return sorted({int(n) for n in PLACEHOLDER.findall(text or "")})

    def _ar_render(self, partner, moves, tone="neutral", lang=None, reminder=None):
        """For WhatsApp: ``body`` is the approved text with its parameters filled in (what
        the customer reads), ``params`` the list sent to Meta, ``subject`` empty."""
        if self.channel != "whatsapp":
            return super()._ar_render(partner, moves, tone=tone, lang=lang, reminder=reminder)
        self.ensure_one()
        lang = lang or partner.lang or self.env.lang
        params = self._ar_render_whatsapp_params(
            partner, moves, tone=tone, lang=lang, reminder=reminder
        )
        return {
            "subject": "",
            "body": self.with_context(lang=lang)._ar_whatsapp_preview_text(params),
            "params": params,
            "wa_template_name": self.wa_template_name,
            "wa_language": self.with_context(lang=lang).wa_language,
        }

    def _ar_render_whatsapp_params(self, partner, moves, tone="neutral", lang=None, reminder=None):
        """The body parameters for Meta, in order: a list of strings.

        Each line of the body rendered on its own (plain text, no HTML escaping) in
        the customer's language. Raises :class:`ValidationError` naming the line
        when a line fails or gives a value Meta refuses (empty, a line break or
        tab, more than four spaces in a row).
        """
        self.ensure_one()
        lang = lang or partner.lang or self.env.lang
        template = self.with_context(lang=lang)
        # no invoice table: HTML on many lines, which no parameter of Meta can hold
        context = template._ar_context(
            partner, moves, tone=tone, stage=self.stage, reminder=reminder, tables=False
        )
        params = []
        for number, line in enumerate(template._ar_whatsapp_param_lines(), start=1):
            output, problem = render.render_problem(line, context)
            if problem is None:
                output = output.strip()
                if not output:
                    problem = render.TemplateProblem(number, self.env._("the value is empty"))
                elif FORBIDDEN_IN_PARAMETER.search(output):
                    problem = render.TemplateProblem(
                        number,
                        self.env._(
                            "the value has a line break, a tab or more than four spaces in "
                            "a row, which Meta refuses"
                        ),
                    )
            if problem:
                raise ValidationError(
                    self.env._(
                        "Template %(template)s cannot be rendered for %(customer)s: "
                        "line %(line)s (parameter {{%(line)s}}): %(problem)s",
                        template=self.name,
                        customer=partner.display_name,
                        line=number,
                        problem=problem.message,
                    )
                )
            params.append(output)
        return params

    def _ar_whatsapp_preview_text(self, params):
        """The approved text with ``{{n}}`` replaced by ``params[n-1]``: the message as the
        customer reads it (placeholders without a value are left as they are)."""
        self.ensure_one()

        def fill(match):
            index = int(match.group(1)) - 1
            return params[index] if 0 <= index < len(params) else match.group(0)

        return PLACEHOLDER.sub(fill, self.wa_template_text or "")

    # -- Meta's template registry ---------------------------------------------------------

    def action_wa_submit(self):
        """Submit the templates to Meta for review, one per language they are translated in
        (category Utility); their status becomes Pending."""
        account = self._ar_whatsapp_live_account()
        api = account._ar_whatsapp_api()
        try:
            for template in self.filtered(lambda t: t.channel == "whatsapp"):
                for payload in template._ar_whatsapp_submission():
                    try:
                        answer = api.create_template(account.wa_business_account_id, payload)
                    except graph_api.GraphError as error:
                        raise UserError(
                            self.env._(
                                "Meta refused template %(template)s (%(lang)s): %(error)s",
                                template=template.name,
                                lang=payload["language"],
                                error=account._ar_whatsapp_error_text(error),
                            )
                        ) from None
                    template._ar_whatsapp_set_language_status(
                        payload["language"], META_STATUSES.get(answer.get("status"), "pending")
                    )
                    template.wa_meta_id = template.wa_meta_id or str(answer.get("id") or "")
        finally:
            api.close()
        return True

    def action_wa_sync_status(self):
        """Read the templates' review status from Meta (every language registered)."""
        account = self._ar_whatsapp_live_account()
        api = account._ar_whatsapp_api()
        try:
            for template in self.filtered(lambda t: t.channel == "whatsapp"):
                try:
                    found = api.list_templates(
                        account.wa_business_account_id, name=template.wa_template_name
                    )
                except graph_api.GraphError as error:
                    raise UserError(account._ar_whatsapp_error_text(error)) from None
                template._ar_whatsapp_apply_meta(
                    [t for t in found if t.get("name") == template.wa_template_name]
                )
        finally:
            api.close()
        return True

    def _ar_whatsapp_live_account(self):
        """The current company's WhatsApp account, with what the registry calls need."""
        account = self.env["ar.followup.channel"]._ar_whatsapp_account(self.env.company)
        if not (account.wa_business_account_id and account.wa_access_token):
            raise UserError(
                self.env._(
                    "Set the WhatsApp Business Account ID and the access token of %s first "
                    "(Configuration › Reminder Channels › WhatsApp).",
                    self.env.company.name,
                )
            )
        return account

    def _ar_whatsapp_apply_meta(self, found):
        """Set the status from Meta's templates of this name (``found``: one per language)."""
        self.ensure_one()
        self._ar_whatsapp_write_statuses(
            {
                str(t.get("language") or ""): {
                    "status": META_STATUSES.get(t.get("status"), "pending"),
                    "reason": t.get("rejected_reason")
                    if t.get("rejected_reason") not in (None, "", "NONE")
                    else None,
                }
                for t in found
            },
            meta_id=next((str(t["id"]) for t in found if t.get("id")), None),
        )

    def _ar_whatsapp_set_language_status(self, language, status, reason=None):
        """Meta's status of one language version changed (the status webhook)."""
        for template in self:
            statuses = dict(template.wa_language_status or {})
            statuses[language or ""] = {"status": status, "reason": reason or None}
            template._ar_whatsapp_write_statuses(statuses)

    def _ar_whatsapp_write_statuses(self, statuses, meta_id=None):
        """Keep ``statuses`` ({language: {status, reason}}); Meta Status is the most telling
        of them, with its reason and language."""
        self.ensure_one()
        if statuses:
            code, worst = min(
                statuses.items(), key=lambda item: STATUS_PRIORITY.index(item[1]["status"])
            )
            status = worst["status"]
            reason = "%s (%s)" % (worst["reason"], code) if worst.get("reason") else False
        else:
            status, reason = "draft", False
        self.write(
            {
                "wa_language_status": statuses,
                "wa_status": status,
                "wa_status_reason": reason,
                "wa_approved_any": any(v["status"] == "approved" for v in statuses.values()),
                "wa_meta_id": self.wa_meta_id or meta_id or False,
            }
        )

    def _ar_whatsapp_submission(self):
        """The bodies of Meta's *create template* call, one per language the template is
        translated in: the approved text with an example per parameter, the buttons."""
        self.ensure_one()
        payloads = {}
        for lang in self.env["res.lang"].get_installed():
            template = self.with_context(lang=lang[0])
            code = template.wa_language
            if not code or code in payloads:
                continue
            count = len(template._ar_whatsapp_param_lines())
            components = [
                {
                    "type": "BODY",
                    "text": template.wa_template_text,
                    "example": {
                        "body_text": [
                            ["%s %s" % (self.env._("Example"), n) for n in range(1, count + 1)]
                        ]
                    },
                }
            ]
            buttons = []
            if template.wa_url_button:
                base = template.get_base_url().rstrip("/")
                buttons.append(
                    {
                        "type": "URL",
                        "text": template.env._("Pay now"),
                        "url": base + "/{{1}}",
                        "example": [base + "/ar_followup/r/1/0123456789abcdef/pay"],
                    }
                )
            if template.wa_reply_buttons:
                buttons += [
                    {"type": "QUICK_REPLY", "text": template.env._("I will pay on…")},
                    {"type": "QUICK_REPLY", "text": template.env._("I dispute this")},
                ]
            if buttons:
                components.append({"type": "BUTTONS", "buttons": buttons})
            payloads[code] = {
                "name": self.wa_template_name,
                "language": code,
                "category": "UTILITY",
                "components": components,
            }
        return list(payloads.values())

    def _ar_whatsapp_components(self, params, reminder=None):
        """The ``components`` of a send request: the body parameters in order, the Pay Now
        button's URL suffix (the tracked link's path) and the reply buttons' payloads."""
        self.ensure_one()
        components = [{"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}]
        index = 0
        if self.wa_url_button and reminder:
            # the approved URL is the web base URL followed by {{1}}: only the path varies
            link = reminder._ar_tracked_url("pay")
            suffix = link[len(reminder.get_base_url()) :].lstrip("/")
            components.append(
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": str(index),
                    "parameters": [{"type": "text", "text": suffix}],
                }
            )
            index += 1
        if self.wa_reply_buttons:
            for payload in ("ar_promise", "ar_dispute"):
                components.append(
                    {
                        "type": "button",
                        "sub_type": "quick_reply",
                        "index": str(index),
                        "parameters": [{"type": "payload", "payload": payload}],
                    }
                )
                index += 1
        return components

    def _ar_whatsapp_stop(self, reason, company):
        """Meta refused to send with this template: no further send until it is fixed and
        synced again; the AR managers of ``company`` get an activity."""
        for template in self.sudo().filtered(lambda t: t.wa_status != "stopped"):
            template.write({"wa_status": "stopped", "wa_status_reason": reason[:250]})
            managers = (
                self.env.ref("ar_followup.ar_followup_group_manager")
                .sudo()
                .all_user_ids.filtered(lambda u, c=company: c in u.company_ids and not u.share)
            )
            company.partner_id.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("WhatsApp template %s stopped", template.name),
                note=self.env._(
                    "Meta refused to send the WhatsApp template %(template)s "
                    "(%(meta)s): %(reason)s. Reminders use their next channel until the "
                    "template is fixed in WhatsApp Manager and its status synced.",
                    template=template.name,
                    meta=template.wa_template_name,
                    reason=reason,
                ),
                user_id=(managers[:1] or self.env.ref("base.user_admin")).id,
            )

    def _ar_whatsapp_not_sendable(self, live, language=None):
        """Why this template cannot be sent now in ``language`` by a ``live`` account, or
        None: stopped after an error, or not approved by Meta in that language (its
        overall status when Meta said nothing of the language)."""
        self.ensure_one()
        if not live:
            return None
        entry = (self.wa_language_status or {}).get(language or "")
        status, reason = (
            (entry["status"], entry.get("reason"))
            if entry and self.wa_status != "stopped"
            else (self.wa_status, self.wa_status_reason)
        )
        if status == "approved":
            return None
        labels = dict(self._fields["wa_status"]._description_selection(self.env))
        return self.env._(
            "WhatsApp template %(template)s is not approved by Meta (%(status)s%(reason)s).",
            template=self.name,
            status=labels[status],
            reason=": %s" % reason if reason else "",
        )
