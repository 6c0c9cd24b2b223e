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

A rendering is bounded (:data:`LIMITS`): a template runs for every reminder of a
batch, so a slip such as a loop in a loop must not hold a dispatcher or a
preview for minutes, nor fill its memory.

>>> render("{% for i in range(200) %}{% for j in range(200) %}{% endfor %}{% endfor %}", {})
Traceback (most recent call last):
...
odoo.addons.ar_followup.tools.render.LimitExceeded: more than 10000 loop iterations
>>> render("{{ 'x' * 20000000 }}", {})
Traceback (most recent call last):
...
odoo.addons.ar_followup.tools.render.LimitExceeded: a text or list longer than 100000
"""

import contextvars
import operator
import time
from collections import namedtuple
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes, pass_context
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .money import format_money

TemplateProblem = namedtuple("TemplateProblem", "line message")

#: what one rendering may do: ``iterations`` of ``range`` loops, ``sequence`` the
#: longest text or list an operator or a text method builds, ``exponent`` the largest
#: power, ``output`` characters in all, ``seconds`` of work
LIMITS = {
    "iterations": 10_000,
    "sequence": 100_000,
    "exponent": 100,
    "output": 1_000_000,
    "seconds": 2.0,
}
#: the budget of the rendering under way (see :func:`render`)
_BUDGET = contextvars.ContextVar("ar_followup_render_budget", default=None)


class LimitExceeded(Exception):
    """A template went past one of :data:`LIMITS`."""


class _Budget:
    """What is left to a rendering of :data:`LIMITS`."""

    __slots__ = ("deadline", "iterations")

    def __init__(self):
        self.deadline = time.monotonic() + LIMITS["seconds"]
        self.iterations = 0

    def tick(self, count=1):
        self.iterations += count
        if self.iterations > LIMITS["iterations"]:
            raise LimitExceeded("more than %s loop iterations" % LIMITS["iterations"])
        if time.monotonic() > self.deadline:
            raise LimitExceeded("longer than %s seconds" % LIMITS["seconds"])


def _budget():
    return _BUDGET.get() or _Budget()


def _check_size(value):
    if isinstance(value, (str, list, tuple)) and len(value) > LIMITS["sequence"]:
        raise LimitExceeded("a text or list longer than %s" % LIMITS["sequence"])
    return value


def _range(*args):
    """``range`` counted against the rendering's iterations."""
    budget = _budget()
    for value in range(*args):
        budget.tick()
        yield value


#: what a template context carries for money formatting when the reminder gives nothing else
CURRENCY_INR = {"code": "INR", "symbol": "₹", "position": "before", "decimals": 2}


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, failing loudly on unsafe attributes instead of yielding an undefined value."""

    intercepted_binops = frozenset({"*", "**"})

    def unsafe_undefined(self, obj, attribute):
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe."
        )

    def call_binop(self, context, operator_, left, right):
        """``*`` and ``**`` within :data:`LIMITS`, checked before they compute."""
        if operator_ == "**":
            if isinstance(right, (int, float)) and abs(right) > LIMITS["exponent"]:
                raise LimitExceeded("a power above %s" % LIMITS["exponent"])
            return operator.pow(left, right)
        for sequence, count in ((left, right), (right, left)):
            if (
                isinstance(sequence, (str, list, tuple))
                and isinstance(count, int)
                and len(sequence) * count > LIMITS["sequence"]
            ):
                raise LimitExceeded("a text or list longer than %s" % LIMITS["sequence"])
        return operator.mul(left, right)

    def call(self, context, obj, /, *args, **kwargs):
        """Calls as the sandbox makes them; what a text method returns within :data:`LIMITS`
        (``'x'.center(10**8)``): its size is checked from its arguments first."""
        if isinstance(getattr(obj, "__self__", None), str):
            for arg in (*args, *kwargs.values()):
                if isinstance(arg, int) and arg > LIMITS["sequence"]:
                    raise LimitExceeded("a text or list longer than %s" % LIMITS["sequence"])
        return _check_size(super().call(context, obj, *args, **kwargs))


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
    env.globals["range"] = _range
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
    return _check_limits(ast)


def _check_limits(ast):
    """The first of :data:`LIMITS` that ``ast`` passes with constants, or None.

    >>> _check_limits(make_environment().parse("{% for i in range(1, 50000) %}{% endfor %}"))
    TemplateProblem(line=1, message='more than 10000 loop iterations')
    >>> _check_limits(make_environment().parse("{{ 2 ** 1000 }}{{ '-' * 40 }}"))
    TemplateProblem(line=1, message='a power above 100')
    """
    for node in ast.find_all((nodes.Call, nodes.Pow, nodes.Mul)):
        constants = [
            arg.value
            for arg in (node.args if isinstance(node, nodes.Call) else (node.left, node.right))
            if isinstance(arg, nodes.Const) and isinstance(arg.value, int)
        ]
        if not constants:
            continue
        if isinstance(node, nodes.Call):
            is_range = isinstance(node.node, nodes.Name) and node.node.name == "range"
            if is_range and len(range(*constants[:3])) > LIMITS["iterations"]:
                return TemplateProblem(
                    node.lineno, "more than %s loop iterations" % LIMITS["iterations"]
                )
        elif isinstance(node, nodes.Pow):
            if isinstance(node.right, nodes.Const) and abs(constants[-1]) > LIMITS["exponent"]:
                return TemplateProblem(node.lineno, "a power above %s" % LIMITS["exponent"])
        elif max(constants) > LIMITS["sequence"]:
            return TemplateProblem(
                node.lineno, "a text or list longer than %s" % LIMITS["sequence"]
            )
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
    token = _BUDGET.set(_Budget())
    try:
        budget, output, size = _BUDGET.get(), [], 0
        for chunk in _compile(source or "", html).generate(context):
            size += len(chunk)
            if size > LIMITS["output"]:
                raise LimitExceeded("more than %s characters" % LIMITS["output"])
            budget.tick(0)
            output.append(chunk)
        return "".join(output)
    finally:
        _BUDGET.reset(token)


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
    >>> render_problem("{{ due | date }}", {"due": "2026-06-15"})
    (None, TemplateProblem(line=1, message="'str' object has no attribute 'strftime'"))
    >>> render_problem("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", {})[1].message
    'maximum recursion depth exceeded'
    """
    try:
        return render(source, context, html=html), None
    except TemplateSyntaxError as error:
        return None, TemplateProblem(error.lineno, error.message)
    except RecursionError as error:
        return None, TemplateProblem(_error_line(error), "maximum recursion depth exceeded")
    except Exception as error:  # noqa: BLE001 - whatever a template does wrong is its problem
        return None, TemplateProblem(_error_line(error), str(error) or type(error).__name__)


def _error_line(error):
    """The template line of a rendering error, from the traceback Jinja2 rewrites."""
    tb = error.__traceback__
    line = 1
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
