"""Each deputy's performance file 履职档案 [004 第十二条(五)]: "a complete record of the deputy's work at
the office", assembled from the records the portal keeps; who may open it; its Excel file."""

import datetime
import importlib
import io

import pytest
from django.apps import apps
from django.db import connection
from django.test.testcases import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Case, Category, Channel, Inquiry, Proposal, ProposalCosigner, ProposalKind, ProposalStatus
from cases.models import Status as CaseStatus
from liaison.models import AuditLog, BackgroundExport
from offices.models import Contact, ContactVisit, Team, TeamMembership, TrainingAttendance, TrainingCourse
from reception.models import Activity, ActivityParticipant, Attendance, Escalation, LeaveRequest, ReceptionPeriod
from scoring.models import Snapshot, SnapshotRow
from scoring.services import annual_report_save, points_record_event, snapshot_publish
from tests.base import make_deputy

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = 2026
APRIL = D(YEAR, 4, 2)
Outcome = Attendance.Outcome


def file_url(deputy, year=YEAR):
    return f"{reverse('reports:performance_file', args=[deputy.pk])}?year={year}"


def export_url(deputy, year=YEAR):
    return f"{reverse('reports:performance_file_export', args=[deputy.pk])}?year={year}"


def export_file(client, deputy, year=YEAR):
    """Ask for the file's Excel export, a background job (run in process here) whose progress page
    the requester is sent to, and download it from there. Returns the job and the response."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(export_url(deputy, year))
    job = BackgroundExport.objects.filter(exporter="performance_file").latest("pk")
    assert response.status_code == 302 and response.url == reverse("exports:detail", args=[job.pk])
    assert job.status == BackgroundExport.Status.DONE and job.done_rows == job.total_rows
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    return job, download


def _activity(world, *, date, kind=Activity.Kind.RECEPTION, title="集中接待", households=0, **extra):
    return Activity.objects.create(
        office=world.office_a1, kind=kind, title=title, date=date, households=households,
        status=extra.pop("status", Activity.Status.LOGGED), created_by=world.liaison, **extra,
    )


def _case(world, *, title, received_on=APRIL, status=CaseStatus.REGISTERED, **extra):
    return Case.objects.create(
        channel=Channel.RECEPTION, category=Category.objects.first(), title=title, content="内容",
        office=world.office_a1, received_on=received_on, status=status, **extra,
    )


def _add_records(world, deputy, n, *, start=0):
    """n more activities, cases, proposals, contacts and ledger entries for `deputy`: the data the
    bounded-queries tests grow."""
    for i in range(start, start + n):
        a = _activity(world, date=D(YEAR, 6, 1) + datetime.timedelta(days=i), kind=Activity.Kind.HOUSEHOLD_VISIT,
                      title=f"走访{i}", households=2)
        ActivityParticipant.objects.create(activity=a, deputy=deputy, attended=True)
        c = _case(world, title=f"诉求{i}", owner=deputy)
        c.received_by.add(deputy)
        p = Proposal.objects.create(kind=ProposalKind.PROPOSAL, title=f"提议{i}", content="…", lead=deputy,
                                    status=ProposalStatus.FILED, filed_on=D(YEAR, 6, 1))
        points_record_event(deputy=deputy, event="proposal", source=p, occurred_on=D(YEAR, 6, 1))
        contact = Contact.objects.create(deputy=deputy, name=f"联系人{i}")
        ContactVisit.objects.create(contact=contact, date=D(YEAR, 6, 2))


@pytest.fixture
def known(world):
    """Deputy B (a member of team A1, not its leader) with a known year of records."""
    b = world.deputy_b
    periods = [
        ReceptionPeriod.objects.create(district=world.district_a, key=f"{YEAR}-{m:02d}", start=D(YEAR, m, 5),
                                       end=D(YEAR, m, 18))
        for m in (1, 3, 5, 7)
    ]
    reception = _activity(world, date=D(YEAR, 1, 6), period=periods[0])
    ActivityParticipant.objects.create(activity=reception, deputy=b, attended=True)
    visit = _activity(world, date=D(YEAR, 3, 20), kind=Activity.Kind.HOUSEHOLD_VISIT, title="入户走访", households=4)
    ActivityParticipant.objects.create(activity=visit, deputy=b, attended=True)
    leave_activity = _activity(world, date=D(YEAR, 3, 8), status=Activity.Status.LOGGED, title="三月接待")
    ActivityParticipant.objects.create(activity=leave_activity, deputy=b, attended=False)
    make_up = _activity(world, date=D(YEAR, 7, 25), title="补课接待", makes_up_period=periods[3])
    ActivityParticipant.objects.create(activity=make_up, deputy=b, attended=True)
    cancelled = _activity(world, date=D(YEAR, 8, 1), status=Activity.Status.CANCELLED, title="取消的活动")
    ActivityParticipant.objects.create(activity=cancelled, deputy=b)
    Attendance.objects.create(deputy=b, period=periods[0], outcome=Outcome.ATTENDED, activity=reception)
    Attendance.objects.create(deputy=b, period=periods[1], outcome=Outcome.LEAVE, activity=leave_activity)
    Attendance.objects.create(deputy=b, period=periods[2], outcome=Outcome.ABSENT)
    Attendance.objects.create(deputy=b, period=periods[3], outcome=Outcome.MADE_UP, activity=make_up)
    LeaveRequest.objects.create(deputy=b, activity=leave_activity, reason="出差", status=LeaveRequest.Status.APPROVED,
                                filed_by=world.deputy_b_user)
    Escalation.objects.create(deputy=b, period=periods[2], step=Escalation.Step.MAKE_UP, streak=1,
                              make_up_by=D(YEAR, 5, 31))

    received = _case(world, title="路灯不亮", reporter_name="赵居民", reporter_mobile="13912345678",
                     reporter_address="幸福路9号")
    received.received_by.add(b)
    owned = _case(world, title="小区停车难", status=CaseStatus.DISPATCHED, owner=b)
    _case(world, title="别人的诉求", owner=world.deputy_a)
    _case(world, title="去年的诉求", received_on=D(YEAR - 1, 12, 30), owner=b)

    proposal = Proposal.objects.create(kind=ProposalKind.PROPOSAL, title="加装电梯的提议", content="…", lead=b,
                                       status=ProposalStatus.FILED, filed_on=D(YEAR, 2, 1))
    motion = Proposal.objects.create(kind=ProposalKind.MOTION, title="社区养老的提案", content="…", lead=b,
                                     status=ProposalStatus.FILED, filed_on=D(YEAR, 2, 10))
    ProposalCosigner.objects.create(proposal=motion, deputy=world.deputy_a, status=ProposalCosigner.Status.CONFIRMED)
    others = Proposal.objects.create(kind=ProposalKind.MOTION, title="学位扩容的提案", content="…",
                                     lead=world.deputy_a, status=ProposalStatus.FILED, filed_on=D(YEAR, 2, 12))
    ProposalCosigner.objects.create(proposal=others, deputy=b, status=ProposalCosigner.Status.CONFIRMED)
    declined = Proposal.objects.create(kind=ProposalKind.MOTION, title="婉拒联署的提案", content="…",
                                       lead=world.deputy_a, status=ProposalStatus.FILED, filed_on=D(YEAR, 2, 12))
    ProposalCosigner.objects.create(proposal=declined, deputy=b, status=ProposalCosigner.Status.DECLINED)
    inquiry = Inquiry.objects.create(date=D(YEAR, 4, 9), kind=Inquiry.Kind.INQUIRY, topic="老旧小区改造",
                                     target_unit=world.unit_a)
    inquiry.participants.add(b)

    course = TrainingCourse.objects.create(title="新任代表培训班", organizer=world.district_a, term="第七届",
                                           starts_on=D(YEAR, 3, 1), ends_on=D(YEAR, 3, 3))
    TrainingAttendance.objects.create(course=course, deputy=b)
    old_course = TrainingCourse.objects.create(title="往年培训", organizer=world.district_a, term="第七届",
                                               starts_on=D(YEAR - 1, 3, 1), ends_on=D(YEAR - 1, 3, 3))
    TrainingAttendance.objects.create(course=old_course, deputy=b)

    pairing = Contact.objects.create(deputy=b, name="帮扶对象甲", is_pairing_household=True, phone="13800000001")
    Contact.objects.create(deputy=b, name="党员甲", kind=Contact.Kind.PARTY_MEMBER)
    ContactVisit.objects.create(contact=pairing, date=D(YEAR, 2, 2))
    ContactVisit.objects.create(contact=pairing, date=D(YEAR, 5, 2))

    # Yantian items 7 (proposal, 3) and 8 (lead motion, 10): 13 points of 议党议政, published in Q1.
    points_record_event(deputy=b, event="proposal", source=proposal, occurred_on=D(YEAR, 2, 1))
    points_record_event(deputy=b, event="motion_lead", source=motion, occurred_on=D(YEAR, 2, 10))
    snapshot_publish(year=YEAR, quarter=1, actor=world.city_staff)
    annual_report_save(deputy=b, year=YEAR, body="一年来……", submit=True, actor=b.user)
    return {"periods": periods, "received": received, "owned": owned, "proposal": proposal, "motion": motion,
            "others": others, "inquiry": inquiry}


# --- What the file shows ------------------------------------------------------------------------------


def test_performance_file_records_a_deputys_year_004_art12(world, known, login_as):
    response = login_as(world.liaison).get(file_url(world.deputy_b))
    assert response.status_code == 200
    ctx = response.context
    assert [row["record"].outcome for row in ctx["attendance"]] == [
        Outcome.ATTENDED, Outcome.LEAVE, Outcome.ABSENT, Outcome.MADE_UP,
    ]
    assert [c["count"] for c in ctx["outcome_counts"]] == [1, 1, 1, 1]
    # Cancelled activities are left out; a held activity counts when the deputy attended it.
    assert [p.activity.title for p in ctx["participations"]] == ["集中接待", "三月接待", "入户走访", "补课接待"]
    assert ctx["activities_held"] == 3 and ctx["households"] == 4
    assert ctx["contacts"] == {"total": 2, "pairing": 1, "visits": 2, "minimum": 5}
    assert (ctx["cases_received"], ctx["cases_owned"]) == (1, 1)
    assert {c.title for c in ctx["cases"]} == {"路灯不亮", "小区停车难"}
    assert {(row["status"][0], row["received"], row["owned"]) for row in ctx["case_states"]} == {
        ("registered", 1, 0), ("dispatched", 0, 1),
    }
    assert [p.title for p in ctx["proposals"]] == ["加装电梯的提议"]
    assert [p.title for p in ctx["motions"]] == ["社区养老的提案"]
    assert [c.proposal.title for c in ctx["cosigned"]] == ["学位扩容的提案"]
    assert [i.topic for i in ctx["inquiries"]] == ["老旧小区改造"]
    assert [t.course.title for t in ctx["training"]] == ["新任代表培训班"]
    row = ctx["snapshot_row"]
    assert (row.total, row.rank_city, row.rank_district, row.rank_office) == (13, 1, 1, 1)
    assert ctx["ranked"] == {"city": 3, "district": 2, "office": 2}
    assert [c["points"] for c in ctx["categories"]] == [0, 13, 0, 0]
    assert ctx["ledger_total"] == 13
    assert ctx["report"].status == "submitted" and ctx["report_openable"]
    assert [e.step for e in ctx["escalations_open"]] == [Escalation.Step.MAKE_UP]
    body = response.content.decode()
    for text in ("代表履职档案", "已请假", "已补课", "路灯不亮", "新任代表培训班", "东和社区党代表团队"):
        assert text in body


def test_attendance_lists_periods_without_an_outcome_and_counts_other_districts_outcomes(world, known, login_as):
    """A period of the deputy's district with no outcome yet is listed as not recorded; an outcome in
    another district's period (the deputy moved) is counted but not listed among the district's."""
    ReceptionPeriod.objects.create(district=world.district_a, key=f"{YEAR}-09", start=D(YEAR, 9, 5),
                                   end=D(YEAR, 9, 18))
    elsewhere = ReceptionPeriod.objects.create(district=world.district_b, key=f"{YEAR}-10",
                                               start=D(YEAR, 10, 5), end=D(YEAR, 10, 18))
    Attendance.objects.create(deputy=world.deputy_b, period=elsewhere, outcome=Outcome.ABSENT)
    response = login_as(world.liaison).get(file_url(world.deputy_b))
    ctx = response.context
    assert [row["record"].outcome if row["record"] else None for row in ctx["attendance"]] == [
        Outcome.ATTENDED, Outcome.LEAVE, Outcome.ABSENT, Outcome.MADE_UP, None,
    ]
    assert ctx["attendance"][0]["record"].activity.title == "集中接待"
    assert [c["count"] for c in ctx["outcome_counts"]] == [1, 1, 2, 1]


def test_performance_file_shows_no_residents_personal_data(world, known, login_as):
    body = login_as(world.liaison).get(file_url(world.deputy_b)).content.decode()
    for secret in ("赵居民", "13912345678", "幸福路9号", "帮扶对象甲", "13800000001", "13900139000"):
        assert secret not in body
    # Viewing a file is not an audited personal-data view; nothing was logged.
    assert not AuditLog.objects.filter(action__startswith="case_personal").exists()


def test_performance_file_links_only_to_cases_the_viewer_may_open(world, known, login_as):
    """Deputy B opens their own file: the cases they received and own link to the case page."""
    body = login_as(world.deputy_b_user).get(file_url(world.deputy_b)).content.decode()
    assert reverse("cases:detail", args=[known["received"].pk]) in body
    assert reverse("cases:detail", args=[known["owned"].pk]) in body
    assert reverse("proposals:detail", args=[known["others"].pk]) in body


def test_performance_file_of_another_year_is_empty(world, known, login_as):
    response = login_as(world.liaison).get(file_url(world.deputy_b, YEAR - 3))
    ctx = response.context
    assert response.status_code == 200
    assert ctx["attendance"] == [] and ctx["cases"] == [] and ctx["snapshot_row"] is None and ctx["report"] is None
    assert "尚未公布" in response.content.decode()


def test_performance_file_escapes_user_text(world, known, login_as):
    _case(world, title="<script>alert(1)</script>", owner=world.deputy_b)
    body = login_as(world.liaison).get(file_url(world.deputy_b)).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- Who may open it -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", [
    ("deputy_b_user", 200), ("liaison", 200), ("district_staff", 200), ("city_staff", 200),
    ("deputy_a_user", 404),  # the team leader: a file is personal
    ("deputy_c_user", 404), ("other_liaison", 404), ("other_staff", 404),
    ("handler", 403), ("outsider", 403),
])
def test_who_may_open_a_performance_file_004_art12(world, login_as, who, status):
    client = login_as(getattr(world, who))
    assert client.get(file_url(world.deputy_b)).status_code == status
    # The export queues a job and sends its requester to the job's page.
    assert client.get(export_url(world.deputy_b)).status_code == (302 if status == 200 else status)


def test_a_deputy_exports_their_own_file_and_nobody_else_fetches_it(world, known, login_as):
    job, _response = export_file(login_as(world.deputy_b_user), world.deputy_b)
    assert job.requested_by == world.deputy_b_user
    for other in (world.liaison, world.city_staff):
        client = login_as(other)
        assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    response = client.get(file_url(world.deputy_b))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_deputy_reaches_their_own_file_from_home(world, login_as):
    client = login_as(world.deputy_b_user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("reports:my_performance_file") in home and "我的履职档案" in home
    response = client.get(reverse("reports:my_performance_file"))
    assert response.status_code == 302 and response["Location"] == reverse("reports:performance_file", args=[world.deputy_b.pk])
    assert login_as(world.liaison).get(reverse("reports:my_performance_file")).status_code == 403


def test_the_list_shows_the_deputies_in_scope(world, login_as):
    def names(user):
        response = login_as(user).get(reverse("reports:performance_file_list"))
        assert response.status_code == 200
        return {d.name for d in response.context["page"]}

    assert names(world.liaison) == {"张三", "李四"}
    assert names(world.district_staff) == {"张三", "李四"}
    assert names(world.other_staff) == {"王五"}
    assert names(world.city_staff) == {"张三", "李四", "王五"}
    for user in (world.deputy_a_user, world.handler, world.outsider):
        assert login_as(user).get(reverse("reports:performance_file_list")).status_code == 403


def test_the_list_searches_by_name_and_pinyin_initials_and_filters_by_office_and_team(world, login_as):
    client = login_as(world.city_staff)
    url = reverse("reports:performance_file_list")

    def names(**params):
        return [d.name for d in client.get(url, params).context["page"]]

    assert names(q="李") == ["李四"]
    assert names(q="ls") == ["李四"]
    assert names(q="ZS") == ["张三"]
    assert names(office=world.office_b1.pk) == ["王五"]
    assert sorted(names(team=world.team_a1.pk)) == sorted(["张三", "李四"])
    assert names(q="nobody") == []
    assert "没有符合条件的代表" in client.get(url, {"q": "nobody"}).content.decode()


def test_the_list_links_to_each_file_and_is_in_the_reports_menu(world, login_as):
    client = login_as(world.liaison)
    body = client.get(reverse("reports:performance_file_list")).content.decode()
    assert reverse("reports:performance_file", args=[world.deputy_b.pk]) in body
    home = client.get(reverse("home")).content.decode()
    assert reverse("reports:performance_file_list") in home


def test_the_list_is_paginated(world, login_as):
    for i in range(35):
        make_deputy(f"代表{i:02d}", district=world.district_a, community=world.community_a1)
    client = login_as(world.district_staff)
    first = client.get(reverse("reports:performance_file_list"))
    assert len(first.context["page"].object_list) == 30 and first.context["page"].paginator.num_pages == 2
    second = client.get(reverse("reports:performance_file_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 7


# --- Bounded queries -----------------------------------------------------------------------------------

FILE_QUERIES = 13
LIST_QUERIES = 9


@pytest.mark.parametrize("extra", [0, 25])
def test_the_file_page_reads_a_fixed_number_of_queries(world, known, login_as, django_assert_max_num_queries, extra):
    _add_records(world, world.deputy_b, extra)
    client = login_as(world.liaison)
    with django_assert_max_num_queries(FILE_QUERIES):
        response = client.get(file_url(world.deputy_b))
    assert len(response.context["participations"]) == 4 + extra


@pytest.mark.parametrize("viewer", ["deputy_b", "liaison", "city_staff"])
def test_the_file_page_reads_as_many_queries_at_n_and_3n_records(world, known, login_as, viewer):
    """The deputy's own file, and the same file as a liaison and city staff see it."""
    user = world.deputy_b.user if viewer == "deputy_b" else getattr(world, viewer)
    client = login_as(user)
    counts = []
    for n in (5, 10):  # 5 records, then 10 more: 3N in all
        _add_records(world, world.deputy_b, n, start=5 * len(counts))
        client.get(file_url(world.deputy_b))  # the session and caches warmed alike
        with CaptureQueriesContext(connection) as queries:
            response = client.get(file_url(world.deputy_b))
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.context["participations"]) == 4 + 15
    assert counts[0] == counts[1] <= FILE_QUERIES


def test_a_published_snapshot_stores_how_many_deputies_it_ranks(world, known, login_as):
    """The file's "of N in the city" is read from the snapshot: the number of its rows, stored
    when it was published."""
    snapshot = Snapshot.objects.get(year=YEAR, quarter=1)
    live = SnapshotRow.objects.filter(snapshot=snapshot).count()
    assert live == 3
    assert snapshot.deputies_ranked == live
    make_deputy("新任代表", district=world.district_a, community=world.community_a1)
    later = snapshot_publish(year=YEAR, quarter=2, actor=world.city_staff)
    assert later.deputies_ranked == SnapshotRow.objects.filter(snapshot=later).count() == 4
    response = login_as(world.liaison).get(file_url(world.deputy_b))
    assert response.context["ranked"]["city"] == 4
    assert response.context["snapshot_row"].snapshot == later


def test_the_migration_counts_the_rows_of_snapshots_published_before_it(world, known):
    migration = importlib.import_module("scoring.migrations.0009_snapshot_deputies_ranked")
    Snapshot.objects.update(deputies_ranked=0)
    empty = Snapshot.objects.create(year=YEAR - 1, quarter=4, published_by=world.city_staff)
    migration.count_rows(apps, None)
    assert Snapshot.objects.get(year=YEAR, quarter=1).deputies_ranked == 3
    empty.refresh_from_db()
    assert empty.deputies_ranked == 0


@pytest.mark.parametrize("extra", [0, 40])
def test_the_list_reads_a_fixed_number_of_queries(world, login_as, django_assert_max_num_queries, extra):
    for i in range(extra):
        d = make_deputy(f"代表{i:02d}", district=world.district_a, community=world.community_a1)
        team = world.team_a1 if i % 2 else Team.objects.get_or_create(name="中英街社区党代表团队", office=world.office_a2)[0]
        TeamMembership.objects.create(team=team, deputy=d)
    client = login_as(world.district_staff)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("reports:performance_file_list"), {"q": "", "office": "", "team": ""})
    assert response.context["page"].paginator.count == 2 + extra


def test_the_list_renders_its_office_and_team_filters_without_a_template_per_option(world, login_as):
    """City staff choose among every office and team of the city (637 of each in Shenzhen): one
    template render per <option> made the list take most of a second (bench/README.md). The
    templates rendered must not grow with the offices."""
    from offices.models import Jurisdiction, Office

    client = login_as(world.city_staff)

    def render():
        response = client.get(reverse("reports:performance_file_list"))
        assert response.status_code == 200
        return response.content.decode(), [t.name for t in response.templates]

    html, before = render()
    for i in range(30):
        community = Jurisdiction.objects.create(
            name=f"新社区{i:02d}", level=Jurisdiction.Level.COMMUNITY, parent=world.community_a1.parent,
            district_id=world.district_a.pk,
        )
        office = Office.objects.create(name=f"新社区{i:02d}党代表工作室", jurisdiction=community)
        Team.objects.create(name=f"新社区{i:02d}党代表团队", office=office)
    more, after = render()
    assert more.count("党代表工作室</option>") == html.count("党代表工作室</option>") + 30
    assert more.count("党代表团队</option>") == html.count("党代表团队</option>") + 30
    assert '<option value="" selected>' in more
    assert len(after) == len(before)


def test_the_list_filters_offer_every_office_and_team_by_name_and_keep_the_chosen_one(world, login_as):
    """The office and team filters read (pk, name) pairs (liaison.lib.widgets.NameChoiceField, issue
    10): every office and team in scope by name, the chosen one selected, a stranger's key refused."""
    import re

    from offices.models import Office

    client = login_as(world.city_staff)
    url = reverse("reports:performance_file_list")
    html = client.get(url, {"office": world.office_b1.pk, "team": world.team_a1.pk}).content.decode()
    for name, chosen, rows in (("office", world.office_b1, Office.objects.all()), ("team", world.team_a1, Team.objects.all())):
        select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
        options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
        assert options[0][0] == "" and not options[0][1]
        assert [(v, label) for v, _s, label in options[1:]] == [(str(o.pk), o.name) for o in rows.order_by("name", "pk")]
        assert [v for v, selected, _label in options if selected] == [str(chosen.pk)]
    district = login_as(world.district_staff)
    assert district.get(url, {"office": world.office_b1.pk}).context["form"].errors["office"]


# --- Excel ----------------------------------------------------------------------------------------------


def test_the_excel_file_has_a_sheet_per_section_and_is_audited_004_art12(world, known, login_as):
    client = login_as(world.liaison)
    job, response = export_file(client, world.deputy_b)
    assert job.requested_by == world.liaison and job.params == {"deputy": world.deputy_b.pk, "year": YEAR}
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert wb.sheetnames == ["概况", "接待周到岗", "请假申请", "履职活动", "社情民意", "提议提案", "询问、质询", "培训",
                             "积分", "到岗督促"]
    rows = {name: list(wb[name].iter_rows(values_only=True)) for name in wb.sheetnames}
    assert [r[1] for r in rows["接待周到岗"][1:]] == ["出席", "已请假", "无故缺席", "已补课"]
    assert {r[1] for r in rows["社情民意"][1:]} == {"路灯不亮", "小区停车难"}
    assert [r[1] for r in rows["提议提案"][1:]] == ["加装电梯的提议", "社区养老的提案", "学位扩容的提案"]
    points = dict(rows["积分"][1:])
    assert points["总积分"] == 13 and points["账本积分"] == 13
    for sheet in rows.values():
        for row in sheet:
            assert not any(isinstance(v, str) and v in ("13912345678", "幸福路9号", "赵居民") for v in row)
    entry = AuditLog.objects.get(action="performance_file_exported")
    assert entry.actor_id == world.liaison.pk and entry.outcome == "ok" and entry.object_id == str(world.deputy_b.pk)


def test_a_refused_export_is_audited(world, known, login_as):
    assert login_as(world.deputy_a_user).get(export_url(world.deputy_b)).status_code == 404
    entry = AuditLog.objects.get(action="performance_file_exported")
    assert entry.actor_id == world.deputy_a_user.pk and entry.outcome == "refused"


def test_the_excel_file_neutralizes_formulas(world, known, login_as):
    b = world.deputy_b
    b.work_unit = '=HYPERLINK("http://evil.example","点我")'
    b.save()
    _case(world, title="+cmd|' /C calc'!A0", owner=b)
    Proposal.objects.create(kind=ProposalKind.PROPOSAL, title="@SUM(1+1)", content="…", lead=b,
                            status=ProposalStatus.FILED, filed_on=D(YEAR, 9, 1))
    _job, response = export_file(login_as(world.liaison), b)
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [v for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "'=HYPERLINK(\"http://evil.example\",\"点我\")" in values
    assert "'+cmd|' /C calc'!A0" in values and "'@SUM(1+1)" in values
    assert not any(v.startswith(("=", "+", "@")) for v in values)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
