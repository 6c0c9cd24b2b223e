# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

SOURCES = [
    ("call", "Phone call"),
    ("email", "Email"),
    ("whatsapp", "WhatsApp"),
    ("portal", "Customer portal"),
    ("manual", "Manual entry"),
]


class ArFollowupHoldMixin(models.AbstractModel):
    """Something that suspends payment reminders: a dispute, a promise to pay.

    It covers some invoices of one customer (``move_ids``) or, without
    invoices, everything the customer owes in the company. Each concrete model
    says when a record is in force (:meth:`_ar_get_hold_domain`) and how to
    explain it (:meth:`_ar_hold_reason`); ``res.partner._ar_get_suspensions``
    reads every model listed by ``res.partner._ar_hold_models`` with one search
    each, so a new kind of hold (a payment plan, a legal case) only has to
    inherit this mixin and add itself there.

    Amounts are in the invoices' currency when every covered invoice shares
    one, so they read as the customer's documents do; otherwise (several
    currencies, or the whole customer) in the company currency, the currency of
    the customer's position and ageing.
    """

    _name = "ar.followup.hold.mixin"
    _description = "Reminder Suspension"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _check_company_auto = True
    #: prefix of the yearly per-company reference, e.g. "DSP" gives DSP/2026/0001
    _ar_reference_prefix = "REF"
    #: reason code of a reminder this holds (``ar.followup.reminder.reason``)
    _ar_hold_code = "held"
    #: fields only the follow-up writes (:meth:`_ar_system_write`): read-only on the
    #: server too, whatever a client sends
    _ar_system_fields = ("name",)
    #: what the customer claimed or promised, fixed once recorded: the audit trail
    #: (Companies Act Rule 11(g)) is changed by a system administrator only, tracked
    _ar_locked_fields = ("partner_id", "company_id", "move_ids", "amount", "source", "user_id")

    name = fields.Char(
        "Reference",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="['|', ('is_company', '=', True), ('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.company,
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        tracking=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('state', '=', 'posted'),"
        " ('move_type', 'in', ('out_invoice', 'out_receipt'))]",
        help="Leave empty to cover everything the customer owes.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        precompute=True,
        help="The invoices' currency when they share one, otherwise the company currency.",
    )
    amount = fields.Monetary(
        compute="_compute_amount",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Defaults to what is still due on the invoices, or on the whole customer.",
    )
    source = fields.Selection(SOURCES, required=True, default="manual", tracking=True)
    user_id = fields.Many2one(
        "res.users",
        required=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
    )

    @api.depends("move_ids.currency_id", "company_id")
    def _compute_currency_id(self):
        for record in self:
            currencies = record.move_ids.currency_id
            record.currency_id = (
                currencies if len(currencies) == 1 else record.company_id.currency_id
            )

    @api.depends("move_ids", "partner_id", "company_id")
    def _compute_amount(self):
        for record in self:
            moves = record.move_ids
            if moves and record.currency_id == moves.currency_id:
                record.amount = sum(moves.mapped("amount_residual"))
            elif moves:
                record.amount = sum(moves.mapped("amount_residual_signed"))
            elif record.partner_id and record.company_id:
                record.amount = max(
                    record.partner_id.with_company(record.company_id).ar_total_due, 0.0
                )
            else:
                record.amount = 0.0

    @api.constrains("partner_id", "move_ids")
    def _check_move_ids(self):
        for record in self:
            strangers = record.move_ids.filtered_domain(
                [
                    "|",
                    ("commercial_partner_id", "!=", record.partner_id.commercial_partner_id.id),
                    ("move_type", "not in", ("out_invoice", "out_receipt")),
                ]
            )
            if strangers:
                raise ValidationError(
                    self.env._(
                        "%(record)s can only cover customer invoices of %(partner)s, not %(moves)s.",
                        record=record.display_name,
                        partner=record.partner_id.display_name,
                        moves=strangers.mapped("display_name"),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        Partner = self.env["res.partner"]
        initial = self._ar_initial_system_values()
        for vals in vals_list:
            self._ar_check_system_fields(
                {
                    name: vals[name]
                    for name in initial
                    if name in vals and (vals[name] or False) != initial[name]
                }
            )
            # where every record starts, whatever defaults the client's context proposes:
            # the buttons move it on
            for name, value in initial.items():
                vals.setdefault(name, value)
            if vals.get("partner_id"):
                # always the commercial partner: a contact's dispute is the company's
                vals["partner_id"] = Partner.browse(vals["partner_id"]).commercial_partner_id.id
            if not vals.get("name") or vals["name"] == self.env._("New"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = company._ar_next_reference(self._name, self._ar_reference_prefix)
        return super().create(vals_list)

    def write(self, vals):
        self._ar_check_trail_write(vals)
        self._ar_check_system_fields(vals)
        if vals.get("partner_id"):
            vals["partner_id"] = (
                self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
            )
        return super().write(vals)

    def unlink(self):
        if not self._ar_may_rewrite_trail():
            raise AccessError(
                self.env._(
                    "%(records)s are part of the audit trail: only a system administrator "
                    "can delete them. Cancel them instead.",
                    records=self._description,
                )
            )
        return super().unlink()

    @api.model
    def _ar_check_system_fields(self, vals):
        """Refuse, outside the follow-up's own code (sudo), a value for a field it sets:
        the state moves through the buttons only, whatever a client sends over RPC."""
        system = sorted(set(vals) & set(self._ar_system_fields))
        if not system or self.env.su:
            return
        if "state" in system:
            raise AccessError(
                self.env._(
                    "The status of a %(record)s changes through its buttons only.",
                    record=self._description,
                )
            )
        raise AccessError(
            self.env._(
                "%(fields)s of %(records)s are set by the follow-up itself.",
                fields=", ".join(
                    self._fields[name].get_description(self.env)["string"] for name in system
                ),
                records=self._description,
            )
        )

    @api.model
    def _ar_initial_system_values(self):
        """``{field: value}`` where every record starts for the fields the follow-up sets
        (but its reference): their defaults in the code, not in a context."""
        values = {}
        for name in self._ar_system_fields:
            if name != "name":
                field = self._fields[name]
                values[name] = (field.default(self) if field.default else False) or False
        return values

    def _ar_may_rewrite_trail(self):
        return self.env.su or self.env.user.has_group("base.group_system")

    def _ar_check_trail_write(self, vals):
        """Refuse, below system administrator, a change of what was recorded (the locked
        fields) and any change of a closed record (its buttons act as the follow-up)."""
        if self._ar_may_rewrite_trail():
            return
        locked = sorted(set(vals) & set(self._ar_locked_fields))
        if locked:
            raise UserError(
                self.env._(
                    "%(fields)s of %(records)s cannot be changed once recorded (audit trail). "
                    "Cancel it and record a new one.",
                    fields=", ".join(
                        self._fields[name].get_description(self.env)["string"] for name in locked
                    ),
                    records=", ".join(self.mapped("display_name")),
                )
            )
        closed = self - self.filtered_domain(self._ar_get_open_domain())
        if closed:
            raise UserError(
                self.env._(
                    "%s is closed: it is part of the audit trail and cannot be changed.",
                    ", ".join(closed.mapped("display_name")),
                )
            )

    def _ar_system_write(self, vals):
        """Write ``vals`` (fields of ``_ar_system_fields`` among them) as the follow-up
        does, for a user allowed to write these records."""
        self.check_access("write")
        return self.sudo().write(vals)

    # -- what the cadence engine reads -------------------------------------

    @api.model
    def _ar_get_hold_domain(self, company, day):
        """Records of ``company`` that suspend reminders on ``day``."""
        raise NotImplementedError()

    @api.model
    def _ar_get_open_domain(self):
        """Records still open (counted on smart buttons), whatever the date."""
        raise NotImplementedError()

    def _ar_hold_reason(self):
        """Why reminders are suspended, as shown on the invoice and the customer."""
        raise NotImplementedError()

    @api.model
    def _ar_get_holds(self, company, day, partners=None):
        """``[(partner_id, move_ids, reason)]`` for the records in force, one search.

        Read as superuser: what suspends a reminder does not depend on who looks
        at the invoice; ``company`` scopes the result.
        """
        domain = self._ar_get_hold_domain(company, day)
        if partners is not None:
            domain += [("partner_id", "in", partners.ids)]
        records = self.sudo().search(domain, order="id")
        return [(r.partner_id.id, tuple(r.move_ids.ids), r._ar_hold_reason()) for r in records]

    @api.model
    def _ar_count_open_by_move(self, moves):
        """{move id: open records covering it by name or as the whole customer}."""
        domain = self._ar_get_open_domain()
        named = dict(
            self._read_group(domain + [("move_ids", "in", moves.ids)], ["move_ids"], ["__count"])
        )
        whole = {
            (partner.id, company.id): count
            for partner, company, count in self._read_group(
                domain
                + [("move_ids", "=", False), ("partner_id", "in", moves.commercial_partner_id.ids)],
                ["partner_id", "company_id"],
                ["__count"],
            )
        }
        return {
            move.id: named.get(move, 0)
            + whole.get((move.commercial_partner_id.id, move.company_id.id), 0)
            for move in moves
        }

    @api.model
    def _ar_count_open_by_partner(self, partners):
        """{commercial partner id: open records of that customer}."""
        return {
            partner.id: count
            for partner, count in self._read_group(
                self._ar_get_open_domain()
                + [("partner_id", "in", partners.commercial_partner_id.ids)],
                ["partner_id"],
                ["__count"],
            )
        }

    # -- chatter trail -----------------------------------------------------

    def _ar_log_on_covered(self, body):
        """Log ``body`` on every invoice this covers and on the customer.

        Logged, not posted: the trail is for whoever opens the invoice or the
        customer, not a notification; callers already checked their access.
        """
        for record in self:
            text = body(record) if callable(body) else body
            if record.move_ids:
                record.move_ids._message_log_batch({move.id: text for move in record.move_ids})
            record.partner_id._message_log_batch({record.partner_id.id: text})

    # -- actions -----------------------------------------------------------

    @api.model
    def _ar_action_open(self, domain, context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "ar_followup.%s_action" % self._table
        )
        action["domain"] = domain
        action["context"] = {**(context or {}), "search_default_filter_open": 1}
        return action

    @api.model
    def _ar_action_new(self, partner, moves=None):
        """The form of a new record prefilled for ``partner`` (and ``moves``), as a dialog."""
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": partner.commercial_partner_id.id,
                "default_company_id": (moves.company_id[:1] if moves else self.env.company).id,
                "default_move_ids": [fields.Command.set(moves.ids)] if moves else [],
            },
        }
