"""The organization department's dashboard (SPEC §5)."""

import datetime

import pytest
from django.urls import reverse

from cases.models import CaseDispatch
from cases.unit_figures_services import unit_figures_rebuild
from offices.models import Deputy
from reception.models import Attendance, ReceptionPeriod
from tests.base import make_deputy
from tests.cases import journey

pytestmark = pytest.mark.django_db

URL = reverse("reports:dashboard")


def period(district, key, start):
    return ReceptionPeriod.objects.create(district=district, key=key, start=start, end=start + datetime.timedelta(days=13))


def test_attendance_rate_counts_made_up_as_attended_and_stays_in_the_district_000_11(world, client):
    p = period(world.district_a, "2026-03", datetime.date(2026, 3, 2))
    Outcome = Attendance.Outcome
    extra = [
        make_deputy(f"代表{i}", district=world.district_a, community=world.community_a1, mobile=f"1370000000{i}")
        for i in range(2)
    ]
    for deputy, outcome in zip([world.deputy_a, world.deputy_b, *extra], [Outcome.ATTENDED, Outcome.MADE_UP, Outcome.LEAVE, Outcome.ABSENT], strict=True):
        Attendance.objects.create(deputy=deputy, period=p, outcome=outcome)
    other = period(world.district_b, "2026-03", datetime.date(2026, 3, 2))
    Attendance.objects.create(deputy=world.deputy_c, period=other, outcome=Outcome.ABSENT)

    client.force_login(world.district_staff)
    rows = client.get(URL).context["periods"]
    assert rows == [{"key": "2026-03", "total": 4, "attended": 1, "made_up": 1, "leave": 1, "absent": 1, "rate": 50.0}]
    client.force_login(world.city_staff)
    (row,) = client.get(URL).context["periods"]
    assert row["total"] == 5 and row["rate"] == 40.0


def test_open_and_overdue_cases_per_unit(world, client):
    late = journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))), days=1)
    CaseDispatch.objects.filter(case=late).update(deadline=datetime.date.today() - datetime.timedelta(days=1))
    unit_figures_rebuild()  # the deadline was moved past the services, which keep the counts
    journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))), days=5)
    replied = journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))), days=5)
    journey.reply(world, replied)
    assert CaseDispatch.objects.count() == 3 and late.status == "dispatched"

    client.force_login(world.district_staff)
    units = client.get(URL).context["units"]
    assert units == [{"unit_id": world.unit_a.pk, "unit__name": world.unit_a.name, "open": 2, "overdue": 1}]
    client.force_login(world.other_staff)
    assert client.get(URL).context["units"] == []


def test_offices_below_standard_are_listed_with_the_reasons_004_5(world, client):
    # Office A1: 40 m² with a full-time liaison; A2: 15 m² and no liaison; B1 is another district's.
    client.force_login(world.district_staff)
    response = client.get(URL)
    assert response.context["below_count"] == 1
    (office,) = response.context["below"]
    assert office == world.office_a2
    page = response.content.decode()
    assert "20 m²" in page and "专职联络员" in page


def test_dashboard_is_for_org_staff_only(world, client):
    for persona in ("liaison", "deputy_a_user", "handler", "outsider", "auditor"):
        user = getattr(world, persona, None)
        if user is None:
            continue
        client.force_login(user)
        assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_dashboard_queries_do_not_grow_with_the_data(world, client, django_assert_max_num_queries):
    p = period(world.district_a, "2026-05", datetime.date(2026, 5, 4))
    for i in range(30):
        deputy = Deputy.objects.create(
            name=f"代表{i}", gender="F", mobile="13800138000", level="district", term="第七届", work_unit="某单位",
            district=world.district_a,
        )
        Attendance.objects.create(deputy=deputy, period=p, outcome=Attendance.Outcome.ATTENDED)
    for _ in range(5):
        journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))))
    client.force_login(world.city_staff)
    with django_assert_max_num_queries(14):
        response = client.get(URL)
    assert response.status_code == 200 and "2026-05" in response.content.decode()


@pytest.mark.postgres
def test_the_attendance_chart_and_the_standings_top_are_read_from_their_indexes(world):
    """Issue 10 item 2 (20,000 deputies): the chart fetched the 120,000 attendance rows of six
    periods to count their ids, and the top 10 sorted the snapshot's 20,000 rows. The chart counts
    outcomes from attendance_period_outcome alone; the top reads snaprow_city in rank order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.dashboard_selectors import attendance_by_period, top_of_latest_standings
    from scoring.models import Snapshot, SnapshotRow

    p = period(world.district_a, "2026-03", datetime.date(2026, 3, 2))
    Attendance.objects.create(deputy=world.deputy_a, period=p, outcome=Attendance.Outcome.ATTENDED)
    snapshot = Snapshot.objects.create(year=2026, quarter=1, published_by=world.city_staff)
    SnapshotRow.objects.create(snapshot=snapshot, deputy=world.deputy_a, district=world.district_a,
                               deputy_name="甲", total=1, rank_city=1, rank_district=1)
    plans, sqls = [], []
    for read in (lambda: attendance_by_period(user=world.city_staff, today=datetime.date(2026, 3, 20)),
                 lambda: top_of_latest_standings(user=world.city_staff)):
        with CaptureQueriesContext(connection) as ctx:
            read()
        query = ctx.captured_queries[-1]
        sqls.append(query["sql"])
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    # Index-only once the table is vacuumed (its visibility map set; the plan at 10x in
    # bench/README.md), which a test's fresh rows cannot show: the query reads no column outside
    # attendance_period_outcome.
    assert 'COUNT("offices_attendance"."outcome")' in sqls[0] and '"offices_attendance"."id"' not in sqls[0], sqls[0]
    assert "snaprow_city" in plans[1] and "Sort Key" not in plans[1], plans[1]


@pytest.mark.django_db
def test_the_attendance_chart_is_cached_until_an_attendance_or_period_write(world):
    """The chart counts every row of six slots (120,000 at 20,000 deputies): it is read from the
    cache until a write to one of those slots' attendance or periods (reception.attendance_version)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.dashboard_selectors import attendance_by_period

    today = datetime.date(2026, 3, 20)
    p = period(world.district_a, "2026-03", datetime.date(2026, 3, 2))
    row = Attendance.objects.create(deputy=world.deputy_a, period=p, outcome=Attendance.Outcome.ABSENT)

    def chart():
        return {r["key"]: (r["total"], r["absent"], r["made_up"]) for r in attendance_by_period(user=world.city_staff, today=today)}

    assert chart()["2026-03"] == (1, 1, 0)
    with CaptureQueriesContext(connection) as ctx:
        assert chart()["2026-03"] == (1, 1, 0)
    assert len(ctx.captured_queries) == 1  # the keys; the counts from the cache
    row.outcome = Attendance.Outcome.MADE_UP
    row.save()
    assert chart()["2026-03"] == (1, 0, 1)
    Attendance.objects.create(deputy=world.deputy_c, period=period(world.district_b, "2026-03", datetime.date(2026, 3, 2)),
                              outcome=Attendance.Outcome.ABSENT)
    assert chart()["2026-03"] == (2, 1, 1)
    row.delete()
    assert chart()["2026-03"] == (1, 1, 0)
