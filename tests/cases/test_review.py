"""The year-end review of the responsible units 回头看 [000 七], with 结案率 and 满意率 [003]."""

import datetime
import io

import pytest
import time_machine
from django.test.testcases import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from cases import services
from cases.models import CaseExportJob, Satisfaction
from cases.review_selectors import as_reviews, unit_review_queryset
from liaison.models import AuditLog, BackgroundExport

from . import journey

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
DAY0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


def at(days):
    return DAY0 + datetime.timedelta(days=days)


def forwarded(world):
    return journey.forward(world, journey.assign(world, journey.register(world)))


@pytest.fixture
def review_world(world):
    """Unit A's 2026: four dispatches of three cases, and one of 2025; unit B one in 2026."""
    with time_machine.travel(DAY0 - datetime.timedelta(days=365), tick=False):
        old = journey.dispatch(world, forwarded(world), days=5)  # 2025: not in the 2026 review
        journey.reply(world, old)
    with time_machine.travel(DAY0, tick=False):
        # 1: replied on time, solved, very satisfied, archived.
        one = journey.reply(world, journey.dispatch(world, forwarded(world), days=5))
        journey.archive(world, journey.feedback(world, one, satisfaction=Satisfaction.VERY))
        # 2: round 1 replied late and "cannot", resident dissatisfied; round 2 on time, solved, basic.
        two = journey.dispatch(world, forwarded(world), days=2)
        # 3: dispatched, never replied.
        journey.dispatch(world, forwarded(world), days=5)
        # Unit B (district B), by district B's own people.
        b = journey.register(world, actor=world.other_liaison, office=world.office_b1, received_by=[world.deputy_c])
        services.case_assign(case=b, owner=world.deputy_c, actor=world.other_staff)
        b = services.case_forward(case=b, actor=world.other_liaison)
        b = services.case_dispatch(case=b, units=[world.unit_b], deadline=at(3).date(), actor=world.other_staff)
        services.case_reply(case=b, result="solved", reply="已处理", actor=world.other_handler)
    with time_machine.travel(at(5), tick=False):
        two = journey.reply(world, two, result="cannot")
        two = journey.feedback(world, two, satisfaction=Satisfaction.DISSATISFIED)
        two = journey.dispatch(world, two, days=5)
    with time_machine.travel(at(6), tick=False):
        two = journey.reply(world, two)
        journey.feedback(world, two, satisfaction=Satisfaction.BASIC)
    return world


def review_of(user, year, unit):
    return next(r for r in as_reviews(unit_review_queryset(user=user, year=year)) if r.unit_id == unit.pk)


def test_unit_figures_and_rates_are_computed_from_the_years_dispatches_000_003(review_world):
    w = review_world
    r = review_of(w.city_staff, 2026, w.unit_a)
    assert (r.received, r.replied, r.on_time, r.solved) == (4, 3, 2, 2)
    assert (r.very, r.basic, r.dissatisfied, r.closed) == (1, 1, 1, 1)
    assert r.on_time_rate == 50.0
    assert r.closure_rate == 25.0  # 结案率: one round of four ended archived
    assert r.satisfaction_rate == 66.7  # 满意率: very + basically, of three rated rounds
    assert (r.very_rate, r.basic_rate, r.dissatisfied_rate) == (33.3, 33.3, 33.3)
    b = review_of(w.city_staff, 2026, w.unit_b)
    assert (b.received, b.replied, b.on_time, b.solved, b.closed) == (1, 1, 1, 1, 0)
    assert b.satisfaction_rate is None  # nothing rated yet: no rate rather than 0 %


def test_the_year_filter_counts_each_dispatch_in_its_own_year(review_world):
    r = review_of(review_world.city_staff, 2025, review_world.unit_a)
    assert (r.received, r.replied, r.on_time, r.closed) == (1, 1, 1, 0)
    empty = review_of(review_world.city_staff, 2024, review_world.unit_a)
    assert empty.received == 0 and empty.closure_rate is None


def test_city_staff_see_every_unit_with_a_chart(review_world, client):
    client.force_login(review_world.city_staff)
    response = client.get(reverse("case_reports:review"), {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert review_world.unit_a.name in html and review_world.unit_b.name in html
    assert 'class="bar-chart"' in html and "<script>" not in html.replace("<script src=", "")
    assert [r.received for r in response.context["page"].object_list][:2] == [4, 1]
    assert response.context["totals"].received == 5


def test_district_staff_see_only_their_districts_units(review_world, client):
    w = review_world
    client.force_login(w.district_staff)
    response = client.get(reverse("case_reports:review"), {"year": 2026, "district": w.district_b.pk})
    assert response.status_code == 200
    names = [r.name for r in response.context["page"].object_list]
    assert names == [w.unit_a.name]
    assert w.unit_b.name not in response.content.decode()
    client.force_login(w.other_staff)
    names = [r.name for r in client.get(reverse("case_reports:review"), {"year": 2026}).context["page"].object_list]
    assert names == [w.unit_b.name]


@pytest.mark.parametrize("persona", ["liaison", "deputy_a_user", "handler", "outsider"])
def test_review_and_its_export_are_refused_outside_org_staff(review_world, client, persona):
    client.force_login(getattr(review_world, persona))
    assert client.get(reverse("case_reports:review")).status_code == 403
    assert client.get(reverse("case_reports:review_export")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("case_reports:review"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_bad_year_is_reported_and_the_current_year_shown(review_world, client):
    client.force_login(review_world.city_staff)
    with time_machine.travel(at(10), tick=False):
        response = client.get(reverse("case_reports:review"), {"year": "abc"})
    assert response.status_code == 200 and response.context["year"] == 2026
    assert response.context["form"].errors["year"]


def test_excel_export_has_the_figures_and_is_audited(review_world, client):
    w = review_world
    client.force_login(w.district_staff)
    # A background job (run in process here): the request queues it and sends the requester to
    # its progress page, where the file is downloaded.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(reverse("case_reports:review_export"), {"year": 2026})
    job = BackgroundExport.objects.get(exporter="unit_review")
    assert response.status_code == 302 and response.url == reverse("exports:detail", args=[job.pk])
    assert job.requested_by == w.district_staff and job.status == BackgroundExport.Status.DONE
    assert (job.done_rows, job.total_rows) == (2, 2)
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(values_only=True))
    assert len(rows) == 3  # header, unit A (district staff: their district only), total
    assert rows[1][:10] == (w.unit_a.name, w.district_a.name, 4, 3, 2, 2, 1, 1, 1, 1)
    assert rows[1][10:] == (50.0, 25.0, 66.7)
    assert rows[2][2] == 4
    entry = AuditLog.objects.get(action="case_review_exported")
    assert entry.actor == w.district_staff and entry.detail["year"] == 2026
    # The job is its requester's alone.
    client.force_login(w.city_staff)
    assert client.get(reverse("exports:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_the_export_job_applies_the_requesters_scope_when_it_runs(review_world, client):
    """District staff asking for another district's units get their own district's: the job reads
    the filters with the page's form within the requester's scope."""
    w = review_world
    client.force_login(w.district_staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.get(reverse("case_reports:review_export"), {"year": 2026, "district": str(w.district_b.pk)})
    job = BackgroundExport.objects.get(exporter="unit_review")
    download = client.get(reverse("exports:download", args=[job.pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:-1]] == [w.unit_a.name]


def test_review_page_queries_stay_bounded_whatever_the_number_of_cases(world, client, django_assert_max_num_queries):
    client.force_login(world.city_staff)
    url = reverse("case_reports:review")

    def add(n):
        with time_machine.travel(DAY0, tick=False):
            for _i in range(n):
                journey.reply(world, journey.dispatch(world, forwarded(world), days=3))

    add(2)
    client.get(url, {"year": 2026})  # warm the cached reads (the signed-in account)
    with django_assert_max_num_queries(12) as small:
        client.get(url, {"year": 2026})
    add(6)
    with django_assert_max_num_queries(len(small.captured_queries)) as big:
        response = client.get(url, {"year": 2026})
    assert response.context["totals"].received == 8
    assert len(big.captured_queries) == len(small.captured_queries)


# ---------------------------------------------------------------- case list export


def xlsx_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def export(client, data, capture):
    with capture(execute=True):
        response = client.post(reverse("case_reports:export"), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return response["Location"]


@pytest.fixture
def two_districts(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = journey.register(world)
    b = journey.register(world, actor=world.other_liaison, office=world.office_b1, received_by=[world.deputy_c],
                         title="路灯不亮", reporter_mobile="13798765432", reporter_address="田面村5号")
    return world, a, b


def test_case_list_export_runs_as_a_job_with_progress_and_masks_contact_details(
    two_districts, client, django_capture_on_commit_callbacks
):
    world, a, b = two_districts
    client.force_login(world.city_staff)
    detail = export(client, {}, django_capture_on_commit_callbacks)
    job = CaseExportJob.objects.get()
    assert detail == reverse("case_reports:export_detail", args=[job.pk])
    page = client.get(detail)
    assert page.status_code == 200 and b"js/job_progress.js" in page.content
    status = client.get(reverse("case_reports:export_status", args=[job.pk])).json()
    assert (status["status"], status["percent"], status["done"], status["total"]) == ("done", 100, 2, 2)
    rows = xlsx_rows(client.get(status["download"]))
    body = {r[0]: r for r in rows[1:]}
    assert set(body) == {a.tracking_code, b.tracking_code}
    mobile, address = 11, 12  # columns L and M
    assert body[a.tracking_code][mobile] == "136****5678"
    assert body[a.tracking_code][address] == "东和路****"
    actions = list(AuditLog.objects.filter(action__startswith="case_list").order_by("id")
                   .values_list("action", "detail__personal_data"))
    assert actions == [("case_list_export_requested", False), ("case_list_exported", False)]


def test_export_with_contact_details_shows_them_and_logs_it(two_districts, client, django_capture_on_commit_callbacks):
    world, a, _b = two_districts
    client.force_login(world.district_staff)
    export(client, {"personal_data": "on"}, django_capture_on_commit_callbacks)
    job = CaseExportJob.objects.get()
    rows = xlsx_rows(client.get(reverse("case_reports:export_download", args=[job.pk])))
    # District staff: their district's case only, in clear because they handle it.
    assert [r[0] for r in rows[1:]] == [a.tracking_code]
    assert rows[1][11:13] == ("13612345678", "东和路8号3栋201")
    entry = AuditLog.objects.get(action="case_list_exported")
    assert entry.actor == world.district_staff and entry.detail == {"personal_data": True, "rows": 1}


def test_export_filters_narrow_the_list_but_never_widen_the_scope(
    two_districts, client, django_capture_on_commit_callbacks
):
    world, a, b = two_districts
    client.force_login(world.district_staff)
    response = client.post(reverse("case_reports:export"), {"district": world.district_b.pk})
    assert response.status_code == 200 and response.context["form"].errors["district"]
    assert not CaseExportJob.objects.exists()
    client.force_login(world.city_staff)
    export(client, {"district": world.district_b.pk}, django_capture_on_commit_callbacks)
    export(client, {"q": "路灯"}, django_capture_on_commit_callbacks)
    export(client, {"status": "forwarded"}, django_capture_on_commit_callbacks)
    totals = list(CaseExportJob.objects.order_by("id").values_list("total_rows", flat=True))
    assert totals == [1, 1, 0]


def test_overdue_filter_keeps_only_overdue_cases(world, settings, tmp_path):
    from cases.exporters import CaseListExporter

    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(DAY0, tick=False):
        late = journey.register(world)
    with time_machine.travel(at(4), tick=False):
        journey.register(world)
        rows = list(CaseListExporter(user=world.city_staff, filters={"overdue": True}).rows())
    assert [r[0] for r in rows] == [late.tracking_code]


def test_export_jobs_belong_to_their_requester(two_districts, client, django_capture_on_commit_callbacks):
    world, _a, _b = two_districts
    client.force_login(world.city_staff)
    export(client, {}, django_capture_on_commit_callbacks)
    job = CaseExportJob.objects.get()
    client.force_login(world.district_staff)
    for name in ("export_detail", "export_status", "export_download"):
        assert client.get(reverse(f"case_reports:{name}", args=[job.pk])).status_code == 404
    for persona in ("liaison", "deputy_a_user", "handler", "outsider"):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("case_reports:export")).status_code == 403
        assert client.get(reverse("case_reports:export_download", args=[job.pk])).status_code == 403


def test_export_job_delivered_twice_runs_once(two_districts):
    from cases.export_services import case_export_run

    world, _a, _b = two_districts
    job = CaseExportJob.objects.create(requested_by=world.city_staff)
    assert case_export_run(job_id=job.pk).status == CaseExportJob.Status.DONE
    name = CaseExportJob.objects.get().file.name
    assert case_export_run(job_id=job.pk) is None
    assert CaseExportJob.objects.get().file.name == name
