"""The office's bi-monthly report to the higher liaison body [004 第十二条]."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from cases.models import Case
from liaison.models import AuditLog, BackgroundExport
from offices.models import Office
from reception.models import Activity, ActivityParticipant
from reports.bimonthly_selectors import bimester_bounds
from tests.cases import journey

pytestmark = pytest.mark.django_db

URL = reverse("reports:bimonthly_report")
DAY = datetime.date(2026, 9, 10)


def activity(world, office, kind=Activity.Kind.RECEPTION, status=Activity.Status.LOGGED, households=0, day=DAY, attended=()):
    a = Activity.objects.create(
        office=office, kind=kind, title="活动", date=day, status=status, households=households, created_by=world.liaison
    )
    for deputy, came in attended:
        ActivityParticipant.objects.create(activity=a, deputy=deputy, attended=came)
    return a


def test_bimester_bounds_cover_two_calendar_months():
    assert bimester_bounds(2026, 1) == (datetime.date(2026, 1, 1), datetime.date(2026, 2, 28))
    assert bimester_bounds(2028, 1) == (datetime.date(2028, 1, 1), datetime.date(2028, 2, 29))
    assert bimester_bounds(2026, 6) == (datetime.date(2026, 11, 1), datetime.date(2026, 12, 31))


def test_report_counts_logged_activities_attendance_households_and_cases_004_12(world, client):
    activity(world, world.office_a1, attended=[(world.deputy_a, True), (world.deputy_b, False)])
    activity(world, world.office_a1, kind=Activity.Kind.HOUSEHOLD_VISIT, households=4,
             attended=[(world.deputy_a, True), (world.deputy_b, True)])
    activity(world, world.office_a1, status=Activity.Status.PLANNED)  # not held: not counted
    activity(world, world.office_a1, day=datetime.date(2026, 11, 2))  # another bimester
    journey.register(world, received_on=DAY)
    journey.register(world, received_on=DAY, spot_answer="已当场解释政策")
    assert Case.objects.count() == 2

    client.force_login(world.liaison)
    response = client.get(URL, {"year": 2026, "bimester": 5})
    assert response.status_code == 200
    (row,) = response.context["rows"]
    office, values = row
    assert office == world.office_a1
    columns = response.context["columns"]
    figures = dict(zip(columns, values, strict=True))
    assert figures["已开展活动"] == 2
    assert figures["代表出席人次"] == 3
    assert figures["入户走访户数"] == 4
    assert figures["收到案件"] == 2
    assert figures["当场答复"] == 1


def test_liaison_reports_only_on_their_offices_and_staff_on_their_scope(world, client):
    client.force_login(world.liaison)
    offices = {o for o, _ in client.get(URL, {"year": 2026, "bimester": 5}).context["rows"]}
    assert offices == {world.office_a1}
    client.force_login(world.district_staff)
    offices = {o for o, _ in client.get(URL, {"year": 2026, "bimester": 5}).context["rows"]}
    assert offices == {world.office_a1, world.office_a2}


@pytest.mark.parametrize("persona", ["deputy_a_user", "handler", "outsider"])
def test_report_is_refused_to_other_roles(world, client, persona):
    client.force_login(getattr(world, persona))
    assert client.get(URL).status_code == 403


def test_bad_parameters_get_a_message_not_an_error(world, client):
    client.force_login(world.liaison)
    response = client.get(URL, {"year": "abc", "bimester": 9})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode() or "invalid-feedback" in response.content.decode()


def test_excel_export_has_the_same_rows_neutralized_and_audited(world, client, django_capture_on_commit_callbacks):
    Office.objects.filter(pk=world.office_a1.pk).update(name="=HYPERLINK(\"http://x\")")
    activity(world, world.office_a1, attended=[(world.deputy_a, True)])
    client.force_login(world.district_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL, {"year": 2026, "bimester": 5, "format": "xlsx"})
    job = BackgroundExport.objects.get()
    assert response.status_code == 302 and response.url == reverse("exports:detail", args=[job.pk])
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    names = [r[0] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://x\")" in names
    assert AuditLog.objects.filter(action="bimonthly_report_exported", actor=world.district_staff).exists()


def test_report_queries_do_not_grow_with_offices_or_activities(world, client, django_assert_max_num_queries):
    for i in range(20):
        office = Office.objects.create(name=f"工作室{i}", jurisdiction=world.community_a1, area_m2=30)
        activity(world, office, attended=[(world.deputy_a, True)])
    client.force_login(world.city_staff)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"year": 2026, "bimester": 5})
    assert len(response.context["rows"]) == 23
