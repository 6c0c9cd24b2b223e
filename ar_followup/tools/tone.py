# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Tone selection, free of the ORM.

Reminders are written in one of a few tones, ordered from the gentlest to the
firmest (Gentle, Neutral, Firm, Formal). Which one a customer gets is decided by
ordered rules over what we know of the customer, its *facts*:

``relationship_years``
    years since the customer's first invoice (``None``: never invoiced);
``late_invoices``
    invoices due in the last 12 months that were paid late or are overdue;
``avg_days_late``
    average whole days past due of the invoices paid in the last 12 months
    (an invoice paid on time counts 0; ``None``: nothing paid);
``segment_id``, ``segment_name``, ``segment_tone``
    the customer's segment and its default tone.

A rule is a dict with a ``name``, a ``tone`` and optional conditions. Lower
bounds (``min_*``) are inclusive, upper bounds (``max_*``) exclusive, and 0 or
``None`` means no bound (a "fewer than 0" bound could never match, so 0 is
free to mean "any"). ``segment_ids`` limits a rule to some segments. A
condition on a fact that is unknown (``None``) does not match.

The first matching rule wins; without one, the segment's default tone, else
``default``:

>>> rules = [
...     {"name": "Government", "tone": "formal", "segment_ids": [4]},
...     {"name": "Long-standing, rarely late", "tone": "gentle",
...      "min_relationship_years": 5, "max_late_invoices": 2},
...     {"name": "New and often late", "tone": "firm",
...      "max_relationship_years": 1, "min_late_invoices": 3},
...     {"name": "Pays over a month late", "tone": "firm", "min_avg_days_late": 31},
... ]
>>> loyal = {"relationship_years": 12.04, "late_invoices": 1, "avg_days_late": 10, "segment_id": 1}
>>> choose_tone(loyal, rules)
('gentle', "Rule 'Long-standing, rarely late': customer for 12 years, 1 late invoice in 12 months")
>>> choose_tone({"relationship_years": 0.4, "late_invoices": 3, "avg_days_late": None}, rules)
('firm', "Rule 'New and often late': customer for 4 months, 3 late invoices in 12 months")
>>> choose_tone({"relationship_years": 12, "late_invoices": 0, "segment_id": 4,
...              "segment_name": "Government"}, rules)
('formal', "Rule 'Government': segment Government")
>>> choose_tone({"relationship_years": 2, "late_invoices": 2, "avg_days_late": 45}, rules)
('firm', "Rule 'Pays over a month late': 45 days late on average")
>>> choose_tone({"relationship_years": 2, "late_invoices": 0, "avg_days_late": 3,
...              "segment_name": "Standard", "segment_tone": "neutral"}, rules)
('neutral', "No rule matched: default tone of segment 'Standard'")
>>> choose_tone({}, rules, default="neutral")
('neutral', 'No rule matched')

A customer who broke promises to pay gets a firmer tone, one step per broken
promise, up to the firmest:

>>> order = ["gentle", "neutral", "firm", "formal"]
>>> [escalate("gentle", steps, order) for steps in (0, 1, 2, 5)]
['gentle', 'neutral', 'firm', 'formal']
"""

from math import floor

#: behaviour facts cover this many days back from today ("the last 12 months")
WINDOW_DAYS = 365

#: (lower bound key, upper bound key, fact key) of the numeric conditions
NUMERIC_CONDITIONS = [
    ("min_relationship_years", "max_relationship_years", "relationship_years"),
    ("min_late_invoices", "max_late_invoices", "late_invoices"),
    ("min_avg_days_late", "max_avg_days_late", "avg_days_late"),
]


def _no_translation(source, *args, **kwargs):
    """Stand-in for ``env._`` when called without an environment."""
    params = args or kwargs
    return source % params if params else source


def cached_gettext(gettext):
    """``gettext`` looking each source text up once: for a batch of thousands of
    customers whose reasons repeat the same few sentences.

    >>> calls = []
    >>> _ = cached_gettext(lambda source: calls.append(source) or "<" + source + ">")
    >>> _("%s late invoices", 3), _("%s late invoices", 4), len(calls)
    ('<3 late invoices>', '<4 late invoices>', 1)
    """
    translations = {}

    def translate(source, *args, **kwargs):
        if source not in translations:
            translations[source] = gettext(source)
        return _no_translation(translations[source], *args, **kwargs)

    return translate


def relationship_years(start, today):
    """Years (fractional) from the first invoice to ``today``; ``None`` if never invoiced.

    >>> from datetime import date
    >>> relationship_years(date(2014, 6, 1), date(2026, 6, 15))
    12.04
    >>> relationship_years(None, date(2026, 6, 15)) is None
    True
    """
    if not start:
        return None
    return round(max((today - start).days, 0) / 365.25, 2)


def rule_matches(rule, facts):
    """Whether every condition of ``rule`` holds for ``facts``.

    >>> rule_matches({"min_late_invoices": 3}, {"late_invoices": 3})
    True
    >>> rule_matches({"max_late_invoices": 1}, {"late_invoices": 1})
    False
    >>> rule_matches({"max_late_invoices": 0}, {"late_invoices": 12})
    True
    >>> rule_matches({"min_avg_days_late": 31}, {"avg_days_late": None})
    False
    >>> rule_matches({"segment_ids": [2, 3]}, {"segment_id": 1})
    False
    >>> rule_matches({}, {})
    True
    """
    for low_key, high_key, fact_key in NUMERIC_CONDITIONS:
        low, high = rule.get(low_key) or 0, rule.get(high_key) or 0
        if not (low or high):
            continue
        value = facts.get(fact_key)
        if value is None or (low and value < low) or (high and value >= high):
            return False
    segment_ids = rule.get("segment_ids")
    return not segment_ids or facts.get("segment_id") in segment_ids


# Plain Python without an environment: the caller passes its ``env._`` as ``_`` /
# ``gettext``, so the strings below are still extracted and translated.
# pylint: disable=prefer-env-translation


def _years_label(years, _):
    if years >= 1:
        whole = floor(years)
        return _("customer for 1 year") if whole == 1 else _("customer for %s years", whole)
    months = floor(years * 12)
    if not months:
        return _("customer for less than a month")
    return _("customer for 1 month") if months == 1 else _("customer for %s months", months)


def describe_facts(rule, facts, gettext=None):
    """The facts a rule looked at, as a user reads them.

    >>> describe_facts({"min_late_invoices": 3, "min_avg_days_late": 31},
    ...                {"late_invoices": 4, "avg_days_late": 40})
    '4 late invoices in 12 months, 40 days late on average'
    """
    _ = gettext or _no_translation
    parts = []
    if rule.get("min_relationship_years") or rule.get("max_relationship_years"):
        parts.append(_years_label(facts["relationship_years"], _))
    if rule.get("min_late_invoices") or rule.get("max_late_invoices"):
        count = facts["late_invoices"]
        parts.append(
            _("1 late invoice in 12 months")
            if count == 1
            else _("%s late invoices in 12 months", count)
        )
    if rule.get("min_avg_days_late") or rule.get("max_avg_days_late"):
        days = facts["avg_days_late"]
        parts.append(
            _("1 day late on average") if days == 1 else _("%s days late on average", days)
        )
    if rule.get("segment_ids"):
        parts.append(_("segment %s", facts.get("segment_name") or facts.get("segment_id")))
    return ", ".join(parts)


def describe_conditions(rule, gettext=None):
    """A rule's conditions in words, for the rule list.

    >>> describe_conditions({"min_relationship_years": 5, "max_late_invoices": 2})
    'customer for at least 5 years, fewer than 2 late invoices in 12 months'
    >>> describe_conditions({"max_relationship_years": 1, "min_avg_days_late": 31, "max_avg_days_late": 60})
    'customer for less than a year, 31 to 59 days late on average'
    >>> describe_conditions({})
    'always'
    """
    _ = gettext or _no_translation

    def number(value):
        return ("%g" % value) if isinstance(value, float) else str(value)

    parts = []
    low, high = rule.get("min_relationship_years"), rule.get("max_relationship_years")
    if low and high:
        parts.append(
            _("customer for %(low)s to %(high)s years", low=number(low), high=number(high))
        )
    elif low:
        parts.append(_("customer for at least %s years", number(low)))
    elif high == 1:
        parts.append(_("customer for less than a year"))
    elif high:
        parts.append(_("customer for less than %s years", number(high)))
    low, high = rule.get("min_late_invoices"), rule.get("max_late_invoices")
    if low and high:
        parts.append(_("%(low)s to %(high)s late invoices in 12 months", low=low, high=high - 1))
    elif low:
        parts.append(_("at least %s late invoices in 12 months", low))
    elif high:
        parts.append(_("fewer than %s late invoices in 12 months", high))
    low, high = rule.get("min_avg_days_late"), rule.get("max_avg_days_late")
    if low and high:
        parts.append(_("%(low)s to %(high)s days late on average", low=low, high=high - 1))
    elif low:
        parts.append(_("at least %s days late on average", low))
    elif high:
        parts.append(_("fewer than %s days late on average", high))
    if rule.get("segment_names"):
        parts.append(_("segment %s", " / ".join(rule["segment_names"])))
    return ", ".join(parts) or _("always")


def choose_tone(facts, rules, default=None, gettext=None):
    """``(tone, reason)``: the tone of the first rule matching ``facts``, and why.

    ``rules`` are tried in order. Without a match, the segment's default tone
    (``facts["segment_tone"]``), else ``default``. ``gettext`` translates the
    reason (``env._``); without it the reason is in English.
    """
    _ = gettext or _no_translation
    for rule in rules:
        if rule_matches(rule, facts):
            described = describe_facts(rule, facts, gettext)
            if described:
                return rule["tone"], _(
                    "Rule '%(rule)s': %(facts)s", rule=rule["name"], facts=described
                )
            return rule["tone"], _("Rule '%s'", rule["name"])
    if facts.get("segment_tone"):
        return facts["segment_tone"], _(
            "No rule matched: default tone of segment '%s'", facts.get("segment_name")
        )
    return default, _("No rule matched")


def escalate(tone, steps, order):
    """``tone`` made ``steps`` firmer along ``order`` (gentlest first), capped at the firmest.

    >>> escalate("firm", 1, ["gentle", "neutral", "firm", "formal"])
    'formal'
    >>> escalate("unknown", 2, ["gentle", "neutral"])
    'unknown'
    """
    if not steps or tone not in order:
        return tone
    return order[min(order.index(tone) + steps, len(order) - 1)]
