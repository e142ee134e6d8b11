"""Plans of the hot selectors on PostgreSQL (issue 10 item 5): each reads through the index its
comment names instead of scanning (or sorting) the city's table. The tests' tables hold a few
rows, where a sequential scan is the planner's right choice; sequential scans are discouraged
(`enable_seqscan = off`) so that the plan shows whether an index path exists at all, and the
assertions accept the planner's equivalent choices (an index scan or a bitmap scan, a plain or an
incremental sort on the index's order).

Guards elsewhere: the deputy's case visibility (tests/cases/test_query_counts.py), one deputy's
ledger sum (tests/scoring/test_year_totals.py), the staff queues and the overdue rule
(tests/cases/test_query_counts.py), the attendance sheet (tests/reception/test_attendance_sheet.py),
the dashboard (tests/reports/test_dashboard.py)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.reception.test_activities import cal  # noqa: F401  (a fixture: district A's 2027 periods)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def plan_of(sql, params=(), *, sorts=True):
    """The plan without sequential scans; sorts=False discourages sorts too, for a guard that an
    index serves a list's order: on the tests' few rows a top-N sort of a bitmap scan is cheap
    enough to win whether or not that index exists."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sorts:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params or None)
        return "\n".join(row[0] for row in cursor.fetchall())


def plan_of_queryset(qs):
    sql, params = qs.query.sql_with_params()
    return plan_of(sql, params)


def test_the_contact_shortfalls_page_walks_the_deputies_name_index_and_counts_per_deputy(world):
    """offices.selectors.contact_network_shortfalls: the page's 50 rows are read in the name order
    of offices_deputy.name_initials (the filter reads the deputy row alone), each count probes
    the contacts of one deputy; never every deputy sorted, never the contact table hashed."""
    from offices.models import Contact, Deputy
    from offices.selectors import contact_network_shortfalls

    Contact.objects.create(deputy=world.deputy_a, name="居民")
    qs = contact_network_shortfalls(deputies=Deputy.objects.filter(status="serving"), year=2026)[:50]
    plan = plan_of_queryset(qs)
    assert "Seq Scan on offices_deputy" not in plan and "name_initials" in plan, plan
    assert "offices_contact_deputy_id" in plan and "Seq Scan on offices_contact" not in plan, plan
    assert "Hash Join" not in plan.split("SubPlan")[0], plan


@pytest.mark.parametrize("status, index", [("", "claim_created"), ("confirmed", "claim_status_created")])
def test_the_claim_list_reads_a_page_from_its_index_instead_of_sorting_every_claim(world, client, status, index):
    """scoring.views.claim_list, newest first: the page is read from claim_created (every claim)
    or claim_status_created (one status), not sorted out of the city's 150,000 claims."""
    from scoring.models import Claim
    from scoring.services import claim_confirm, claim_submit
    from tests.scoring.helpers import yantian_item

    claim = claim_submit(deputy=world.deputy_b, rule_item=yantian_item(12), occurred_on=timezone.localdate(),
                         description="志愿服务", actor=world.deputy_b_user)
    claim_confirm(claim=claim, actor=world.liaison)
    client.force_login(world.city_staff)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("scoring:claim_list") + f"?status={status}").status_code == 200
    [page] = [q["sql"] for q in ctx.captured_queries
              if 'FROM "scoring_claim"' in q["sql"] and "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]]
    plan = plan_of(page, sorts=False)
    assert index in plan and "Sort Key" not in plan, plan
    assert Claim.objects.exists()


@pytest.mark.parametrize("model", ["leave", "invitation"])
@pytest.mark.parametrize("staff", ["city_staff", "district_staff"])
@pytest.mark.parametrize("status", ["", "pending"])
@pytest.mark.usefixtures("cal")
def test_the_leave_and_invitation_lists_read_a_page_from_an_index_in_their_order(world, client, model, staff, status):
    """reception.activity_views._requests_page, newest first: a page of the city's or a district's
    requests is read from an index on filed_at (migration reception 0006), not sorted out of
    every request (100 ms for city staff at 10x)."""
    from reception import activity_services as svc
    from tests.reception.test_activities import D, plan

    activity = plan(world, date=D(2027, 1, 11))
    svc.leave_request_file(deputy=world.deputy_b, activity=activity, reason="出差", actor=world.deputy_b_user,
                           today=D(2027, 1, 6))
    svc.invitation_request(deputy=world.deputy_a, activity=activity, department="盐田区住房和建设局",
                           problem="老旧小区加装电梯", actor=world.deputy_a_user, today=D(2027, 1, 6))
    client.force_login(getattr(world, staff))
    url = reverse(f"reception:{model}_list")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, {"status": status}).status_code == 200
    table = "offices_leaverequest" if model == "leave" else "offices_invitation"
    [page] = [q["sql"] for q in ctx.captured_queries
              if f'FROM "{table}"' in q["sql"] and "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]]
    plan = plan_of(page, sorts=False)
    # An index that serves the order (city staff: leave_filed / leave_status_filed; a district's
    # staff: leave_district_filed / leave_status_district; on the test's few rows the planner may
    # take another of the four, with the district as a filter); never a sort.
    serving = [f"{model}_{name}" for name in ("status_district", "district_filed", "status_filed", "filed")]
    assert "Sort Key" not in plan and any(name in plan for name in serving), plan


def test_the_admins_review_list_reads_a_page_from_its_index_instead_of_sorting_every_review(world, client,
                                                                                             monkeypatch):
    """The admin's list of points reviews, newest first (-requested_at, -id): the page is read
    from review_requested, not every review joined to its entry and deputy and then sorted."""
    from django.contrib import admin

    from scoring.models import Review
    from scoring.services import points_record_event, review_request
    from tests.scoring.helpers import DAY, make_record

    for n in (1, 2):
        entry = points_record_event(deputy=world.deputy_a, event="motion_cosign",
                                    source=make_record(world.deputy_a, n), occurred_on=DAY)
        review_request(entry=entry, reason="分数有误", actor=world.deputy_a_user)
    monkeypatch.setattr(admin.site._registry[Review], "list_per_page", 1)  # two pages: the page is a LIMIT
    client.force_login(world.city_staff)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/admin/scoring/review/").status_code == 200
    [page] = [q["sql"] for q in ctx.captured_queries
              if 'FROM "scoring_review"' in q["sql"] and "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]]
    plan = plan_of(page)
    assert "review_requested" in plan and "Sort Key" not in plan, plan


def test_the_admins_date_hierarchy_probes_each_year_through_the_date_index(world, client):
    """liaison.lib.admin_list.date_hierarchy on the admin's activity list: each year between the
    first and the last is one probe of activity_date (the first date of the year), never a
    DISTINCT over every activity."""
    from reception.models import Activity

    for year in (2021, 2023, 2025):
        Activity.objects.create(office=world.office_a1, kind=Activity.Kind.RECEPTION, title="接待",
                                date=datetime.date(year, 3, 1), slot=Activity.Slot.MORNING, created_by=world.liaison)
    client.force_login(world.city_staff)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/admin/reception/activity/").status_code == 200
    assert not any("DISTINCT" in q["sql"] for q in ctx.captured_queries)
    [probe] = [q["sql"] for q in ctx.captured_queries if '"y2022"' in q["sql"]]
    plan = plan_of(probe)
    assert plan.count("activity_date") >= 3 and "Sort Key" not in plan, plan


def test_the_home_panels_activity_counts_read_the_upcoming_and_open_activities_only(world, client):
    """reception.activity_views.queue_panel: city staff count the upcoming and the open
    activities through activity_date and activity_open_date, not the whole term's activities."""
    from reception import activity_services as act
    from reception.models import Activity

    act.activity_plan(office=world.office_a1, kind=Activity.Kind.RECEPTION, title="接待日",
                      date=timezone.localdate() + datetime.timedelta(days=10), slot="am",
                      deputies=[world.deputy_a], actor=world.liaison)
    client.force_login(world.city_staff)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/")
    assert page.status_code == 200
    [count] = [q["sql"] for q in ctx.captured_queries if 'FROM "offices_activity"' in q["sql"] and "COUNT(" in q["sql"]]
    plan = plan_of(count)
    assert "activity_date" in plan and "activity_open_date" in plan, plan
    assert "Seq Scan on offices_activity" not in plan, plan


def test_the_live_standings_rank_the_kept_totals_never_the_ledger(world):
    """scoring.selectors.RankedStandings ranks the kept yearly totals (DeputyYearTotal, maintained
    by the ledger service): the ledger itself (1.8 M entries at 20,000 deputies) is never read by
    the live standings."""
    from scoring.selectors import RankedStandings

    standings = RankedStandings(year=2026)
    with CaptureQueriesContext(connection) as ctx:
        list(standings[:30])
        standings.count()
    assert ctx.captured_queries
    for query in ctx.captured_queries:
        assert "scoring_entry" not in query["sql"], query["sql"]
        plan = plan_of(query["sql"])
        assert "scoring_entry" not in plan, plan


def test_the_audit_log_page_is_read_newest_first_from_its_index(world):
    """liaison.security.views.audit_log: the log only grows (a row for every recorded look), so
    its page is read from auditlog_at in the page's order, never the whole log sorted."""
    from liaison.models import AuditLog
    from liaison.security.audit import AuditLogFilterForm

    # Enough rows, with fresh statistics, for the planner to choose as it does on a real log (on
    # one row any plan costs nothing and its choice flips between runs).
    AuditLog.objects.bulk_create([AuditLog(action="login") for _ in range(3000)])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {AuditLog._meta.db_table}")
    plan = plan_of_queryset(AuditLogFilterForm({}).filter()[:50])
    # Read in the order of the time: the page's index auditlog_at (at, id), or on a test's few
    # rows the column's own index on `at` with an incremental sort of equal times by id; never
    # the whole log read and sorted.
    assert "Index Scan" in plan and "auditlog_at" in plan and "Seq Scan" not in plan, plan
    if "Sort Key" in plan:
        assert "Incremental Sort" in plan and "Presorted Key: at" in plan, plan


@pytest.mark.parametrize("sort", ["district", "-district", "office", "-office"])
@pytest.mark.parametrize("show, index", [("open", "dispatch_owed_unit_"), ("all", "dispatch_by_unit_")])
def test_the_unit_inbox_sorted_by_district_or_office_reads_a_page_from_an_index(world, client, sort, show, index):
    """cases.views.unit_inbox sorted by district or office (issue 10): through the case's names
    every share of the unit was joined and sorted for a page (57,000 at 10x, 0.3-0.7 s); on the
    names copied onto the shares the page is read from dispatch_owed_unit_<key> (show=open) or
    dispatch_by_unit_<key> (show=all), backwards for the reverse order, and stops at the page (at
    10x: 0.8-1.1 ms)."""
    from tests.cases import journey

    journey.through(world, journey.register(world, title="待办"), "dispatched")
    journey.through(world, journey.register(world, title="已答复"), "replied")
    client.force_login(world.handler)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("cases:inbox") + f"?sort={sort}&show={show}").status_code == 200
    [page] = [q["sql"] for q in ctx.captured_queries
              if 'FROM "cases_casedispatch"' in q["sql"] and "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
              and "COUNT(" not in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        plan = plan_of(page)
    key = sort.lstrip("-")
    # On the test's few rows the planner may read the owed shares from the whole index with a
    # filter on the status (the same order, an equal cost); never the shares sorted.
    served = [f"{index}{key}"] + ([f"dispatch_by_unit_{key}"] if show == "open" else [])
    assert any(f"using {name} on cases_casedispatch" in plan for name in served), plan
    assert "Sort Key" not in plan, plan


def _estimated_rows(qs):
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        top = cursor.fetchone()[0]
    return int(top.split(" rows=")[1].split()[0])


def test_the_case_search_is_estimated_from_the_statistics_of_its_expressions(world):
    """Migration cases/0022: PostgreSQL keeps statistics of UPPER(title) and UPPER(tracking_code),
    the expressions of the case search (title__icontains / tracking_code__iexact then: the unit inbox's
    search, the queues'). Without them every search was estimated to match 0.5 % of the cases, and
    the unit inbox searched for a frequent word started from every dispatched case of the city
    instead of the unit's shares in the order of the sort's index (0.4 s a page at 10x, 3 ms
    with the estimate right). Here a word of most titles is estimated to match most cases, and a
    word of one title few. (The tracking code is now matched exactly through its unique index,
    and its statistics are dropped: migration cases/0023.)"""
    from django.db.models import Q

    from cases.models import Case
    from cases.models.case import new_tracking_code
    from tests.cases import journey

    case = journey.register(world, title="小区路灯损坏影响出行")
    clones = []
    for _i in range(400):
        clone = Case.objects.get(pk=case.pk)
        clone.pk = None
        clone.tracking_code = new_tracking_code()
        clones.append(clone)
    Case.objects.bulk_create(clones)
    journey.register(world, title="老旧小区加装电梯")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")
    assert _estimated_rows(Case.objects.filter(Q(title__icontains="路灯"))) >= 300
    assert _estimated_rows(Case.objects.filter(title__icontains="电梯")) <= 5
    # cases.search asks the same estimate to tell a rare word (looked up through its character
    # pairs, migration cases/0023) from a common one.
    from cases.search import is_rare_word

    assert not is_rare_word("路灯") and is_rare_word("电梯")
    assert is_rare_word("老人夜里", content=True) is False  # in every content of the journey's cases
