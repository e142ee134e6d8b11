"""Background exports (liaison.export_services, liaison.export_views): a job is its requester's
alone, its download is audited, "my exports" lists every kind of job of the requester, and the
exporters stream their rows in chunks, so the queries of a job do not grow with the rows."""

import datetime

import pytest
from django.urls import reverse

from cases.models import CaseExportJob
from liaison.export_services import UnknownExporter, background_export_run, export_request
from liaison.models import AuditLog, BackgroundExport
from reception.models import ReceptionPeriod
from scoring.models import ExportJob
from tests.base import make_deputy

pytestmark = pytest.mark.django_db

KEY = "2026-09"


@pytest.fixture
def period(world):
    return ReceptionPeriod.objects.create(
        district=world.district_a, key=KEY, start=datetime.date(2026, 9, 7), end=datetime.date(2026, 9, 20)
    )


def _job(world, user=None, capture=None):
    job = export_request(user=user or world.district_staff, exporter="attendance_sheet", title="考勤表 2026-09",
                         params={"period": KEY})
    background_export_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_the_job_runs_once_and_a_second_run_finds_it_claimed(world, period):
    job = _job(world)
    assert job.status == BackgroundExport.Status.DONE and job.percent == 100
    assert job.total_rows == job.done_rows == 2  # the two serving deputies of district A
    assert background_export_run(job_id=job.pk) is None


def test_an_unknown_exporter_is_refused_before_anything_is_queued(world):
    with pytest.raises(UnknownExporter):
        export_request(user=world.district_staff, exporter="nope", title="x", params={})
    assert not BackgroundExport.objects.exists()


def test_the_job_applies_the_requesters_scope_when_it_runs(world, period):
    """District staff asking for another district's office get no rows, not that office's."""
    ReceptionPeriod.objects.create(district=world.district_b, key=KEY, start=datetime.date(2026, 9, 7),
                                   end=datetime.date(2026, 9, 20))
    job = export_request(user=world.district_staff, exporter="attendance_sheet", title="x",
                         params={"period": KEY, "office": world.office_b1.pk})
    job = background_export_run(job_id=job.pk)
    assert job.status == BackgroundExport.Status.DONE and job.total_rows == 0


def test_only_the_requester_sees_the_job_its_status_and_its_file(world, period, client):
    job = _job(world)
    urls = [reverse(f"exports:{name}", args=[job.pk]) for name in ("detail", "status", "download")]
    other_staff = world.city_staff
    client.force_login(other_staff)
    for url in urls:
        assert client.get(url).status_code == 404
    assert not AuditLog.objects.filter(action="export_downloaded").exists()
    client.force_login(world.district_staff)
    for url in urls:
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("persona", ["handler", "outsider"])
def test_handlers_and_outsiders_are_refused_the_export_pages(world, period, client, persona):
    job = _job(world)
    client.force_login(getattr(world, persona))
    assert client.get(reverse("exports:list")).status_code == 403
    for name in ("detail", "status", "download"):
        assert client.get(reverse(f"exports:{name}", args=[job.pk])).status_code == 403


def test_a_deputy_lists_only_their_own_exports_and_never_reaches_staffs_jobs(world, period, client):
    """Deputies export their own performance file in the background, so they follow their own
    jobs; a staff member's job is not theirs (404, as for any object outside one's scope)."""
    job = _job(world)
    client.force_login(world.deputy_a_user)
    response = client.get(reverse("exports:list"))
    assert response.status_code == 200 and response.context["jobs"] == []
    for name in ("detail", "status", "download"):
        assert client.get(reverse(f"exports:{name}", args=[job.pk])).status_code == 404


def test_the_download_is_audited_with_the_export_and_its_filters(world, period, client):
    job = _job(world)
    client.force_login(world.district_staff)
    response = client.get(reverse("exports:download", args=[job.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    entry = AuditLog.objects.get(action="export_downloaded")
    assert entry.actor == world.district_staff and entry.object_id == str(job.pk)
    assert entry.detail["export"] == "attendance_sheet" and entry.detail["filters"] == {"period": KEY}


def test_a_job_not_done_has_no_download_and_its_page_polls_without_inline_script(world, period, client):
    job = export_request(user=world.district_staff, exporter="attendance_sheet", title="考勤表", params={"period": KEY})
    client.force_login(world.district_staff)
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
    html = client.get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert f'data-status-url="{reverse("exports:status", args=[job.pk])}"' in html
    assert 'data-status="queued"' in html and "js/job_progress.js" in html
    assert "<script>" not in html.replace("<script src=", "")
    state = client.get(reverse("exports:status", args=[job.pk])).json()
    assert state == {"status": "queued", "percent": 0, "done": 0, "total": 0, "download": "", "error": False}


def test_my_exports_lists_each_kind_of_the_requesters_jobs_and_nobody_elses(world, period, client,
                                                                             django_assert_max_num_queries):
    mine = _job(world)
    theirs = _job(world, user=world.city_staff)
    case_job = CaseExportJob.objects.create(requested_by=world.district_staff)
    points_job = ExportJob.objects.create(kind=ExportJob.Kind.STANDINGS, year=2026, requested_by=world.district_staff)
    client.force_login(world.district_staff)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("exports:list")).content.decode()
    assert reverse("exports:detail", args=[mine.pk]) in html
    assert reverse("exports:detail", args=[theirs.pk]) not in html
    assert reverse("case_reports:export_detail", args=[case_job.pk]) in html
    assert reverse("scoring:export_detail", args=[points_job.pk]) in html


@pytest.mark.parametrize("extra", [0, 40])
def test_an_export_jobs_queries_do_not_grow_with_its_rows(world, period, extra, django_assert_max_num_queries):
    """The exporters read their querysets in chunks (not row by row, not all at once): a job over
    40 more deputies makes no more queries."""
    for i in range(extra):
        make_deputy(f"代表{i}", district=world.district_a, community=world.community_a1)
    job = export_request(user=world.district_staff, exporter="attendance_sheet", title="x", params={"period": KEY})
    with django_assert_max_num_queries(20):
        job = background_export_run(job_id=job.pk)
    assert job.total_rows == 2 + extra
