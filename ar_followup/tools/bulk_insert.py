# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
r"""Bulk inserts through PostgreSQL's ``COPY``, for the planner's volumes.

Raw SQL because the ORM's ``create`` converts and caches values one by one,
too slow for the tens of thousands of rows of a planning pass (``make bench``).

>>> copy_text("a\tb\\c")
'a\\tb\\\\c'
>>> copy_text(None), copy_text(False), copy_text(12)
('\\N', '\\N', '12')
>>> from datetime import date
>>> array_text([1, None, 2.5]), array_text([date(2026, 6, 1)]), array_text([])
('{1,NULL,2.5}', '{2026-06-01}', '{}')
>>> array_text(["2026-06-08/15690d76af6d", 'a "b", c\\'])
'{"2026-06-08/15690d76af6d","a \\"b\\", c\\\\"}'
"""

import io

from odoo.tools import SQL


def copy_text(value):
    """``value`` in PostgreSQL's COPY text format."""
    if value is None or value is False:  # the ORM's "no value" (booleans come as "t"/"f")
        return r"\N"
    text = str(value)
    if isinstance(value, str):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def array_text(values):
    """Numbers, dates or strings (``None``/``False``: NULL) as one PostgreSQL array
    literal, to pass with a cast (``%s::int[]``).

    A list passed as a query parameter becomes ``ARRAY[v1, v2, ...]``, an expression
    PostgreSQL parses element by element: over tens of thousands of rows and a few
    dozen columns, parsing takes most of the statement's time. One text literal per
    column is read by the array type's input function instead, in one pass.
    """
    return "{%s}" % ",".join(_array_element(value) for value in values)


def _array_element(value):
    if value is None or value is False:
        return "NULL"
    if isinstance(value, str):
        return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')
    return str(value)


class CopySource(io.TextIOBase):
    """A file ``COPY`` reads from, filled from ``lines`` as it reads: PostgreSQL
    inserts the rows already sent while Python formats the next ones (two cores
    at work instead of one, and no copy of the whole table in memory)."""

    def __init__(self, lines):
        super().__init__()
        self._lines = iter(lines)
        self._pending = ""

    def readable(self):
        return True

    # a file's read, not a model's
    def read(self, size=-1):  # pylint: disable=method-required-super
        chunks, length = [self._pending], len(self._pending)
        while size < 0 or length < size:
            line = next(self._lines, None)
            if line is None:
                break
            chunks.append(line)
            length += len(line)
        data = "".join(chunks)
        if size < 0:
            self._pending = ""
            return data
        self._pending = data[size:]
        return data[:size]


def copy_rows(cr, table, columns, lines):
    """``COPY`` ``lines`` (rows in the COPY text format, see :func:`copy_text`) into
    ``table``: the fastest way into PostgreSQL, a fraction of what an INSERT of
    large arrays costs to parse. ``lines`` is consumed while the server inserts
    (see ``CopySource``)."""
    query = SQL(
        "COPY %s (%s) FROM STDIN",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(column) for column in columns),
    )
    cr.copy_expert(query.code, CopySource(lines), size=65536)


class RowFormat:
    r"""A table's rows in the COPY text format, from dicts of values.

    A row is the defaults' text with the values given put in: only those are
    formatted (a reminder gives 16 of its 48 columns). Where each value goes is
    worked out once per set of keys (the planner gives a few).

    >>> row = RowFormat("x", ["name", "done", "amount"], {"done"}, {"amount": 0})
    >>> row({"name": "a\tb", "done": True})
    'a\\tb\tt\t0'
    >>> row({"amount": None, "name": False})
    '\\N\tf\t\\N'
    >>> row({"size": 3})
    Traceback (most recent call last):
    ...
    ValueError: x: not plain columns: size
    """

    __slots__ = ("blank", "booleans", "layouts", "model_name", "position")

    def __init__(self, model_name, names, booleans, defaults):
        self.model_name = model_name
        self.booleans = booleans
        self.blank = [self.text(name, defaults.get(name)) for name in names]
        self.position = {name: index for index, name in enumerate(names)}
        self.layouts = {}

    def text(self, name, value):
        if name in self.booleans:
            return "t" if value else "f"
        return copy_text(value)

    def layout(self, keys):
        """``[(position, is a boolean)]`` of the values of ``keys``."""
        unknown = set(keys) - set(self.position)
        if unknown:
            raise ValueError(
                "%s: not plain columns: %s" % (self.model_name, ", ".join(sorted(unknown)))
            )
        return [(self.position[name], name in self.booleans) for name in keys]

    def __call__(self, vals):
        keys = tuple(vals)
        layout = self.layouts.get(keys)
        if layout is None:
            layout = self.layouts[keys] = self.layout(keys)
        parts = self.blank.copy()
        # copy_text inlined: called for every value of every reminder and item planned
        for (index, boolean), value in zip(layout, vals.values(), strict=True):
            if boolean:
                parts[index] = "t" if value else "f"
            elif value is None or value is False:
                parts[index] = r"\N"
            elif isinstance(value, str):
                parts[index] = copy_text(value)
            else:
                parts[index] = str(value)
        return "\t".join(parts)


def bulk_insert(model, vals_iter, count=None):
    """Insert the rows ``vals_iter`` gives (dicts of plain column values) into
    ``model``'s table in one streamed ``COPY``.

    Every plain stored column is written, as ``create`` would: the value given,
    else the field's default, else NULL. With ``count`` (how many rows
    ``vals_iter`` gives) the ids are drawn first, the new records are returned
    and the ORM computes their stored computed fields; without, the table's
    sequence numbers the rows and nothing is returned (rows nobody reads back).
    ``vals_iter`` is consumed while the server inserts: a generator building rows
    goes in step with it, but must not query the database (a connection cannot
    while a ``COPY`` is under way). For the planner's volumes only (see
    ``ar.followup.reminder``'s ``_ar_create_planned``); values must be plain (no
    translations, no commands, no computed fields).
    """
    env = model.env
    columns = [
        field
        for field in model._fields.values()
        if field.store and field.column_type and not field.compute and field.name != "id"
    ]
    for field in columns:
        if field.translate or field.column_type[0] == "jsonb":
            raise ValueError("%s.%s is not a plain column" % (model._name, field.name))
    names = [field.name for field in columns]
    booleans = {field.name for field in columns if field.type == "boolean"}
    defaults = model.default_get(names)
    if model._log_access:
        now = env.cr.now()
        defaults.update(create_uid=env.uid, write_uid=env.uid, create_date=now, write_date=now)

    row = RowFormat(model._name, names, booleans, defaults)

    if count is None:
        copy_rows(env.cr, model._table, names, (row(vals) + "\n" for vals in vals_iter))
        return model.browse()
    if not count:
        return model.browse()
    # ids drawn first, so each row's id is known without relying on the insertion order
    env.cr.execute(
        SQL("SELECT nextval(%s) FROM generate_series(1, %s)", "%s_id_seq" % model._table, count)
    )
    ids = [record_id for (record_id,) in env.cr.fetchall()]
    copy_rows(
        env.cr,
        model._table,
        ["id", *names],
        (
            "%d\t%s\n" % (record_id, row(vals))
            for record_id, vals in zip(ids, vals_iter, strict=True)
        ),
    )
    records = model.browse(ids)
    for field in model._fields.values():
        if field.store and field.compute:
            env.add_to_compute(field, records)
    return records
