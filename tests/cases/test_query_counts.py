"""Query-count guards (issue 10 item 5): every page below makes the same number of queries with N
and with 3N rows behind it, and no more than 12. A page whose count grows with the data has an
N+1 that only shows at city scale."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cases import proposal_services
from cases.models import Case, Inquiry
from liaison.models import Notice
from tests.base import make_deputy

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
        (world.deputy_a_user, "/"),
        (world.deputy_b_user, "/"),
        (world.liaison, "/"),
        (world.district_staff, "/"),
        (world.city_staff, "/"),
        (world.handler, "/"),
    ]


def test_case_inquiry_notice_and_home_pages_make_the_same_queries_at_n_and_3n(world, client):
    n = 2
    grow(world, n, 0)
    small = {(u.username, url): count(client, u, url) for u, url in pages(world)}
    grow(world, 2 * n, n)
    large = {(u.username, url): count(client, u, url) for u, url in pages(world)}
    assert {k: (small[k], large[k]) for k in small if small[k] != large[k]} == {}
    assert {k: v for k, v in large.items() if v > LIMIT} == {}


def _changelists():
    urls = []
    for model in admin.site._registry:
        try:
            urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        except NoReverseMatch:
            continue
    return sorted(urls)


def test_admin_change_lists_make_the_same_queries_at_n_and_3n(world, client):
    """The admin is the organization department's daily workplace: every change list a city staff
    member can open keeps its query count when the rows triple."""
    n = 2
    grow(world, n, 0)
    client.force_login(world.city_staff)
    urls = [u for u in _changelists() if client.get(u).status_code == 200]
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
