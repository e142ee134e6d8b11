"""The units' kept figures (cases.unit_figures_services, issue 10): the year-end review's counts
per unit and year and the dashboard's open and overdue shares per unit are read from rows the
services keep, so after every kind of write they must equal the aggregation of the shares with
their cases that the pages computed before (kept below as the reference)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, F, FilteredRelation, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import dispatch_services as ds
from cases import services
from cases.deadline_selectors import dispatch_overdue_q, open_dispatch_q
from cases.models import (
    COUNTED_SOURCES,
    CaseDispatch,
    CaseRating,
    DispatchStatus,
    Satisfaction,
    Status,
    UnitOpenShares,
    UnitOpenTotal,
    UnitYearFigures,
)
from cases.resident_services import case_follow_up
from cases.review_selectors import as_reviews, unit_review_queryset
from cases.unit_figures_services import REVIEW_FIELDS, unit_figures_rebuild
from offices.models import Unit
from offices.selectors import units_visible_to
from reports.dashboard_selectors import cases_by_unit

from . import journey

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOT_RECEIVED = (DispatchStatus.RETURNED, DispatchStatus.REDISPATCHED, DispatchStatus.CLOSED)


# ---------------------------------------------------------------- the aggregations the pages computed


def computed_review(year):
    """The review's figures per unit as unit_review_queryset aggregated them before they were kept
    (the year as the join's condition, in local time)."""
    tz = timezone.get_current_timezone()
    start, end = datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    received = FilteredRelation(
        "dispatches",
        condition=Q(dispatches__dispatched_at__gte=start, dispatches__dispatched_at__lt=end)
        & ~Q(dispatches__status__in=NOT_RECEIVED),
    )
    last_round = Q(in_year__round=F("in_year__case__dispatch_round"))
    rated_now = last_round & Q(in_year__case__satisfaction_source__in=COUNTED_SOURCES)
    units = Unit.objects.annotate(in_year=received).annotate(
        received=Count("in_year"),
        replied=Count("in_year", filter=Q(in_year__replied_at__isnull=False)),
        on_time=Count(
            "in_year",
            filter=Q(in_year__replied_at__isnull=False) & Q(in_year__replied_at__date__lte=F("in_year__deadline")),
        ),
        solved=Count("in_year", filter=Q(in_year__result="solved")),
        very=Count("in_year", filter=rated_now & Q(in_year__case__satisfaction=Satisfaction.VERY)),
        basic=Count("in_year", filter=rated_now & Q(in_year__case__satisfaction=Satisfaction.BASIC)),
        dissatisfied=Count(
            "in_year",
            filter=Q(in_year__round__lt=F("in_year__case__dispatch_round"))
            | (rated_now & Q(in_year__case__satisfaction=Satisfaction.DISSATISFIED)),
        ),
        closed=Count("in_year", filter=last_round & Q(in_year__case__status=Status.ARCHIVED)),
    )
    return {u.pk: tuple(getattr(u, f) for f in REVIEW_FIELDS) for u in units}


def computed_by_unit(user, today):
    """The dashboard's open and overdue shares per unit, as cases_by_unit aggregated them."""
    rows = (
        CaseDispatch.objects.filter(open_dispatch_q(), unit__in=units_visible_to(user=user))
        .values("unit_id", "unit__name")
        .annotate(open=Count("id"), overdue=Count("id", filter=dispatch_overdue_q(today)))
        .order_by("-overdue", "-open", "unit__name")
    )
    return list(rows)


def years():
    dates = CaseDispatch.objects.values_list("dispatched_at", flat=True)
    return sorted({timezone.localtime(d).year for d in dates} | {timezone.localdate().year})


def assert_kept_equal_computed(world):
    # The review page, for each year with shares, as city staff and as district staff.
    for year in years():
        computed = computed_review(year)
        for user in (world.city_staff, world.district_staff):
            kept = {r.unit_id: tuple(getattr(r, f) for f in REVIEW_FIELDS)
                    for r in as_reviews(unit_review_queryset(user=user, year=year))}
            assert kept == {pk: v for pk, v in computed.items() if pk in kept}, (year, user.username)
            assert len(kept) == (2 if user == world.city_staff else 1)
    # The dashboard panel, on the days around every deadline.
    deadlines = set(CaseDispatch.objects.values_list("deadline", flat=True))
    days = {timezone.localdate()} | {d + datetime.timedelta(days=k) for d in deadlines for k in (-1, 0, 1)}
    for today in sorted(days):
        for user in (world.city_staff, world.district_staff, world.other_staff):
            assert cases_by_unit(user=user, today=today) == computed_by_unit(user, today), (today, user.username)
    # The kept rows themselves: no empty deadline row, and each unit's total is its deadlines' sum.
    assert not UnitOpenShares.objects.filter(shares__lte=0).exists()
    per_unit = {}
    for row in UnitOpenShares.objects.all():
        per_unit[row.unit_id] = per_unit.get(row.unit_id, 0) + row.shares
    assert {t.unit_id: t.shares for t in UnitOpenTotal.objects.filter(shares__gt=0)} == per_unit
    assert not UnitOpenTotal.objects.filter(shares__lt=0).exists()


def kept_rows():
    return (
        {(r.unit_id, r.year): tuple(getattr(r, f) for f in REVIEW_FIELDS) for r in UnitYearFigures.objects.all()
         if any(getattr(r, f) for f in REVIEW_FIELDS)},
        {(r.unit_id, r.deadline): r.shares for r in UnitOpenShares.objects.all()},
        {r.unit_id: r.shares for r in UnitOpenTotal.objects.all() if r.shares},
    )


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def owed(case, unit):
    return CaseDispatch.objects.get(case=case, unit=unit, round=case.dispatch_round,
                                    status__in=[DispatchStatus.PENDING, DispatchStatus.SIGNED])


def returned(case, unit):
    return CaseDispatch.objects.get(case=case, unit=unit, status=DispatchStatus.RETURNED)


# ---------------------------------------------------------------- every kind of write


def test_the_kept_figures_equal_the_aggregation_after_every_kind_of_write(world):
    w = world
    check = lambda: assert_kept_equal_computed(w)  # noqa: E731
    check()
    case = journey.forward(w, journey.assign(w, journey.register(w)))
    check()  # no share before the dispatch
    case = journey.dispatch(w, case, units=[w.unit_a, w.unit_b], days=3, actor=w.city_staff)
    check()
    ds.dispatch_sign(dispatch=owed(case, w.unit_a), actor=w.handler)
    check()
    extension = ds.extension_request(dispatch=owed(case, w.unit_a), new_deadline=in_days(6), reason="等检测报告",
                                     actor=w.handler)
    ds.extension_refuse(extension=extension, actor=w.district_staff, note="期限足够")
    check()
    extension = ds.extension_request(dispatch=owed(case, w.unit_a), new_deadline=in_days(9), reason="等检测报告",
                                     actor=w.handler)
    ds.extension_approve(extension=extension, actor=w.district_staff)
    check()  # the share moved from one deadline to another
    ds.dispatch_return(dispatch=owed(case, w.unit_b), reason="不属我局", actor=w.other_handler)
    check()
    ds.dispatch_redispatch(dispatch=returned(case, w.unit_b), units=[w.unit_b], deadline=in_days(4), actor=w.city_staff)
    check()
    ds.dispatch_return(dispatch=owed(case, w.unit_b), reason="仍不属我局", actor=w.other_handler)
    ds.dispatch_close(dispatch=CaseDispatch.objects.filter(case=case, unit=w.unit_b, status=DispatchStatus.RETURNED)
                      .latest("pk"), note="住建局一家即可", actor=w.city_staff)
    check()
    # Replied late (the deadline passed while the unit still owed the share).
    with time_machine.travel(timezone.now() + datetime.timedelta(days=12), tick=False):
        check()
        case = journey.reply(w, case, result="cannot")
        check()  # the round is settled: the case is replied
        journey.rate(case, Satisfaction.DISSATISFIED)
        check()
        case = services.case_feedback(case=case, note="已电话告知", actor=w.liaison)
        check()
        case = journey.dispatch(w, case, days=5)  # round 2: round 1 counts as dissatisfied
        check()
        case = journey.reply(w, case)
        check()
    rating = CaseRating.objects.get(case=case, round=case.dispatch_round)
    with time_machine.travel(rating.expires_at + datetime.timedelta(minutes=1), tick=False):
        case = case_follow_up(case=case, satisfaction=Satisfaction.BASIC, actor=w.district_staff)
        check()
        case = services.case_feedback(case=case, note="已电话告知", actor=w.liaison)
        case = services.case_archive(case=case, actor=w.district_staff)
        check()
    # Dispatched at 07:30 on New Year's Day in Shenzhen, still the old year in UTC: counted in the
    # new year, as the page's local year bounds counted it.
    with time_machine.travel(datetime.datetime(2026, 1, 1, 7, 30, tzinfo=TZ), tick=False):
        early = journey.dispatch(w, journey.forward(w, journey.assign(w, journey.register(w))), days=2)
        check()
        journey.archive(w, journey.feedback(w, journey.reply(w, early), satisfaction=Satisfaction.VERY))
        check()
    assert UnitYearFigures.objects.filter(year=2026, unit=w.unit_a, received__gte=1).exists()
    # The rebuild (after bulk loads) writes the same rows the services kept.
    kept = kept_rows()
    assert unit_figures_rebuild() > 0
    assert kept_rows() == kept
    check()


def test_the_dashboard_counts_a_share_overdue_from_the_day_after_its_deadline_without_a_write(world):
    case = journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))), days=2)
    day = lambda n: timezone.localdate() + datetime.timedelta(days=n)  # noqa: E731
    row = lambda today: cases_by_unit(user=world.district_staff, today=today)[0]  # noqa: E731
    assert (row(day(2))["open"], row(day(2))["overdue"]) == (1, 0)
    assert (row(day(3))["open"], row(day(3))["overdue"]) == (1, 1)
    journey.reply(world, case)
    assert cases_by_unit(user=world.district_staff, today=day(3)) == []


def test_a_failed_write_leaves_the_kept_figures_unchanged(world):
    case = journey.forward(world, journey.assign(world, journey.register(world)))
    case = journey.dispatch(world, case, units=[world.unit_a, world.unit_b], actor=world.city_staff)
    ds.dispatch_return(dispatch=owed(case, world.unit_b), reason="不属我局", actor=world.other_handler)
    before = kept_rows()
    # Refused after the figures were read: unit A already handles the case.
    with pytest.raises(ValidationError):
        ds.dispatch_redispatch(dispatch=returned(case, world.unit_b), units=[world.unit_a], deadline=in_days(3),
                               actor=world.city_staff)
    assert kept_rows() == before
    assert_kept_equal_computed(world)


def test_a_case_write_reads_and_writes_only_its_own_figures(world, django_assert_max_num_queries):
    """The before/after reads are about the one case (a constant number of queries), whatever the
    number of shares of the unit."""
    for _ in range(3):
        journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))))
    case = journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))))
    with CaptureQueriesContext(connection) as ctx:
        journey.reply(world, case)
    figures = [q["sql"] for q in ctx.captured_queries
               if "cases_unit" in q["sql"] or ('"cases_casedispatch"."unit_id"' in q["sql"] and "GROUP BY" in q["sql"])]
    reads = [sql for sql in figures if "GROUP BY" in sql]
    assert len(reads) == 4 and all('"cases_casedispatch"."case_id" = ' in sql for sql in reads), reads
    assert_kept_equal_computed(world)


# Moves made before a case has any share (the kept figures count shares only), and a helper that
# runs inside its callers' before/after pair (case_reply, dispatch_close).
NO_SHARES_YET = {"case_answer", "case_assign", "case_forward"}
UNDER_CALLERS_PAIR = {"settle_round_if_done"}
WRITES = ("_save_move(", "share.save(", "dispatch.save(", "CaseDispatch.objects.bulk_create(",
          ".satisfaction = ", ".satisfaction_source = ", "dispatch_round += ")


def test_every_service_that_writes_a_share_or_moves_a_case_keeps_the_figures():
    """A new service that writes shares or moves cases without the before/after pair would let the
    kept figures drift from the shares: each such function calls the pair, or is listed above."""
    import inspect

    from cases import dispatch_services, resident_services

    missing, seen = [], set()
    for module in (services, dispatch_services, resident_services):
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if func.__module__ != module.__name__:
                continue
            source = inspect.getsource(func)
            if not any(w in source for w in WRITES):
                continue
            seen.add(name)
            if name in NO_SHARES_YET | UNDER_CALLERS_PAIR:
                continue
            if "unit_figures_before(" not in source or "unit_figures_after(" not in source:
                missing.append(name)
    assert missing == []
    assert {"case_dispatch", "case_reply", "_record_rating", "dispatch_return", "_decide"} <= seen, seen


# ---------------------------------------------------------------- the plans at city scale


@pytest.mark.postgres
def test_the_review_and_the_dashboard_read_the_kept_rows_not_the_shares(world):
    """Issue 10 item 2: at 400,000 shares the review aggregated the year's 80,000 shares with their
    cases (1.5 s) and the dashboard the 100,000 open ones (0.47 s). Both read the kept rows now:
    the review one row per unit through unit_year_figures_once, the dashboard one total per unit
    and the shares not yet due through unit_open_shares_once; neither reads a share or a case."""
    journey.through(world, journey.register(world), "dispatched")
    reads = (
        lambda: as_reviews(unit_review_queryset(user=world.city_staff, year=timezone.localdate().year)),
        lambda: cases_by_unit(user=world.city_staff),
    )
    plans = []
    for read in reads:
        with CaptureQueriesContext(connection) as ctx:
            read()
        [query] = ctx.captured_queries
        assert "cases_casedispatch" not in query["sql"] and "cases_case" + '"' not in query["sql"], query["sql"]
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert "unit_year_figures_once" in plans[0], plans[0]
    assert "unit_open_shares_once" in plans[1] and "Index Cond" in plans[1].split("unit_open_shares_once", 1)[1], plans[1]


@pytest.mark.postgres
def test_the_rebuild_is_one_grouped_insert_per_table(world):
    journey.through(world, journey.register(world), "dispatched")
    with CaptureQueriesContext(connection) as ctx:
        unit_figures_rebuild()
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 3 and all("GROUP BY" in sql for sql in inserts), inserts


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_units_replies_at_the_same_time_both_reach_the_kept_figures(world, monkeypatch):
    """Two cases of one unit replied at once: each transaction adds its own difference to the same
    kept rows (col = col + difference under the row lock), so neither overwrites the other's."""
    import time

    from cases.models import Case
    from tests.base import run_at_once

    cases = [journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))), days=d)
             for d in (3, 3)]
    original = services.lapse_extensions

    def slow_lapse(dispatch):
        # Between the figures read before the write and those added after it.
        time.sleep(0.5)
        return original(dispatch)

    monkeypatch.setattr(services, "lapse_extensions", slow_lapse)
    outcomes = run_at_once(*[
        (lambda pk=c.pk: services.case_reply(case=Case.objects.get(pk=pk), result="solved", reply="已办",
                                             actor=world.handler))
        for c in cases
    ])
    assert all(isinstance(o, Case) for o in outcomes), outcomes
    assert UnitOpenTotal.objects.get(unit=world.unit_a).shares == 0
    assert UnitYearFigures.objects.get(unit=world.unit_a, year=timezone.localdate().year).replied == 2
    assert_kept_equal_computed(world)
