"""Bulk writes for the generator on PostgreSQL: COPY instead of INSERT for the biggest tables.

`copy_create(objs)` stands in for `Model.objects.bulk_create(objs)`: it takes ids from the table's
own identity sequence (one `setval` per call, so the sequence stays right for the services that
insert afterwards), sets them on the instances and streams the rows through psycopg2's
`copy_expert` in chunks. No signals, no `save()`; the values are the instances' attributes as
they are (auto_now / auto_now_add fields left empty get the current time; a foreign key given as
an instance saved after this one was built is read from it, as bulk_create does), so build the
instances as you would for bulk_create.

`copy_rows(model, columns, rows)` writes plain tuples (no model instances: the ledger's two
million rows would spend more time in Model.__init__ than in PostgreSQL); the columns left out get
their field's default, or the current time for auto_now(_add) fields.

Migrations own the tables: nothing is dropped, no index or constraint is disabled.
"""

import datetime
import io
import json

from django.db import connection, models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

CHUNK = 50_000


def _escape(value):
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _text(value):
    """A value in COPY's text format (\\N is NULL)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date):  # datetime too
        return value.isoformat()
    if isinstance(value, FieldFile):
        return _escape(value.name or "")
    if isinstance(value, dict | list):
        return _escape(json.dumps(value, ensure_ascii=False))
    return _escape(str(value))


def _int(value):
    return "\\N" if value is None else str(value)


def _converter(field):
    """The fastest correct conversion for the field's values."""
    if isinstance(field, models.ForeignKey | models.IntegerField | models.AutoField) and not isinstance(
        field, models.BooleanField
    ):
        return _int
    return _text


def reserve_ids(model, n):
    """n consecutive ids from the model's identity sequence; the sequence moves past them."""
    if n <= 0:
        return range(0)
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s))", [table, pk])
        first = cur.fetchone()[0]
        cur.execute("SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [table, pk, first + n - 1])
    return range(first, first + n)


def _copy(meta, fields, lines):
    """Stream text lines (one row each, newline-terminated) into the table, CHUNK at a time."""
    columns = ", ".join(f'"{f.column}"' for f in fields)
    sql = f'COPY "{meta.db_table}" ({columns}) FROM STDIN'
    with connection.cursor() as cur:
        raw = cur.cursor
        buf = io.StringIO()
        n = 0
        for line in lines:
            buf.write(line)
            n += 1
            if n == CHUNK:
                buf.seek(0)
                raw.copy_expert(sql, buf)
                buf, n = io.StringIO(), 0
        if n:
            buf.seek(0)
            raw.copy_expert(sql, buf)


def copy_create(objs, model=None):
    """Insert the instances with COPY; returns them with their ids set."""
    objs = list(objs)
    if not objs:
        return objs
    model = model or type(objs[0])
    meta = model._meta
    fields = list(meta.concrete_fields)
    now = timezone.now()
    stamped = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    relations = {f.attname: f for f in fields if f.is_relation}
    missing = [o for o in objs if o.pk is None]
    for o, pk in zip(missing, reserve_ids(model, len(missing)), strict=True):
        o.pk = pk
    spec = [(f.attname, _converter(f)) for f in fields]

    def lines():
        for o in objs:
            values = []
            for name, convert in spec:
                v = getattr(o, name)
                if v is None:
                    if name in stamped:
                        v = now
                        setattr(o, name, v)
                    elif name in relations and relations[name].is_cached(o):
                        related = relations[name].get_cached_value(o)
                        v = related.pk if related is not None else None
                        setattr(o, name, v)
                        # Setting the id drops the cached instance: keep it (no query per row later).
                        relations[name].set_cached_value(o, related)
                values.append(convert(v))
            yield "\t".join(values) + "\n"

    _copy(meta, fields, lines())
    return objs


def copy_rows(model, columns, rows):
    """Insert tuples of the named fields' values (attnames, e.g. "deputy_id"); returns their ids in
    order. The other fields get their default (the current time for auto_now / auto_now_add)."""
    rows = list(rows)
    if not rows:
        return range(0)
    meta = model._meta
    given = {name: i for i, name in enumerate(columns)}
    now = timezone.now()
    ids = reserve_ids(model, len(rows))
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    constant = {}
    for f in fields:
        if f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constant[f.attname] = _text(now)
        elif f.has_default():
            constant[f.attname] = _text(f.get_default())
        elif f.null:
            constant[f.attname] = "\\N"
        else:
            constant[f.attname] = _text(f.get_default())  # "" for a blank text field
    # Each line: the id, then the fields in order, given values converted, the rest constant.
    plan = [(given.get(f.attname), _converter(f), constant.get(f.attname)) for f in fields]

    def lines():
        for pk, row in zip(ids, rows, strict=True):
            values = [str(pk)]
            for index, convert, const in plan:
                values.append(const if index is None else convert(row[index]))
            yield "\t".join(values) + "\n"

    _copy(meta, [meta.pk, *fields], lines())
    return ids
