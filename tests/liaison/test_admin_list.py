"""liaison.lib.admin_list: the admin's change-list rows written from a column plan, and the date
hierarchy's years read by one probe per year (issue 10) give the same HTML as Django's own code,
and the lists they serve keep their query count when the rows triple."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list as django_admin_list
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from liaison.lib import admin_list
from reception.models import Activity
from scoring import services as scoring_services
from scoring.models import Review
from tests.base import admin_changelist_urls
from tests.cases import journey
from tests.scoring.helpers import DAY, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_sessions(settings):
    """Count as production runs: sessions in the cache (REDIS_URL set), not a query per request."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def activities(world, years, per_year=1, start=0):
    for year in years:
        for i in range(start, start + per_year):
            Activity.objects.create(
                office=world.office_a1 if i % 2 else world.office_b1, kind=Activity.Kind.RECEPTION,
                title=f"接待 <{year}> & {i}", date=dt.date(year, 1 + i % 12, 1 + i % 27),
                slot=Activity.Slot.MORNING, households=i, created_by=world.liaison,
            )


def reviews(world, n, start):
    """n co-signing awards of deputy A (ledger entries), each with a review request."""
    for i in range(start, start + n):
        entry = scoring_services.points_record_event(
            deputy=world.deputy_a, event="motion_cosign", source=make_record(world.deputy_a, 100 + i), occurred_on=DAY,
        )
        scoring_services.review_request(entry=entry, reason="分数有误", actor=world.deputy_a_user)


def grow(world, n, start):
    """n cases walked through the workflow (events, points entries), n activities, reviews."""
    for i in range(start, start + n):
        case = journey.register(world, title=f"问题 <{i}>")
        journey.through(world, case, ("assigned", "dispatched", "fed_back", "archived")[i % 4])
    activities(world, (2021, 2023, 2024), per_year=n, start=start)
    reviews(world, n, start)


def rows_html(results):
    """Each row as admin/change_list_results.html writes it: its items one after the other."""
    return ["".join(row) for row in results]


def changelist(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response


@pytest.mark.parametrize("query", ["", "?o=-2.1", "?q=1", "?_popup=1"])
def test_every_change_list_writes_the_rows_djangos_items_for_result_writes(world, client, query):
    grow(world, 3, 0)
    world.city_staff.is_superuser = True  # every list, the system administrators' too
    world.city_staff.save()
    client.force_login(world.city_staff)
    compared = 0
    for url in admin_changelist_urls():
        response = client.get(url + query)
        if response.status_code != 200 or response.context is None or "cl" not in response.context:
            continue
        cl = response.context["cl"]
        ours = rows_html(admin_list.results(cl))
        assert ours == rows_html(django_admin_list.results(cl)), url
        compared += bool(ours)
    assert compared >= (5 if query == "?q=1" else 15)


def test_the_column_kinds_are_written_as_django_writes_them(world):
    """Fields with choices, booleans, dates, foreign keys (set and empty), an admin method with a
    boolean icon, a model property, __str__, an escaped title, links in a column other than the
    first, on a list with preserved filters."""
    from django.test import RequestFactory

    activities(world, (2024,), per_year=4)
    Activity.objects.filter(pk=Activity.objects.order_by("pk").first().pk).update(title=" ", place="")

    class Columns(admin.ModelAdmin):
        list_display = ("title", "__str__", "date", "kind", "office", "makes_up_period", "households", "place",
                        "is_reception", "yes", "id")
        list_display_links = ("date", "office")

        @admin.display(boolean=True)
        def yes(self, obj):
            return obj.households % 2 == 0 or None

    request = RequestFactory().get("/admin/reception/activity/", {"kind": "reception", "o": "1"})
    request.resolver_match = resolve("/admin/reception/activity/")  # the filters a change link preserves
    request.user = world.city_staff
    world.city_staff.is_superuser = True
    model_admin = Columns(Activity, admin.site)
    cl = model_admin.get_changelist_instance(request)
    cl.formset = None  # as changelist_view sets it on a list without list_editable
    ours = rows_html(admin_list.results(cl))
    assert ours == rows_html(django_admin_list.results(cl))
    html = "".join(ours)
    assert len(ours) == 4 and "?_changelist_filters=kind%3Dreception%26o%3D1" in html and "&lt;2024&gt;" in html


@pytest.mark.parametrize("query", ["", "?kind=reception", "?kind=household_visit", "?date__year=2023",
                                   "?date__year=2023&date__month=2", "?q=2024"])
def test_the_date_hierarchy_offers_djangos_years_with_one_probe(world, client, query):
    activities(world, (2020, 2021, 2023, 2024, 2026), per_year=2)  # no activity in 2022 or 2025
    response = changelist(client, world.city_staff, "/admin/reception/activity/" + query)
    cl = response.context["cl"]
    with CaptureQueriesContext(connection) as ctx:
        ours = admin_list.date_hierarchy(cl)
    assert ours == django_admin_list.date_hierarchy(cl)
    if not query:
        assert [c["title"] for c in ours["choices"]] == ["2020", "2021", "2023", "2024", "2026"]
        # The first and last dates, then the years between them in one query, none a DISTINCT.
        assert len(ctx.captured_queries) == 2
        assert not any("DISTINCT" in q["sql"] for q in ctx.captured_queries)


def test_the_activity_list_and_the_review_list_keep_their_query_count(world, client):
    """The lists this module serves, and the ones it was measured on (issue 10), at N and 3N rows."""
    urls = ["/admin/reception/activity/", "/admin/scoring/review/", "/admin/scoring/entry/",
            "/admin/cases/case/", "/admin/offices/office/", "/admin/offices/deputy/"]

    def counts():
        result = {}
        client.force_login(world.city_staff)
        for url in urls:
            assert client.get(url).status_code == 200, url  # warm the session and per-process caches
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200, url
            result[url] = len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])
        return result

    grow(world, 2, 0)
    small = counts()
    grow(world, 4, 2)
    large = counts()
    assert Review.objects.count() >= 4 and Activity.objects.count() >= 18
    assert small == large
    assert {url: n for url, n in large.items() if n > 12} == {}, large
