"""The pages of a unit's side of a dispatched case (issue 12 items 7, 8): sign, return and
extension pages, staff's approve / refuse / re-dispatch / close pages, the unit inbox and the
staff queue's requests from units; and "overdue" read by one rule in every list."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import dispatch_services as ds
from cases import queue_selectors as queues
from cases.deadline_selectors import case_is_overdue
from cases.models import Case, CaseDispatch, CaseReminder, DeadlineExtension, DispatchStatus, Status
from cases.reminder_services import case_overdue_scan
from cases.review_selectors import cases_for_export
from reports.dashboard_selectors import cases_by_unit

from . import journey

pytestmark = pytest.mark.django_db


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def dispatched(world, *, title="楼道灯坏了", units=None, days=10, **extra):
    case = journey.forward(world, journey.assign(world, journey.register(world, title=title, **extra)))
    return journey.dispatch(world, case, units=units, days=days, actor=world.city_staff if units else None)


def share(case, unit):
    return CaseDispatch.objects.filter(case=case, unit=unit).latest("id")


def url(name, obj):
    return reverse(f"cases:{name}", args=[obj.pk])


def detail(case):
    return reverse("cases:detail", args=[case.pk])


# ---------------------------------------------------------------- the unit's pages


def test_unit_handler_signs_through_the_page_and_sees_the_time(world, login_as):
    case = dispatched(world)
    client = login_as(world.handler)
    page = client.get(detail(case)).content.decode()
    assert url("dispatch_sign", share(case, world.unit_a)) in page
    r = client.get(url("dispatch_sign", share(case, world.unit_a)))
    assert r.status_code == 200 and r.context["explain"]
    r = client.post(url("dispatch_sign", share(case, world.unit_a)))
    assert r.status_code == 302 and r["Location"] == detail(case)
    assert share(case, world.unit_a).status == DispatchStatus.SIGNED
    # Signing twice: a message on the case page, nothing changes.
    r = client.post(url("dispatch_sign", share(case, world.unit_a)), follow=True)
    assert [m for m in r.context["messages"] if m.level_tag == "error"]
    assert case.events.filter(action="unit_sign").count() == 1


def test_return_page_keeps_the_form_without_a_reason_and_returns_with_one(world, login_as):
    case = dispatched(world)
    client = login_as(world.handler)
    r = client.post(url("dispatch_return", share(case, world.unit_a)), {"reason": ""})
    assert r.status_code == 200 and r.context["form"].errors
    r = client.post(url("dispatch_return", share(case, world.unit_a)), {"reason": "应由<b>城管局</b>办理"})
    assert r.status_code == 302
    assert share(case, world.unit_a).status == DispatchStatus.RETURNED
    page = login_as(world.district_staff).get(detail(case)).content.decode()
    assert "应由&lt;b&gt;城管局&lt;/b&gt;办理" in page and url("dispatch_redispatch", share(case, world.unit_a)) in page


def test_extension_page_refuses_an_earlier_date_and_keeps_the_reason(world, login_as):
    case = dispatched(world, days=5)
    client = login_as(world.handler)
    target = url("dispatch_extend", share(case, world.unit_a))
    r = client.post(target, {"new_deadline": in_days(3).isoformat(), "reason": "需协调"})
    assert r.status_code == 200 and "new_deadline" in r.context["form"].errors
    assert r.context["form"]["reason"].value() == "需协调"
    r = client.post(target, {"new_deadline": in_days(15).isoformat(), "reason": "需协调"})
    assert r.status_code == 302 and DeadlineExtension.objects.get().new_deadline == in_days(15)


def test_staff_approve_and_refuse_pages(world, login_as):
    case = dispatched(world, days=5)
    ext = ds.extension_request(dispatch=share(case, world.unit_a), new_deadline=in_days(12), reason="等报告",
                               actor=world.handler)
    staff = login_as(world.district_staff)
    r = staff.get(url("extension_approve", ext))
    assert r.status_code == 200 and in_days(12).isoformat() in r.content.decode()
    r = staff.post(url("extension_refuse", ext), {"note": ""})
    assert r.status_code == 200 and r.context["form"].errors
    assert staff.post(url("extension_approve", ext), {"note": "同意"}).status_code == 302
    assert share(case, world.unit_a).deadline == in_days(12)
    # Decided: a second decision is refused with a message.
    r = staff.post(url("extension_refuse", ext), {"note": "x"}, follow=True)
    assert [m for m in r.context["messages"] if m.level_tag == "error"]
    ext.refresh_from_db()
    assert ext.status == DeadlineExtension.Status.APPROVED


def test_staff_redispatch_and_close_pages(world, login_as):
    case = dispatched(world, units=[world.unit_a, world.unit_b])
    ds.dispatch_return(dispatch=share(case, world.unit_b), reason="不属我局", actor=world.other_handler)
    staff = login_as(world.city_staff)
    r = staff.post(url("dispatch_close", share(case, world.unit_b)), {"note": "住建局可一并办理"})
    assert r.status_code == 302
    assert share(case, world.unit_b).status == DispatchStatus.CLOSED
    other = dispatched(world, title="另一件")
    ds.dispatch_return(dispatch=share(other, world.unit_a), reason="x", actor=world.handler)
    r = staff.post(url("dispatch_close", share(other, world.unit_a)), {"note": "x"})
    assert r.status_code == 200 and r.context["form"].non_field_errors()  # no other unit: re-dispatch instead
    r = staff.post(url("dispatch_redispatch", share(other, world.unit_a)),
                   {"units": [world.unit_b.pk], "deadline": in_days(6).isoformat()})
    assert r.status_code == 302 and share(other, world.unit_b).status == DispatchStatus.PENDING


# ---------------------------------------------------------------- who may use them


def _all_targets(world):
    case = dispatched(world, days=5)
    own = share(case, world.unit_a)
    ext = ds.extension_request(dispatch=own, new_deadline=in_days(9), reason="x", actor=world.handler)
    returned_case = dispatched(world, title="退回的")
    returned = share(returned_case, world.unit_a)
    ds.dispatch_return(dispatch=returned, reason="x", actor=world.handler)
    return {
        "dispatch_sign": own, "dispatch_return": own, "dispatch_extend": own,
        "dispatch_redispatch": returned, "dispatch_close": returned,
        "extension_approve": ext, "extension_refuse": ext,
    }


UNIT_PAGES = ("dispatch_sign", "dispatch_return", "dispatch_extend")
STAFF_PAGES = ("dispatch_redispatch", "dispatch_close", "extension_approve", "extension_refuse")


def test_unit_pages_refuse_another_unit_with_404_and_other_roles_with_403(world, login_as):
    targets = _all_targets(world)
    for name in UNIT_PAGES:
        assert login_as(world.handler).get(url(name, targets[name])).status_code == 200, name
        assert login_as(world.other_handler).get(url(name, targets[name])).status_code == 404, name
        assert login_as(world.other_handler).post(url(name, targets[name]), {"reason": "x"}).status_code == 404, name
        for user in (world.district_staff, world.liaison, world.deputy_b_user, world.outsider):
            assert login_as(user).get(url(name, targets[name])).status_code == 403, (name, user)
    assert share(targets["dispatch_sign"].case, world.unit_a).status == DispatchStatus.PENDING


def test_staff_pages_refuse_another_district_with_404_and_other_roles_with_403(world, login_as):
    targets = _all_targets(world)
    for name in STAFF_PAGES:
        for user in (world.district_staff, world.city_staff):
            assert login_as(user).get(url(name, targets[name])).status_code == 200, (name, user)
        assert login_as(world.other_staff).get(url(name, targets[name])).status_code == 404, name
        assert login_as(world.other_staff).post(url(name, targets[name]), {"note": "x"}).status_code == 404, name
        for user in (world.handler, world.liaison, world.deputy_a_user, world.outsider):
            assert login_as(user).get(url(name, targets[name])).status_code == 403, (name, user)
    assert DeadlineExtension.objects.get().status == DeadlineExtension.Status.PENDING


def test_anonymous_visitors_are_sent_to_the_login_page(world, client):
    targets = _all_targets(world)
    for name in (*UNIT_PAGES, *STAFF_PAGES):
        r = client.get(url(name, targets[name]))
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], name


# ---------------------------------------------------------------- the unit inbox (item 8)


def test_inbox_shows_dispatch_date_days_left_district_and_office_with_overdue_in_red(world, login_as):
    late = dispatched(world, title="超期的", days=1)
    CaseDispatch.objects.filter(case=late).update(deadline=in_days(-2))
    dispatched(world, title="还早的", days=8)
    r = login_as(world.handler).get(reverse("cases:inbox"))
    rows = list(r.context["page"])
    assert [d.case.title for d in rows] == ["超期的", "还早的"]  # soonest deadline first
    assert rows[0].is_overdue and rows[0].days_over == 2 and not rows[1].is_overdue and rows[1].days_left == 8
    html = r.content.decode()
    assert "table-danger" in html and "text-danger" in html and "table-cards" in html
    assert world.district_a.name in html and world.office_a1.name in html
    assert timezone.localdate().isoformat() in html  # the dispatch date


def test_inbox_sorts_by_each_column_both_ways(world, login_as):
    dispatched(world, title="甲", days=9)
    dispatched(world, title="乙", days=3)
    client = login_as(world.handler)
    titles = lambda sort: [d.case.title for d in client.get(reverse("cases:inbox"), {"sort": sort}).context["page"]]  # noqa: E731
    assert titles("deadline") == ["乙", "甲"] and titles("-deadline") == ["甲", "乙"]
    assert titles("dispatched") == ["甲", "乙"] and titles("-dispatched") == ["乙", "甲"]
    assert len(titles("district")) == len(titles("-office")) == 2
    assert titles("nonsense; drop table") == ["乙", "甲"]
    # On phones the header row is hidden: the same orders are offered in a select.
    page = client.get(reverse("cases:inbox"), {"sort": "-dispatched"}).content.decode()
    assert 'data-testid="sort"' in page and '<option value="-dispatched" selected>' in page


def test_inbox_no_longer_lists_a_returned_case_as_waiting(world, login_as):
    case = dispatched(world)
    ds.dispatch_return(dispatch=share(case, world.unit_a), reason="x", actor=world.handler)
    client = login_as(world.handler)
    assert not list(client.get(reverse("cases:inbox")).context["page"])
    rows = list(client.get(reverse("cases:inbox"), {"show": "all"}).context["page"])
    assert [d.status for d in rows] == [DispatchStatus.RETURNED]


@pytest.mark.parametrize("n", [2, 10])
def test_inbox_and_staff_queue_use_a_bounded_number_of_queries(world, client, django_assert_max_num_queries, n):
    for i in range(n):
        case = dispatched(world, title=f"问题{i}")
        if i % 2:
            ds.dispatch_return(dispatch=share(case, world.unit_a), reason="x", actor=world.handler)
        else:
            ds.extension_request(dispatch=share(case, world.unit_a), new_deadline=in_days(30), reason="x",
                                 actor=world.handler)
    for user, name, params in ((world.handler, "inbox", {}), (world.handler, "inbox", {"show": "all", "sort": "-office"}),
                               (world.district_staff, "dispatch_queue", {})):
        client.force_login(user)
        client.get(reverse(f"cases:{name}"))
        with django_assert_max_num_queries(14):
            r = client.get(reverse(f"cases:{name}"), params)
        assert r.status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("home")).status_code == 200


# ---------------------------------------------------------------- the staff queue's requests


def test_staff_see_returned_cases_and_extension_requests_with_a_count_badge(world, login_as):
    returned = dispatched(world, title="退回的")
    ds.dispatch_return(dispatch=share(returned, world.unit_a), reason="不属我局", actor=world.handler)
    asked = dispatched(world, title="延期的")
    ext = ds.extension_request(dispatch=share(asked, world.unit_a), new_deadline=in_days(30), reason="等报告",
                               actor=world.handler)
    r = login_as(world.district_staff).get(reverse("cases:dispatch_queue"))
    assert r.context["unit_requests"] == 2
    assert [d.case for d in r.context["returned"]] == [returned] and r.context["extensions"] == [ext]
    html = r.content.decode()
    assert 'data-testid="unit-requests-count">2<' in html
    assert url("extension_approve", ext) in html
    home = login_as(world.district_staff).get(reverse("home")).content.decode()
    assert 'data-testid="unit-requests-link"' in home
    # Another district's staff see none of it.
    r = login_as(world.other_staff).get(reverse("cases:dispatch_queue"))
    assert r.context["unit_requests"] == 0


# ---------------------------------------------------------------- one definition of overdue


def test_every_list_agrees_on_which_cases_are_overdue(world, login_as):
    old = timezone.localdate() - datetime.timedelta(days=6)
    late_forward = journey.register(world, title="未报送超期", received_on=old)
    journey.register(world, title="刚登记")
    late_reply = dispatched(world, title="答复超期", days=1)
    extended = dispatched(world, title="已延期", days=1)
    ext = ds.extension_request(dispatch=share(extended, world.unit_a), new_deadline=in_days(20), reason="x",
                               actor=world.handler)
    ds.extension_approve(extension=ext, actor=world.district_staff)
    returned = dispatched(world, title="已退回", days=1)
    ds.dispatch_return(dispatch=share(returned, world.unit_a), reason="x", actor=world.handler)
    pending_ext = dispatched(world, title="延期待批", days=1)
    ds.extension_request(dispatch=share(pending_ext, world.unit_a), new_deadline=in_days(20), reason="x",
                         actor=world.handler)
    journey.reply(world, dispatched(world, title="已答复", days=1))

    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        expected = {late_forward.pk, late_reply.pk, pending_ext.pk}
        staff = world.district_staff
        lists = {
            "overdue page": {c.pk for c in login_as(staff).get(reverse("cases:overdue")).context["page"]},
            "desk filter": {c.pk for c in login_as(world.liaison).get(reverse("cases:desk"), {"overdue": "1"}).context["page"]},
            "queue flag": {c.pk for c in queues.liaison_desk(user=world.liaison) if c.is_overdue},
            "export filter": {c.pk for c in cases_for_export(user=staff, filters={"overdue": True})},
            "case page": {c.pk for c in Case.objects.all() if case_is_overdue(c)},
        }
        for name, found in lists.items():
            assert found == expected, name
        inbox = {d.case_id for d in queues.unit_inbox(user=world.handler) if d.is_overdue}
        assert inbox == {late_reply.pk, pending_ext.pk}
        dashboard = {row["unit_id"]: row["overdue"] for row in cases_by_unit(user=staff)}
        assert dashboard[world.unit_a.pk] == 2
        summary = case_overdue_scan()
        assert {r.case_id for r in CaseReminder.objects.all()} == expected
        assert (summary["forward"], summary["reply"]) == (1, 2)
        page = login_as(staff).get(detail(late_reply)).content.decode()
        assert 'data-testid="overdue"' in page
        assert 'data-testid="overdue"' not in login_as(staff).get(detail(extended)).content.decode()


# ---------------------------------------------------------------- answered on the spot (item 9)


def test_a_case_answered_on_the_spot_cannot_be_assigned_or_dispatched_003(world, login_as):
    from django.core.exceptions import ValidationError

    from cases import services, workflow

    assert Status.ANSWERED not in workflow.TRANSITIONS["assign"].sources
    assert Status.ANSWERED not in workflow.TRANSITIONS["dispatch"].sources
    assert [a for a, t in workflow.TRANSITIONS.items() if Status.ANSWERED in t.sources] == ["feedback"]
    case = journey.register(world, spot_answer="已当场解释政策")
    assert case.status == Status.ANSWERED
    with pytest.raises(ValidationError) as exc:
        services.case_assign(case=case, owner=world.deputy_b, actor=world.district_staff)
    assert exc.value.code == "illegal_transition"
    with pytest.raises(ValidationError):
        services.case_dispatch(case=case, units=[world.unit_a], deadline=in_days(5), actor=world.district_staff)
    # Nor is it on the team meeting's table or a leader's to-do.
    leader = login_as(world.deputy_a_user)
    assert case not in leader.get(reverse("cases:meeting_new", args=[world.team_a1.pk])).context["cases"]
    assert not [c for c in leader.get(reverse("cases:queue")).context["page"] if c.pk == case.pk and c.needs_action]
    moves = [t.action for t in login_as(world.liaison).get(detail(case)).context["moves"]]
    assert moves == ["feedback"]


def test_every_new_page_uses_a_bounded_number_of_queries(world, client, django_assert_max_num_queries):
    targets = _all_targets(world)
    for name in (*UNIT_PAGES, *STAFF_PAGES):
        client.force_login(world.handler if name in UNIT_PAGES else world.district_staff)
        client.get(url(name, targets[name]))
        with django_assert_max_num_queries(10):
            assert client.get(url(name, targets[name])).status_code == 200, name
    client.force_login(world.district_staff)
    with django_assert_max_num_queries(25):
        assert client.get(detail(targets["dispatch_close"].case)).status_code == 200
