# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import html2plaintext

from ..exceptions import ArTemplateError
from ..tools import render
from ..tools.ageing import days_overdue

#: key of the batch data of :meth:`ArFollowupTemplate._ar_context_prefetch` in ``cr.cache``
CONTEXT_CACHE = "ar_followup.template.context"
#: what :meth:`ArFollowupTemplate._ar_invoice_data` reads of an invoice
INVOICE_FIELDS = [
    "name",
    "move_type",
    "company_id",
    "currency_id",
    "invoice_date",
    "invoice_date_due",
    "ar_oldest_due_date",
    "ar_bucket_id",
    "amount_total_in_currency_signed",
    "amount_residual",
    "ref",
    "access_token",  # the portal link when no reminder tracks the links (a preview)
]

#: the variables a template can use (documented on the template form)
CONTEXT_VARIABLES = {
    "customer",
    "company",
    "owner",
    "tone",
    "stage",
    "invoices",
    "invoice_table",
    "buckets",
    "total_due",
    "total_overdue",
    "total_disputed",
    "oldest_days_overdue",
    "pay_link",
    "statement_link",
    "account_link",
    "last_payment",
    "typical_payment_day",
    "relationship_years",
    "late_invoices",
    "promise",
    "dispute",
    "currency",
}


class ArFollowupTemplate(models.Model):
    """A reminder text for one channel and one stage, in every tone.

    Subject and body are Jinja2 (sandboxed, strict: an unknown variable is an
    error) over plain data built by :meth:`_ar_context`, never records.
    Translations per language are the customer's language.
    """

    _name = "ar.followup.template"
    _description = "Reminder Template"
    _order = "channel, stage, sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the template between companies."
    )
    channel = fields.Selection(selection="_selection_channel", required=True)
    stage = fields.Selection(
        [
            ("before_due", "Before the due date"),
            ("due", "On the due date"),
            ("overdue", "Overdue"),
            ("final", "Final notice"),
            ("payment_failed", "Online payment failed"),
        ],
        required=True,
        default="overdue",
    )
    tone = fields.Selection(
        "_ar_tone_selection",
        help="Leave empty for a template serving every tone ({{ tone }} tells which).",
    )
    subject = fields.Char(translate=True, help="E-mail subject (Jinja2).")
    sms_dlt_template_id = fields.Char(
        "DLT Template ID",
        help="India: the content template ID this SMS text is registered under on the DLT "
        "platform. Its wording must match the registered template.",
    )
    body = fields.Text(
        translate=True,
        required=True,
        help="Jinja2. E-mail: HTML, every value escaped. SMS: plain text.",
    )

    @api.model
    def _selection_channel(self):
        return self.env["ar.followup.channel"]._ar_selection()

    @api.model
    def _ar_tone_selection(self):
        """The tones defined (*Configuration › Tones*), by code: a tone added there can
        have templates of its own."""
        tones = self.env["ar.followup.tone"].sudo().with_context(active_test=False).search([])
        return [(tone.code, tone.name) for tone in tones]

    @api.constrains("tone")
    def _check_tone(self):
        codes = dict(self._ar_tone_selection())
        for template in self:
            if template.tone and template.tone not in codes:
                raise ValidationError(
                    self.env._(
                        "Template %(template)s: no tone has the code %(code)s.",
                        template=template.name,
                        code=template.tone,
                    )
                )

    @api.constrains("subject", "body", "channel")
    def _check_template(self):
        known = CONTEXT_VARIABLES
        for template in self:
            for field_name, source in (("subject", template.subject), ("body", template.body)):
                problem = render.check(source or "", known, html=template._ar_is_html())
                if problem:
                    raise ValidationError(
                        self.env._(
                            "Template %(template)s, %(field)s, line %(line)s: %(problem)s",
                            template=template.name,
                            field=template._fields[field_name].get_description(self.env)["string"],
                            line=problem.line,
                            problem=problem.message,
                        )
                    )

    # selection and rendering

    def _ar_is_html(self):
        """Whether this template's channel sends HTML (else plain text)."""
        self.ensure_one()
        return self.env["ar.followup.channel"]._ar_features(self.channel)["body_html"]

    @api.model
    def _ar_select(self, channel, stage, tone, company):
        """The template for a reminder: this tone's own, else the all-tones one."""
        candidates = self.search(
            [
                ("channel", "=", channel),
                ("stage", "=", stage),
                ("company_id", "in", (False, company.id)),
                ("tone", "in", (False, tone)),
            ]
        )
        return candidates.sorted(lambda t: (not t.tone, not t.company_id, t.sequence, t.id))[:1]

    def _ar_render(self, partner, moves, tone="neutral", lang=None, reminder=None):
        """{"subject", "body"} rendered for ``partner`` about ``moves``, in ``lang``.

        For a ``reminder``, its links are tracked (see :meth:`_ar_context`).
        Raises :class:`ArTemplateError` naming the line when rendering fails.
        """
        self.ensure_one()
        lang = lang or partner.lang or self.env.lang
        template = self.with_context(lang=lang)
        context = template._ar_context(
            partner, moves, tone=tone, stage=self.stage, reminder=reminder
        )
        html = self._ar_is_html()
        result = {}
        for field_name in ("subject", "body"):
            # a subject is plain text in every channel: never HTML-escaped
            output, problem = render.render_problem(
                template[field_name] or "", context, html=html and field_name == "body"
            )
            if problem:
                raise ArTemplateError(
                    self.env._(
                        "Template %(template)s cannot be rendered for %(customer)s: "
                        "line %(line)s: %(problem)s",
                        template=self.name,
                        customer=partner.display_name,
                        line=problem.line,
                        problem=problem.message,
                    )
                )
            result[field_name] = output
        return result

    @api.model
    def _ar_context(
        self, partner, moves, tone="neutral", stage="overdue", reminder=None, tables=True
    ):
        """Plain data about ``partner`` and ``moves`` (their open invoices) for a template.

        Rendered for a ``reminder``, the links (pay now, statement, each invoice) are
        its tracked links, which record the click before leading to the page.
        Without ``tables``, no ``invoice_table``: an HTML table a channel of one-line
        values (WhatsApp's parameters) cannot send, and most of the rendering's time.
        """
        company = moves.company_id[:1] or self.env.company
        partner = partner.commercial_partner_id.with_company(company)
        today = company._ar_today()
        currency = company.currency_id
        contact = partner.child_ids.filtered(lambda c: c.type == "invoice" and c.email)[:1]
        owner = partner._ar_get_owner()
        data = self._ar_context_batch_data(partner, moves, company)
        no_lines = self.env["account.move.line"]
        disputed_moves = (
            set(moves.ids) if partner.id in data["disputed_customers"] else data["disputed_moves"]
        )
        invoices = [
            {
                **self._ar_invoice_data(
                    move, today, data["lines"].get(move.id, no_lines), reminder=reminder
                ),
                "disputed": move.id in disputed_moves,
            }
            for move in moves.sorted("invoice_date_due")
        ]
        merged, total_due, total_overdue, oldest_due = data["position"].get(
            partner.id, ({}, 0.0, 0.0, None)
        )
        oldest_days = days_overdue(oldest_due, today) if oldest_due else 0
        promise = data["promise"].get(partner.id)
        dispute = data["dispute"].get(partner.id)
        currency_data = self._ar_currency_data(currency)
        behaviour = data["behaviour"].get(partner.id) or {}
        relationship_start = behaviour.get("relationship_start")
        context = {
            "customer": {
                "name": partner.name,
                # an invoicing address may have no name of its own: the customer's then
                "contact": contact.name or partner.name,
                "ref": partner.ref or "",
                "vat": partner.vat or "",
                "lang": partner.lang or "",
                "segment": partner.sudo().ar_segment_id.name or "",
            },
            "company": {
                "name": company.name,
                "email": company.email or "",
                "phone": company.phone or "",
                "website": company.website or "",
            },
            "owner": {
                "name": owner.name or company.name,
                "email": owner.email or company.email or "",
                "phone": owner.phone or company.phone or "",
                "signature": html2plaintext(owner.signature or "") if owner else "",
            },
            "tone": tone,
            "stage": stage,
            "invoices": invoices,
            "buckets": [{"name": name, "amount": amount} for name, amount in merged.items()],
            "total_due": total_due,
            "total_overdue": total_overdue,
            "total_disputed": data["disputed"].get(partner.id, 0.0),
            "oldest_days_overdue": oldest_days,
            "pay_link": (reminder._ar_tracked_url("pay") if reminder else invoices[0]["link"])
            if invoices
            else "",
            "statement_link": reminder._ar_tracked_url("statement")
            if reminder
            else partner._ar_statement_url(),
            "account_link": reminder._ar_tracked_url("account")
            if reminder
            else partner.get_base_url() + "/my/receivables",
            "last_payment": behaviour.get("last_payment_date")
            and {
                "date": behaviour["last_payment_date"],
                "amount": behaviour.get("last_payment_amount") or 0.0,
            },
            "typical_payment_day": behaviour.get("payment_day") or None,
            "relationship_years": relativedelta(today, relationship_start).years
            if relationship_start
            else 0,
            "late_invoices": behaviour.get("late_invoice_count") or 0,
            "promise": promise
            and {"name": promise.name, "date": promise.date_promised, "amount": promise.amount},
            "dispute": dispute and {"name": dispute.name, "reason": dispute._ar_reason_label()},
            "currency": currency_data,
        }
        if tables:
            context["invoice_table"] = self.env["ir.qweb"]._render(
                "ar_followup.reminder_invoice_table",
                {
                    "invoices": invoices,
                    "buckets": merged,
                    "currency": currency_data,
                    "money": lambda amount, cur=None: render.money(amount, cur or currency_data),
                },
            )
        return context

    @api.model
    def _ar_context_batch_data(self, partner, moves, company):
        """What :meth:`_ar_context` reads from the database about ``partner`` and ``moves``.

        Taken from the batch read by :meth:`_ar_context_prefetch` when it covers
        them (a dispatch batch), else read for them alone.
        """
        data = self.env.cr.cache.get(CONTEXT_CACHE, {}).get(company.id)
        if (
            data is None
            or partner.id not in data["partners"]
            or not data["moves"].issuperset(moves.ids)
        ):
            data = self._ar_context_prefetch(partner, moves, company, keep=False)
        return data

    @api.model
    def _ar_context_prefetch(self, partners, moves, company, keep=True):
        """Read what :meth:`_ar_context` needs for many customers in a few queries.

        ``partners`` (commercial entities) and ``moves`` (their invoices) of one
        ``company``: their open receivable lines, each customer's position by
        bucket, open promise and open dispute, and how each paid (see
        ``res.partner._ar_get_behaviour``: one query for all). With ``keep``, the data stays in
        the transaction's cache (emptied by a commit or a rollback, or by
        :meth:`_ar_context_forget`) for the templates rendered next.
        """
        partners = partners.commercial_partner_id
        # the invoices' own fields too: read for one reminder at a time, they came with
        # every column of the invoice table
        moves.fetch(INVOICE_FIELDS)
        receivable = self.env["account.move.line"].search_fetch(
            [
                ("move_id", "in", moves.ids),
                ("account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
            ],
            ["move_id", "discount_date", "amount_residual_currency", "discount_amount_currency"],
        )
        lines = {move.id: group for move, group in receivable.grouped("move_id").items()}
        Promise, Dispute = self.env["ar.followup.promise"], self.env["ar.followup.dispute"]
        open_holds = {}
        for key, Model in (("promise", Promise), ("dispute", Dispute)):
            found = {}
            for hold in Model.search(
                [("partner_id", "in", partners.ids), *Model._ar_get_open_domain()]
            ):
                found.setdefault(hold.partner_id.id, hold)
            open_holds[key] = found
        # what is disputed is not asked for: each customer's position leaves out the
        # invoices under an open dispute (everything, for a dispute on the whole
        # customer), whose total is given apart
        disputes = Dispute.search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                *Dispute._ar_get_open_domain(),
            ]
        )
        disputed_customers = disputes.filtered(lambda d: not d.move_ids).partner_id
        disputed_moves = disputes.move_ids
        disputed_domain = Domain.OR(
            [
                Domain("partner_id", "in", disputed_customers.ids),
                Domain("move_id", "in", disputed_moves.ids),
            ]
        )
        # each customer's position in one indexed query (the customers' computed
        # totals would also render their ageing summary widget)
        Report = self.env["ar.followup.ageing.report"]
        partner_domain = Domain(Report._ar_partner_domain(partners, company))
        disputed = {}
        if disputes:
            for partner, residual in Report._read_group(
                partner_domain & disputed_domain, ["partner_id"], ["residual:sum"]
            ):
                disputed[partner.id] = residual
        today = company._ar_today()
        position = {}
        for partner, bucket, residual, overdue, oldest_due in Report._read_group(
            partner_domain & ~disputed_domain if disputes else partner_domain,
            ["partner_id", "bucket_id"],
            ["residual:sum", "overdue:sum", "date_maturity:min"],
            order="bucket_id, partner_id",
        ):
            merged, total_due, total_overdue, oldest = position.get(partner.id, ({}, 0, 0, None))
            if overdue and oldest_due and oldest_due < today:
                oldest = min(oldest or oldest_due, oldest_due)
            if bucket.name:
                merged[bucket.name] = merged.get(bucket.name, 0.0) + residual
            position[partner.id] = (merged, total_due + residual, total_overdue + overdue, oldest)
        data = {
            "partners": set(partners.ids),
            "moves": set(moves.ids),
            "lines": lines,
            "position": position,
            "disputed": disputed,
            "disputed_customers": set(disputed_customers.ids),
            "disputed_moves": set(disputed_moves.ids),
            "behaviour": partners._ar_get_behaviour(company),
            **open_holds,
        }
        if keep:
            self.env.cr.cache.setdefault(CONTEXT_CACHE, {})[company.id] = data
        return data

    @api.model
    def _ar_context_forget(self):
        """Drop the data kept by :meth:`_ar_context_prefetch`."""
        self.env.cr.cache.pop(CONTEXT_CACHE, None)

    @api.model
    def _ar_currency_data(self, currency):
        return {
            "code": currency.name,
            "symbol": currency.symbol,
            "position": currency.position,
            "decimals": currency.decimal_places,
        }

    @api.model
    def _ar_invoice_data(self, move, today, receivable=None, reminder=None):
        """Plain data of one invoice; ``receivable``: its open receivable lines, when the
        caller read them for all the invoices at once; ``reminder``: links are tracked."""
        if receivable is None:
            receivable = move.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable" and not line.reconciled
            )
        receivable = receivable or self.env["account.move.line"]
        discount = receivable.filtered(
            lambda line: line.discount_date and line.discount_date >= today
        )[:1]
        due = move.ar_oldest_due_date or move.invoice_date_due
        return {
            "number": move.name,
            "date": move.invoice_date,
            "due_date": due,
            "days_overdue": days_overdue(due, today) if due else 0,
            # in the invoice's currency: {{ invoice.residual | money(invoice.currency) }}
            "amount": move.amount_total_in_currency_signed,
            "residual": move.amount_residual * (-1 if move.move_type == "out_refund" else 1),
            "currency": self._ar_currency_data(move.currency_id),
            "reference": move.ref or "",
            "bucket": move.ar_bucket_id.name or "",
            "link": reminder._ar_tracked_url("invoice-%s" % move.id)
            if reminder
            else move.get_base_url() + move.get_portal_url(),
            "discount_amount": discount
            and abs(discount.amount_residual_currency - discount.discount_amount_currency),
            "discount_date": discount.discount_date if discount else None,
        }
