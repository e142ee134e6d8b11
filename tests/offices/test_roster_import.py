"""Roster import in the admin (SPEC §6): upload → preview naming every problem by row and column →
confirm, which queues a background job (run in process here) → the job's page with the result and
the new logins' passwords, shown once to the staff member who ran it; one bad row imports
nothing; bad files get a message, never a 500."""

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.testcases import TestCase
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from liaison.models import AuditLog, User
from offices import roster_import_job_services, roster_import_services, rules
from offices.models import Deputy, FixedCommunity, Office, RosterImportJob, Team, TeamMembership
from offices.roster_import_job_services import (
    accounts_unseal,
    roster_check_job_run,
    roster_import_job_run,
    roster_import_secrets_purge,
    upload_path,
)
from offices.roster_import_services import RosterImportRefused, roster_import
from tests.base import make_deputy
from tests.offices.roster import good_roster, roster_xlsx

pytestmark = pytest.mark.django_db

IMPORT = "admin:offices_roster_import"
CONFIRM = "admin:offices_roster_import_confirm"
JOB = "admin:offices_roster_import_job"


@pytest.fixture(autouse=True)
def _import_root(settings, tmp_path):
    settings.IMPORT_ROOT = tmp_path / "imports"


def upload(client, content, name="roster.xlsx"):
    """Upload a file and follow the redirect to its job's page: a small file is checked in the
    request, so the page shows the preview or the problems."""
    response = client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, content)}, follow=True)
    if response.redirect_chain:
        job = RosterImportJob.objects.latest("pk")
        assert response.redirect_chain == [(reverse(JOB, args=[job.pk]), 302)]
    return response


def confirm(client, response):
    """Confirm the previewed file: the job runs in process once the request commits, and the
    redirect leads to its page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        queued = client.post(reverse(CONFIRM), {"job": response.context["job"].pk})
    assert queued.status_code == 302, queued
    job = RosterImportJob.objects.latest("pk")
    assert queued.url == reverse(JOB, args=[job.pk])
    return client.get(queued.url)


def counts():
    return Deputy.objects.count(), Office.objects.count(), Team.objects.count(), TeamMembership.objects.count()


def problems(response):
    return [(e.row, e.column, e.message) for e in response.context["errors"]]


def test_good_roster_previews_then_imports_every_row_with_audit(world, login_as, client):
    login_as(world.district_staff)
    before = counts()
    preview = upload(client, roster_xlsx(**good_roster(world)))
    assert preview.status_code == 200
    assert preview.context["preview"] and not preview.context.get("errors")
    assert counts() == before, "the preview writes nothing"
    done = confirm(client, preview)
    assert done.status_code == 200 and done.context["done"]["deputies"] == 3
    office = Office.objects.get(name="中英街社区党代表工作室二")
    assert office.jurisdiction == world.community_a2 and office.area_m2 == 35 and office.open_half_days_per_week == 2
    team = Team.objects.get(office=office)
    assert set(team.memberships.values_list("deputy__name", "is_leader")) == {("陈一", True), ("陈二", False)}
    chen_san = Deputy.objects.get(name="陈三")
    assert chen_san.mobile == "13811114444"
    assert list(FixedCommunity.objects.filter(deputy=chen_san).values_list("community", flat=True)) == [world.community_a1.pk]
    assert TeamMembership.objects.get(deputy=chen_san).team == world.team_a1
    assert Deputy.objects.get(name="陈二").gender == Deputy.Gender.FEMALE
    account = Deputy.objects.get(name="陈一").user
    assert account.username == "chenyi" and account.role == "deputy" and account.must_change_password
    assert done.context["done"]["accounts"][0][1] == "chenyi"
    assert account.check_password(done.context["done"]["accounts"][0][2])
    entry = AuditLog.objects.get(action="roster_import")
    assert entry.actor == world.district_staff and entry.outcome == "ok" and entry.detail["deputies"] == 3
    # The file is gone and the token cannot be replayed.
    again = client.post(reverse(CONFIRM), {"job": preview.context["job"].pk})
    assert again.status_code == 302 and Deputy.objects.count() == before[0] + 3


def test_english_headers_are_accepted(world, login_as, client):
    login_as(world.city_staff)
    preview = upload(client, roster_xlsx(**good_roster(world), language="en"))
    assert preview.context["preview"], preview.context.get("errors") or preview.context.get("file_error")


def test_one_bad_row_imports_nothing_and_names_row_column_and_problem(world, login_as, client):
    login_as(world.district_staff)
    roster = good_roster(world)
    roster["deputies"][1]["mobile"] = "12345"
    roster["deputies"][2]["communities"] = "不存在社区"
    before = counts()
    preview = upload(client, roster_xlsx(**roster))
    assert preview.status_code == 200 and "preview" not in preview.context
    found = problems(preview)
    assert [(row, column) for row, column, _m in found] == [(3, "手机号码"), (4, "定点社区")], found
    assert "不存在社区" in found[1][2]
    body = preview.content.decode()
    assert 'id="import-errors"' in body and "不存在社区" in body
    assert counts() == before
    # Nothing waits for confirmation either.
    assert client.post(reverse(CONFIRM), {"token": "x"}).status_code == 302
    assert counts() == before


def test_fixed_community_rule_is_refused_naming_the_row_000_1(world, login_as, client):
    login_as(world.district_staff)
    roster = good_roster(world)
    roster["deputies"][2]["communities"] = "东和社区、中英街社区"
    roster["deputies"][2]["team"] = ""
    preview = upload(client, roster_xlsx(**roster))
    assert [(r, c) for r, c, _m in problems(preview)] == [(4, "定点社区")]
    assert "一个社区" in problems(preview)[0][2] or "exactly one" in problems(preview)[0][2]


def test_city_deputy_in_new_district_may_keep_several_fixed_communities_000_1(world, login_as, client):
    login_as(world.city_staff)
    deputy = {
        "name": "林七", "gender": "男", "mobile": "13822223333", "level": "市党代表", "term": "第七届",
        "work_unit": "大鹏新区管委会", "district": "大鹏新区", "communities": "葵新社区；三溪社区",
    }
    preview = upload(client, roster_xlsx(deputies=[deputy]))
    assert preview.context["preview"], problems(preview)
    confirm(client, preview)
    assert set(Deputy.objects.get(name="林七").fixed_communities.values_list("name", flat=True)) == {"葵新社区", "三溪社区"}


def test_a_new_team_needs_exactly_one_leader_000_2(world, login_as, client):
    login_as(world.district_staff)
    roster = good_roster(world)
    roster["deputies"][1]["is_leader"] = "是"
    preview = upload(client, roster_xlsx(**roster))
    assert [(r, c) for r, c, _m in problems(preview)] == [(2, "牵头人"), (3, "牵头人")]
    roster["deputies"][0]["is_leader"] = roster["deputies"][1]["is_leader"] = ""
    preview = upload(client, roster_xlsx(**roster))
    assert [(r, c) for r, c, _m in problems(preview)] == [(2, "牵头人")]


def test_an_existing_leader_is_not_replaced_by_the_import_000_2(world, login_as, client):
    login_as(world.district_staff)
    roster = good_roster(world)
    roster["deputies"][2]["is_leader"] = "是"
    preview = upload(client, roster_xlsx(**roster))
    [(row, column, message)] = problems(preview)
    assert (row, column) == (4, "牵头人") and world.deputy_a.name in message


def test_team_member_must_be_fixed_to_the_teams_community(world, login_as, client):
    login_as(world.district_staff)
    roster = good_roster(world)
    roster["deputies"][2]["communities"] = "中英街社区"
    preview = upload(client, roster_xlsx(**roster))
    assert [(r, c) for r, c, _m in problems(preview)] == [(4, "团队")]


def test_district_staff_cannot_import_into_another_district(world, login_as, client):
    login_as(world.district_staff)
    roster = good_roster(world)
    roster["deputies"][2].update(district="福田区", communities="田面社区", team="")
    preview = upload(client, roster_xlsx(**roster))
    [(row, column, message)] = problems(preview)
    assert (row, column) == (4, "所属区") and "福田区" in message
    assert not Deputy.objects.filter(name="陈三").exists()


def test_confirm_checks_the_file_again(world, login_as, client):
    login_as(world.district_staff)
    preview = upload(client, roster_xlsx(**good_roster(world)))
    assert preview.context["preview"]
    # Someone adds the same deputy between preview and confirmation.
    make_deputy("陈二", district=world.district_a, community=world.community_a2, mobile="13811113333")
    before = counts()
    done = confirm(client, preview)
    assert "done" not in done.context
    assert [(r, c) for r, c, _m in problems(done)] == [(3, "姓名")]
    assert counts() == before
    assert AuditLog.objects.get(action="roster_import").outcome == "refused"


def test_service_refusal_at_write_time_rolls_everything_back(world):
    sheets = roster_import_services.read_roster(io.BytesIO(roster_xlsx(**good_roster(world))))
    plan = roster_import_services.plan_roster(sheets, user=world.district_staff)
    assert not plan.errors
    # A plan changed after checking still meets the services' own rule at write time.
    plan.deputies[2].communities = [world.community_a1, world.community_a2]
    before = counts()
    with pytest.raises(RosterImportRefused) as info:
        roster_import(plan=plan, actor=world.district_staff)
    [error] = info.value.errors
    assert error.row == 4
    assert counts() == before and not Office.objects.filter(name="中英街社区党代表工作室二").exists()


@pytest.mark.parametrize(
    "content, words",
    [
        ("name,mobile\n张三,13800138000\n".encode(), "xlsx"),
        (b"PK\x03\x04 not really a zip", "xlsx"),
        (b"", None),
    ],
    ids=["csv", "broken-zip", "empty-upload"],
)
def test_a_file_that_is_not_xlsx_gets_a_message(world, login_as, client, content, words):
    login_as(world.district_staff)
    response = upload(client, content, name="roster.xlsx")
    assert response.status_code == 200
    if words:
        assert 'id="import-file-error"' in response.content.decode()
        assert words in response.context["file_error"]
    else:
        assert response.context["form"].errors


def test_wrong_headers_get_a_message(world, login_as, client):
    login_as(world.district_staff)
    wb = Workbook()
    ws = wb.active
    ws.title = "党代表"
    ws.append(["姓名", "电话号码"])
    ws.append(["张三", "13800138000"])
    buf = io.BytesIO()
    wb.save(buf)
    response = upload(client, buf.getvalue())
    assert response.status_code == 200
    message = response.context["file_error"]
    assert "电话号码" in message and "手机号码" in message


def test_unknown_sheet_gets_a_message(world, login_as, client):
    login_as(world.district_staff)
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["a"])
    buf = io.BytesIO()
    wb.save(buf)
    response = upload(client, buf.getvalue())
    assert "Sheet1" in response.context["file_error"]


def test_empty_roster_gets_a_message(world, login_as, client):
    login_as(world.district_staff)
    response = upload(client, roster_xlsx())
    assert response.status_code == 200 and response.context["file_error"]
    assert "preview" not in response.context


def test_the_default_row_limit_takes_a_roster_of_twenty_thousand_deputies_and_their_offices():
    from liaison import settings as project_settings

    assert project_settings.ROSTER_IMPORT_MAX_ROWS >= 20_000 + 2_000


def test_a_file_over_the_row_limit_is_refused_with_the_limit_named(world, login_as, client, settings):
    settings.ROSTER_IMPORT_MAX_ROWS = 300  # the default (25,000) works the same, only slower to build
    login_as(world.district_staff)
    row = {"name": "某", "gender": "男", "mobile": "13800000000", "level": "区党代表", "term": "第七届",
           "work_unit": "某单位", "district": "盐田区", "communities": "东和社区"}
    response = upload(client, roster_xlsx(deputies=[row] * 301))
    assert response.status_code == 200
    assert "300" in response.context["file_error"]
    assert Deputy.objects.filter(name="某").count() == 0


def test_template_download_has_the_headers_the_import_reads(world, login_as, client):
    login_as(world.district_staff)
    response = client.get(reverse("admin:offices_roster_import_template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    headers = [c.value for c in next(wb.worksheets[1].iter_rows(max_row=1))]
    assert "定点社区" in headers and "牵头人" in headers
    # The untouched template reads as a roster with no rows, not as a wrong file.
    with pytest.raises(roster_import_services.RosterFileError) as info:
        roster_import_services.read_roster(io.BytesIO(response.content))
    assert "没有" in str(info.value) or "no rows" in str(info.value)


@pytest.mark.parametrize("persona", ["liaison", "deputy_a_user", "handler", "outsider"])
def test_import_pages_are_refused_to_non_staff(world, login_as, client, persona):
    login_as(getattr(world, persona))
    for name in (IMPORT, "admin:offices_roster_import_template"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(reverse(IMPORT), {"file": SimpleUploadedFile("r.xlsx", roster_xlsx(**good_roster(world)))})
    assert response.status_code == 302
    assert not Deputy.objects.filter(name="陈一").exists()


def test_deputy_change_list_links_to_the_import(world, login_as, client):
    login_as(world.district_staff)
    response = client.get(reverse("admin:offices_deputy_changelist"))
    assert reverse(IMPORT) in response.content.decode()


# --- The background job ------------------------------------------------------------------------------


def queue(client, world):
    """Preview a good roster and confirm it without running the job yet. Returns the job."""
    preview = upload(client, roster_xlsx(**good_roster(world)))
    response = client.post(reverse(CONFIRM), {"job": preview.context["job"].pk})
    job = RosterImportJob.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse(JOB, args=[job.pk])
    assert job.status == RosterImportJob.Status.QUEUED and (job.logins, job.steps) == (1, 7)  # 1 office, 1 login, 3 deputies, 2 teams
    return job


def test_the_passwords_are_shown_once_and_only_to_the_staff_member_who_ran_the_import(world, login_as, client):
    login_as(world.district_staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = queue(client, world)
    job.refresh_from_db()
    assert job.status == RosterImportJob.Status.DONE and job.usernames == ["chenyi"]
    # Kept only sealed until shown.
    [(name, username, password)] = accounts_unseal(job.secret)
    assert (name, username) == ("陈一", "chenyi") and password not in job.secret
    account = User.objects.get(username="chenyi")
    assert account.check_password(password) and account.must_change_password
    # Nobody else sees the job, its status or its passwords (city staff may import too).
    login_as(world.city_staff)
    assert client.get(reverse(JOB, args=[job.pk])).status_code == 404
    assert client.get(reverse(JOB + "_status", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.secret
    # The requester sees them once; the sealed copy is gone in the same request.
    login_as(world.district_staff)
    page = client.get(reverse(JOB, args=[job.pk]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]  # the admin's never_cache
    assert page.context["done"]["accounts"] == [("陈一", "chenyi", password)]
    assert password in page.content.decode()
    job.refresh_from_db()
    assert job.secret == "" and job.passwords_shown_at is not None
    again = client.get(reverse(JOB, args=[job.pk]))
    body = again.content.decode()
    assert again.context["done"]["accounts"] is None and password not in body
    assert 'id="import-passwords-gone"' in body and "chenyi" in body


def test_passwords_nobody_came_for_expire_and_the_sweep_blanks_them(world, login_as, client):
    login_as(world.district_staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = queue(client, world)
    job.refresh_from_db()
    later = job.finished_at + datetime.timedelta(hours=rules.ROSTER_PASSWORDS_KEPT_HOURS, minutes=1)
    assert roster_import_secrets_purge(now=later - datetime.timedelta(minutes=2)) == 0
    with time_machine.travel(later):
        # Past the time, the token no longer opens, whether or not the sweep has run yet.
        assert accounts_unseal(job.secret) is None
        assert roster_import_secrets_purge() == 1
    job.refresh_from_db()
    assert job.secret == ""
    body = client.get(reverse(JOB, args=[job.pk])).content.decode()
    assert 'id="import-passwords-gone"' in body and "chenyi" in body


def test_the_job_page_follows_the_import_until_it_is_done(world, login_as, client):
    login_as(world.district_staff)
    before = counts()
    job = queue(client, world)  # not run yet: no worker
    assert counts() == before
    page = client.get(reverse(JOB, args=[job.pk]))
    assert page.status_code == 200 and 'id="import-job"' in page.content.decode()
    assert "job_progress.js" in page.content.decode()
    assert client.get(reverse(JOB + "_status", args=[job.pk])).json() == {
        "status": "queued", "percent": 0, "stage": "", "done": 0, "total": 0,
    }
    seen = []
    real = roster_import_job_services._progress_save

    def spy(job_id, stage, done=0, total=0):
        real(job_id, stage, done, total)
        job = RosterImportJob.objects.get(pk=job_id)
        seen.append((stage, client.get(reverse(JOB + "_status", args=[job_id])).json()["percent"], job.status))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(roster_import_job_services, "_progress_save", spy)
        assert roster_import_job_run(job_id=job.pk).status == RosterImportJob.Status.DONE
    stages = [s for s, _p, _st in seen]
    assert sorted(set(stages), key=stages.index) == ["check", "write"] and all(st == "running" for *_x, st in seen)
    percents = [p for _s, p, _st in seen]
    assert percents == sorted(percents) and percents[-1] > 0
    assert client.get(reverse(JOB + "_status", args=[job.pk])).json()["percent"] == 100
    assert counts()[0] == before[0] + 3
    # A redelivered task finds the job claimed and does nothing.
    assert roster_import_job_run(job_id=job.pk) is None
    assert counts()[0] == before[0] + 3
    assert client.get(reverse(JOB, args=[job.pk])).context["done"]["deputies"] == 3


def test_a_file_gone_before_the_job_runs_is_refused_with_a_message(world, login_as, client):
    login_as(world.district_staff)
    job = queue(client, world)
    upload_path(job.token).unlink()
    before = counts()
    assert roster_import_job_run(job_id=job.pk).status == RosterImportJob.Status.REFUSED
    assert counts() == before
    page = client.get(reverse(JOB, args=[job.pk]))
    assert page.context["file_error"] and 'id="import-file-error"' in page.content.decode()
    assert AuditLog.objects.get(action="roster_import").outcome == "refused"


def test_a_job_that_fails_half_way_writes_nothing_and_says_so(world, login_as, client, monkeypatch):
    login_as(world.district_staff)
    job = queue(client, world)
    before = counts()
    real = roster_import_services.team_set_members

    def broken(**kwargs):
        real(**kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(roster_import_services, "team_set_members", broken)
    with pytest.raises(RuntimeError):
        roster_import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RosterImportJob.Status.FAILED and job.secret == ""
    assert counts() == before and not User.objects.filter(username="chenyi").exists()
    assert not upload_path(job.token).exists()
    page = client.get(reverse(JOB, args=[job.pk]))
    assert 'id="import-failed"' in page.content.decode()
    assert AuditLog.objects.get(action="roster_import").outcome == "failed"


# --- The check (the preview) as a background job ----------------------------------------------------


@pytest.fixture
def via_job(settings):
    """Every file is checked by the background job, as a big one is."""
    settings.ROSTER_IMPORT_INLINE_CHECK_BYTES = 0


def upload_queued(client, content, name="roster.xlsx"):
    """Upload without running the check yet. Returns the queued check job."""
    response = client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, content)})
    job = RosterImportJob.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse(JOB, args=[job.pk])
    assert (job.phase, job.status) == (RosterImportJob.Phase.CHECK, RosterImportJob.Status.QUEUED)
    return job


def upload_checked(client, content, name="roster.xlsx"):
    """Upload, let the check job run (in process once the request commits) and open its page."""
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        response = client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302 and len(callbacks) == 1, "the check is queued, not run in the request"
    return client.get(response.url)


def test_a_big_file_is_checked_by_a_job_whose_page_follows_it_then_shows_the_preview(
    world, login_as, client, via_job, monkeypatch
):
    login_as(world.district_staff)
    before = counts()
    job = upload_queued(client, roster_xlsx(**good_roster(world)))
    assert upload_path(job.token).exists() and counts() == before
    page = client.get(reverse(JOB, args=[job.pk]))
    body = page.content.decode()
    assert 'id="import-checking"' in body and 'id="import-job"' in body and "job_progress.js" in body
    assert 'id="import-confirm"' not in body
    assert client.get(reverse(JOB + "_status", args=[job.pk])).json()["status"] == "queued"
    # Progress through the reading and the checking of the rows, in order, while the job runs.
    monkeypatch.setattr(roster_import_services, "PROGRESS_ROWS", 1)
    seen = []
    real = roster_import_job_services._progress_save

    def spy(job_id, stage, done=0, total=0):
        real(job_id, stage, done, total)
        state = client.get(reverse(JOB + "_status", args=[job_id])).json()
        seen.append((stage, state["percent"], state["status"]))

    monkeypatch.setattr(roster_import_job_services, "_progress_save", spy)
    assert roster_check_job_run(job_id=job.pk).status == RosterImportJob.Status.DONE
    stages = [s for s, _p, _st in seen]
    assert sorted(set(stages), key=stages.index) == ["read", "check"] and all(st == "running" for *_x, st in seen)
    percents = [p for _s, p, _st in seen]
    assert percents == sorted(percents) and 0 < percents[-1] < 100
    assert client.get(reverse(JOB + "_status", args=[job.pk])).json()["percent"] == 100
    # A redelivered task finds the check done and does nothing.
    assert roster_check_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert (job.total_rows, job.logins, job.steps) == (4, 1, 7) and counts() == before
    page = client.get(reverse(JOB, args=[job.pk]))
    body = page.content.decode()
    assert page.context["preview"]["deputies"] == 3 and 'id="import-ready"' in body and 'id="import-confirm"' in body
    assert "中英街社区党代表工作室二" in body and "陈三" in body
    assert upload_path(job.token).exists(), "the file waits for the confirmation"
    # Confirming turns the same row into the import.
    done = confirm(client, page)
    assert done.context["done"]["deputies"] == 3 and counts()[0] == before[0] + 3
    job.refresh_from_db()
    assert (job.phase, job.status) == (RosterImportJob.Phase.IMPORT, RosterImportJob.Status.DONE)
    assert [e.outcome for e in AuditLog.objects.filter(action="roster_import")] == ["ok"]
    assert not upload_path(job.token).exists()


def test_only_the_uploader_sees_the_check_and_its_preview_and_may_confirm_it(world, login_as, client, via_job):
    login_as(world.district_staff)
    page = upload_checked(client, roster_xlsx(**good_roster(world)))
    job = page.context["job"]
    # City staff may import too, but not someone else's file.
    login_as(world.city_staff)
    assert client.get(reverse(JOB, args=[job.pk])).status_code == 404
    assert client.get(reverse(JOB + "_status", args=[job.pk])).status_code == 404
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        assert client.post(reverse(CONFIRM), {"job": job.pk}).status_code == 404
    assert not callbacks
    job.refresh_from_db()
    assert (job.phase, job.status) == (RosterImportJob.Phase.CHECK, RosterImportJob.Status.DONE)
    assert upload_path(job.token).exists() and not Deputy.objects.filter(name="陈一").exists()
    # The uploader still may, once.
    login_as(world.district_staff)
    assert confirm(client, page).context["done"]["deputies"] == 3
    again = client.post(reverse(CONFIRM), {"job": job.pk})
    assert again.status_code == 302 and again.url == reverse(IMPORT)


@pytest.mark.parametrize("case", ["csv", "headers", "too-many-rows", "bad-rows"])
def test_a_bad_file_checked_by_the_job_gets_the_same_messages_and_can_be_uploaded_again(
    world, login_as, client, via_job, settings, case
):
    settings.ROSTER_IMPORT_MAX_ROWS = 5
    login_as(world.district_staff)
    roster = good_roster(world)
    if case == "csv":
        content = "name,mobile\n张三,13800138000\n".encode()
    elif case == "headers":
        wb = Workbook()
        wb.active.title = "党代表"
        wb.active.append(["姓名", "电话号码"])
        wb.active.append(["张三", "13800138000"])
        buf = io.BytesIO()
        wb.save(buf)
        content = buf.getvalue()
    elif case == "too-many-rows":
        content = roster_xlsx(offices=roster["offices"], deputies=roster["deputies"] * 2)
    else:
        roster["deputies"][1]["mobile"] = "12345"
        content = roster_xlsx(**roster)
    before = counts()
    page = upload_checked(client, content)
    job = page.context["job"]
    body = page.content.decode()
    assert job.status == RosterImportJob.Status.REFUSED and "preview" not in page.context
    if case == "bad-rows":
        assert problems(page) == [(3, "手机号码", problems(page)[0][2])] and 'id="import-errors"' in body
    else:
        words = {"csv": "xlsx", "headers": "电话号码", "too-many-rows": "5"}[case]
        assert words in page.context["file_error"] and 'id="import-file-error"' in body
    assert not upload_path(job.token).exists() and counts() == before
    assert not AuditLog.objects.filter(action="roster_import").exists(), "as before: a preview writes no entry"
    # Nothing to confirm; the upload form is on the page and posts to the upload.
    assert 'id="import-confirm"' not in body and f'action="{reverse(IMPORT)}"' in body
    assert client.post(reverse(CONFIRM), {"job": job.pk}).url == reverse(IMPORT)
    settings.ROSTER_IMPORT_MAX_ROWS = 25000
    assert upload_checked(client, roster_xlsx(**good_roster(world))).context["preview"]["deputies"] == 3


def test_a_new_upload_replaces_the_unconfirmed_preview(world, login_as, client, via_job):
    login_as(world.district_staff)
    first = upload_checked(client, roster_xlsx(**good_roster(world)))
    old = first.context["job"]
    second = upload_checked(client, roster_xlsx(**good_roster(world)))
    assert second.context["preview"] and second.context["job"].pk != old.pk
    assert not upload_path(old.token).exists()
    old.refresh_from_db()
    assert old.status == RosterImportJob.Status.REFUSED
    assert client.get(reverse(JOB, args=[old.pk])).context["file_error"]
    response = client.post(reverse(CONFIRM), {"job": old.pk})
    assert response.status_code == 302 and response.url == reverse(IMPORT)
    assert not Deputy.objects.filter(name="陈一").exists()


def test_a_small_file_is_checked_in_the_upload_request(world, login_as, client, settings, monkeypatch):
    from offices import tasks

    assert len(roster_xlsx(**good_roster(world))) <= settings.ROSTER_IMPORT_INLINE_CHECK_BYTES

    def no_worker(*args, **kwargs):
        raise AssertionError("a small file does not wait for a worker")

    monkeypatch.setattr(tasks.roster_check_task, "delay", no_worker)
    login_as(world.district_staff)
    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        response = client.post(reverse(IMPORT), {"file": SimpleUploadedFile("r.xlsx", roster_xlsx(**good_roster(world)))})
    assert not callbacks
    job = RosterImportJob.objects.get()
    assert response.url == reverse(JOB, args=[job.pk]) and job.status == RosterImportJob.Status.DONE
    assert client.get(response.url).context["preview"]["deputies"] == 3


def test_a_check_that_fails_says_so_and_keeps_no_file(world, login_as, client, via_job, monkeypatch):
    login_as(world.district_staff)
    job = upload_queued(client, roster_xlsx(**good_roster(world)))

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(roster_import_job_services, "plan_roster", broken)
    with pytest.raises(RuntimeError):
        roster_check_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RosterImportJob.Status.FAILED and not upload_path(job.token).exists()
    assert 'id="import-failed"' in client.get(reverse(JOB, args=[job.pk])).content.decode()


def test_the_password_sweep_is_a_scheduled_task(settings):
    from offices.tasks import roster_import_secrets_purge_task

    assert settings.CELERY_BEAT_SCHEDULE["roster-import-secrets-purge"]["task"] == roster_import_secrets_purge_task.name
