"""The units' kept figures (cases.models.unit_figures): what the year-end review and the staff
dashboard read instead of aggregating every share with its case on each request (issue 10).

Each figure is an aggregation of the shares with their cases, defined once below
(`review_figures`, `open_figures`) and used both ways:

- a write on a case or its shares reads the aggregation of that one case before and after it
  (`unit_figures_before` / `unit_figures_after`) and adds the difference to the kept rows. The
  services call the pair under the case's row lock, which every write of a case and of its shares
  takes first (cases.move_services, cases.dispatch_services._lock_share), so nothing else changes
  the case's shares in between; the kept rows change by `col = col + difference`, which two
  transactions writing different cases of one unit can apply in either order;
- `unit_figures_rebuild` recomputes every row in one INSERT ... SELECT ... GROUP BY per table:
  after bulk loads that bypass the services (bench/generate.py, a data migration).

Every service that changes a counted field calls the pair: case_dispatch, case_reply,
case_feedback, case_archive, the resident's rating and the phone follow-up
(resident_services._record_rating), and the units' and staff's moves on a share
(dispatch_sign, dispatch_return, extension approval, dispatch_redispatch, dispatch_close). A case
has no shares before it is dispatched, so registering, answering, assigning and forwarding change
no figure. The admin shows cases and shares read-only.
"""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractYear

from .deadline_selectors import open_dispatch_q
from .models import (
    COUNTED_SOURCES,
    CaseDispatch,
    DispatchStatus,
    ReplyResult,
    Satisfaction,
    Status,
    UnitOpenShares,
    UnitOpenTotal,
    UnitYearFigures,
)

# A share the unit returned as not its business (and staff re-dispatched or closed) is not one it
# received: it counts for the unit that got it instead.
NOT_RECEIVED = (DispatchStatus.RETURNED, DispatchStatus.REDISPATCHED, DispatchStatus.CLOSED)

REVIEW_FIELDS = ("received", "replied", "on_time", "solved", "very", "basic", "dissatisfied", "closed")


def review_figures(dispatches):
    """Per unit and year of dispatch (local time), the review's counts of these shares
    (cases.review_selectors explains each): rows of unit_id, year and REVIEW_FIELDS."""
    last_round = Q(round=F("case__dispatch_round"))
    rated_now = last_round & Q(case__satisfaction_source__in=COUNTED_SOURCES)
    replied = Q(replied_at__isnull=False)
    counted = {
        "replied": replied,
        "on_time": replied & Q(replied_at__date__lte=F("deadline")),
        "solved": Q(result=ReplyResult.SOLVED),
        "very": rated_now & Q(case__satisfaction=Satisfaction.VERY),
        "basic": rated_now & Q(case__satisfaction=Satisfaction.BASIC),
        # An earlier round was dispatched again, which the workflow allows only after a
        # dissatisfied resident.
        "dissatisfied": Q(round__lt=F("case__dispatch_round"))
        | (rated_now & Q(case__satisfaction=Satisfaction.DISSATISFIED)),
        "closed": last_round & Q(case__status=Status.ARCHIVED),
    }
    return (
        dispatches.exclude(status__in=NOT_RECEIVED)
        .order_by()
        .values("unit_id", year=ExtractYear("dispatched_at"))
        .annotate(received=Count("id"), **{name: Count("id", filter=q) for name, q in counted.items()})
    )


def open_figures(dispatches):
    """Per unit and deadline, how many of these shares the unit still owes: rows of unit_id,
    deadline and shares."""
    return (
        dispatches.filter(open_dispatch_q())
        .order_by()
        .values("unit_id", "deadline")
        .annotate(shares=Count("id"))
    )


# ---------------------------------------------------------------- one case's write


@dataclass
class _Before:
    case_id: int
    review: dict
    open: dict


def _of_case(case_id):
    shares = CaseDispatch.objects.filter(case_id=case_id)
    review = {
        (row["unit_id"], row["year"]): tuple(row[f] for f in REVIEW_FIELDS) for row in review_figures(shares)
    }
    owed = {(row["unit_id"], row["deadline"]): row["shares"] for row in open_figures(shares)}
    return review, owed


def unit_figures_before(*, case_id):
    """The case's share of the figures before a write (caller holds the case's row lock)."""
    return _Before(case_id, *_of_case(case_id))


def unit_figures_after(before):
    """After the write, in the same transaction: add what the write changed to the kept rows."""
    review, owed = _of_case(before.case_id)
    zero = (0,) * len(REVIEW_FIELDS)
    review_delta = {}
    for key in sorted(set(review) | set(before.review)):
        delta = tuple(a - b for a, b in zip(review.get(key, zero), before.review.get(key, zero), strict=True))
        if any(delta):
            review_delta[key] = delta
    open_delta = {}
    for key in sorted(set(owed) | set(before.open)):
        delta = owed.get(key, 0) - before.open.get(key, 0)
        if delta:
            open_delta[key] = delta
    _add(review_delta, open_delta)


def _upsert(model, key_columns, value_columns, rows):
    """INSERT the rows, or add their values to the row already kept under the same key (one
    statement; PostgreSQL and SQLite read the same ON CONFLICT ... DO UPDATE)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    q = connection.ops.quote_name
    keys, values = [q(c) for c in key_columns], [q(c) for c in value_columns]
    one = "(" + ", ".join(["%s"] * (len(keys) + len(values))) + ")"
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in values)
    sql = (
        f"INSERT INTO {table} ({', '.join(keys + values)}) VALUES {', '.join([one] * len(rows))} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def _add(review_delta, open_delta):
    # Keys in sorted order: two transactions that change the same rows lock them in one order.
    _upsert(UnitYearFigures, ("unit_id", "year"), REVIEW_FIELDS,
            [(unit_id, year, *delta) for (unit_id, year), delta in review_delta.items()])
    if not open_delta:
        return
    _upsert(UnitOpenShares, ("unit_id", "deadline"), ("shares",),
            [(unit_id, deadline, delta) for (unit_id, deadline), delta in open_delta.items()])
    per_unit = {}
    for (unit_id, _deadline), delta in open_delta.items():
        per_unit[unit_id] = per_unit.get(unit_id, 0) + delta
    _upsert(UnitOpenTotal, ("unit_id",), ("shares",),
            [(unit_id, delta) for unit_id, delta in sorted(per_unit.items()) if delta])
    # A deadline with no share left is no row (the table stays the size of what is owed).
    UnitOpenShares.objects.filter(unit_id__in=list(per_unit), shares=0).delete()


# ---------------------------------------------------------------- every share at once


def _insert_select(model, columns, queryset):
    sql, params = queryset.query.sql_with_params()
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM ({sql}) figures", params)
        return cursor.rowcount


def unit_figures_rebuild(*, dispatches=None, models=None):
    """Recompute every kept row from the shares and their cases: one INSERT ... SELECT ... GROUP BY
    per table. After bulk writes that bypass the services (bench/generate.py). `dispatches` and
    `models` let a data migration pass its historical models. Returns the rows written."""
    dispatches = CaseDispatch.objects.all() if dispatches is None else dispatches
    year_figures, open_shares, open_total = models or (UnitYearFigures, UnitOpenShares, UnitOpenTotal)
    with transaction.atomic():
        for model in (year_figures, open_shares, open_total):
            model.objects.all().delete()
        written = _insert_select(year_figures, ("unit_id", "year", *REVIEW_FIELDS), review_figures(dispatches))
        written += _insert_select(open_shares, ("unit_id", "deadline", "shares"), open_figures(dispatches))
        totals = open_shares.objects.order_by().values("unit_id").annotate(total=Sum("shares"))
        sql, params = totals.query.sql_with_params()
        table = connection.ops.quote_name(open_total._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} (unit_id, shares) SELECT unit_id, total FROM ({sql}) totals", params)
            written += cursor.rowcount
    return written


__all__ = [
    "NOT_RECEIVED", "REVIEW_FIELDS", "open_figures", "review_figures", "unit_figures_after", "unit_figures_before",
    "unit_figures_rebuild",
]
