"""Several counts in one round trip. A home panel that shows "n leave requests, n invitations, n
matters" used to ask the database three times; `count_each` asks once, with a UNION ALL of one
COUNT(*) per queryset, each over the queryset's own SQL (so a queryset's filters, joins and
DISTINCT count exactly as `.count()` would)."""

from django.core.exceptions import EmptyResultSet
from django.db import connections


def count_each(**querysets):
    """`count_each(leave=qs1, owed=qs2)` -> {"leave": qs1.count(), "owed": qs2.count()}, in one
    query when the querysets share a database. An empty queryset (`.none()`) counts 0 unasked."""
    result = dict.fromkeys(querysets, 0)
    arms, params, names = [], [], []
    db = None
    for name, qs in querysets.items():
        inner = qs.order_by().values("pk")
        db = db or inner.db
        if inner.db != db:
            raise ValueError("count_each: every queryset must use the same database")
        try:
            sql, arm_params = inner.query.get_compiler(using=db).as_sql()
        except EmptyResultSet:
            continue
        # The label is the arm's position (an int we write ourselves), never caller text.
        arms.append(f"SELECT {len(names)} AS arm, COUNT(*) AS n FROM ({sql}) arm_{len(names)}")
        params.extend(arm_params)
        names.append(name)
    if not arms:
        return result
    with connections[db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(arms), params)
        for arm, n in cursor.fetchall():
            result[names[arm]] = n
    return result
