"""The activity, leave, invitation and escalation pages: who may use them, what they refuse, and
that they stay within a bounded number of queries."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from offices.models import TeamMembership
from reception import activity_services as svc
from reception.models import Activity, ActivityPhoto, Attendance, Escalation, Invitation, LeaveRequest, ReceptionPeriod
from tests.base import PNG, make_deputy, make_user

TODAY = timezone.localdate


def days(n):
    return TODAY() + datetime.timedelta(days=n)


def plan(world, *, date, office=None, deputies=None, kind=Activity.Kind.RECEPTION, actor=None):
    return svc.activity_plan(
        office=office or world.office_a1, kind=kind, title="集中接待日", date=date, slot=Activity.Slot.AFTERNOON,
        deputies=deputies if deputies is not None else [world.deputy_a, world.deputy_b],
        actor=actor or world.liaison,
    )


@pytest.fixture
def things(world):
    """An upcoming activity of office A1 with a pending leave request and invitation, an escalation of
    deputy B owing an explanation, a photo, and an activity of office B1."""
    period = ReceptionPeriod.objects.create(
        district=world.district_a, key="x-1", start=days(-40), end=days(-30), closed_at=timezone.now()
    )
    activity = plan(world, date=days(10))
    other = plan(world, date=days(10), office=world.office_b1, deputies=[world.deputy_c], actor=world.other_liaison)
    leave = svc.leave_request_file(deputy=world.deputy_b, activity=activity, reason="出差", actor=world.deputy_b_user)
    invitation = svc.invitation_request(
        deputy=world.deputy_a, activity=activity, department="住建局", problem="电梯", actor=world.deputy_a_user
    )
    escalation = Escalation.objects.create(
        deputy=world.deputy_b, period=period, district=world.district_a, step=2, streak=2
    )
    photo = ActivityPhoto.objects.create(
        activity=activity, image=SimpleUploadedFile("p.png", PNG, content_type="image/png"),
        uploaded_by=world.liaison,
    )
    return {"activity": activity, "other": other, "leave": leave, "invitation": invitation,
            "escalation": escalation, "photo": photo, "period": period}


def url_for(name, t):
    a = t["activity"].pk
    args = {
        "activity_list": [], "activity_create": [], "leave_list": [], "leave_create": [], "invitation_list": [],
        "invitation_create": [], "escalation_list": [], "my_escalations": [], "my_attendance": [],
        "activity_detail": [a], "activity_edit": [a], "activity_announce": [a], "activity_cancel": [a],
        "activity_log": [a], "activity_photo": [a, t["photo"].pk],
        "leave_decide": [t["leave"].pk], "invitation_decide": [t["invitation"].pk],
        "escalation_explain": [t["escalation"].pk], "escalation_resolve": [t["escalation"].pk],
    }[name]
    return reverse(f"reception:{name}", args=args)


# Who may open each page (GET) of office A1's objects; everyone else is refused (403 or 404).
ALLOWED = {
    "activity_list": {"liaison", "district_staff", "city_staff", "other_liaison", "other_staff"},
    "activity_create": {"liaison", "district_staff", "city_staff", "other_liaison", "other_staff"},
    "activity_detail": {"liaison", "district_staff", "city_staff", "deputy_a", "deputy_b"},
    "activity_edit": {"liaison", "district_staff", "city_staff"},
    "activity_announce": {"liaison", "district_staff", "city_staff"},
    "activity_cancel": {"liaison", "district_staff", "city_staff"},
    "activity_log": {"liaison", "district_staff", "city_staff"},
    "activity_photo": {"liaison", "district_staff", "city_staff", "deputy_a", "deputy_b"},
    "leave_list": {"liaison", "other_liaison", "district_staff", "city_staff", "other_staff",
                   "deputy_a", "deputy_b", "deputy_c"},
    "leave_create": {"deputy_a", "deputy_b", "deputy_c"},
    "leave_decide": {"district_staff", "city_staff"},
    "invitation_list": {"liaison", "other_liaison", "district_staff", "city_staff", "other_staff",
                        "deputy_a", "deputy_b", "deputy_c"},
    "invitation_create": {"deputy_a", "deputy_b", "deputy_c"},
    "invitation_decide": {"district_staff", "city_staff"},
    "escalation_list": {"district_staff", "city_staff", "other_staff"},
    "my_escalations": {"deputy_a", "deputy_b", "deputy_c"},
    "my_attendance": {"deputy_a", "deputy_b", "deputy_c"},
    "escalation_explain": {"deputy_b"},
    "escalation_resolve": {"district_staff", "city_staff"},
}
PERSONAS = ["liaison", "other_liaison", "district_staff", "city_staff", "other_staff", "deputy_a", "deputy_b",
            "deputy_c", "handler", "outsider"]


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_each_page_admits_its_roles_and_objects_and_refuses_the_rest(world, things, client, name):
    url = url_for(name, things)
    for persona in PERSONAS:
        user = getattr(world, persona if not persona.startswith("deputy_") else f"{persona}_user")
        client.force_login(user)
        status = client.get(url).status_code
        if persona in ALLOWED[name]:
            assert status == 200, (persona, status)
        else:
            assert status in (403, 404), (persona, status)
    client.logout()
    assert client.get(url).status_code == 302


def test_other_offices_liaison_cannot_announce_or_log_by_post(world, things, client):
    client.force_login(world.other_liaison)
    a = things["activity"]
    assert client.post(reverse("reception:activity_announce", args=[a.pk])).status_code == 404
    assert client.post(reverse("reception:activity_log", args=[a.pk]), {"attended": [world.deputy_a.pk]}).status_code == 404
    a.refresh_from_db()
    assert a.status == Activity.Status.PLANNED


def test_liaison_list_shows_only_their_offices(world, things, client):
    client.force_login(world.liaison)
    page = client.get(reverse("reception:activity_list")).content.decode()
    assert reverse("reception:activity_detail", args=[things["activity"].pk]) in page
    assert reverse("reception:activity_detail", args=[things["other"].pk]) not in page


def test_liaison_plans_an_activity_on_the_page(world, client):
    client.force_login(world.liaison)
    response = client.post(reverse("reception:activity_create"), {
        "office": world.office_a1.pk, "kind": "reception", "title": "接待日", "date": days(8).isoformat(),
        "slot": "am", "deputies": [world.deputy_a.pk], "place": "", "plan_notes": "",
    })
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert list(activity.deputies.all()) == [world.deputy_a]


def test_liaison_cannot_plan_for_another_office(world, client):
    client.force_login(world.liaison)
    response = client.post(reverse("reception:activity_create"), {
        "office": world.office_b1.pk, "kind": "reception", "title": "x", "date": days(8).isoformat(), "slot": "am",
    })
    assert response.status_code == 200 and not Activity.objects.exists()


def test_late_announcement_on_the_page_is_refused_with_a_message_003(world, client):
    activity = plan(world, date=days(2))
    client.force_login(world.liaison)
    response = client.post(reverse("reception:activity_announce", args=[activity.pk]), follow=True)
    assert "at least 3 days" in response.content.decode() or "3 天" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED


def test_announced_activity_appears_on_the_public_office_page_003(world, client):
    activity = plan(world, date=days(5))
    svc.activity_announce(activity=activity, actor=world.liaison)
    quiet = plan(world, date=days(6))
    page = client.get(reverse("public:office", args=[world.office_a1.pk])).content.decode()
    assert activity.title in page and "张三" in page and world.deputy_a.work_unit in page
    assert quiet.date.isoformat() not in page


def test_late_leave_request_on_the_page_is_refused_with_the_form_kept_000_11(world, client):
    activity = plan(world, date=days(4))
    client.force_login(world.deputy_b_user)
    response = client.post(reverse("reception:leave_create"), {"activity": activity.pk, "reason": "出差在外"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "出差在外" in body
    assert not LeaveRequest.objects.exists()


def test_deputy_b_cannot_explain_for_deputy_a(world, things, client):
    things["escalation"].deputy = world.deputy_a
    things["escalation"].save()
    client.force_login(world.deputy_b_user)
    url = reverse("reception:escalation_explain", args=[things["escalation"].pk])
    assert client.post(url, {"text": "不是我"}).status_code == 404
    assert Escalation.objects.get().explanation == ""


def test_deputy_uploads_an_explanation_file_that_staff_can_read(world, things, client):
    client.force_login(world.deputy_b_user)
    url = reverse("reception:escalation_explain", args=[things["escalation"].pk])
    pdf = SimpleUploadedFile("说明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert client.post(url, {"text": "", "file": pdf}).status_code == 302
    file_url = reverse("reception:escalation_file", args=[things["escalation"].pk])
    client.force_login(world.district_staff)
    assert client.get(file_url).status_code == 200
    client.force_login(world.other_staff)
    assert client.get(file_url).status_code == 404


def test_staff_decides_leave_and_other_districts_staff_cannot(world, things, client):
    url = reverse("reception:leave_decide", args=[things["leave"].pk])
    client.force_login(world.other_staff)
    assert client.post(url, {"decision": "approve"}).status_code == 404
    client.force_login(world.district_staff)
    assert client.post(url, {"decision": "refuse", "note": ""}).status_code == 200
    assert client.post(url, {"decision": "approve", "note": ""}).status_code == 302
    assert LeaveRequest.objects.get().status == LeaveRequest.Status.APPROVED


def test_staff_decides_an_invitation_with_who_comes_000_8(world, things, client):
    client.force_login(world.district_staff)
    url = reverse("reception:invitation_decide", args=[things["invitation"].pk])
    assert client.post(url, {"decision": "approve", "attendees": "李副局长"}).status_code == 302
    assert Invitation.objects.get().attendees == "李副局长"


def test_escalation_list_filters_by_step_and_paginates(world, things, client):
    client.force_login(world.district_staff)
    url = reverse("reception:escalation_list")
    assert "李四" in client.get(url, {"step": 2}).content.decode()
    assert "李四" not in client.get(url, {"step": 3}).content.decode()
    assert "李四" not in client.get(url, {"q": "张"}).content.decode()
    client.force_login(world.other_staff)
    assert "李四" not in client.get(url).content.decode()


@pytest.mark.postgres
def test_escalation_list_reads_its_page_in_index_order(world, things, client):
    """Issue 10 (20,000 deputies, 57,000 open escalations): the city-wide list sorted every open
    escalation with its deputy, period and district to show 50 (0.3 s). Its page is read newest
    first from escalation_list_order; with sorting priced out the plan has no Sort node, which
    it would have if no index gave the order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.city_staff)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("reception:escalation_list")).status_code == 200
    [page] = [q for q in ctx.captured_queries if 'FROM "offices_escalation"' in q["sql"] and "LIMIT" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + page["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_sort = on")
    assert "escalation_list_order" in plan and "Sort Key" not in plan, plan


def test_deputy_home_shows_activities_attendance_leave_and_what_is_owed(world, things, client):
    Attendance.objects.create(deputy=world.deputy_b, period=things["period"], outcome=Attendance.Outcome.ABSENT)
    client.force_login(world.deputy_b_user)
    body = client.get(reverse("home")).content.decode()
    assert "集中接待日" in body
    assert str(Attendance.Outcome.ABSENT.label) in body or "无故缺席" in body
    assert reverse("reception:my_escalations") in body


def _many_deputies(world, n):
    team = world.team_a1
    for i in range(n):
        user = make_user(f"extra_{i}", "deputy")
        deputy = make_deputy(f"代表{i}", district=world.district_a, community=world.community_a1, user=user,
                             mobile=f"1380000{i:04d}")
        TeamMembership.objects.create(team=team, deputy=deputy)


def _many_activities(world, n):
    deputies = list(world.team_a1.members.all())
    for i in range(n):
        plan(world, date=days(-i), deputies=deputies)


@pytest.mark.parametrize("n", [2, 25])
def test_liaison_activity_list_and_log_form_use_bounded_queries(world, client, django_assert_max_num_queries, n):
    _many_deputies(world, n)
    _many_activities(world, 5)
    activity = Activity.objects.order_by("date").first()
    client.force_login(world.liaison)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("reception:activity_list")).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("reception:activity_log", args=[activity.pk])).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("reception:activity_detail", args=[activity.pk])).status_code == 200


@pytest.mark.parametrize("n", [2, 25])
def test_deputy_home_uses_bounded_queries_whatever_the_number_of_deputies(world, client,
                                                                          django_assert_max_num_queries, n):
    _many_deputies(world, n)
    _many_activities(world, 6)
    client.force_login(world.deputy_b_user)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("home")).status_code == 200


def test_photo_is_served_only_through_the_permission_checked_view(world, things, client):
    photo = things["photo"]
    client.force_login(world.deputy_c_user)
    assert client.get(reverse("reception:activity_photo", args=[things["activity"].pk, photo.pk])).status_code == 404
    client.force_login(world.liaison)
    response = client.get(reverse("reception:activity_photo", args=[things["activity"].pk, photo.pk]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_fixed_elsewhere_deputy_is_not_offered_in_the_plan_form(world, client):
    client.force_login(world.liaison)
    body = client.get(reverse("reception:activity_create")).content.decode()
    assert "张三" in body and "王五" not in body


def test_downloading_an_explanation_file_is_audited(world, things, client):
    from liaison.models import AuditLog

    svc.escalation_explain(
        escalation=things["escalation"], actor=world.deputy_b_user,
        file=SimpleUploadedFile("s.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
    )
    client.force_login(world.district_staff)
    assert client.get(reverse("reception:escalation_file", args=[things["escalation"].pk])).status_code == 200
    entry = AuditLog.objects.get(action="explanation_file_downloaded")
    assert entry.actor == world.district_staff and entry.object_id == str(things["escalation"].pk)


def test_attendance_history_lists_only_the_deputys_own_outcomes(world, things, client):
    Attendance.objects.create(deputy=world.deputy_b, period=things["period"], outcome=Attendance.Outcome.LEAVE)
    Attendance.objects.create(deputy=world.deputy_a, period=things["period"], outcome=Attendance.Outcome.ABSENT)
    client.force_login(world.deputy_b_user)
    body = client.get(reverse("reception:my_attendance")).content.decode()
    table = body.split('data-testid="attendance-history"')[1].split("</table>")[0]
    assert "已请假" in table and "无故缺席" not in table
