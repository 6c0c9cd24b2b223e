# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reminder templates: Jinja2's immutable sandbox, strict about unknown names.

Templates are edited by AR managers, not developers, so they only ever see
plain data (dicts, lists, strings, numbers, dates) built by the reminder from
the records: never an ORM record, so nothing in a template can write, unlink
or reach the database, and the data is built afresh for each rendering.
The sandbox refuses attributes starting with an underscore and the usual
mutating methods; :class:`jinja2.StrictUndefined` makes an
unknown variable an error instead of an empty string.

>>> render("Dear {{ customer.name }}, {{ total_due | money }} is due.",
...        {"customer": {"name": "Kaveri"}, "total_due": 125000, "currency": CURRENCY_INR})
'Dear Kaveri, ₹1,25,000.00 is due.'
>>> check("Dear {{ customer.name }", {"customer"})
TemplateProblem(line=1, message="unexpected '}'")
>>> check("Dear {{ custmer.name }}", {"customer"})
TemplateProblem(line=1, message="unknown variable 'custmer'")
>>> render("{{ ''.__class__.__mro__ }}", {})
Traceback (most recent call last):
...
jinja2.exceptions.SecurityError: access to attribute '__class__' of 'str' object is unsafe.
"""

from collections import namedtuple
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes, pass_context
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .money import format_money

TemplateProblem = namedtuple("TemplateProblem", "line message")

#: what a template context carries for money formatting when the reminder gives nothing else
CURRENCY_INR = {"code": "INR", "symbol": "₹", "position": "before", "decimals": 2}


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, failing loudly on unsafe attributes instead of yielding an undefined value."""

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe."
        )


def _money(context, amount, currency=None):
    return money(amount, currency or context.get("currency"))


def money(amount, currency=None):
    """``amount`` written in ``currency`` (a dict like :data:`CURRENCY_INR`, the default)."""
    currency = currency or CURRENCY_INR
    return format_money(
        amount or 0.0,
        currency["code"],
        currency["symbol"],
        position=currency.get("position", "before"),
        decimals=currency.get("decimals", 2),
    )


def _date(value, fmt="%d %b %Y"):
    """``{{ invoice.due_date | date }}`` gives 15 Jun 2026."""
    return value.strftime(fmt) if value else ""


def make_environment(html=False):
    """A fresh sandboxed environment; ``html`` escapes every value (e-mail bodies)."""
    env = _Environment(
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["money"] = pass_context(_money)
    env.filters["date"] = _date
    return env


def check(source, known_names, html=False):
    """None if ``source`` compiles and uses only ``known_names`` at top level, else the problem.

    >>> check("{% for inv in invoices %}{{ inv.number }}{% endfor %}", {"invoices"}) is None
    True
    >>> check("line one\\n{% if x %}\\nno end", {"x"})
    TemplateProblem(line=3, message="Unexpected end of template. Jinja was looking for the \
following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.")
    """
    env = make_environment(html=html)
    try:
        ast = env.parse(source or "")
    except TemplateSyntaxError as error:
        return TemplateProblem(error.lineno, error.message)
    unknown = sorted(meta.find_undeclared_variables(ast) - set(known_names) - set(env.globals))
    if unknown:
        return TemplateProblem(_first_line(ast, unknown[0]), f"unknown variable {unknown[0]!r}")
    return None


def _first_line(ast, name):
    for node in ast.find_all(nodes.Name):
        if node.name == name:
            return node.lineno
    return 1


def render(source, context, html=False):
    """Render ``source`` with ``context`` (plain data). Raises Jinja2's errors as they are.

    >>> render("{{ invoices | length }} invoice(s), first {{ invoices[0].number }}",
    ...        {"invoices": [{"number": "INV/2026/0001"}]})
    '1 invoice(s), first INV/2026/0001'
    >>> render("{{ name }}", {"name": "<b>A & B</b>"}, html=True)
    '&lt;b&gt;A &amp; B&lt;/b&gt;'
    >>> render("{{ invoices.append(1) }}", {"invoices": []})
    Traceback (most recent call last):
    ...
    jinja2.exceptions.SecurityError: access to attribute 'append' of 'list' object is unsafe.
    """
    return _compile(source or "", html).render(context)


@lru_cache(maxsize=256)
def _compile(source, html):
    """The compiled template of ``source``, kept per process: compiling costs more than
    rendering, and a batch renders the same few templates hundreds of times. The
    environment holds no state a rendering could change (immutable sandbox)."""
    return make_environment(html=html).from_string(source)


def render_problem(source, context, html=False):
    """Render with ``context``; return ``(output, None)`` or ``(None, TemplateProblem)``.

    >>> render_problem("Dear {{ customer.name }},\\n{{ customer.nickname }}", {"customer": {"name": "K"}})
    (None, TemplateProblem(line=2, message="'dict object' has no attribute 'nickname'"))
    """
    try:
        return render(source, context, html=html), None
    except TemplateSyntaxError as error:
        return None, TemplateProblem(error.lineno, error.message)
    except (UndefinedError, SecurityError, TypeError, ValueError, ArithmeticError) as error:
        return None, TemplateProblem(_error_line(error), str(error))


def _error_line(error):
    """The template line of a rendering error, from the traceback Jinja2 rewrites."""
    tb = error.__traceback__
    line = 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
