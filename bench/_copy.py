"""Bulk writes for the generator on PostgreSQL: COPY instead of INSERT for the biggest tables.

`copy_create(objs)` stands in for `Model.objects.bulk_create(objs)`: it takes ids from the table's
own identity sequence (one `setval` per call, so the sequence stays right for the services that
insert afterwards), sets them on the instances and streams the rows through psycopg2's
`copy_expert` in chunks. No signals, no `save()`; the values are the instances' attributes as
they are (auto_now / auto_now_add fields left empty get the current time), so build the instances
as you would for bulk_create. Migrations own the tables: nothing is dropped, no index or constraint
is disabled.
"""

import datetime
import decimal
import io
import json
import uuid

from django.db import connection
from django.db.models.fields.files import FieldFile
from django.utils import timezone

CHUNK = 50_000


def _text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value
    if isinstance(value, int | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.date):  # datetime too
        return value.isoformat()
    if isinstance(value, FieldFile):
        return _text(value.name or "")
    if isinstance(value, dict | list):
        return _text(json.dumps(value, ensure_ascii=False))
    return _text(str(value))


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


def copy_create(objs, model=None):
    """Insert the instances with COPY; returns them with their ids set."""
    objs = list(objs)
    if not objs:
        return objs
    model = model or type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields]
    now = timezone.now()
    stamped = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    missing = [o for o in objs if o.pk is None]
    for o, pk in zip(missing, reserve_ids(model, len(missing)), strict=True):
        o.pk = pk
    attnames = [f.attname for f in fields]
    # A foreign key given as an instance saved after this one was built (as bulk_create allows).
    relations = {f.attname: f for f in fields if f.is_relation}
    columns = ", ".join(f'"{f.column}"' for f in fields)
    sql = f'COPY "{meta.db_table}" ({columns}) FROM STDIN'
    with connection.cursor() as cur:
        raw = cur.cursor
        for start in range(0, len(objs), CHUNK):
            buf = io.StringIO()
            write = buf.write
            for o in objs[start:start + CHUNK]:
                values = []
                for name in attnames:
                    v = getattr(o, name)
                    if v is None:
                        if name in stamped:
                            v = now
                            setattr(o, name, v)
                        elif name in relations and relations[name].is_cached(o):
                            related = relations[name].get_cached_value(o)
                            v = related.pk if related is not None else None
                            setattr(o, name, v)
                    values.append(_text(v))
                write("\t".join(values))
                write("\n")
            buf.seek(0)
            raw.copy_expert(sql, buf)
    return objs
