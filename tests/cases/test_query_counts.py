"""Query-count guards (issue 10 item 5): every page below makes the same number of queries with N
and with 3N rows behind it, and no more than 12. A page whose count grows with the data has an
N+1 that only shows at city scale."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import proposal_services
from cases.models import Case, Inquiry
from liaison.models import Notice
from tests.base import admin_changelist_urls, make_deputy

from . import journey

pytestmark = pytest.mark.django_db

LIMIT = 12


def grow(world, n, start):
    """n more cases of office A1 walked through the workflow (events, dispatches, replies, points,
    notices), n more deputies, and n more inquiries with both deputies of district A."""
    for i in range(start, start + n):
        case = journey.register(world, title=f"问题{i}")
        journey.through(world, case, ("assigned", "dispatched", "fed_back", "archived")[i % 4])
        make_deputy(f"代表{i}", district=world.district_a, community=world.community_a1)
        proposal_services.inquiry_record(
            actor=world.district_staff, date=timezone.localdate() - datetime.timedelta(days=i),
            kind=Inquiry.Kind.INQUIRY, topic=f"询问{i}", target_unit=world.unit_a,
            participants=[world.deputy_a, world.deputy_b], outcome="承诺办理",
        )
        Notice.objects.create(user=world.deputy_b_user, text=f"通知{i}")


@pytest.fixture(autouse=True)
def _production_sessions(settings):
    """Count as production runs: sessions in the cache (REDIS_URL set), not a query per request."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def count(client, user, url):
    """Queries of one request, without the savepoints that exist only because the test runs in a
    transaction (in production the audit row's atomic block is a plain transaction)."""
    client.force_login(user)
    assert client.get(url).status_code == 200, url  # warm the session and per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])


def pages(world):
    case = Case.objects.filter(status="dispatched").order_by("pk").first()
    inquiry = Inquiry.objects.order_by("pk").first()
    return [
        (world.liaison, reverse("cases:detail", args=[case.pk])),
        (world.deputy_b_user, reverse("cases:detail", args=[case.pk])),
        (world.district_staff, reverse("cases:detail", args=[case.pk])),
        (world.handler, reverse("cases:detail", args=[case.pk])),
        (world.deputy_a_user, reverse("proposals:inquiries")),
        (world.district_staff, reverse("proposals:inquiries")),
        (world.district_staff, reverse("proposals:inquiry_detail", args=[inquiry.pk])),
        (world.deputy_b_user, reverse("notices")),
        (world.deputy_a_user, reverse("cases:queue")),
        (world.deputy_b_user, reverse("cases:queue")),
        (world.deputy_a_user, reverse("cases:queue") + "?overdue=1"),
        (world.deputy_a_user, reverse("cases:overdue")),
        (world.liaison, reverse("cases:desk")),
        (world.liaison, reverse("cases:desk") + "?overdue=1"),
        (world.deputy_a_user, "/"),
        (world.deputy_b_user, "/"),
        (world.liaison, "/"),
        (world.district_staff, "/"),
        (world.city_staff, "/"),
        (world.handler, "/"),
        # The staff dashboard and the year-end review read the units' kept figures.
        (world.city_staff, reverse("reports:dashboard")),
        (world.district_staff, reverse("reports:dashboard")),
        (world.city_staff, reverse("case_reports:review") + f"?year={timezone.localdate().year}"),
        (world.district_staff, reverse("case_reports:review") + f"?year={timezone.localdate().year}"),
    ]


def test_case_inquiry_notice_and_home_pages_make_the_same_queries_at_n_and_3n(world, client):
    n = 2
    grow(world, n, 0)
    small = {(u.username, url): count(client, u, url) for u, url in pages(world)}
    grow(world, 2 * n, n)
    large = {(u.username, url): count(client, u, url) for u, url in pages(world)}
    assert {k: (small[k], large[k]) for k in small if small[k] != large[k]} == {}
    assert {k: v for k, v in large.items() if v > LIMIT} == {}


def test_admin_change_lists_make_the_same_queries_at_n_and_3n(world, client):
    """The admin is the organization department's daily workplace: every change list a city staff
    member can open keeps its query count when the rows triple."""
    n = 2
    grow(world, n, 0)
    client.force_login(world.city_staff)
    urls = [u for u in admin_changelist_urls() if client.get(u).status_code == 200]
    assert len(urls) > 10, urls
    small = {url: count(client, world.city_staff, url) for url in urls}
    grow(world, 2 * n, n)
    large = {url: count(client, world.city_staff, url) for url in urls}
    assert {url: (small[url], large[url]) for url in urls if small[url] != large[url]} == {}


# ---------------------------------------------------------------- bounded counts of the queues


def test_a_queue_counts_at_most_its_bound_without_sorting_and_says_so(world, client, monkeypatch):
    """Issue 10: the staff queues sorted every waiting case and then counted them all again. The
    count now stops at a bound (COUNT over a LIMIT, without the ORDER BY) and the page says there
    are more rows than it offers."""
    from cases import queue_selectors as queues
    from liaison.lib import pagination

    for i in range(5):
        journey.through(world, journey.register(world, title=f"待交办{i}"), "forwarded")
    paginator = pagination.BoundedPaginator(queues.staff_dispatch_queue(user=world.district_staff), 2, count_limit=3)
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count == 4 and paginator.capped and paginator.num_pages == 1
    [query] = ctx.captured_queries
    assert "LIMIT 4" in query["sql"] and "ORDER BY" not in query["sql"]
    assert [c.title for c in paginator.page(1)] == [c.title for c in queues.staff_dispatch_queue(user=world.district_staff)[:2]]

    monkeypatch.setattr(pagination, "COUNT_LIMIT", 3)
    monkeypatch.setattr("cases.views.PAGE_SIZE", 1)
    client.force_login(world.district_staff)
    html = client.get(reverse("cases:dispatch_queue")).content.decode()
    assert "超过 3 条" in html
    # Under the bound the page counts as before.
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 10)
    html = client.get(reverse("cases:dispatch_queue")).content.decode()
    assert "共 5 页" in html and "超过" not in html


# ---------------------------------------------------------------- plans (PostgreSQL)


@pytest.mark.postgres
def test_a_deputys_cases_are_found_through_indexes_not_a_scan_of_every_case(world):
    """Issue 10: `owner__user = me OR pk IN (received) OR office IN (led)` across a join made
    PostgreSQL filter every case of the city (195 ms for a count at 56,000 cases). With the
    deputy's ids each arm is an index scan (owner, primary key, office) under one BitmapOr. The
    planner is told to avoid sequential scans where it can, so the plan shows whether an index
    path exists at all."""
    from cases.selectors import cases_visible_to

    journey.register(world)
    qs = cases_visible_to(user=world.deputy_a_user)  # deputy A owns, received and leads office A1
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert "Seq Scan on cases_case" not in plan and "BitmapOr" in plan, plan
    assert "cases_case_owner_id" in plan and "cases_case_pkey" in plan, plan


def _overdue_world(world):
    """Deputy A's office A1 with a case late for forwarding, one whose unit is late and one whose
    unit is not."""
    from cases.models import CaseDispatch

    today = timezone.localdate()
    late = journey.register(world, title="逾期未转")
    Case.objects.filter(pk=late.pk).update(forward_due=today - datetime.timedelta(days=2))
    waiting = journey.through(world, journey.register(world, title="单位逾期"), "dispatched")
    CaseDispatch.objects.filter(case=waiting).update(deadline=today - datetime.timedelta(days=1))
    journey.through(world, journey.register(world, title="单位未逾期"), "dispatched")
    return {late.pk, waiting.pk}


@pytest.mark.postgres
@pytest.mark.parametrize("who", ["deputy", "liaison", "deputy_filter", "liaison_filter"])
def test_a_deputys_and_an_offices_queues_flag_overdue_cases_per_row_not_from_the_citys_late_shares(world, who):
    """Issue 10 item 2: the overdue flag of the deputy queue, the office desk and their home panel
    counts was a hashed IN over every overdue share of the city and its case (~99,000 shares and
    100,000 cases, 900 ms at 20,000 deputies, whatever the deputy's 26 cases). Each row now
    probes its own shares through the share's case index (case_overdue_q). Sequential scans
    are discouraged so that the plan shows whether the index path exists; the test also checks the
    flags against the city-wide rule."""
    from cases import queue_selectors as queues
    from cases.deadline_selectors import case_overdue_q
    from cases.selectors import cases_visible_to

    expected = _overdue_world(world)
    user = world.liaison if who.startswith("liaison") else world.deputy_a_user
    qs = queues.liaison_desk(user=user) if user == world.liaison else queues.deputy_queue(user=user)
    assert {c.pk for c in qs if c.is_overdue} == expected
    assert set(cases_visible_to(user=user).filter(case_overdue_q()).values_list("pk", flat=True)) == expected
    if who.endswith("filter"):
        # The ?overdue=1 filter; the home panel counts with the same condition.
        query = queues.filter_cases(qs.all(), overdue=True)[:25]
        assert {c.pk for c in query.all()} == expected
    else:
        query = qs.all()[:25]
    # The shares are looked up by the row's own case (a correlated EXISTS), never joined back to
    # every dispatched case of the city.
    sql = str(query.query)
    assert 'EXISTS(SELECT 1 AS "a" FROM "cases_casedispatch" U0 WHERE (U0."case_id" = ("cases_case"."id")' in sql, sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    # PostgreSQL plans such an EXISTS two ways and keeps the cheaper for the rows it expects: on
    # the test's handful of shares it hashes them; at 20,000 deputies it probes the share index
    # per row (2 ms for the deputy queue). Either way the subplan reads shares only, not cases.
    assert "on cases_casedispatch" in plan and "on cases_case u1" not in plan, plan


# ---------------------------------------------------------------- the staff queues' order (issue 10)


def _staff_queues_world(world):
    """Cases in every state the two staff lists care about: forwarded ones received on different
    days, a dissatisfied feedback, a case late for forwarding and one whose unit is late."""
    from cases.models import CaseDispatch, Satisfaction

    today = timezone.localdate()
    for i in range(4):
        case = journey.through(world, journey.register(world, title=f"待交办{i}"), "forwarded")
        Case.objects.filter(pk=case.pk).update(received_on=today - datetime.timedelta(days=i % 2))
    unhappy = journey.through(world, journey.register(world, title="不满意"), "replied")
    journey.feedback(world, unhappy, satisfaction=Satisfaction.DISSATISFIED)
    late = journey.register(world, title="逾期未转")
    Case.objects.filter(pk=late.pk).update(forward_due=today - datetime.timedelta(days=2))
    waiting = journey.through(world, journey.register(world, title="单位逾期"), "dispatched")
    CaseDispatch.objects.filter(case=waiting).update(deadline=today - datetime.timedelta(days=1))
    journey.through(world, journey.register(world, title="已办结"), "archived")


def test_the_staff_queues_order_by_their_index_and_lose_no_case_and_no_order(world):
    """The dispatch queue and the overdue list order by (forward_due, received_on desc, id desc)
    alone, which their partial indexes serve: that is the full queue order only while every case
    of the dispatch queue needs a move and none is overdue, and every case of the overdue list is
    overdue. The status filters that let the planner use the indexes drop no case."""
    from django.db.models import Q

    from cases import queue_selectors as queues
    from cases.deadline_selectors import case_overdue_q
    from cases.models import MAY_BE_OVERDUE, WAITING_FOR_STAFF, Satisfaction
    from cases.models import Status as S
    from cases.selectors import cases_visible_to

    _staff_queues_world(world)
    for user in (world.district_staff, world.city_staff):
        visible = cases_visible_to(user=user)
        dispatch = list(queues.staff_dispatch_queue(user=user))
        needs = Q(status=S.FORWARDED) | Q(status=S.FED_BACK, satisfaction=Satisfaction.DISSATISFIED) | queues.follow_up_due_q()
        assert {c.pk for c in dispatch} == set(visible.filter(needs).values_list("pk", flat=True))
        assert len(dispatch) == 5 and all(c.needs_action and not c.is_overdue for c in dispatch)
        assert all(c.status in WAITING_FOR_STAFF for c in dispatch)
        full = queues._with_flags(visible, needs).filter(needs)
        assert [c.pk for c in dispatch] == [c.pk for c in full]

        overdue = list(queues.overdue_cases(user=user))
        assert {c.pk for c in overdue} == set(visible.filter(case_overdue_q()).values_list("pk", flat=True))
        assert len(overdue) == 2 and all(c.needs_action and c.is_overdue for c in overdue)
        assert all(c.status in MAY_BE_OVERDUE for c in overdue)
        full = queues._with_flags(visible, Q(pk__isnull=False)).filter(case_overdue_q())
        assert [c.pk for c in overdue] == [c.pk for c in full]


@pytest.mark.postgres
@pytest.mark.parametrize("queue, index", [("staff_dispatch_queue", "case_waiting_for_staff"),
                                          ("overdue_cases", "case_overdue_candidates")])
def test_the_staff_queues_read_a_page_from_their_index_instead_of_sorting_every_case(world, queue, index):
    """Issue 10: the dispatch queue sorted every waiting case (and the overdue list every overdue
    one) to cut a page of 25. Each now reads its page in order from a partial index. The planner
    is told to avoid sorting where it can, so the plan shows whether the index serves the order
    at all (on the test's few rows it would rather sort)."""
    from cases import queue_selectors as queues

    _staff_queues_world(world)
    qs = getattr(queues, queue)(user=world.district_staff)[:25]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        plan = qs.explain()
    assert f"Index Scan using {index} on cases_case" in plan and "Sort Key" not in plan, plan


def test_the_staff_queues_make_the_same_queries_at_n_and_3n(world, client):
    """The dispatch queue and the overdue list (district and city staff) keep their query count
    when the waiting and overdue cases triple."""
    pages_ = [(u, reverse(name)) for u in (world.district_staff, world.city_staff)
              for name in ("cases:dispatch_queue", "cases:overdue")]

    def add(n, start):
        for i in range(start, start + n):
            _ = journey.through(world, journey.register(world, title=f"待交办{i}"), "forwarded")
            late = journey.register(world, title=f"逾期{i}")
            Case.objects.filter(pk=late.pk).update(forward_due=timezone.localdate() - datetime.timedelta(days=3))

    add(2, 0)
    small = {(u.username, url): count(client, u, url) for u, url in pages_}
    add(4, 2)
    large = {(u.username, url): count(client, u, url) for u, url in pages_}
    assert small == large and max(large.values()) <= LIMIT, (small, large)


@pytest.mark.postgres
def test_the_overdue_rule_probes_each_cases_open_shares_instead_of_hashing_every_late_share(world):
    """Issue 10 item 2: the rule read the late shares through `pk IN (every open late share of the
    city)`, which PostgreSQL built as a hash once per use (three times per queue page: the count,
    the filter and the badge; 0.6 s each at 100,000 late shares). It is now an EXISTS per case row
    on the partial index dispatch_open_by_case, which a page of 25 probes 25 times."""
    from cases import queue_selectors as queues

    _staff_queues_world(world)
    for queue in ("overdue_cases", "staff_dispatch_queue"):
        qs = getattr(queues, queue)(user=world.city_staff)[:25]
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            plan = qs.explain()
        # Probed per case row: a correlated subplan whose scan of the open shares names the outer
        # case (a hashed list has none). At 10x that scan is dispatch_open_by_case's; on the
        # test's few rows the planner may read another partial index of open shares (the inbox's
        # sort indexes, equally cheap here) with the case as a filter: still probed per case row.
        scans = plan.split(" on cases_casedispatch")[1:]
        assert scans and all("case_id = cases_case.id" in "\n".join(scan.split("\n")[1:3]) for scan in scans), plan


@pytest.mark.postgres
def test_the_staff_queues_count_up_to_their_bound_in_their_index_order(world):
    """The overdue list's bounded count without its ORDER BY let the planner gather every
    candidate through bitmap scans (200,000 index entries at 10x) before it could stop at the
    bound; counted in the index order it reads case_overdue_candidates until the bound."""
    from cases import queue_selectors as queues
    from liaison.lib.pagination import BoundedPaginator

    _staff_queues_world(world)
    paginator = BoundedPaginator(queues.overdue_cases(user=world.city_staff), 25, count_in_order=True)
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count == 2
    [query] = ctx.captured_queries
    assert "ORDER BY" in query["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using case_overdue_candidates" in plan and "Bitmap" not in plan, plan


@pytest.mark.postgres
def test_the_unit_inbox_reads_its_owed_shares_from_their_index_and_counts_without_the_badges(world):
    """Issue 10 item 2: the unit inbox filtered on the flag `is_owed` (a CASE expression) and
    ordered by it, so PostgreSQL joined and sorted every open share of the unit (14,000 at 10x,
    350 ms) to cut a page of 25, and its count computed the row badges (two EXISTS per row) of
    the 1,001 rows it counted. The default list now reads the partial index
    dispatch_owed_by_unit in the page's order, and the count selects only the key."""
    from cases import queue_selectors as queues
    from cases.models import CaseDispatch
    from liaison.lib.pagination import BoundedPaginator

    for i in range(3):
        journey.through(world, journey.register(world, title=f"待办{i}"), "dispatched")
    replied = journey.through(world, journey.register(world, title="已答复"), "fed_back")
    qs = queues.unit_inbox(user=world.handler, owed_only=True)
    owed = list(qs)
    assert len(owed) == 3 and all(d.is_owed for d in owed)
    assert replied.pk not in {d.case_id for d in owed}
    everything = queues.unit_inbox(user=world.handler)
    # The same rows and order as the flag filter of the whole inbox.
    assert [d.pk for d in owed] == [d.pk for d in everything.filter(is_owed=True)]
    assert CaseDispatch.objects.filter(unit=world.unit_a).count() > 3
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.all()[:25].explain()
    # In the page's order from an index of the unit's shares: the owed ones' (at city scale), or,
    # on the test's few rows, every share's with the owed condition as a filter; never a sort.
    assert ("Index Scan using dispatch_owed_by_unit on cases_casedispatch" in plan
            or "Index Scan using dispatch_by_unit_deadline on cases_casedispatch" in plan), plan
    assert "Sort Key" not in plan, plan
    paginator = BoundedPaginator(qs.all(), 25, count_in_order=True)
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count == 3
    (counted,) = [q["sql"] for q in ctx.captured_queries]
    assert "EXISTS" not in counted and "cases_deadlineextension" not in counted, counted
    # Sorted by another column, the list is still counted in the index's order.
    paginator = BoundedPaginator(qs.order_by("-dispatched_at"), 25, count_in_order=queues.INBOX_SORTS["deadline"])
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count == 3
    (counted,) = [q["sql"] for q in ctx.captured_queries]
    assert 'ORDER BY "cases_casedispatch"."deadline" ASC, "cases_casedispatch"."id" DESC' in counted, counted


def test_the_unit_inbox_whole_list_reads_owed_then_the_rest_in_the_flags_order(world, client):
    """Issue 10: the whole inbox (show=all), what the unit owes first, is read as two parts
    (unit_inbox_owed_first); every page holds the rows and the order of the flag-sorted list,
    including a page that straddles the parts, in as many queries as before."""
    from cases import queue_selectors as queues
    from liaison.lib.pagination import BoundedPaginator

    for i in range(3):
        journey.through(world, journey.register(world, title=f"待办{i}"), "dispatched")
    for i in range(3):
        journey.through(world, journey.register(world, title=f"已答复{i}"), "fed_back")
    everything = queues.unit_inbox(user=world.handler)
    expected = [d.pk for d in everything]
    assert len(expected) >= 6 and sum(d.is_owed for d in everything) == 3
    for per_page in (1, 2, 4, 25):
        paginator = BoundedPaginator(queues.unit_inbox_owed_first(everything), per_page)
        assert paginator.count == len(expected)
        got = [d.pk for n in paginator.page_range for d in paginator.page(n)]
        assert got == expected, per_page
    # The view: page 1 is the page count and the owed part, as with the flag-sorted list.
    client.force_login(world.handler)
    url = reverse("cases:inbox") + "?show=all"
    response = client.get(url)
    assert response.status_code == 200
    assert [d.pk for d in response.context["page"]] == expected[:25]
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    before = len(ctx.captured_queries)
    for i in range(3):
        journey.through(world, journey.register(world, title=f"更多{i}"), "fed_back")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx.captured_queries) == before


@pytest.mark.postgres
def test_the_unit_inbox_whole_list_reads_the_shares_no_longer_owed_from_their_index(world):
    """The second part of the whole inbox (the shares the unit no longer owes, soonest deadline
    first) is read from dispatch_by_unit_deadline in the page's order, not sorted."""
    from cases import queue_selectors as queues

    journey.through(world, journey.register(world, title="已答复"), "fed_back")
    parts = queues.unit_inbox_owed_first(queues.unit_inbox(user=world.handler))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = parts.parts[1][:25].explain()
    assert "Index Scan using dispatch_by_unit_deadline on cases_casedispatch" in plan and "Sort Key" not in plan, plan


@pytest.mark.postgres
@pytest.mark.parametrize("sort", ["dispatched", "-dispatched"])
@pytest.mark.parametrize("owed_only, index", [(False, "dispatch_by_unit_dispatched"),
                                              (True, "dispatch_owed_unit_dispatched")])
def test_the_unit_inbox_sorted_by_dispatch_date_reads_a_page_from_an_index(world, sort, owed_only, index):
    """Issue 10: sorted by dispatch date, the inbox sorted every share of the unit (57,000 at 10x)
    for a page; dispatch_by_unit_dispatched (every share) and dispatch_owed_unit_dispatched (the
    shares it owes) serve the order both ways."""
    from cases import queue_selectors as queues

    journey.through(world, journey.register(world, title="待办"), "dispatched")
    journey.through(world, journey.register(world, title="已答复"), "fed_back")
    qs = queues.unit_inbox(user=world.handler, sort=sort, owed_only=owed_only)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs[:25].explain()
    # The owed shares may also be read through the every-share index with the owed condition as
    # a filter: on the test's few analysed rows the planner may pick it (since the search
    # statistics' migration analyses the tables); either way the page comes in index order.
    served_by = {index, "dispatch_by_unit_dispatched"}
    assert any(f"using {name} on cases_casedispatch" in plan for name in served_by), plan
    assert "Sort Key" not in plan, plan


@pytest.mark.parametrize("who", ["deputy_a_user", "deputy_b_user", "deputy_c_user"])
def test_the_deputy_home_panel_counts_what_the_deputy_queue_flags(world, client, who):
    """The home panel's two counts (deputy_queue_counts, on the ids of deputy_case_reach) are the
    queue's own flags counted: what needs my move (as owner, and as team leader the office's
    cases still without an owner) and what is overdue."""
    from cases import queue_selectors as queues

    _overdue_world(world)  # office A1: late for forwarding (no owner: deputy A leads A1), a late unit
    for target in ("assigned", "dispatched", "replied", "fed_back", "archived"):
        journey.through(world, journey.register(world, title=target), target)
    user = getattr(world, who)
    queue = list(queues.deputy_queue(user=user))
    expected = {"waiting": sum(c.needs_action for c in queue), "late": sum(c.is_overdue for c in queue)}
    assert queues.deputy_queue_counts(user=user) == expected
    if who == "deputy_a_user":
        assert expected["waiting"] and expected["late"]
    client.force_login(user)
    html = client.get("/").content.decode()
    assert ('data-testid="cases-panel"' in html) == bool(expected["waiting"] or expected["late"])


def test_the_unit_handler_home_panel_counts_what_the_inbox_owes(world, client):
    """The unit handler's home panel reads the unit's kept open-share total (issue 10: counting
    through the join took 126 ms at 10x): the same number as the inbox's owed shares, which a
    reply lowers."""
    import re

    from cases import queue_selectors as queues

    cases = [journey.through(world, journey.register(world, title=f"待办{i}"), "dispatched") for i in range(3)]
    journey.through(world, journey.register(world, title="已答复"), "fed_back")
    owed = queues.unit_inbox(user=world.handler, owed_only=True).count()
    assert owed == 3 and queues.unit_owed_count(user=world.handler) == owed
    client.force_login(world.handler)
    panel = re.search(r'data-testid="cases-panel".*?</div></div>', client.get("/").content.decode(), re.S).group(0)
    assert re.search(r"\b3\b", panel), panel
    journey.reply(world, cases[0])
    assert queues.unit_owed_count(user=world.handler) == 2
    panel = re.search(r'data-testid="cases-panel".*?</div></div>', client.get("/").content.decode(), re.S).group(0)
    assert re.search(r"\b2\b", panel) and not re.search(r"\b3\b", panel), panel
