# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Demo data that tells a story: the receivables of Shakti Industrial Supplies.

Loaded only with demo data (``demo/ar_followup_demo.xml`` creates the company
and its customers, then calls :meth:`ArFollowupDemo._generate`); tests never
rely on it.

Every customer has a payment habit. Invoices are issued over the customer's
history and settled the way that habit says, so what is still unpaid today
*is* the open position, spread over the ageing buckets the way such habits
spread it: government buyers fill 61–90 and 90+, new customers pile up late
invoices, VIPs are never overdue, and the twelve-year strategic account has
one invoice stuck in 31–60. A few story beats are added by hand (instalments,
part payments, credit notes, a payment nobody can allocate yet). Dates are
relative to the day of install and the generator is seeded, so the story is
the same whenever it is loaded.
"""

import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, models

_logger = logging.getLogger(__name__)

SEED = 2014


@dataclass(frozen=True)
class Habit:
    """How a kind of customer buys and pays."""

    term: str  # payment term (xml id)
    term_days: int  # its number of days
    every: tuple  # (min, max) days between two invoices
    amount: tuple  # (min, max) untaxed amount, in rupees
    late: tuple = (0, 0)  # (min, max) days after the due date the customer pays
    pay_day: int = 0  # pays everything due on this day of the month (0: invoice by invoice)
    partial: float = 0.0  # chance an unpaid, overdue invoice got a part payment
    amc: float = 0.15  # chance an invoice is for the maintenance contract


HABITS = {
    "strategic_early": Habit(
        "account.account_payment_term_30days", 30, (80, 100), (150000, 400000), (-4, 0)
    ),
    "strategic": Habit(
        "account.account_payment_term_30days", 30, (22, 30), (300000, 850000), (-4, 0)
    ),
    "government": Habit(
        "account.account_payment_term_45days",
        45,
        (8, 12),
        (180000, 1200000),
        (50, 160),
        partial=0.12,
        amc=0.3,
    ),
    "vip": Habit("account.account_payment_term_30days", 30, (7, 12), (80000, 550000), (-6, 0)),
    "fixed_day": Habit("account.account_payment_term_30days", 30, (8, 13), (40000, 250000)),
    "new": Habit(
        "account.account_payment_term_15days",
        15,
        (5, 9),
        (12000, 85000),
        (12, 80),
        partial=0.2,
        amc=0.0,
    ),
    "regular": Habit("account.account_payment_term_30days", 30, (9, 16), (45000, 320000), (-2, 18)),
    "slow": Habit(
        "account.account_payment_term_30days", 30, (10, 16), (35000, 260000), (20, 48), partial=0.1
    ),
}

#: customer (xml id suffix of demo_partner_*) -> [(habit, from months ago, to months ago)]
CUSTOMERS = {
    # twelve years of business: a few large orders a year at first, two a month now
    "kaveri": [("strategic_early", 144, 24), ("strategic", 24, 0)],
    "mspdcl": [("government", 10, 0)],
    "gnmc": [("government", 9, 0)],
    "dis": [("government", 10, 0)],
    "gwsc": [("government", 9, 0)],
    "sahyadri": [("vip", 3, 0)],
    "narmada": [("vip", 3, 0)],
    "coromandel": [("vip", 3, 0)],
    "punjab_agro": [("vip", 3, 0)],
    "deccan": [("fixed_day", 5, 0)],
    "aravalli": [("fixed_day", 5, 0)],
    "hooghly": [("fixed_day", 5, 0)],
    "konkan": [("fixed_day", 4, 0)],
    "shree_ganesh": [("new", 5, 0)],
    "om_sai": [("new", 4, 0)],
    "balaji": [("new", 4, 0)],
    "lakshmi": [("new", 4, 0)],
    "maa_durga": [("new", 3, 0)],
    "royal": [("new", 3, 0)],
    "malabar": [("regular", 4, 0)],
    "ganga": [("regular", 3, 0)],
    "kalinga": [("slow", 5, 0)],
    "sabarmati": [("regular", 4, 0)],
    "brahmaputra": [("slow", 5, 0)],
    "chambal": [("slow", 4, 0)],
    "godavari": [("regular", 3, 0)],
    "mysore_silk": [("regular", 3, 0)],
    "shivalik": [("regular", 3, 0)],
    "indus": [("regular", 4, 0)],
    "vaigai": [("regular", 3, 0)],
}

#: the day of the month each fixed-day payer runs its payments
PAY_DAYS = {"deccan": 10, "aravalli": 25, "hooghly": 5, "konkan": 15}

#: unit prices of the hydraulic fittings lots, in rupees
FITTING_PRICES = (185, 240, 320, 475, 650, 1250)


def plan_invoices(today, rng):
    """The invoices of every customer's history, each with the day it was (or will be) paid.

    Pure Python: ``today`` is a date, ``rng`` a seeded :class:`random.Random`.
    Returns dicts with the customer key, invoice date, habit, product kind,
    quantity and unit price, and ``paid_on`` (a date, or None if still open
    today) and ``part`` (share already paid of an open invoice, 0 if none).

    >>> from datetime import date
    >>> plans = plan_invoices(date(2026, 6, 15), random.Random(SEED))
    >>> all(p["date"] <= date(2026, 6, 15) for p in plans)
    True
    >>> all(p["paid_on"] is None or p["paid_on"] <= date(2026, 6, 15) for p in plans)
    True
    >>> min(p["date"] for p in plans if p["customer"] == "kaveri") < date(2014, 7, 1)
    True
    >>> any(p["paid_on"] is None and p["due"] < date(2026, 6, 15) for p in plans
    ...     if p["customer"] in PAY_DAYS)  # fixed-day payers owe what fell due since their last run
    True
    >>> plans == plan_invoices(date(2026, 6, 15), random.Random(SEED))
    True
    """
    plans = []
    for customer, periods in CUSTOMERS.items():
        for habit_key, start, end in periods:
            habit = HABITS[habit_key]
            day = today - relativedelta(months=start) + timedelta(days=rng.randint(0, 7))
            while day <= today - relativedelta(months=end):
                plans.append(_plan_invoice(customer, habit, day, today, rng))
                day += timedelta(days=rng.randint(*habit.every))
    return plans


def _plan_invoice(customer, habit, day, today, rng):
    due = day + timedelta(days=habit.term_days)
    if customer in PAY_DAYS:
        paid_on = _next_day_of_month(due, PAY_DAYS[customer])
    else:
        paid_on = due + timedelta(days=rng.randint(*habit.late))
    paid_on = max(paid_on, day)
    if rng.random() < habit.amc:
        kind, price = (
            "amc",
            rng.randrange(habit.amount[0] // 1000, habit.amount[1] // 1000 + 1) * 1000,
        )
        quantity = 1
    else:
        kind, price = "fittings", rng.choice(FITTING_PRICES)
        quantity = max(1, round(rng.randint(*habit.amount) / price / 10) * 10)
    part = 0.0
    is_open = paid_on > today
    if is_open and due < today and rng.random() < habit.partial:
        part = rng.choice((0.25, 0.3, 0.4, 0.5, 0.6))
    return {
        "customer": customer,
        "habit": habit,
        "date": day,
        "due": due,
        "kind": kind,
        "quantity": quantity,
        "price": price,
        "paid_on": None if is_open else paid_on,
        "part": part,
        "ref": "PO/%s/%04d" % (customer[:3].upper(), rng.randint(1, 9999)),
    }


def _next_day_of_month(day, day_of_month):
    """The first ``day_of_month`` on or after ``day``.

    >>> from datetime import date
    >>> _next_day_of_month(date(2026, 6, 11), 10), _next_day_of_month(date(2026, 6, 10), 10)
    (datetime.date(2026, 7, 10), datetime.date(2026, 6, 10))
    """
    candidate = day.replace(day=day_of_month)
    return candidate if candidate >= day else candidate + relativedelta(months=1)


class ArFollowupDemo(models.AbstractModel):
    _name = "ar.followup.demo"
    _description = "AR Follow-up Demo Data"

    @api.model
    def _generate(self):
        """Give the demo company its chart, products, twelve years of invoices and today's position."""
        started = time.monotonic()
        company = self.env.ref("ar_followup.demo_company")
        demo = self.with_company(company).with_context(tracking_disable=True)
        if not company.chart_template:
            demo.env["account.chart.template"].try_loading(
                "generic_coa", company, install_demo=False
            )
        invoices = demo._demo_generate(company)
        self.env["res.company"]._cron_ar_refresh_ageing()
        _logger.info(
            "AR Follow-up demo: %d invoices for %s in %.1f s",
            len(invoices),
            company.name,
            time.monotonic() - started,
        )
        return True

    def _demo_generate(self, company):
        today = company._ar_today()
        context = {
            "company": company,
            "today": today,
            "sale_journal": self._demo_journal(company, "sale"),
            "bank_journal": self._demo_journal(company, "bank"),
            "products": self._demo_products(company, self._demo_tax(company)),
            "partners": {
                key: self.env.ref("ar_followup.demo_partner_%s" % key) for key in CUSTOMERS
            },
        }
        for key, periods in CUSTOMERS.items():
            term = self.env.ref(HABITS[periods[-1][0]].term)
            context["partners"][key].with_company(company).property_payment_term_id = term

        rng = random.Random(SEED)
        plans = sorted(plan_invoices(today, rng), key=lambda plan: plan["date"])
        invoices = self._demo_create_invoices(context, plans)
        self._demo_pay_history(context, plans, invoices)
        self._demo_pay_parts(context, plans, invoices, rng)
        return invoices | self._demo_story_beats(context)

    @api.model
    def _demo_tax(self, company):
        """An 18% GST on sales, made from the chart's default sales tax (l10n_in is not required)."""
        base_tax = company.account_sale_tax_id
        group = base_tax.tax_group_id.copy({"name": "GST 18%"})
        tax = base_tax.copy(
            {
                "name": "GST 18%",
                "description": "GST 18%",
                "invoice_label": "GST 18%",
                "amount": 18.0,
                "tax_group_id": group.id,
            }
        )
        company.account_sale_tax_id = tax
        return tax

    @api.model
    def _demo_products(self, company, tax):
        fittings, amc = self.env["product.product"].create(
            [
                {
                    "name": "Hydraulic fittings",
                    "type": "consu",
                    "list_price": 475.0,
                    "default_code": "HF-SS-316",
                    "company_id": company.id,
                    "taxes_id": [Command.set(tax.ids)],
                },
                {
                    "name": "Annual maintenance contract",
                    "type": "service",
                    "list_price": 120000.0,
                    "default_code": "AMC",
                    "company_id": company.id,
                    "taxes_id": [Command.set(tax.ids)],
                },
            ]
        )
        return {"fittings": fittings, "amc": amc}

    @api.model
    def _demo_journal(self, company, journal_type):
        return self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", journal_type)], limit=1
        )

    @api.model
    def _demo_invoice_vals(
        self, context, partner, invoice_date, lines, term=None, ref=False, move_type="out_invoice"
    ):
        """Values of a customer invoice; ``lines`` are (product, quantity, unit price[, label])."""
        return {
            "move_type": move_type,
            "partner_id": partner.id,
            "journal_id": context["sale_journal"].id,
            "invoice_date": invoice_date,
            "invoice_payment_term_id": term.id if term else False,
            "ref": ref,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "quantity": quantity,
                        "price_unit": price,
                        **({"name": label[0]} if label else {}),
                    }
                )
                for product, quantity, price, *label in lines
            ],
        }

    @api.model
    def _demo_create_invoices(self, context, plans):
        """Create and post every planned invoice in one batch (oldest first, so numbers follow dates)."""
        terms = {}
        vals_list = []
        for plan in plans:
            term = terms.setdefault(plan["habit"].term, self.env.ref(plan["habit"].term))
            vals_list.append(
                self._demo_invoice_vals(
                    context,
                    context["partners"][plan["customer"]],
                    plan["date"],
                    [(context["products"][plan["kind"]], plan["quantity"], plan["price"])],
                    term=term,
                    ref=plan["ref"],
                )
            )
        invoices = self.env["account.move"].create(vals_list)
        invoices.action_post()
        return invoices

    @api.model
    def _demo_pay_history(self, context, plans, invoices):
        """Settle the paid invoices with bank receipts, one per customer and day, in one batch.

        Journal entries in the bank journal reconciled with the invoices, as a
        bank reconciliation leaves them: creating hundreds of account.payment
        records, which post one by one, would multiply the install time.
        """
        bank = context["bank_journal"]
        groups = defaultdict(lambda: self.env["account.move"])
        for plan, invoice in zip(plans, invoices, strict=True):
            if plan["paid_on"]:
                groups[invoice.commercial_partner_id, plan["paid_on"]] |= invoice
        receivables = []
        vals_list = []
        for (partner, day), paid in sorted(groups.items(), key=lambda item: item[0][1]):
            lines = paid.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
            receivables.append(lines)
            amount = sum(lines.mapped("amount_residual"))
            label = "NEFT %s: %s" % (partner.name, ", ".join(paid.mapped("name")))
            vals_list.append(
                {
                    "move_type": "entry",
                    "journal_id": bank.id,
                    "date": day,
                    "ref": label,
                    "line_ids": [
                        Command.create(
                            {
                                "account_id": bank.default_account_id.id,
                                "partner_id": partner.id,
                                "debit": amount,
                                "name": label,
                            }
                        ),
                        Command.create(
                            {
                                "account_id": lines.account_id[:1].id,
                                "partner_id": partner.id,
                                "credit": amount,
                                "name": label,
                            }
                        ),
                    ],
                }
            )
        receipts = self.env["account.move"].create(vals_list)
        receipts.action_post()
        plan = []
        for receipt, lines in zip(receipts, receivables, strict=True):
            counterpart = receipt.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            )
            plan.append(lines + counterpart)
        self.env["account.move.line"]._reconcile_plan(plan)
        # Posting a paid-long-ago invoice today records its entry into an ageing
        # bucket today; it never was open in this story, so drop those rows.
        paid = self.env["account.move"].concat(*groups.values())
        self.env["ar.followup.bucket.transition"].search([("move_id", "in", paid.ids)]).unlink()
        return receipts

    @api.model
    def _demo_pay_parts(self, context, plans, invoices, rng):
        """Open invoices the customer paid part of, through the payment wizard as a user would."""
        for plan, invoice in zip(plans, invoices, strict=True):
            if plan["part"]:
                pay_day = min(plan["due"] + timedelta(days=rng.randint(0, 10)), context["today"])
                self._demo_register_payment(
                    invoice, round(invoice.amount_total * plan["part"], -3), pay_day
                )

    @api.model
    def _demo_register_payment(self, invoice, amount, day, memo=None):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "amount": amount,
                    "payment_date": day,
                    "payment_difference_handling": "open",
                    **({"communication": memo} if memo else {}),
                }
            )
            ._create_payments()
        )

    @api.model
    def _demo_story_beats(self, context):
        """What the payment habits would not tell on their own. Returns the invoices and credit notes."""
        partners = context["partners"]
        fittings, amc = context["products"]["fittings"], context["products"]["amc"]
        split = self.env.ref("ar_followup.demo_payment_term_50_50")
        net_30 = self.env.ref("account.account_payment_term_30days")
        net_45 = self.env.ref("account.account_payment_term_45days")
        net_15 = self.env.ref("account.account_payment_term_15days")

        def ago(days):
            return context["today"] - timedelta(days=days)

        def invoice(key, days, lines, term, ref):
            return self._demo_invoice_vals(
                context, partners[key], ago(days), lines, term=term, ref=ref
            )

        def credit_note(key, days, label, amount, ref):
            return self._demo_invoice_vals(
                context,
                partners[key],
                ago(days),
                [(fittings, 1, amount, label)],
                ref=ref,
                move_type="out_refund",
            )

        beats = {
            # twelve years of paying on time, and now one lot is disputed: 38 days overdue
            "kaveri_stuck": invoice(
                "kaveri", 68, [(fittings, 1500, 650)], net_30, "KEW/PO/2026/4471"
            ),
            # projects billed in two instalments (50% at 30 days, 50% at 60 days)
            "kaveri_split": invoice(
                "kaveri",
                25,
                [
                    (
                        fittings,
                        1,
                        1450000,
                        "Hydraulic power pack with fittings: supply and commissioning",
                    )
                ],
                split,
                "KEW/PO/2026/4530",
            ),
            "mspdcl_split": invoice(
                "mspdcl",
                100,
                [
                    (
                        fittings,
                        1,
                        1800000,
                        "Substation hydraulic fittings: rate contract RC/2025/117",
                    )
                ],
                split,
                "MSPDCL/RC/2025/117",
            ),
            "gwsc_split": invoice(
                "gwsc",
                20,
                [
                    (
                        amc,
                        1,
                        960000,
                        "Pumping stations: annual maintenance contract, first half",
                    )
                ],
                split,
                "GWSC/WO/2026/031",
            ),
            "om_sai_split": invoice("om_sai", 75, [(fittings, 400, 320)], split, "OSE/2026/019"),
            # the municipal corporation's oldest bill, part paid after a budget release
            "gnmc_oldest": invoice(
                "gnmc",
                285,
                [(amc, 1, 640000, "Water works: annual maintenance contract")],
                net_45,
                "GNMC/WW/AMC/2025",
            ),
            "gnmc_rate": invoice("gnmc", 120, [(fittings, 900, 475)], net_45, "GNMC/PWD/2026/044"),
            "balaji_damaged": invoice("balaji", 57, [(fittings, 200, 240)], net_15, "BTT/2026/007"),
        }
        moves = self.env["account.move"].create(list(beats.values()))
        moves.action_post()
        beat = dict(zip(beats, moves, strict=True))

        # half of an instalment invoice paid: the first instalment is settled, the second runs late
        self._demo_register_payment(
            beat["om_sai_split"], beat["om_sai_split"].amount_total / 2, ago(40)
        )
        self._demo_register_payment(
            beat["gnmc_oldest"], 250000, ago(150), memo="Part release, budget head 2215"
        )

        credit_notes = self.env["account.move"].create(
            [
                credit_note(
                    "gnmc",
                    30,
                    "Rate difference: revised L1 rate",
                    34200,
                    "Against %s" % beat["gnmc_rate"].name,
                ),
                credit_note(
                    "balaji",
                    35,
                    "Goods returned: damaged in transit",
                    9600,
                    "Against %s" % beat["balaji_damaged"].name,
                ),
                credit_note("coromandel", 12, "Volume rebate, last quarter", 48000, "Rebate Q4"),
                credit_note("malabar", 9, "Short supply against PO", 9250, "Short supply"),
            ]
        )
        credit_notes.action_post()
        # the first two are applied to the invoices they correct; the others wait to be used
        for refund, corrected in zip(
            credit_notes[:2], (beat["gnmc_rate"], beat["balaji_damaged"]), strict=True
        ):
            (refund + corrected).line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            ).reconcile()

        # money in the bank that nobody can match yet: the remittance advice never came
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partners["indus"].id,
                "amount": 150000.0,
                "date": ago(6),
                "journal_id": context["bank_journal"].id,
                "memo": "NEFT UTR HDFCN52026061412, remittance advice awaited",
            }
        )
        payment.action_post()

        # why the strategic account is late, and a government buyer's word on its instalment
        self.env["ar.followup.dispute"].create(
            {
                "partner_id": partners["kaveri"].id,
                "company_id": context["company"].id,
                "move_ids": [Command.set(beat["kaveri_stuck"].ids)],
                "reason": "quality",
                "source": "email",
                "date_raised": ago(30),
                "amount": 230100.0,
                "description": "<p>Two lots of 316 stainless fittings failed the pressure test at the "
                "Peenya plant. Payment of the invoice is held until the replacements "
                "are accepted.</p>",
            }
        ).action_start_review()
        self.env["ar.followup.promise"].create(
            {
                "partner_id": partners["mspdcl"].id,
                "company_id": context["company"].id,
                "move_ids": [Command.set(beat["mspdcl_split"].ids)],
                "source": "call",
                "date": ago(3),
                "date_promised": ago(-7),
                "amount": beat["mspdcl_split"].amount_total / 2,
                "note": "The executive engineer says the bill is passed; the first instalment goes "
                "in next week's payment run.",
            }
        )
        return moves | credit_notes
