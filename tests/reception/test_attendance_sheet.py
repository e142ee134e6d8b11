"""The attendance sheet 考勤表 of a reception period, on screen and in Excel (SPEC §2 attendance
outcomes, §6 "export attendance sheets"; [000 十一])."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from liaison.models import AuditLog, BackgroundExport
from offices.models import Deputy, Team, TeamMembership
from reception.models import Activity, Attendance, LeaveRequest, ReceptionPeriod
from tests.base import make_deputy

URL = reverse("reception:attendance_sheet")


def export(client, capture, **params):
    """Request the Excel export (a background job, run here in process on commit) and download
    the file from the job's page. Returns the download response."""
    with capture(execute=True):
        response = client.get(URL, {**params, "format": "xlsx"})
    assert response.status_code == 302, response.status_code
    job = BackgroundExport.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
    assert response.url == reverse("exports:detail", args=[job.pk])
    assert job.status == BackgroundExport.Status.DONE, job.error
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    return Download(download["Content-Disposition"], b"".join(download.streaming_content))


class Download:
    def __init__(self, disposition, content):
        self.disposition, self.content = disposition, content

    def __getitem__(self, header):
        assert header == "Content-Disposition"
        return self.disposition
KEY = "2026-09"
Outcome = Attendance.Outcome


def period(district, key=KEY, start=datetime.date(2026, 9, 7)):
    return ReceptionPeriod.objects.create(
        district=district, key=key, start=start, end=start + datetime.timedelta(days=13)
    )


@pytest.fixture
def sheet(world):
    """District A's period: 张三 attended, 李四 on approved leave, 赵六 absent, 钱七 made up, 孙八
    not recorded; 王五 of district B absent in district B's period of the same slot."""
    w = world
    p = period(w.district_a)
    pb = period(w.district_b)
    team_a2 = Team.objects.create(name="中英街社区党代表团队", office=w.office_a2)
    zhao = make_deputy("赵六", district=w.district_a, community=w.community_a2)
    qian = make_deputy("钱七", district=w.district_a, community=w.community_a2)
    sun = make_deputy("孙八", district=w.district_a, community=w.community_a1)
    TeamMembership.objects.create(team=team_a2, deputy=zhao, is_leader=True)
    TeamMembership.objects.create(team=team_a2, deputy=qian)
    TeamMembership.objects.create(team=w.team_a1, deputy=sun)
    reception = Activity.objects.create(
        office=w.office_a1, kind=Activity.Kind.RECEPTION, title="集中接待日", date=datetime.date(2026, 9, 10),
        status=Activity.Status.LOGGED, period=p, created_by=w.liaison,
    )
    make_up = Activity.objects.create(
        office=w.office_a2, kind=Activity.Kind.RECEPTION, title="补课接待", date=datetime.date(2026, 10, 12),
        status=Activity.Status.LOGGED, makes_up_period=p, created_by=w.liaison,
    )
    LeaveRequest.objects.create(
        deputy=w.deputy_b, activity=reception, reason="<b>出差</b>北京", status=LeaveRequest.Status.APPROVED,
        filed_by=w.deputy_b_user,
    )
    Attendance.objects.create(deputy=w.deputy_a, period=p, outcome=Outcome.ATTENDED, activity=reception)
    Attendance.objects.create(deputy=w.deputy_b, period=p, outcome=Outcome.LEAVE, activity=reception)
    Attendance.objects.create(deputy=zhao, period=p, outcome=Outcome.ABSENT)
    Attendance.objects.create(deputy=qian, period=p, outcome=Outcome.MADE_UP, activity=make_up)
    Attendance.objects.create(deputy=w.deputy_c, period=pb, outcome=Outcome.ABSENT)
    w.period, w.period_b, w.team_a2 = p, pb, team_a2
    w.zhao, w.qian, w.sun, w.reception, w.make_up = zhao, qian, sun, reception, make_up
    return w


def rows_of(response):
    return {r["deputy"].name: r for r in response.context["rows"]}


@pytest.mark.django_db
def test_sheet_shows_each_deputys_outcome_and_those_not_recorded_000_11(sheet, client):
    client.force_login(sheet.district_staff)
    response = client.get(URL, {"period": KEY})
    assert response.status_code == 200
    rows = rows_of(response)
    assert {name: r["outcome"] for name, r in rows.items()} == {
        "张三": "attended", "李四": "leave", "赵六": "absent", "钱七": "made_up", "孙八": "none",
    }
    assert rows["张三"]["activity"] == sheet.reception
    assert rows["钱七"]["activity"] == sheet.make_up
    assert rows["李四"]["leave_reason"] == "<b>出差</b>北京"
    assert rows["张三"]["leave_reason"] == ""
    assert rows["赵六"]["teams"] == [sheet.team_a2] and rows["赵六"]["leads"]
    assert [c.name for c in rows["孙八"]["communities"]] == ["东和社区"]
    assert rows["孙八"]["outcome_label"] == "未记录"
    html = response.content.decode()
    assert "补课接待" in html and "未记录" in html


@pytest.mark.django_db
def test_totals_count_made_up_as_attended_and_leave_as_recorded_000_11(sheet, client):
    client.force_login(sheet.district_staff)
    totals = client.get(URL, {"period": KEY}).context["totals"]
    assert (totals["attended"], totals["leave"], totals["absent"], totals["made_up"], totals["none"]) == (1, 1, 1, 1, 1)
    assert totals["total"] == 5 and totals["recorded"] == 4
    assert totals["rate"] == 50.0  # attended + made up, out of the four outcomes recorded


@pytest.mark.django_db
def test_outcome_filter_keeps_the_totals_of_the_whole_sheet(sheet, client):
    client.force_login(sheet.district_staff)
    response = client.get(URL, {"period": KEY, "outcome": "absent"})
    assert set(rows_of(response)) == {"赵六"}
    assert response.context["totals"]["total"] == 5
    assert set(rows_of(client.get(URL, {"period": KEY, "outcome": "none"}))) == {"孙八"}
    assert set(rows_of(client.get(URL, {"period": KEY, "outcome": "made_up"}))) == {"钱七"}
    # An unknown outcome is no filter.
    assert len(rows_of(client.get(URL, {"period": KEY, "outcome": "bogus"}))) == 5


@pytest.mark.django_db
def test_office_team_and_name_filters(sheet, client):
    client.force_login(sheet.district_staff)
    response = client.get(URL, {"period": KEY, "office": sheet.office_a2.pk})
    assert set(rows_of(response)) == {"赵六", "钱七"}
    assert response.context["totals"]["total"] == 2
    assert set(rows_of(client.get(URL, {"period": KEY, "team": sheet.team_a1.pk}))) == {"张三", "李四", "孙八"}
    assert set(rows_of(client.get(URL, {"period": KEY, "q": "张"}))) == {"张三"}
    assert set(rows_of(client.get(URL, {"period": KEY, "q": "zs"}))) == {"张三"}  # pinyin initials


@pytest.mark.django_db
def test_city_staff_see_every_district_and_filter_by_district(sheet, client):
    client.force_login(sheet.city_staff)
    response = client.get(URL, {"period": KEY})
    assert set(rows_of(response)) == {"张三", "李四", "赵六", "钱七", "孙八", "王五"}
    assert rows_of(response)["王五"]["outcome"] == "absent"
    assert {d.name for d in response.context["districts"]} == {"盐田区", "福田区"}
    response = client.get(URL, {"period": KEY, "district": sheet.district_b.pk})
    assert set(rows_of(response)) == {"王五"}
    assert {o.name for o in response.context["offices"]} == {"田面社区党代表工作室"}


@pytest.mark.django_db
def test_city_staff_pick_a_district_before_its_offices_and_teams(sheet, client):
    """Issue 10: the city-wide sheet listed every office and team of the city in its pickers
    (1,333 options, most of the page at 20,000 deputies). City staff are offered the offices and
    teams of the district they filtered by; before that, only the one already chosen."""
    client.force_login(sheet.city_staff)
    response = client.get(URL, {"period": KEY})
    assert response.context["offices"] == [] and response.context["teams"] == []
    html = response.content.decode()
    assert 'name="office"' not in html and 'name="team"' not in html
    assert f"{sheet.office_a2.name}</option>" not in html and f"{sheet.team_b1.name}</option>" not in html
    assert "data-sheet-district-hint>" in html  # the hint to pick a district first, shown
    response = client.get(URL, {"period": KEY, "district": sheet.district_a.pk})
    assert [o.name for o in response.context["offices"]] == ["东和社区党代表工作室", "中英街社区党代表工作室"]
    assert [t.name for t in response.context["teams"]] == ["东和社区党代表团队", "中英街社区党代表团队"]
    html = response.content.decode()
    assert 'name="office"' in html and 'name="team"' in html and f"{sheet.office_b1.name}</option>" not in html
    assert "data-sheet-district-hint hidden" in html
    # An office or team chosen without a district (a link, a bookmark) stays shown and clearable.
    response = client.get(URL, {"period": KEY, "office": sheet.office_a2.pk})
    assert set(rows_of(response)) == {"赵六", "钱七"}
    assert response.context["offices"] == [(sheet.office_a2.pk, sheet.office_a2.name)]
    assert f'<option value="{sheet.office_a2.pk}" selected>中英街社区党代表工作室</option>' in response.content.decode()
    response = client.get(URL, {"period": KEY, "team": sheet.team_b1.pk})
    assert set(rows_of(response)) == {"王五"} and [t.name for t in response.context["teams"]] == ["田面社区党代表团队"]


@pytest.mark.django_db
def test_city_staff_get_the_pickers_of_a_slot_held_by_one_district(sheet, client):
    """With one district in the period's slot there is no district to pick: its own offices and
    teams are offered, not the whole city's."""
    period(sheet.district_b, key="2026-11", start=datetime.date(2026, 11, 2))
    client.force_login(sheet.city_staff)
    response = client.get(URL, {"period": "2026-11"})
    assert [d.name for d in response.context["districts"]] == ["福田区"]
    assert [o.name for o in response.context["offices"]] == ["田面社区党代表工作室"]
    assert [t.name for t in response.context["teams"]] == ["田面社区党代表团队"]


@pytest.mark.django_db
def test_district_staff_pick_among_their_districts_offices_and_teams(sheet, client):
    client.force_login(sheet.district_staff)
    response = client.get(URL, {"period": KEY})
    assert [o.name for o in response.context["offices"]] == ["东和社区党代表工作室", "中英街社区党代表工作室"]
    assert len(response.context["teams"]) == 2
    html = response.content.decode()
    assert 'name="office"' in html and 'name="district"' not in html and "data-sheet-district-hint" not in html


@pytest.mark.django_db
def test_rows_link_their_activity_and_show_labels_worked_out_once_per_page(sheet, client):
    """The activity's link, its date and the level's label are worked out in the view (issue 10)
    and read as the template's url tag and date filter wrote them."""
    client.force_login(sheet.district_staff)
    response = client.get(URL, {"period": KEY})
    html = response.content.decode()
    detail = reverse("reception:activity_detail", args=[sheet.reception.pk])
    assert f'<a href="{detail}">集中接待日</a><small>2026-09-10 · 东和社区党代表工作室</small>' in html
    assert f'<a href="{reverse("reception:activity_detail", args=[sheet.make_up.pk])}">补课接待</a>' in html
    row = rows_of(response)["张三"]
    assert row["level_label"] == sheet.deputy_a.get_level_display() and row["level_label"] in html
    assert '<option value="2026-09" selected>2026-09 (2026-09-07 – 09-20)</option>' in html


@pytest.mark.django_db
def test_district_staff_see_only_their_district(sheet, client):
    client.force_login(sheet.other_staff)
    assert set(rows_of(client.get(URL, {"period": KEY}))) == {"王五"}


@pytest.mark.django_db
def test_liaison_sees_the_deputies_of_their_offices_only(sheet, client):
    client.force_login(sheet.liaison)
    response = client.get(URL, {"period": KEY})
    assert set(rows_of(response)) == {"张三", "李四", "孙八"}
    assert response.context["districts"] == []


@pytest.mark.django_db
def test_resigned_deputy_shows_only_with_an_outcome_recorded(sheet, client):
    Deputy.objects.filter(pk__in=[sheet.zhao.pk, sheet.sun.pk]).update(status=Deputy.Status.RESIGNED)
    client.force_login(sheet.district_staff)
    names = set(rows_of(client.get(URL, {"period": KEY})))
    assert "赵六" in names and "孙八" not in names


@pytest.mark.django_db
def test_picker_lists_begun_periods_most_recent_first_and_opens_the_latest(sheet, client):
    period(sheet.district_a, key="2026-07", start=datetime.date(2026, 7, 6))
    period(sheet.district_a, key="2099-01", start=datetime.date(2099, 1, 5))  # not begun: not listed
    period(sheet.district_b, key="2026-05", start=datetime.date(2026, 5, 4))  # another district
    client.force_login(sheet.district_staff)
    response = client.get(URL)
    assert [p["key"] for p in response.context["periods"]] == ["2026-09", "2026-07"]
    assert response.context["f"]["period"] == KEY


@pytest.mark.django_db
def test_empty_state_when_no_period_has_begun(world, client):
    client.force_login(world.district_staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert "尚无已开始的接待周" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["deputy_a_user", "handler", "outsider"])
def test_sheet_is_refused_to_deputies_handlers_and_outsiders(sheet, client, persona):
    client.force_login(getattr(sheet, persona))
    assert client.get(URL, {"period": KEY}).status_code == 403
    assert client.get(URL, {"period": KEY, "format": "xlsx"}).status_code == 403


@pytest.mark.django_db
def test_anonymous_visitors_go_to_the_login_page(sheet, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_another_districts_period_and_objects_are_not_found(sheet, client):
    period(sheet.district_b, key="2026-11", start=datetime.date(2026, 11, 2))
    client.force_login(sheet.district_staff)
    assert client.get(URL, {"period": "2026-11"}).status_code == 404
    assert client.get(URL, {"period": "nonsense"}).status_code == 404
    assert client.get(URL, {"period": KEY, "office": sheet.office_b1.pk}).status_code == 404
    assert client.get(URL, {"period": KEY, "team": sheet.team_b1.pk}).status_code == 404
    assert client.get(URL, {"period": KEY, "district": sheet.district_b.pk}).status_code == 404
    assert client.get(URL, {"period": KEY, "office": "x"}).status_code == 404
    assert client.get(URL, {"period": KEY, "office": sheet.office_b1.pk, "format": "xlsx"}).status_code == 404
    assert not AuditLog.objects.filter(action="attendance_sheet_exported").exists()


@pytest.mark.django_db
def test_liaison_cannot_open_another_office_or_district(sheet, client):
    client.force_login(sheet.liaison)
    assert client.get(URL, {"period": KEY, "office": sheet.office_a2.pk}).status_code == 404
    assert client.get(URL, {"period": KEY, "district": sheet.district_a.pk}).status_code == 404
    client.force_login(sheet.other_liaison)
    assert set(rows_of(client.get(URL, {"period": KEY}))) == {"王五"}


@pytest.mark.django_db
def test_user_text_is_escaped_in_the_page(sheet, client):
    Deputy.objects.filter(pk=sheet.sun.pk).update(name="<script>alert(1)</script>")
    client.force_login(sheet.district_staff)
    html = client.get(URL, {"period": KEY}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;出差&lt;/b&gt;北京" in html


@pytest.mark.django_db
def test_excel_export_has_the_filtered_rows_neutralized_and_is_audited(sheet, client, django_capture_on_commit_callbacks):
    Deputy.objects.filter(pk=sheet.deputy_b.pk).update(name='=HYPERLINK("http://x","李四")')
    LeaveRequest.objects.filter(deputy=sheet.deputy_b).update(reason="@SUM(1+1)")
    client.force_login(sheet.district_staff)
    response = export(client, django_capture_on_commit_callbacks, period=KEY, team=sheet.team_a1.pk)
    assert "attendance-2026-09" in response["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert header[1] == "党代表" and header[6] == "结果"
    assert sorted(r[6] for r in body) == sorted(["出席", "已请假", "未记录"])
    leave = next(r for r in body if r[9])
    assert leave[1] == '\'=HYPERLINK("http://x","李四")'
    assert leave[9] == "'@SUM(1+1)"
    assert leave[8] == "集中接待日" and leave[7].date() == datetime.date(2026, 9, 10)
    assert {r[1] for r in body} == {"张三", '\'=HYPERLINK("http://x","李四")', "孙八"}
    entry = AuditLog.objects.get(action="attendance_sheet_exported", actor=sheet.district_staff)
    assert entry.detail == {"period": KEY, "team": str(sheet.team_a1.pk)}


@pytest.mark.django_db
def test_excel_export_of_the_outcome_filter(sheet, client, django_capture_on_commit_callbacks):
    client.force_login(sheet.city_staff)
    response = export(client, django_capture_on_commit_callbacks, period=KEY, outcome="absent")
    body = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))[1:]
    assert sorted((r[0], r[1]) for r in body) == [("盐田区", "赵六"), ("福田区", "王五")]


def grow(world, n):
    """n more deputies in district A, each in a team of their own office with an outcome."""
    from offices.models import Jurisdiction, Office

    p = ReceptionPeriod.objects.get(district=world.district_a, key=KEY)
    for i in range(n):
        community = Jurisdiction.objects.create(
            name=f"社区{i}", level=Jurisdiction.Level.COMMUNITY, parent=world.street_a
        )
        office = Office.objects.create(name=f"工作室{i}", jurisdiction=community, area_m2=30)
        team = Team.objects.create(name=f"团队{i}", office=office)
        deputy = make_deputy(f"代表{i}", district=world.district_a, community=community)
        TeamMembership.objects.create(team=team, deputy=deputy, is_leader=True)
        activity = Activity.objects.create(
            office=office, kind=Activity.Kind.RECEPTION, title="接待", date=datetime.date(2026, 9, 8),
            status=Activity.Status.LOGGED, period=p, created_by=world.liaison,
        )
        outcome = [Outcome.ATTENDED, Outcome.LEAVE, Outcome.MADE_UP, Outcome.ABSENT][i % 4]
        Attendance.objects.create(deputy=deputy, period=p, outcome=outcome, activity=activity)
        if outcome == Outcome.LEAVE:
            LeaveRequest.objects.create(
                deputy=deputy, activity=activity, reason="开会", status=LeaveRequest.Status.APPROVED,
                filed_by=world.liaison,
            )


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 60])
def test_page_and_export_queries_do_not_grow_with_the_deputies(
    sheet, client, django_assert_max_num_queries, django_capture_on_commit_callbacks, extra
):
    grow(sheet, extra)
    client.force_login(sheet.city_staff)
    # At most 12 of the page's own, and the session's two (test_page_queries_are_the_same_at_n_and_3n_deputies).
    with django_assert_max_num_queries(12 + 2):
        response = client.get(URL, {"period": KEY})
    assert response.context["totals"]["total"] == 6 + extra
    # The request, the job's whole run (claim, count, rows in chunks, file) and the download.
    with django_assert_max_num_queries(40):
        response = export(client, django_capture_on_commit_callbacks, period=KEY)
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 6 + extra


@pytest.mark.django_db
def test_staff_reach_the_sheet_from_the_navigation_and_the_dashboard(sheet, client):
    client.force_login(sheet.district_staff)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert f'href="{URL}?period={KEY}"' in html
    assert "考勤表" in html
    client.force_login(sheet.liaison)
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_staff_filter_a_periods_sheet_to_absences_export_it_in_the_background_and_download_it(world, page, browser_login, live_server):
    p = period(world.district_a)
    Attendance.objects.create(deputy=world.deputy_a, period=p, outcome=Outcome.ATTENDED)
    Attendance.objects.create(deputy=world.deputy_b, period=p, outcome=Outcome.ABSENT)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    browser_login(page, "district_staff")
    page.goto(f"{live_server.url}{URL}")
    expect(page.get_by_role("heading", name="考勤表 · 2026-09")).to_be_visible()
    sheet = page.get_by_test_id("attendance-sheet")
    expect(sheet.get_by_text("张三")).to_be_visible()
    page.select_option("select[name=outcome]", "absent")
    page.get_by_test_id("sheet-filters").locator("button[type=submit]:not([name])").click()
    expect(sheet.get_by_text("李四")).to_be_visible()
    expect(sheet.get_by_text("张三")).to_have_count(0)
    expect(page.get_by_test_id("sheet-totals")).to_contain_text("50.0%")
    # The file is written in the background: the export lands on the job's progress page, which
    # offers the download once the job is done (the worker runs in process here).
    page.get_by_role("button", name="导出 Excel").click()
    expect(page.get_by_role("heading", name="考勤表 2026-09")).to_be_visible()
    expect(page.locator("progress[data-progress-bar]")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.startswith("attendance-2026-09")
    page.get_by_role("link", name="我的导出").click()
    expect(page.get_by_role("link", name="考勤表 2026-09")).to_be_visible()
    with open(download.value.path(), "rb") as f:
        rows = list(openpyxl.load_workbook(io.BytesIO(f.read())).active.iter_rows(values_only=True))
    assert [(r[1], r[6]) for r in rows[1:]] == [("李四", "无故缺席")]


@pytest.mark.django_db
def test_the_totals_group_the_periods_attendance_without_a_lookup_per_deputy(sheet):
    """The totals count the period's attendance rows of the sheet's deputies, grouped by outcome,
    and the deputies once. Grouping the deputies by their outcome annotation ran the outcome
    subquery once per deputy (20,000 times city-wide at 20,000 deputies: bench/README.md); counting
    each outcome with a filter ran it five times per deputy before that."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reception.attendance_selectors import sheet_deputies, sheet_district_ids, sheet_totals

    grow(sheet, 8)
    user = sheet.city_staff
    deputies = sheet_deputies(user=user, key=KEY, district_ids=sheet_district_ids(user=user))
    with CaptureQueriesContext(connection) as ctx:
        totals = sheet_totals(deputies, key=KEY)
    assert totals["total"] == 6 + 8 and totals["attended"] == 1 + 2 and totals["none"] == 1
    grouped, count = ctx.captured_queries
    # The outcome is read from the attendance rows themselves, not from a subquery per deputy.
    assert "GROUP BY" in grouped["sql"] and 'SELECT U0."outcome"' not in grouped["sql"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + grouped["sql"], grouped.get("params") or None)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        # Only the EXISTS that keeps resigned deputies with an outcome may remain a subplan.
        assert sum(1 for line in plan.splitlines() if line.strip().startswith("SubPlan ")) <= 1, plan


def test_the_outcome_filter_is_a_semi_join_not_a_filter_on_every_deputys_outcome(sheet):
    """Filtering the page on an outcome through the annotation made PostgreSQL compute every
    deputy's outcome in the WHERE clause before it could sort and cut the page (913 ms for a
    city-wide "absent" sheet at 10,000 deputies: bench/README.md). The filter is an EXISTS on its
    own, which the planner turns into a join."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reception.attendance_selectors import NOT_RECORDED, sheet_deputies, sheet_district_ids, sheet_filter_outcome

    grow(sheet, 8)
    user = sheet.city_staff
    deputies = sheet_deputies(user=user, key=KEY, district_ids=sheet_district_ids(user=user))
    absent = sheet_filter_outcome(deputies, key=KEY, outcome="absent")
    with CaptureQueriesContext(connection) as ctx:
        rows = list(absent)
    assert rows and {d.outcome for d in rows} == {"absent"}
    assert {d.outcome for d in sheet_filter_outcome(deputies, key=KEY, outcome=NOT_RECORDED)} == {None}
    [query] = ctx.captured_queries
    where = query["sql"].split(" WHERE ", 1)[1]
    assert "EXISTS" in where and '"outcome" = ' in where
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + query["sql"], query.get("params") or None)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        # A semi-join either way PostgreSQL runs it: a Semi Join node, or the matching attendance
        # rows made unique (HashAggregate) and joined; never the outcome looked up per deputy.
        assert "Semi Join" in plan or ("HashAggregate" in plan and "attendance_period_outcome" in plan), plan


def sheet_totals_of(client, **params):
    response = client.get(URL, {"period": KEY, **params})
    assert response.status_code == 200
    totals = dict(response.context["totals"])
    totals.pop("districts")
    return totals


@pytest.mark.django_db
def test_cached_totals_are_retired_by_every_write_that_changes_them(sheet, client):
    """The totals are cached under the slot's attendance version and the roster's
    (reception.attendance_version, offices.roster_version): a second request reads them from the
    cache, and every kind of write that changes them retires them (each step's totals differ from
    the last and equal the ones computed without the cache)."""
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from offices.models import Jurisdiction
    from reception.activity_services import attendance_recompute, period_close
    from reception.attendance_selectors import sheet_deputies, sheet_district_ids, sheet_totals
    from reception.models import ActivityParticipant

    user = sheet.city_staff
    client.force_login(user)
    client.get(reverse("home"))  # the signed-in account's own cached rows
    with CaptureQueriesContext(connection) as cold:
        last = sheet_totals_of(client)
    with CaptureQueriesContext(connection) as warm:
        assert sheet_totals_of(client) == last
    # The two grouped queries of the totals are not run again.
    assert len(warm.captured_queries) == len(cold.captured_queries) - 2

    def changed():
        nonlocal last
        shown = sheet_totals_of(client)
        with override_settings(VERSIONED_CACHE=False):
            fresh = sheet_totals(sheet_deputies(user=user, key=KEY, district_ids=sheet_district_ids(user=user)), key=KEY)
        fresh.pop("districts")
        assert shown == fresh
        assert shown != last
        last = shown
        return shown

    # The services: closing the period marks the deputy not recorded absent (a bulk insert)...
    period_close(period=sheet.period)
    assert changed()["none"] == 0
    # ... and a make-up logged for an absence (attendance_recompute saves the row).
    ActivityParticipant.objects.create(activity=sheet.make_up, deputy=sheet.zhao, attended=True)
    attendance_recompute(deputy=sheet.zhao, period=sheet.period)
    changed()
    # A row saved outside the services (the admin), and one deleted.
    row = Attendance.objects.get(deputy=sheet.deputy_a, period=sheet.period)
    row.outcome = Outcome.LEAVE
    row.save()
    changed()
    Attendance.objects.get(deputy=sheet.deputy_c, period=sheet.period_b).delete()
    changed()
    # A deputy removed (their rows go by cascade), one who resigned without an outcome.
    sheet.qian.delete()
    changed()
    make_deputy("吴十", district=sheet.district_b, community=sheet.community_b1)
    changed()
    # A new district in the slot brings its serving deputies.
    district_c = Jurisdiction.objects.create(name="南山区", level=Jurisdiction.Level.DISTRICT, parent=sheet.city)
    community_c = Jurisdiction.objects.create(name="南头社区", level=Jurisdiction.Level.COMMUNITY, parent=district_c)
    make_deputy("周九", district=district_c, community=community_c)
    assert sheet_totals_of(client) == last
    period(district_c)
    changed()


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["", "attended", "absent", "none"])
def test_pages_cut_district_by_district_are_the_pages_of_the_whole_sheet(sheet, outcome):
    """SheetPage reads a page from the districts it falls in only; its pages are the slices of
    the whole sheet in its order (district name, initials, name), across district boundaries."""
    from django.core.paginator import Paginator

    from reception.attendance_selectors import (
        SheetPage,
        sheet_deputies,
        sheet_district_ids,
        sheet_filter_outcome,
        sheet_totals,
    )

    grow(sheet, 9)
    p = ReceptionPeriod.objects.get(district=sheet.district_b, key=KEY)
    for i in range(4):
        deputy = make_deputy(f"乙{i}", district=sheet.district_b, community=sheet.community_b1)
        if i % 2:
            Attendance.objects.create(deputy=deputy, period=p, outcome=Outcome.ATTENDED)
    user = sheet.city_staff
    deputies = sheet_deputies(user=user, key=KEY, district_ids=sheet_district_ids(user=user))
    totals = sheet_totals(deputies, key=KEY)
    if outcome:
        deputies = sheet_filter_outcome(deputies, key=KEY, outcome=outcome)
    whole = [d.pk for d in deputies]
    assert len(whole) == (totals[outcome] if outcome else totals["total"])
    for size in (2, 3, 5):
        paginator = Paginator(SheetPage(deputies, totals, outcome), size)
        assert paginator.count == len(whole)
        pages = [[d.pk for d in paginator.page(n).object_list] for n in paginator.page_range]
        assert [pk for page in pages for pk in page] == whole
        assert all(len(page) == size for page in pages[:-1])


@pytest.mark.django_db
def test_page_queries_are_the_same_at_n_and_3n_deputies(sheet, client):
    """The city-wide sheet makes the same number of queries whatever the number of deputies,
    districts and outcomes (issue 10: at most 12, counted without the session's two)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(**params):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"period": KEY, **params}).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(sheet.city_staff)
    client.get(reverse("home"))  # the signed-in account's own cached rows
    grow(sheet, 10)
    counts_n = [queries(), queries(outcome="absent"), queries(page=2)]
    grow_more = 20
    from offices.models import Jurisdiction, Office

    # 3N: twice as many again, some of them in district B.
    p_b = ReceptionPeriod.objects.get(district=sheet.district_b, key=KEY)
    office = Office.objects.create(name="乙工作室", jurisdiction=sheet.district_b, area_m2=30)
    team = Team.objects.create(name="乙团队", office=office)
    for i in range(grow_more):
        deputy = make_deputy(
            f"丙{i}", district=sheet.district_b if i % 2 else sheet.district_a,
            community=sheet.community_b1 if i % 2 else sheet.community_a1,
        )
        if i % 2:
            TeamMembership.objects.create(team=team, deputy=deputy)
            Attendance.objects.create(deputy=deputy, period=p_b, outcome=[Outcome.ABSENT, Outcome.ATTENDED][i % 4 // 2])
    assert Jurisdiction.objects.filter(pk=sheet.district_b.pk).exists()
    counts_3n = [queries(), queries(outcome="absent"), queries(page=2)]
    assert counts_3n == counts_n
    assert max(counts_n) <= 12 + 2, counts_n


@pytest.mark.django_db
def test_the_totals_join_each_deputy_with_their_row_from_the_attendance_index(sheet):
    """The totals' first query joins the sheet's deputies with their row of the slot, read from
    attendance_period_outcome (period, outcome, deputy) alone. Filtering the slot's rows on
    `deputy IN (the sheet's deputies)` made PostgreSQL probe that semi-join once per row (20,000
    index probes for a city-wide sheet at 20,000 deputies, 0.2 s: bench/README.md)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reception.attendance_selectors import sheet_deputies, sheet_district_ids, sheet_totals

    grow(sheet, 8)
    user = sheet.city_staff
    deputies = sheet_deputies(user=user, key=KEY, district_ids=sheet_district_ids(user=user))
    with CaptureQueriesContext(connection) as ctx:
        sheet_totals(deputies, key=KEY)
    grouped, per_district = ctx.captured_queries
    assert '"deputy_id" IN (SELECT' not in grouped["sql"] and "GROUP BY" in grouped["sql"]
    # Staff see their scope in place, not as `id IN (every deputy in scope)`.
    assert '"offices_deputy"."id" IN (SELECT' not in per_district["sql"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + grouped["sql"], grouped.get("params") or None)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            # The index holds every column the join reads from the attendance table, so that on a
            # vacuumed table (bench/generate.py ends with VACUUM ANALYZE) PostgreSQL reads the
            # slot's 20,000 rows as an Index Only Scan (bench/README.md); a test database is
            # never vacuumed, so the plan here cannot show it.
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'attendance_period_outcome'")
            [(indexdef,)] = cursor.fetchall()
        assert indexdef.endswith("(period_id, outcome, deputy_id)"), indexdef
        assert "Semi Join" not in plan, plan
        # Only the EXISTS that keeps resigned deputies with an outcome may remain a subplan.
        assert sum(1 for line in plan.splitlines() if line.strip().startswith("SubPlan ")) <= 1, plan


@pytest.mark.django_db
def test_a_liaisons_totals_follow_their_office_links(sheet, client):
    """No cache version covers a liaison's office links, so their (small) sheet's totals are
    computed on every request rather than cached."""
    from offices.models import OfficeLiaison

    client.force_login(sheet.liaison)
    assert sheet_totals_of(client)["total"] == 3
    OfficeLiaison.objects.create(office=sheet.office_a2, user=sheet.liaison)
    assert sheet_totals_of(client)["total"] == 5


@pytest.mark.django_db(transaction=True)
def test_city_staff_filter_by_district_then_office_on_a_phone(sheet, page, browser_login, live_server):
    """Issue 10: city staff pick a district, are then offered its offices, and changing the
    district again drops the office chosen in the other one (static/js/attendance_sheet.js), so
    that the next filter is not a 404. No inline script: the page's CSP stays unviolated."""
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    browser_login(page, "city_staff")
    page.goto(f"{live_server.url}{URL}?period={KEY}")
    filters, sheet_table = page.get_by_test_id("sheet-filters"), page.get_by_test_id("attendance-sheet")
    filter_button = filters.locator("button[type=submit]:not([name])")
    expect(filters.locator("select[name=office]")).to_have_count(0)
    expect(filters.locator("[data-sheet-district-hint]")).to_be_visible()
    filters.locator("select[name=district]").select_option(str(sheet.district_a.pk))
    filter_button.click()
    expect(sheet_table.get_by_text("王五")).to_have_count(0)
    expect(filters.locator("[data-sheet-district-hint]")).to_be_hidden()
    filters.locator("select[name=office]").select_option(str(sheet.office_a2.pk))
    filter_button.click()
    expect(sheet_table.get_by_text("赵六")).to_be_visible()
    expect(sheet_table.get_by_text("张三")).to_have_count(0)
    # Another district: the office picker of district A goes, the hint comes back.
    filters.locator("select[name=district]").select_option(str(sheet.district_b.pk))
    expect(filters.locator("select[name=office]")).to_be_hidden()
    expect(filters.locator("[data-sheet-district-hint]")).to_be_visible()
    filter_button.click()
    expect(sheet_table.get_by_text("王五")).to_be_visible()
    assert f"district={sheet.district_b.pk}" in page.url and "office=" not in page.url
    assert violations == []


@pytest.mark.django_db
def test_rows_list_every_team_and_community_of_a_deputy_and_lead_from_any_team(sheet, client):
    """sheet_rows reads the teams and communities themselves with their link annotated (issue
    10): a deputy in two teams has both, in name order, with their offices, and leads when they
    lead either; a team shared by two deputies is on both rows."""
    from offices.models import FixedCommunity, Jurisdiction, Office

    community = Jurisdiction.objects.create(name="沙头角社区", level=Jurisdiction.Level.COMMUNITY, parent=sheet.street_a)
    office = Office.objects.create(name="沙头角社区党代表工作室", jurisdiction=community, area_m2=30)
    team = Team.objects.create(name="沙头角社区党代表团队", office=office)
    TeamMembership.objects.create(team=team, deputy=sheet.sun, is_leader=True)  # and a member of team_a1
    FixedCommunity.objects.create(deputy=sheet.sun, community=sheet.community_a2)
    client.force_login(sheet.district_staff)
    rows = rows_of(client.get(URL, {"period": KEY}))
    sun = rows["孙八"]
    assert sorted(t.pk for t in sun["teams"]) == sorted([team.pk, sheet.team_a1.pk])
    assert [t.name for t in sun["teams"]] == sorted(t.name for t in sun["teams"])
    assert [o.pk for o in sun["offices"]] == [t.office_id for t in sun["teams"]] and sun["leads"]
    assert sorted(c.name for c in sun["communities"]) == sorted([sheet.community_a1.name, sheet.community_a2.name])
    assert sun["communities_text"] == "、".join(c.name for c in sun["communities"])
    assert rows["张三"]["teams"] == [sheet.team_a1] and rows["张三"]["leads"]
    assert rows["李四"]["teams"] == [sheet.team_a1] and not rows["李四"]["leads"]
