# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""`make upgrade-check`, step 4: compare a BASE database with its upgraded copy.

    upgrade_check.py [--allow FILE] [--save DIR] BEFORE_DB AFTER_DB

Snapshots both databases, prints the record count of every model in scope
(before, after), then every difference, and exits 1 when a record disappeared,
a stored value changed, a stored field is gone or a record lost chatter, unless
the allow-list file says the difference is intended (format below, and in
setup/upgrade-allow.txt).

In scope: the models of the three addons (``ir.model`` records of theirs, and
every ``ar.followup.*`` model); every stored field of the ``ar.followup.*``
models and the fields the addons add to other models (``ar_*``, or an
``ir.model.fields`` record of theirs), such as those of customers, companies
and invoices; ``ir.config_parameter`` keys starting with ``ar_followup``; the
messages, activities and attachments of each record of those models. Records
are keyed by their XML id where they have one, else by ``#id`` (``-u`` keeps
ids). Wizards (transient models) are left out: nothing of theirs is meant to
last. SQL views (the ageing report) are counted but not compared record by
record: their rows are computed from the tables, which are.

The databases are read with SQL, never through Odoo: the same code reads a
database of any revision, and a field the upgrade lost is seen as the column
it was.

Allow-list lines (a line starting with ``#`` is a comment)::

    field MODEL.FIELD -> MODEL2.FIELD2   moved or renamed: its values are compared there
    field MODEL.FIELD -> -               dropped on purpose: its values may go
    model MODEL -> MODEL2                renamed: records and fields compared under the new name
    model MODEL -> -                     dropped on purpose: its records may go
    value MODEL.FIELD OLD -> NEW         a value that may change into another (a selection
                                         renamed); OLD and NEW are JSON or bare words, * any
    gone MODEL KEY                       a record that may disappear (KEY: xml id or #id, * any)
"""

import argparse
import datetime
import decimal
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import psycopg2
from psycopg2 import sql

ADDONS = ["ar_followup", "ar_followup_whatsapp", "ar_followup_telephony"]
#: not compared: the id is the record's key, the others are rewritten on every
#: record a data file of the upgraded addons touches
SKIPPED_FIELDS = {"id", "write_date", "write_uid"}
#: how many records each difference shows by name
SHOWN = 5


# snapshot ---------------------------------------------------------------------------


def _jsonable(value):
    """A column value as JSON can hold it, equal before and after when the value is."""
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value.normalize())
    if isinstance(value, memoryview | bytes):
        return "<%d bytes>" % len(value)
    return value


def _scope_models(cr):
    """{model: {"table": name, "kind": "table" | "view" | "no table"}}, wizards and
    abstract models left out. A model's table is found by Odoo's default name."""
    cr.execute(
        """
        SELECT m.model, replace(m.model, '.', '_'), c.relkind
          FROM ir_model m
          LEFT JOIN pg_class c ON c.relname = replace(m.model, '.', '_')
                              AND c.relnamespace = 'public'::regnamespace
         WHERE NOT coalesce(m.transient, FALSE) AND NOT coalesce(m.abstract, FALSE)
           AND (m.model LIKE 'ar.followup.%%'
                OR m.id IN (SELECT res_id FROM ir_model_data
                             WHERE model = 'ir.model' AND module = ANY(%s)))
        """,
        [ADDONS],
    )
    kinds = {"r": "table", "p": "table", "v": "view", "m": "view"}
    return {
        model: {"table": table, "kind": kinds.get(kind, "no table")}
        for model, table, kind in cr.fetchall()
    }


def _scope_fields(cr, models):
    """{model: {field: {"type": ttype[, "relation": [table, column1, column2]]}}} of the
    stored fields in scope (``relation`` for many2many)."""
    cr.execute(
        """
        SELECT f.model, f.name, f.ttype, f.relation_table, f.column1, f.column2
          FROM ir_model_fields f
         WHERE f.store AND f.ttype <> 'one2many' AND f.model = ANY(%s)
           AND (f.model LIKE 'ar.followup.%%' OR f.name LIKE 'ar\\_%%'
                OR f.id IN (SELECT res_id FROM ir_model_data
                             WHERE model = 'ir.model.fields' AND module = ANY(%s)))
        """,
        [[m for m, info in models.items() if info["kind"] == "table"], ADDONS],
    )
    fields = defaultdict(dict)
    for model, name, ttype, relation, column1, column2 in cr.fetchall():
        if name in SKIPPED_FIELDS:
            continue
        field = {"type": ttype}
        if ttype == "many2many":
            field["relation"] = [relation, column1, column2]
        fields[model][name] = field
    return fields


def _columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s",
        [table],
    )
    return {name for (name,) in cr.fetchall()}


def _keys(cr, model, table):
    """{id: key} of every record: its first XML id, else ``#id``."""
    cr.execute(
        "SELECT res_id, module || '.' || name FROM ir_model_data "
        "WHERE model = %s AND res_id IS NOT NULL ORDER BY id DESC",
        [model],
    )
    xmlids = dict(cr.fetchall())
    cr.execute(sql.SQL("SELECT id FROM {}").format(sql.Identifier(table)))
    return {rid: xmlids.get(rid, "#%d" % rid) for (rid,) in cr.fetchall()}


def _values(cr, table, keys, fields, tables):
    """{key: {field: value}} of these stored fields; many2many as sorted id lists."""
    columns = _columns(cr, table)
    plain = sorted(name for name, f in fields.items() if "relation" not in f and name in columns)
    values = {key: {} for key in keys.values()}
    if plain:
        cr.execute(
            sql.SQL("SELECT id, {} FROM {}").format(
                sql.SQL(", ").join(map(sql.Identifier, plain)), sql.Identifier(table)
            )
        )
        for rid, *row in cr.fetchall():
            values[keys[rid]].update(zip(plain, map(_jsonable, row), strict=True))
    for name, field in fields.items():
        if "relation" not in field:
            continue
        relation, column1, column2 = field["relation"]
        if relation not in tables:
            continue
        cr.execute(
            sql.SQL("SELECT {c1}, array_agg({c2} ORDER BY {c2}) FROM {t} GROUP BY {c1}").format(
                c1=sql.Identifier(column1), c2=sql.Identifier(column2), t=sql.Identifier(relation)
            )
        )
        linked = dict(cr.fetchall())
        for rid, key in keys.items():
            values[key][name] = linked.get(rid, [])
    return values


#: what a record's chatter holds: {name: (table, model column, id column, extra condition)}
CHATTER = {
    "messages": ("mail_message", "model", "res_id", "TRUE"),
    "activities": ("mail_activity", "res_model", "res_id", "TRUE"),
    # attachments of binary fields are field values, not chatter
    "attachments": ("ir_attachment", "res_model", "res_id", "res_field IS NULL"),
}


def _chatter(cr, models):
    """{model: {key: {"messages": n, "activities": n, "attachments": n}}} of records that have any."""
    chatter = defaultdict(lambda: defaultdict(dict))
    keys = {}
    for name, (table, model_column, id_column, condition) in CHATTER.items():
        cr.execute(
            sql.SQL(
                "SELECT {m}, {i}, count(*) FROM {t} WHERE {m} = ANY(%s) AND {c} GROUP BY 1, 2"
            ).format(
                m=sql.Identifier(model_column),
                i=sql.Identifier(id_column),
                t=sql.Identifier(table),
                c=sql.SQL(condition),
            ),
            [models],
        )
        for model, rid, count in cr.fetchall():
            if model not in keys:
                keys[model] = _keys(cr, model, model.replace(".", "_"))
            chatter[model][keys[model].get(rid, "#%d" % rid)][name] = count
    return chatter


def snapshot(dbname):
    """Everything the check compares, of one database, as JSON-ready data."""
    with psycopg2.connect(dbname=dbname) as conn, conn.cursor() as cr:
        cr.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = {name for (name,) in cr.fetchall()}
        models = _scope_models(cr)
        fields = _scope_fields(cr, models)
        snap = {"database": dbname, "models": {}, "fields": fields, "values": {}}
        for model, info in sorted(models.items()):
            table = info["table"]
            snap["models"][model] = info
            if info["kind"] == "no table":
                continue
            cr.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            info["count"] = cr.fetchone()[0]
            if info["kind"] != "table":
                continue
            keys = _keys(cr, model, table)
            info["keys"] = sorted(keys.values())
            if fields.get(model):
                snap["values"][model] = _values(cr, table, keys, fields[model], tables)
        cr.execute("SELECT key, value FROM ir_config_parameter WHERE key LIKE 'ar\\_followup%'")
        snap["parameters"] = dict(cr.fetchall())
        snap["chatter"] = _chatter(cr, [m for m, i in models.items() if i["kind"] == "table"])
    return snap


# allow-list ---------------------------------------------------------------------------

ALLOW_LINE = re.compile(
    r"^(?P<kind>field|model)\s+(?P<old>\S+)\s*->\s*(?P<new>\S+)$"
    r"|^value\s+(?P<vfield>\S+)\s+(?P<vold>.+?)\s*->\s*(?P<vnew>.+)$"
    r"|^gone\s+(?P<gmodel>\S+)\s+(?P<gkey>\S+)$"
)


def _split_field(dotted):
    """``"ar.followup.reminder.state"`` -> ``("ar.followup.reminder", "state")``."""
    model, _dot, field = dotted.rpartition(".")
    if not model or not field:
        raise ValueError("%r is not MODEL.FIELD" % dotted)
    return model, field


def _allowed_value(text):
    text = text.strip()
    if text == "*":
        return "*"
    try:
        return json.loads(text)
    except ValueError:
        return text


class AllowList:
    """The intended differences of setup/upgrade-allow.txt; remembers which entries were used."""

    def __init__(self, path):
        self.fields, self.models, self.values, self.gone = {}, {}, defaultdict(list), set()
        self.used = set()
        self.lines = {}
        text = Path(path).read_text(encoding="utf-8") if path and Path(path).exists() else ""
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            match = ALLOW_LINE.match(line)
            if not match:
                raise SystemExit("%s:%d: not an allow-list line: %s" % (path, number, raw))
            entry = ("line", number)
            self.lines[entry] = "%s:%d: %s" % (Path(path).name, number, line)
            if match["kind"] == "field":
                new = None if match["new"] == "-" else _split_field(match["new"])
                self.fields[_split_field(match["old"])] = (new, entry)
            elif match["kind"] == "model":
                self.models[match["old"]] = (None if match["new"] == "-" else match["new"], entry)
            elif match["vfield"]:
                old, new = _allowed_value(match["vold"]), _allowed_value(match["vnew"])
                self.values[_split_field(match["vfield"])].append((old, new, entry))
            else:
                self.gone.add((match["gmodel"], match["gkey"], entry))

    def model(self, model):
        """The model's name after the upgrade (None: dropped on purpose)."""
        if model in self.models:
            new, entry = self.models[model]
            self.used.add(entry)
            return new
        return model

    def field(self, model, field):
        """``(model, field)`` after the upgrade, None when dropped on purpose."""
        if (model, field) in self.fields:
            new, entry = self.fields[(model, field)]
            self.used.add(entry)
            return new
        new_model = self.model(model)
        return (new_model, field) if new_model else None

    def value_ok(self, names, before, after):
        for name in names:
            for old, new, entry in self.values.get(name, ()):
                if old in ("*", before) and new in ("*", after):
                    self.used.add(entry)
                    return True
        return False

    def gone_ok(self, model, key):
        for gmodel, gkey, entry in self.gone:
            if gmodel == model and gkey in ("*", key):
                self.used.add(entry)
                return True
        return False

    def unused(self):
        return [text for entry, text in sorted(self.lines.items()) if entry not in self.used]


# comparison ---------------------------------------------------------------------------


class Report:
    def __init__(self):
        self.failures, self.allowed, self.notes = [], [], []

    def add(self, ok, text, allowed=False):
        (self.allowed if allowed else self.notes if ok else self.failures).append(text)


def _natural(key):
    """Sort key of a record key: XML ids by name, then ``#id`` by number."""
    return (1, int(key[1:]), "") if key.startswith("#") else (0, 0, key)


def _show(items):
    items = list(items)
    shown = ", ".join(items[:SHOWN])
    return shown + (", … (%d in all)" % len(items) if len(items) > SHOWN else "")


def _fmt(value):
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "…"


def compare(before, after, allow):
    report = Report()
    _compare_records(before, after, allow, report)
    _compare_fields(before, after, allow, report)
    _compare_plain("ir.config_parameter", before["parameters"], after["parameters"], report)
    _compare_chatter(before, after, allow, report)
    return report


def _compare_chatter(before, after, allow, report):
    for model, records in sorted(before["chatter"].items()):
        new_records = after["chatter"].get(allow.model(model) or model, {})
        for name in CHATTER:
            fewer, more = [], 0
            for key, counts in sorted(records.items(), key=lambda item: _natural(item[0])):
                old, new = counts.get(name, 0), new_records.get(key, {}).get(name, 0)
                if new < old:
                    fewer.append("%s %d -> %d" % (key, old, new))
                more += new > old
            if fewer:
                report.add(
                    False,
                    "chatter lost: %s %s, on %d records: %s"
                    % (model, name, len(fewer), _show(fewer)),
                )
            if more:
                report.add(True, "chatter grew: %s %s, on %d records" % (model, name, more))


def _compare_records(before, after, allow, report):
    for model, info in sorted(before["models"].items()):
        if info["kind"] == "no table":
            report.add(True, "not compared: %s has no table named %s" % (model, info["table"]))
            continue
        new_model = allow.model(model)
        if new_model is None:
            report.add(True, "model %s dropped (%d records)" % (model, info["count"]), allowed=True)
            continue
        now = after["models"].get(new_model, {"kind": "gone"})
        if info["kind"] == "table" and now["kind"] != "table":
            report.add(
                False,
                "model gone: %s (%d records; now %s): a migration script must move its "
                "records, and setup/upgrade-allow.txt say `model %s -> NEW_MODEL` (or `-`)"
                % (model, info["count"], now["kind"], model),
            )
            continue
        if info["kind"] != "table":
            if now["kind"] == "gone":
                report.add(True, "view gone: %s" % model)
            continue
        gone = sorted(set(info["keys"]) - set(now["keys"]), key=_natural)
        unexpected = [key for key in gone if not allow.gone_ok(model, key)]
        if unexpected:
            report.add(
                False, "records gone: %s: %d (%s)" % (model, len(unexpected), _show(unexpected))
            )
        if len(unexpected) < len(gone):
            report.add(True, "records gone as allowed: %s: %d" % (model, len(gone)), allowed=True)
        new = sorted(set(now["keys"]) - set(info["keys"]), key=_natural)
        if new:
            report.add(True, "records new: %s: %d (%s)" % (new_model, len(new), _show(new)))


def _compare_fields(before, after, allow, report):
    for model, fields in sorted(before["fields"].items()):
        for name, field in sorted(fields.items()):
            target = allow.field(model, name)
            if target is None:
                report.add(True, "field %s.%s dropped" % (model, name), allowed=True)
                continue
            new_model, new_name = target
            old_values = before["values"].get(model, {})
            filled = sum(1 for vals in old_values.values() if vals.get(name) not in (None, []))
            present = new_name in after["fields"].get(new_model, {})
            if not present and target != (model, name):
                report.add(
                    False,
                    "field %s.%s: the allow-list sends it to %s.%s, which is no stored field "
                    "in scope after the upgrade" % (model, name, new_model, new_name),
                )
                continue
            if not present:
                report.add(
                    False,
                    "field gone: %s.%s (%s, stored; %d of %d records had a value, now lost): "
                    "a migration script must move it, and setup/upgrade-allow.txt say "
                    "`field %s.%s -> MODEL.FIELD` (or `-` to drop it)"
                    % (model, name, field["type"], filled, len(old_values), model, name),
                )
                continue
            if (new_model, new_name) != (model, name):
                report.add(
                    True,
                    "field %s.%s compared as %s.%s" % (model, name, new_model, new_name),
                    allowed=True,
                )
            new_type = after["fields"][new_model][new_name]["type"]
            if new_type != field["type"]:
                report.add(
                    True,
                    "field type changed: %s.%s %s -> %s" % (model, name, field["type"], new_type),
                )
            _compare_values(
                model, name, old_values, after["values"].get(new_model, {}), new_name, allow, report
            )
    for model, fields in sorted(after["fields"].items()):
        added = sorted(set(fields) - set(before["fields"].get(model, {})))
        if added:
            report.add(True, "fields new: %s: %s" % (model, ", ".join(added)))


def _compare_values(model, name, old_values, new_values, new_name, allow, report):
    names = {(model, name), (model, new_name)}
    changed, allowed = [], Counter()
    for key, vals in sorted(old_values.items(), key=lambda item: _natural(item[0])):
        if key not in new_values:
            continue  # a record gone is reported with the records
        old, new = vals.get(name), new_values[key].get(new_name)
        if old == new:
            continue
        if allow.value_ok(names, old, new):
            allowed[(_fmt(old), _fmt(new))] += 1
        else:
            changed.append("%s %s -> %s" % (key, _fmt(old), _fmt(new)))
    label = "%s.%s" % (model, name) + (" (as %s)" % new_name if new_name != name else "")
    if changed:
        report.add(
            False,
            "values changed: %s, %d of %d records: %s"
            % (label, len(changed), len(old_values), _show(changed)),
        )
    for (old, new), count in sorted(allowed.items()):
        report.add(True, "values %s %s -> %s on %d records" % (label, old, new, count), True)


def _compare_plain(label, before, after, report):
    for key, value in sorted(before.items()):
        if key not in after:
            report.add(False, "%s gone: %s (was %s)" % (label, key, _fmt(value)))
        elif after[key] != value:
            report.add(
                False, "%s changed: %s %s -> %s" % (label, key, _fmt(value), _fmt(after[key]))
            )
    for key in sorted(set(after) - set(before)):
        report.add(True, "%s new: %s = %s" % (label, key, _fmt(after[key])))


# output ---------------------------------------------------------------------------


def print_counts(before, after, allow):
    """The table of record counts: ``<`` marks fewer records after, ``+`` more."""
    rows = []
    for model in sorted(set(before["models"]) | set(after["models"])):
        kind = (before["models"].get(model) or after["models"][model])["kind"]
        if kind == "no table":
            continue
        old = before["models"].get(model, {}).get("count")
        new_model = allow.model(model) if model in before["models"] else model
        new = after["models"].get(new_model or "", {}).get("count")
        mark = "" if old == new else " <" if old is not None and (new or 0) < old else " +"
        rows.append(
            (
                model + (" (view)" if kind == "view" else ""),
                "-" if old is None else str(old),
                "-" if new is None else str(new),
                mark,
            )
        )
    width = max(len(row[0]) for row in rows)
    print("%-*s %9s %9s" % (width, "model", "before", "after"))
    for name, old, new, mark in rows:
        print("%-*s %9s %9s%s" % (width, name, old, new, mark))
    if any(row[3] for row in rows):
        print("(< fewer records after the upgrade, + more)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="database built by BASE")
    parser.add_argument("after", help="the same database upgraded to the working tree")
    parser.add_argument("--allow", help="allow-list of intended differences")
    parser.add_argument("--save", help="directory to write both snapshots to, as JSON")
    args = parser.parse_args(argv)

    allow = AllowList(args.allow)
    before, after = snapshot(args.before), snapshot(args.after)
    if args.save:
        for name, snap in (("before", before), ("after", after)):
            path = Path(args.save, "snapshot-%s.json" % name)
            path.write_text(json.dumps(snap, indent=1, sort_keys=True, ensure_ascii=False))
    report = compare(before, after, allow)

    print_counts(before, after, allow)
    compared = sum(len(v) for v in before["values"].values())
    fields = sum(len(f) for f in before["fields"].values())
    print(
        "\ncompared: %d models, %d stored fields, %d records by value, %d parameters, "
        "chatter of %d records"
        % (
            len(before["models"]),
            fields,
            compared,
            len(before["parameters"]),
            sum(len(m) for m in before["chatter"].values()),
        )
    )
    for title, lines in (
        ("allowed by the allow-list", report.allowed),
        ("notes (not failures)", report.notes),
        ("DIFFERENCES", report.failures),
    ):
        if lines:
            print("\n%s:" % title)
            for line in lines:
                print("  - " + line)
    unused = allow.unused()
    if unused:
        print("\nallow-list entries that matched nothing (stale?):")
        for line in unused:
            print("  - " + line)
    if report.failures:
        print("\nFAILED: %d differences" % len(report.failures))
        return 1
    print("\nOK: no differences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
