"""Role and object checks for every points page, bounded queries, escaping, exports."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from offices.models import Deputy
from scoring.models import AnnualReport, Claim, Entry, ExportJob, Review
from scoring.services import (
    annual_report_save,
    claim_submit,
    claim_verify,
    points_record_event,
    review_request,
    snapshot_publish,
)
from tests.base import make_deputy

from .helpers import DAY, make_record, photo, yantian_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(world):
    return claim_submit(deputy=world.deputy_a, rule_item=yantian_item(12), occurred_on=DAY,
                        description="<b>志愿</b>", actor=world.deputy_a_user, evidence=photo())


@pytest.fixture
def review(world, claim):
    claim_submit  # noqa: B018
    from scoring.services import claim_confirm

    claim_confirm(claim=claim, actor=world.liaison)
    claim_verify(claim=claim, actor=world.district_staff)
    return review_request(entry=Entry.objects.get(), reason="复核", actor=world.deputy_a_user)


def status(client, user, url, method="get", **data):
    client.force_login(user)
    response = getattr(client, method)(url, data)
    client.logout()
    return response.status_code


def test_outsider_and_wrong_roles_are_refused_everywhere(client, world, claim, review):
    pages = [
        reverse("scoring:my_points"),
        reverse("scoring:claim_list"),
        reverse("scoring:claim_create"),
        reverse("scoring:claim_detail", args=[claim.pk]),
        reverse("scoring:claim_evidence", args=[claim.pk]),
        reverse("scoring:review_list"),
        reverse("scoring:review_detail", args=[review.pk]),
        reverse("scoring:standings"),
        reverse("scoring:report_list"),
        reverse("scoring:report_mine"),
        reverse("scoring:export_list"),
        reverse("scoring:deputy_points", args=[world.deputy_a.pk]),
    ]
    for url in pages:
        assert status(client, world.outsider, url) == 403, url
        assert client.get(url).status_code == 302, url  # anonymous → login
    for url in [reverse("scoring:standings"), reverse("scoring:export_list")]:
        assert status(client, world.deputy_a_user, url) == 403, url
    assert status(client, world.handler, reverse("scoring:claim_list")) == 403
    assert status(client, world.city_staff, reverse("scoring:my_points")) == 403
    assert status(client, world.liaison, reverse("scoring:review_list")) == 403


def test_deputy_b_cannot_see_deputy_a_claims_or_reviews(client, world, claim, review):
    for url in [
        reverse("scoring:claim_detail", args=[claim.pk]),
        reverse("scoring:claim_evidence", args=[claim.pk]),
        reverse("scoring:review_detail", args=[review.pk]),
        reverse("scoring:review_request", args=[review.entry_id]),
    ]:
        assert status(client, world.deputy_b_user, url) == 404, url
    client.force_login(world.deputy_b_user)
    assert "志愿" not in client.get(reverse("scoring:claim_list") + "?status=").content.decode()


def test_owner_sees_claim_and_evidence_escaped(client, world, claim):
    client.force_login(world.deputy_a_user)
    html = client.get(reverse("scoring:claim_detail", args=[claim.pk])).content.decode()
    assert "&lt;b&gt;志愿&lt;/b&gt;" in html and "<b>志愿</b>" not in html
    response = client.get(reverse("scoring:claim_evidence", args=[claim.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_liaison_of_another_office_cannot_confirm_002_1_2(client, world, claim):
    url = reverse("scoring:claim_transition", args=[claim.pk, "confirm"])
    assert status(client, world.other_liaison, url, "post") == 404
    assert status(client, world.other_staff, reverse("scoring:claim_transition", args=[claim.pk, "verify"]), "post") == 404
    # Staff cannot confirm in the office's place; the deputy cannot confirm their own claim.
    assert status(client, world.district_staff, url, "post") == 403
    assert status(client, world.deputy_a_user, url, "post") == 403
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert status(client, world.liaison, url, "post") == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONFIRMED
    # The liaison cannot verify: that is org staff's step.
    assert status(client, world.liaison, reverse("scoring:claim_transition", args=[claim.pk, "verify"]), "post") == 403
    assert status(client, world.district_staff, reverse("scoring:claim_transition", args=[claim.pk, "verify"]), "post") == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.VERIFIED


def test_refusal_without_reason_keeps_the_claim_and_says_why(client, world, claim):
    client.force_login(world.liaison)
    response = client.post(reverse("scoring:claim_transition", args=[claim.pk, "refuse"]), {"reason": ""}, follow=True)
    assert "拒绝" in response.content.decode() or "reason" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED


def test_deputy_claims_through_the_form_and_bad_file_is_refused(client, world):
    client.force_login(world.deputy_a_user)
    url = reverse("scoring:claim_create")
    bad = client.post(url, {"rule_item": yantian_item(12).pk, "occurred_on": "2026-05-01", "quantity": 1,
                            "description": "义务劳动", "evidence": photo("x.png").__class__("x.png", b"MZ", "image/png")})
    assert bad.status_code == 200 and Claim.objects.count() == 0
    assert "义务劳动" in bad.content.decode()  # nothing typed is lost
    ok = client.post(url, {"rule_item": yantian_item(12).pk, "occurred_on": "2026-05-01", "quantity": 1,
                           "description": "义务劳动", "evidence": photo()})
    assert ok.status_code == 302
    assert Claim.objects.get().entered_by == world.deputy_a_user


def test_liaison_enters_a_claim_only_for_own_office_deputies(client, world):
    client.force_login(world.liaison)
    url = reverse("scoring:claim_create")
    data = {"rule_item": yantian_item(5).pk, "occurred_on": "2026-05-01", "quantity": 1, "description": "活动"}
    assert client.post(url, {**data, "deputy": world.deputy_c.pk}).status_code == 200
    assert client.post(url, {**data, "deputy": world.deputy_b.pk}).status_code == 302
    assert Claim.objects.get().status == Claim.Status.CONFIRMED


def test_review_decided_only_by_the_review_group_002_1_4(client, world, review):
    url = reverse("scoring:review_detail", args=[review.pk])
    data = {"decision": "reject", "reason": "符合"}
    assert status(client, world.deputy_a_user, url, "post", **data) == 403
    assert status(client, world.other_staff, url, "post", **data) == 404
    assert status(client, world.district_staff, url, "post", **data) == 302
    review.refresh_from_db()
    assert review.status == Review.Status.REJECTED
    client.force_login(world.deputy_a_user)
    assert "符合" in client.get(url).content.decode()


def test_team_leader_sees_member_score_but_member_not_leader(client, world):
    assert status(client, world.deputy_a_user, reverse("scoring:deputy_points", args=[world.deputy_b.pk])) == 200
    assert status(client, world.deputy_b_user, reverse("scoring:deputy_points", args=[world.deputy_a.pk])) == 404
    assert status(client, world.other_staff, reverse("scoring:deputy_points", args=[world.deputy_a.pk])) == 404


def _many_deputies(world, n):
    for i in range(n):
        d = make_deputy(f"代表{i}", district=world.district_a, community=world.community_a1)
        for j in range(3):
            points_record_event(deputy=d, event="proposal", source=make_record(d, j), occurred_on=DAY)


def test_score_and_standings_pages_have_bounded_query_counts(client, world, django_assert_max_num_queries):
    _many_deputies(world, 3)
    points_record_event(deputy=world.deputy_a, event="inquiry", source=make_record(world.deputy_a, 99), occurred_on=DAY)
    client.force_login(world.deputy_a_user)
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("scoring:my_points"))
    client.force_login(world.city_staff)
    with django_assert_max_num_queries(25):
        client.get(reverse("scoring:standings"))
    _many_deputies(world, 25)
    for j in range(10):
        points_record_event(deputy=world.deputy_a, event="inquiry", source=make_record(world.deputy_a, 100 + j), occurred_on=DAY)
    client.force_login(world.deputy_a_user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("scoring:my_points")).status_code == 200
    client.force_login(world.city_staff)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("scoring:standings")).status_code == 200
    snap = snapshot_publish(year=2026, quarter=2, actor=world.city_staff)
    with django_assert_max_num_queries(25):
        html = client.get(reverse("scoring:standings") + f"?year=2026&snapshot={snap.pk}").content.decode()
    assert "代表1" in html


def test_district_staff_standings_are_limited_to_their_district(client, world):
    points_record_event(deputy=world.deputy_c, event="proposal", source=make_record(world.deputy_c), occurred_on=DAY)
    client.force_login(world.district_staff)
    html = client.get(reverse("scoring:standings") + "?year=2026&scope=city").content.decode()
    assert world.deputy_a.name in html and world.deputy_c.name not in html
    client.force_login(world.liaison)
    html = client.get(reverse("scoring:standings") + "?year=2026").content.decode()
    assert world.deputy_a.name in html and world.deputy_c.name not in html
    assert status(client, world.district_staff, reverse("scoring:snapshot_publish"), "post", year=2026, quarter=1) == 403


def test_annual_report_prefilled_submitted_and_published_000_12(client, world):
    points_record_event(deputy=world.deputy_a, event="reception_attended", source=make_record(world.deputy_a), occurred_on=DAY)
    client.force_login(world.deputy_a_user)
    url = reverse("scoring:report_mine") + "?year=2026"
    page = client.get(url).content.decode()
    assert "5" in page
    assert client.post(url, {"body": "", "submit": "1"}).status_code == 200  # empty report refused
    assert client.post(url, {"body": "本年度履职情况……", "submit": "1"}).status_code == 302
    report = AnnualReport.objects.get(deputy=world.deputy_a, year=2026)
    assert report.status == "submitted" and report.facts["receptions"] == 1 and report.facts["points"] == 5
    # Published inside the system: another deputy and staff read it; outsiders do not.
    assert status(client, world.deputy_c_user, reverse("scoring:report_detail", args=[report.pk])) == 200
    assert status(client, world.outsider, reverse("scoring:report_detail", args=[report.pk])) == 403
    # Staff see who has not submitted.
    client.force_login(world.district_staff)
    html = client.get(reverse("scoring:report_list") + "?year=2026").content.decode()
    missing = html[html.index('data-testid="missing-reports"'):]
    assert world.deputy_b.name in missing and world.deputy_a.name not in missing


def test_draft_report_is_private_to_its_deputy_000_12(client, world):
    report = annual_report_save(deputy=world.deputy_a, year=2026, body="草稿", actor=world.deputy_a_user)
    assert status(client, world.deputy_b_user, reverse("scoring:report_detail", args=[report.pk])) == 404
    assert status(client, world.deputy_a_user, reverse("scoring:report_detail", args=[report.pk])) == 200


def test_standings_export_job_runs_and_neutralizes_formulas_000_13(
    client, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    Deputy.objects.filter(pk=world.deputy_b.pk).update(name="=HYPERLINK(1)")
    points_record_event(deputy=world.deputy_a, event="motion_lead", source=make_record(world.deputy_a), occurred_on=DAY)
    client.force_login(world.city_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scoring:export_list"), {"kind": "standings", "year": 2026})
    job = ExportJob.objects.get()
    assert response.url == reverse("scoring:export_detail", args=[job.pk])
    state = client.get(reverse("scoring:export_status", args=[job.pk])).json()
    assert state["status"] == "done" and state["percent"] == 100 and state["download"]
    download = client.get(state["download"])
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[1][3] == world.deputy_a.name and rows[1][6] == 10
    assert "'=HYPERLINK(1)" in [r[3] for r in rows]
    # Someone else's job is not found.
    assert status(client, world.district_staff, reverse("scoring:export_download", args=[job.pk])) == 404


@pytest.mark.parametrize("kind", ["commendation", "nomination", "reviews"])
def test_year_end_lists_and_review_log_export_000_14(
    client, world, settings, tmp_path, kind, review, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.city_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("scoring:export_list"), {"kind": kind, "year": 2026})
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    wb = load_workbook(job.file.path)
    rows = list(wb.active.iter_rows(values_only=True))
    assert len(rows) == 2 and world.deputy_a.name in rows[1]


def test_export_task_running_twice_writes_once(world, settings, tmp_path):
    from scoring.services import export_job_run

    settings.MEDIA_ROOT = tmp_path
    job = ExportJob.objects.create(kind="standings", year=2026, requested_by=world.city_staff)
    assert export_job_run(job_id=job.pk).status == "done"
    assert export_job_run(job_id=job.pk) is None


def test_home_panels_render(client, world, claim):
    client.force_login(world.deputy_a_user)
    assert reverse("scoring:my_points") in client.get("/").content.decode()
    client.force_login(world.liaison)
    assert reverse("scoring:claim_list") in client.get("/").content.decode()


def test_score_page_lists_an_entry_whose_source_page_is_not_routed_002(client, world, monkeypatch):
    """A ledger entry's source may come from an app whose pages are not installed: the score page
    still renders, with the entry unlinked (found by bench/pages.py on city-scale data)."""
    from django.urls import NoReverseMatch

    from offices.models import ContactVisit

    record = make_record(world.deputy_a)

    def unrouted(self):
        raise NoReverseMatch("'nowhere' is not a registered namespace")

    monkeypatch.setattr(ContactVisit, "get_absolute_url", unrouted, raising=False)
    points_record_event(deputy=world.deputy_a, event="inquiry", source=record, occurred_on=DAY)
    client.force_login(world.deputy_a_user)
    response = client.get(reverse("scoring:my_points") + "?year=2026")
    assert response.status_code == 200
    entry = response.context["entries"][0]
    assert entry.points == 5 and entry.link is None


def test_score_page_stays_within_twelve_queries_on_the_first_read_after_a_ledger_write(
    client, world, settings, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Issue 10: the score page makes at most 12 queries, also when a ledger write has just retired
    the deputy's cached standing (its city, district and office ranks are read again), with every
    part of the page filled: entries linked to a case, a proposal and an inquiry, a waiting and a
    refused claim, a review and a published snapshot."""
    from django.utils import timezone

    from cases import proposal_services
    from cases.models import Case, Inquiry, Proposal
    from scoring.services import claim_refuse
    from tests.cases import journey

    # Sessions in the cache, as production runs them (REDIS_URL): no session query per request.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    year = timezone.localdate().year
    with django_capture_on_commit_callbacks(execute=True):
        # A case that deputy A takes up at the team's meeting (points on commit).
        journey.assign(world, journey.register(world), owner=world.deputy_a)
    proposal_services.proposal_file(
        lead=world.deputy_a, kind="proposal", title="建议", content="内容", actor=world.deputy_a_user
    )
    proposal_services.inquiry_record(
        actor=world.district_staff, date=timezone.localdate(), kind=Inquiry.Kind.INQUIRY, topic="询问",
        target_unit=world.unit_a, participants=[world.deputy_a, world.deputy_b], outcome="承诺办理",
    )
    waiting = claim_submit(deputy=world.deputy_a, rule_item=yantian_item(12), occurred_on=timezone.localdate(),
                           description="志愿", actor=world.deputy_a_user)
    refused = claim_submit(deputy=world.deputy_a, rule_item=yantian_item(12), occurred_on=timezone.localdate(),
                           description="志愿", actor=world.deputy_a_user)
    claim_refuse(claim=refused, actor=world.liaison, reason="材料不全")
    review_request(entry=Entry.objects.filter(deputy=world.deputy_a).first(), reason="复核",
                   actor=world.deputy_a_user)
    snapshot_publish(year=year, quarter=1, actor=world.city_staff)
    sources = {e.source_type.model_class() for e in Entry.objects.filter(deputy=world.deputy_a, year=year)}
    assert {Case, Proposal, Inquiry} <= sources

    url = reverse("scoring:my_points") + f"?year={year}"
    client.force_login(world.deputy_a_user)
    before = client.get(url).context["mine"]  # warms the session, the account and the standing
    # Deputy B, in A's district and office, overtakes A: the cached standing is retired.
    for n in range(3):
        points_record_event(deputy=world.deputy_b, event="proposal", source=make_record(world.deputy_b, n),
                            occurred_on=timezone.localdate())
    with django_assert_max_num_queries(12):
        response = client.get(url)
    ctx = response.context
    mine = ctx["mine"]
    assert (mine.rank_city, mine.rank_district, mine.rank_office) == (
        before.rank_city + 1, before.rank_district + 1, before.rank_office + 1
    )
    assert [c.pk for c in ctx["pending_claims"]] == [waiting.pk]
    assert [c.pk for c in ctx["refused_claims"]] == [refused.pk]
    assert ctx["reviews"] and ctx["snapshot_row"] is not None and len(ctx["links"]) >= 3
