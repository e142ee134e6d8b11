"""The internal case pages (SPEC §3, issue 4 items 1, 2, 3, 5, 7): intake, the case page, one view
per move, the 领办 meeting, the queues, masking and the audit of personal data."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseAttachment, MeetingAssignment, Status, TeamMeeting
from liaison.models import AuditLog
from tests.base import PNG, page_statements

from . import journey

pytestmark = pytest.mark.django_db

MOBILE = "13612345678"



def detail(case):
    return reverse("cases:detail", args=[case.pk])


def move(case, action):
    return reverse(f"cases:{action}", args=[case.pk])


# ---------------------------------------------------------------- intake


def test_liaison_registers_a_case_with_every_field_and_a_photo(world, login_as):
    client = login_as(world.liaison)
    photo = SimpleUploadedFile("lamp.png", PNG, content_type="image/png")
    r = client.post(reverse("cases:register"), {
        "office": world.office_a1.pk, "channel": "visit", "received_on": timezone.localdate().isoformat(),
        "received_by": [world.deputy_a.pk, world.deputy_b.pk], "reporter_name": "刘阿姨",
        "reporter_mobile": "136 1234 5678", "reporter_address": "东和路8号3栋201", "category": journey.category().pk,
        "title": "楼道灯坏了", "content": "一个月了", "attachments": [photo],
    })
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == detail(case)
    assert case.channel == "visit" and case.reporter_mobile == MOBILE and case.registered_by == world.liaison
    assert set(case.received_by.all()) == {world.deputy_a, world.deputy_b}
    assert case.attachments.get().content_type == "image/png"


def test_intake_refuses_a_fake_photo_and_keeps_what_was_typed(world, login_as):
    client = login_as(world.liaison)
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00 not an image", content_type="image/png")
    r = client.post(reverse("cases:register"), {
        "office": world.office_a1.pk, "channel": "reception", "received_on": timezone.localdate().isoformat(),
        "category": journey.category().pk, "title": "楼道灯坏了", "content": "一个月了", "attachments": [fake],
    })
    assert r.status_code == 200 and "attachments" in r.context["form"].errors
    assert r.context["form"]["title"].value() == "楼道灯坏了"
    assert not Case.objects.exists()


def test_anonymous_report_keeps_no_phone_and_gets_no_phone_feedback(world, login_as):
    client = login_as(world.deputy_b_user)
    base = {
        "office": world.office_a1.pk, "channel": "phone", "received_on": timezone.localdate().isoformat(),
        "category": journey.category().pk, "title": "噪音扰民", "content": "夜间施工", "is_anonymous": "on",
    }
    r = client.post(reverse("cases:register"), {**base, "reporter_mobile": MOBILE})
    assert r.status_code == 200 and "is_anonymous" in r.context["form"].errors
    r = client.post(reverse("cases:register"), base)
    case = Case.objects.get()
    assert r.status_code == 302 and case.is_anonymous and not case.can_get_phone_feedback
    assert case.reporter_mobile == "" and client.get(detail(case)).context["case"].is_anonymous


def test_on_the_spot_answer_at_intake_goes_straight_to_feedback_003(world, login_as):
    client = login_as(world.liaison)
    client.post(reverse("cases:register"), {
        "office": world.office_a1.pk, "channel": "reception", "received_on": timezone.localdate().isoformat(),
        "category": journey.category().pk, "title": "医保怎么续", "content": "问医保续费", "reporter_mobile": MOBILE,
        "spot_answer": "可在社区服务中心办理",
    })
    case = Case.objects.get()
    assert case.status == Status.ANSWERED
    moves = [t.action for t in client.get(detail(case)).context["moves"]]
    assert "feedback" in moves and "forward" not in moves


def test_intake_refuses_an_office_outside_the_users_scope(world, login_as):
    client = login_as(world.liaison)
    r = client.post(reverse("cases:register"), {
        "office": world.office_b1.pk, "channel": "reception", "received_on": timezone.localdate().isoformat(),
        "category": journey.category().pk, "title": "x", "content": "y",
    })
    assert r.status_code == 200 and "office" in r.context["form"].errors
    assert not Case.objects.exists()
    for user in (world.handler, world.outsider):
        assert login_as(user).get(reverse("cases:register")).status_code == 403


# ---------------------------------------------------------------- scope


def test_roles_outside_the_scope_cannot_open_a_case(world, login_as):
    case = journey.register(world, received_by=[world.deputy_b])
    # Deputy C (another district) and the other office's liaison: no such case for them.
    for user in (world.deputy_c_user, world.other_liaison, world.other_staff):
        assert login_as(user).get(detail(case)).status_code == 404, user
    assert login_as(world.outsider).get(detail(case)).status_code == 403
    assert login_as(world.handler).get(detail(case)).status_code == 404  # not dispatched to the unit yet
    for user in (world.deputy_b_user, world.deputy_a_user, world.liaison, world.district_staff, world.city_staff):
        assert login_as(user).get(detail(case)).status_code == 200, user


def test_deputy_b_cannot_open_deputy_a_s_case(world, login_as):
    # A case received by deputy A alone, at another office: deputy B neither owns nor received it
    # and does not lead that office's team.
    from offices.models import Team, TeamMembership

    team = Team.objects.create(name="中英街团队", office=world.office_a2)
    TeamMembership.objects.create(team=team, deputy=world.deputy_a, is_leader=True)
    case = journey.register(world, office=world.office_a2, received_by=[world.deputy_a], actor=world.district_staff)
    assert login_as(world.deputy_b_user).get(detail(case)).status_code == 404
    assert login_as(world.deputy_a_user).get(detail(case)).status_code == 200


def test_a_unit_cannot_open_another_units_case(world, login_as):
    case = journey.through(world, journey.register(world), "dispatched")
    assert login_as(world.other_handler).get(detail(case)).status_code == 404
    assert login_as(world.other_handler).get(move(case, "reply")).status_code == 404
    assert login_as(world.handler).get(detail(case)).status_code == 200


def test_attachments_are_served_only_to_those_who_may_open_the_case(world, login_as):
    case = journey.register(world, attachments=[SimpleUploadedFile("a.png", PNG, content_type="image/png")])
    url = reverse("cases:attachment", args=[case.attachments.get().pk])
    r = login_as(world.liaison).get(url)
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    assert b"".join(r.streaming_content).startswith(b"\x89PNG")
    assert login_as(world.other_liaison).get(url).status_code == 404
    assert login_as(world.other_handler).get(url).status_code == 404
    assert login_as(world.outsider).get(url).status_code == 403
    assert AuditLog.objects.filter(action="case_attachment_viewed", object_id=str(case.pk)).count() == 1


def test_the_case_page_lists_the_cases_files_and_each_replys_files_under_its_unit_and_a_unit_only_its_own(
    world, login_as,
):
    """The case page reads the case's files and the replies' files in one query and splits them:
    each file still shows in its place, and a unit still sees no other unit's reply files."""
    from cases import services

    case = journey.register(world, attachments=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")])
    case = journey.through(world, case, "forwarded")
    journey.dispatch(world, case, units=[world.unit_a, world.unit_b], actor=world.city_staff)
    for handler, name in ((world.handler, "住建回复.pdf"), (world.other_handler, "城管回复.pdf")):
        services.case_reply(
            case=Case.objects.get(pk=case.pk), result="solved", reply="已处理", will_solve_by=None,
            attachments=[SimpleUploadedFile(name, b"%PDF-1.4 x", content_type="application/pdf")], actor=handler,
        )
    share_a, share_b = (case.dispatches.get(unit=u) for u in (world.unit_a, world.unit_b))

    def share_html(html, share):
        start = html.index(f'data-testid="share-{share.pk}"')
        return html[start:html.index("</li>", start)]

    html = login_as(world.liaison).get(detail(case)).content.decode()
    assert "现场.png" in html
    assert "住建回复.pdf" in share_html(html, share_a) and "城管回复.pdf" not in share_html(html, share_a)
    assert "城管回复.pdf" in share_html(html, share_b) and "住建回复.pdf" not in share_html(html, share_b)
    html = login_as(world.handler).get(detail(case)).content.decode()
    assert "现场.png" in html and "住建回复.pdf" in share_html(html, share_a)
    assert "城管回复.pdf" not in html and f"share-{share_b.pk}" not in html


# ---------------------------------------------------------------- moves through the pages


def test_every_move_through_the_pages_to_the_archive_003(world, login_as):
    case = journey.register(world)
    # 领办 meeting by the team leader.
    leader = login_as(world.deputy_a_user)
    url = reverse("cases:meeting_new", args=[world.team_a1.pk])
    page = leader.get(url)
    assert case in page.context["cases"]
    r = leader.post(url, {
        "date": timezone.localdate().isoformat(), "attendees": [world.deputy_a.pk, world.deputy_b.pk],
        "notes": "逐件商议", f"owner_{case.pk}": world.deputy_b.pk,
    })
    meeting = TeamMeeting.objects.get()
    assert r.status_code == 302 and r["Location"] == meeting.get_absolute_url()
    assert MeetingAssignment.objects.get(meeting=meeting).owner == world.deputy_b
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.owner == world.deputy_b
    # The owner forwards.
    owner = login_as(world.deputy_b_user)
    assert owner.get(move(case, "forward")).status_code == 200
    assert owner.post(move(case, "forward"), {"comment": "请交办"}).status_code == 302
    # Staff dispatch to a unit with a deadline.
    staff = login_as(world.district_staff)
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    r = staff.post(move(case, "dispatch"), {"units": [world.unit_a.pk], "deadline": deadline.isoformat()})
    assert r.status_code == 302
    # The unit replies "will solve by" with a PDF.
    unit = login_as(world.handler)
    assert case.title in unit.get(reverse("cases:inbox")).content.decode()
    pdf = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    r = unit.post(move(case, "reply"), {
        "result": "will_solve", "will_solve_by": deadline.isoformat(), "reply": "已列入维修计划", "attachments": [pdf],
    })
    assert r.status_code == 302
    # The resident rates the answer through the link of the reply SMS, then the owner feeds back.
    from liaison.models import SmsMessage

    link = SmsMessage.objects.get(template="case_answer_rate").params["url"]
    r = Client().post(urlsplit(link).path, {"satisfaction": "basic"})
    assert r.status_code == 302
    r = login_as(world.deputy_b_user).post(move(case, "feedback"), {"note": "已电话告知"})
    assert r.status_code == 302
    r = login_as(world.liaison).post(move(case, "archive"), {"comment": ""})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ARCHIVED and case.satisfaction == "basic"
    assert CaseAttachment.objects.get(case=case).dispatch is not None
    assert list(case.events.values_list("to_status", flat=True)) == [
        "registered", "assigned", "forwarded", "dispatched", "replied", "replied", "fed_back", "archived"
    ]


def test_a_dissatisfied_case_is_dispatched_again_not_a_satisfied_one(world, login_as):
    case = journey.through(world, journey.register(world), "replied")
    journey.feedback(world, case, satisfaction="dissatisfied")
    staff = login_as(world.district_staff)
    page = staff.get(detail(case))
    assert "dispatch" in [t.action for t in page.context["moves"]]
    assert case in staff.get(reverse("cases:dispatch_queue")).context["page"].object_list
    deadline = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    assert staff.post(move(case, "dispatch"), {"units": [world.unit_a.pk], "deadline": deadline}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.dispatch_round == 2

    other = journey.through(world, journey.register(world, title="另一件"), "fed_back")  # very satisfied
    assert "dispatch" not in [t.action for t in staff.get(detail(other)).context["moves"]]
    r = staff.post(move(other, "dispatch"), {"units": [world.unit_a.pk], "deadline": deadline}, follow=True)
    other.refresh_from_db()
    assert other.status == Status.FED_BACK
    assert any("不满意" in str(m) or "dissatisfied" in str(m) for m in r.context["messages"])


@pytest.mark.parametrize("action", ["answer", "forward", "dispatch", "reply", "feedback", "archive"])
def test_every_illegal_transition_is_refused_through_the_pages_with_a_message(world, login_as, action):
    # A case already archived: every move is illegal from there, for whoever may make it.
    case = journey.through(world, journey.register(world), "archived")
    actor = {
        "answer": world.liaison, "forward": world.liaison, "dispatch": world.district_staff,
        "reply": world.handler, "feedback": world.liaison, "archive": world.district_staff,
    }[action]
    client = login_as(actor)
    if action == "reply":
        # The unit is no longer a party to a replied case: refused outright.
        assert client.post(move(case, action), {"result": "solved", "reply": "x"}).status_code == 403
    else:
        r = client.post(move(case, action), {"comment": "x", "answer": "x", "note": "x", "satisfaction": "very"},
                        follow=True)
        assert r.redirect_chain[-1][0] == detail(case)
        assert [m for m in r.context["messages"] if m.level_tag == "error"]
    case.refresh_from_db()
    assert case.status == Status.ARCHIVED and case.events.count() == 8


def test_a_move_out_of_order_is_refused_with_a_message(world, login_as):
    case = journey.register(world)
    r = login_as(world.district_staff).get(move(case, "archive"), follow=True)
    assert r.redirect_chain[-1][0] == detail(case)
    assert [str(m) for m in r.context["messages"] if m.level_tag == "error"]
    r = login_as(world.liaison).post(move(case, "forward"), {}, follow=True)  # no owner yet
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_moves_by_the_wrong_actor_are_refused(world, login_as):
    case = journey.assign(world, journey.register(world))
    # Deputy A received it and leads the team but does not own it: may not forward.
    assert login_as(world.deputy_a_user).post(move(case, "forward"), {}).status_code == 403
    # A liaison may not dispatch, a unit may not feed back, another office's liaison sees nothing.
    assert login_as(world.liaison).post(move(case, "dispatch"), {}).status_code == 403
    assert login_as(world.handler).post(move(case, "feedback"), {}).status_code == 403
    assert login_as(world.other_liaison).post(move(case, "forward"), {}).status_code == 404
    assert login_as(world.other_staff).post(move(case, "assign"), {}).status_code == 404
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED


def test_only_the_team_leader_holds_the_meeting_000_9(world, login_as):
    journey.register(world)
    url = reverse("cases:meeting_new", args=[world.team_a1.pk])
    assert login_as(world.deputy_b_user).get(url).status_code == 404
    assert login_as(world.deputy_c_user).get(url).status_code == 404
    assert login_as(world.liaison).get(url).status_code == 403
    r = login_as(world.deputy_a_user).post(url, {"date": timezone.localdate().isoformat(),
                                                  "attendees": [world.deputy_a.pk]})
    assert r.status_code == 200 and r.context["form"].non_field_errors()
    assert not TeamMeeting.objects.exists()


def test_reception_of_an_online_booking_records_the_receiving_deputies(world, login_as):
    from cases.public_services import public_submit

    case = public_submit(office=world.office_a1, kind="appointment", category=journey.category(), title="预约",
                         content="想当面反映加装电梯", mobile=MOBILE)
    client = login_as(world.liaison)
    assert case in client.get(reverse("cases:desk")).context["page"].object_list
    r = client.post(reverse("cases:receive", args=[case.pk]), {"received_by": [world.deputy_a.pk]})
    assert r.status_code == 302
    assert list(case.received_by.all()) == [world.deputy_a]
    assert case.events.last().action == "receive"
    assert login_as(world.handler).post(reverse("cases:receive", args=[case.pk]), {}).status_code == 403


# ---------------------------------------------------------------- privacy


def test_phone_and_address_are_masked_except_for_owner_liaison_and_staff(world, login_as):
    case = journey.through(world, journey.register(world), "dispatched")
    for user in (world.deputy_b_user, world.liaison, world.district_staff):  # owner, liaison, staff
        page = login_as(user).get(detail(case)).content.decode()
        assert MOBILE in page and "东和路8号3栋201" in page, user
    for user in (world.deputy_a_user, world.handler):  # receiver / leader, unit
        page = login_as(user).get(detail(case)).content.decode()
        assert MOBILE not in page and "136****5678" in page and "3栋201" not in page, user


def test_every_unmasked_view_is_audited_and_masked_views_are_not(world, login_as):
    case = journey.assign(world, journey.register(world))
    r = login_as(world.deputy_b_user).get(detail(case))
    assert "no-store" in r["Cache-Control"]
    entry = AuditLog.objects.get(action="case_personal_data_viewed")
    assert entry.actor == world.deputy_b_user and entry.object_id == str(case.pk)
    login_as(world.deputy_a_user).get(detail(case))
    assert AuditLog.objects.filter(action="case_personal_data_viewed").count() == 1


# In autocommit, as a page is served (not in the transaction of a test): the statements that
# bench/pages.py counts in the sweep, transaction control included.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_case_page_audits_the_look_in_at_most_twelve_statements(world, client):
    """The staff case page records the look at personal data with one INSERT, no BEGIN/COMMIT
    around it (an INSERT in autocommit is atomic): issue 10's bound of 12 statements a page."""
    case = journey.through(world, journey.register(world), "dispatched")
    for user in (world.district_staff, world.city_staff):
        client.force_login(user)
        client.get(detail(case))
        before = AuditLog.objects.filter(action="case_personal_data_viewed", actor=user).count()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(detail(case)).status_code == 200
        statements = page_statements(ctx)
        assert len(statements) <= 12, (user, statements)
        assert sum('INSERT INTO "liaison_auditlog"' in s for s in statements) == 1, user
        assert not {"BEGIN", "COMMIT"} & set(statements), user
        assert AuditLog.objects.filter(action="case_personal_data_viewed", actor=user).count() == before + 1


def test_html_in_a_residents_text_is_shown_as_text(world, login_as):
    case = journey.register(world, title="<script>alert(1)</script>", content="<img src=x onerror=alert(1)>")
    page = login_as(world.liaison).get(detail(case)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


# ---------------------------------------------------------------- queues


def test_deputy_queue_puts_my_moves_first_and_filters(world, login_as):
    mine = journey.assign(world, journey.register(world, title="我领办的"))  # owner B must forward
    journey.register(world, title="只是接收的")
    client = login_as(world.deputy_b_user)
    rows = list(client.get(reverse("cases:queue")).context["page"].object_list)
    assert rows[0] == mine and rows[0].needs_action
    assert [c.title for c in client.get(reverse("cases:queue"), {"q": "接收"}).context["page"]] == ["只是接收的"]
    assert list(client.get(reverse("cases:queue"), {"status": "assigned"}).context["page"]) == [mine]


def test_overdue_list_shows_cases_not_forwarded_within_3_days_001(world, login_as):
    late = journey.register(world, title="超期", received_on=timezone.localdate() - datetime.timedelta(days=5))
    journey.register(world, title="未超期")
    rows = list(login_as(world.district_staff).get(reverse("cases:overdue")).context["page"])
    assert rows == [late]
    rows = list(login_as(world.liaison).get(reverse("cases:desk"), {"overdue": "1"}).context["page"])
    assert rows == [late]


def test_queue_pages_refuse_other_roles(world, login_as):
    for name, allowed in (("queue", world.deputy_a_user), ("desk", world.liaison), ("inbox", world.handler),
                          ("dispatch_queue", world.district_staff)):
        url = reverse(f"cases:{name}")
        assert login_as(allowed).get(url).status_code == 200
        assert login_as(world.outsider).get(url).status_code == 403
    assert login_as(world.handler).get(reverse("cases:desk")).status_code == 403


def _many_cases(world, n):
    for i in range(n):
        case = journey.register(world, title=f"问题{i}")
        if i % 2:
            journey.through(world, case, "dispatched")


@pytest.mark.parametrize("n", [3, 12])
def test_queues_use_a_bounded_number_of_queries(world, client, django_assert_max_num_queries, n):
    _many_cases(world, n)
    for user, name in ((world.deputy_b_user, "queue"), (world.liaison, "desk"), (world.handler, "inbox"),
                       (world.district_staff, "dispatch_queue"), (world.district_staff, "overdue")):
        client.force_login(user)
        client.get(reverse(f"cases:{name}"))  # warm the session and the categories
        with django_assert_max_num_queries(12):
            r = client.get(reverse(f"cases:{name}"), {"overdue": ""})
        assert r.status_code == 200


def _case_in(world, status):
    if status == "answered":
        return journey.register(world, spot_answer="当场解释了政策")
    case = journey.register(world)
    return case if status == "registered" else journey.through(world, case, status)


ACTORS = {"answer": "liaison", "assign": "district_staff", "forward": "liaison", "dispatch": "district_staff",
          "reply": "handler", "feedback": "liaison", "archive": "district_staff", "follow_up": "liaison"}
FORMS = {"answer": {"answer": "x"}, "assign": {}, "forward": {"comment": "x"}, "dispatch": {},
         "reply": {"result": "solved", "reply": "x"}, "feedback": {"note": "x"},
         "archive": {"comment": "x"}, "follow_up": {"satisfaction": "very"}}
# The resident's rating has no portal page: its link is tested in tests/cases/test_resident_rating.py.
RESIDENT_ONLY = {"rate"}


def test_every_move_the_transitions_table_forbids_is_refused_through_the_pages(world, client):
    from cases import workflow
    from cases.selectors import actor_kinds

    refused = 0
    for status in Status.values:
        case = _case_in(world, status)
        assert case.status == status
        for action, transition in workflow.TRANSITIONS.items():
            if status in transition.sources or action in RESIDENT_ONLY:
                continue
            user = getattr(world, ACTORS[action])
            client.force_login(user)
            events = case.events.count()
            r = client.post(move(case, action), {**FORMS[action], "owner": world.deputy_a.pk})
            if actor_kinds(user=user, case=case) & transition.actors:
                # Someone who may make this move, in the wrong state: a message on the case page.
                assert r.status_code == 302 and r["Location"] == detail(case), (status, action)
                messages = [str(m) for m in client.get(detail(case)).context["messages"]]
                assert any(str(transition.label) in m for m in messages), (status, action, messages)
            else:
                assert r.status_code in (403, 404), (status, action)
            case.refresh_from_db()
            assert case.status == status and case.events.count() == events, (status, action)
            refused += 1
    assert refused >= 35


def test_home_panel_counts_the_cases_waiting_for_the_viewer(world, login_as):
    journey.register(world)
    page = login_as(world.liaison).get(reverse("home")).content.decode()
    assert 'data-testid="cases-panel"' in page and reverse("cases:desk") in page
    assert 'data-testid="cases-panel"' not in login_as(world.handler).get(reverse("home")).content.decode()


def test_staff_home_panel_counts_the_waiting_cases_up_to_the_queues_bound(world, login_as, monkeypatch):
    """Issue 10: the staff queue can hold a city's backlog; the panel counts it as the queue page
    does, up to the bound, and says "more than" beyond it."""
    for i in range(3):
        journey.through(world, journey.register(world, title=f"待交办{i}"), "forwarded")
    monkeypatch.setattr("cases.portal.COUNT_LIMIT", 3)
    client = login_as(world.district_staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert "3 cases wait for you" in page and "More than" not in page
    monkeypatch.setattr("cases.portal.COUNT_LIMIT", 2)
    assert "More than 2 cases wait for you" in client.get(reverse("home")).content.decode()


def test_case_page_leads_the_team_leader_and_staff_to_the_meeting_000_9(world, login_as):
    case = journey.register(world)
    url = reverse("cases:meeting_new", args=[world.team_a1.pk])
    assert url in login_as(world.deputy_a_user).get(detail(case)).content.decode()
    assert url in login_as(world.district_staff).get(detail(case)).content.decode()
    assert url not in login_as(world.liaison).get(detail(case)).content.decode()
    assert login_as(world.district_staff).get(url).status_code == 200
    assert login_as(world.other_staff).get(url).status_code == 404


def test_the_queue_filter_lists_categories_as_they_are_now(world, login_as, settings):
    """The category list of the queues' filter is cached under a version (issue 10): a category
    added, renamed or deleted shows at the next page, on every process."""
    from cases.models import Category

    settings.VERSIONED_CACHE = True
    client = login_as(world.liaison)
    assert "新增分类" not in client.get(reverse("cases:desk")).content.decode()
    added = Category.objects.create(name="新增分类", order=99)
    assert "新增分类" in client.get(reverse("cases:desk")).content.decode()
    added.name = "改名分类"
    added.save()
    page = client.get(reverse("cases:desk")).content.decode()
    assert "改名分类" in page and "新增分类" not in page
    added.delete()
    assert "改名分类" not in client.get(reverse("cases:desk")).content.decode()
