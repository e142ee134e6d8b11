"""Proposals and motions are dispatched and replied like cases (SPEC §3, issue 12 item 9): to
several units, each with its deadline, watched by the daily overdue scan."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import proposal_services as services
from cases.deadline_selectors import proposal_is_overdue
from cases.models import ProposalDispatch, ProposalReminder, ProposalStatus
from cases.tasks import case_overdue_scan_task
from liaison.models import Notice, SmsMessage

pytestmark = pytest.mark.django_db


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def filed(world, title="增设路灯"):
    return services.proposal_file(lead=world.deputy_a, kind="proposal", title=title, content="夜间照明不足",
                                  actor=world.deputy_a_user)


def two_units(world, days=10, title="增设路灯"):
    return services.proposal_dispatch(proposal=filed(world, title), units=[world.unit_a, world.unit_b],
                                      deadline=in_days(days), actor=world.city_staff)


def test_proposal_goes_to_several_units_and_is_replied_once_all_have_answered_002(world):
    p = two_units(world)
    assert set(ProposalDispatch.objects.filter(proposal=p).values_list("unit", flat=True)) == {
        world.unit_a.pk, world.unit_b.pk}
    assert Notice.objects.filter(user__in=[world.handler, world.other_handler]).count() == 2
    services.proposal_reply(proposal=p, result="adopted", reply="住建局已安排", actor=world.handler)
    p.refresh_from_db()
    assert p.status == ProposalStatus.DISPATCHED
    with pytest.raises(ValidationError):  # one reply per unit and round
        services.proposal_reply(proposal=p, result="adopted", reply="再答", actor=world.handler)
    services.proposal_reply(proposal=p, result="will_solve", reply="城管局年底完成", actor=world.other_handler)
    p.refresh_from_db()
    assert p.status == ProposalStatus.REPLIED
    assert "住建局已安排" in p.reply and "城管局年底完成" in p.reply and p.reply_result == ""
    assert list(p.events.values_list("action", flat=True)) == ["file", "dispatch", "unit_reply", "reply"]


def test_a_unit_sees_the_proposal_dispatched_to_it_and_only_its_own_share(world, login_as):
    p = services.proposal_dispatch(proposal=filed(world), unit=world.unit_a, deadline=in_days(5),
                                   actor=world.district_staff)
    url = reverse("proposals:detail", args=[p.pk])
    assert login_as(world.other_handler).get(url).status_code == 404
    assert login_as(world.other_handler).get(reverse("proposals:reply", args=[p.pk])).status_code == 404
    r = login_as(world.handler).get(url)
    assert r.status_code == 200 and [d.unit for d in r.context["shares"]] == [world.unit_a]
    q = two_units(world, title="第二件")
    r = login_as(world.other_handler).get(reverse("proposals:detail", args=[q.pk]))
    assert [d.unit for d in r.context["shares"]] == [world.unit_b]


def test_staff_dispatch_a_proposal_to_several_units_through_the_page(world, login_as):
    p = filed(world)
    staff = login_as(world.city_staff)
    r = staff.post(reverse("proposals:dispatch", args=[p.pk]), {"units": [], "deadline": in_days(5).isoformat()})
    assert r.status_code == 200 and "units" in r.context["form"].errors
    r = staff.post(reverse("proposals:dispatch", args=[p.pk]),
                   {"units": [world.unit_a.pk, world.unit_b.pk], "deadline": in_days(5).isoformat()})
    assert r.status_code == 302
    assert ProposalDispatch.objects.filter(proposal=p, round=1).count() == 2
    # District staff may not send to another district's unit.
    other = filed(world, "另一件")
    r = login_as(world.district_staff).post(reverse("proposals:dispatch", args=[other.pk]),
                                            {"units": [world.unit_b.pk], "deadline": in_days(5).isoformat()})
    assert r.status_code == 200 and not ProposalDispatch.objects.filter(proposal=other).exists()


def test_an_overdue_proposal_share_is_reminded_once_by_the_daily_scan(world):
    world.handler.mobile = "13511112222"
    world.handler.save(update_fields=["mobile"])
    p = two_units(world, days=2)
    services.proposal_reply(proposal=p, result="adopted", reply="已办", actor=world.other_handler)
    Notice.objects.all().delete()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert case_overdue_scan_task.delay().get() == {}
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        assert proposal_is_overdue(p)
        assert case_overdue_scan_task.delay().get() == {"proposal": 1}
        assert case_overdue_scan_task.delay().get() == {"already": 1}
    reminder = ProposalReminder.objects.get()
    assert reminder.dispatch.unit == world.unit_a and reminder.due_on == in_days(2)
    # The unit that owes, the lead deputy, and the staff of the proposal's district.
    assert set(Notice.objects.values_list("user__username", flat=True)) == {"handler", "deputy_a", "district_staff"}
    sms = SmsMessage.objects.get(phone="13511112222")
    assert sms.template == "proposal_overdue" and world.unit_a.name in sms.text


def test_proposal_list_and_page_agree_with_the_scan_on_overdue(world, login_as):
    late = two_units(world, days=1, title="超期的")
    two_units(world, days=9, title="未超期")
    replied = two_units(world, days=1, title="已答复")
    for handler in (world.handler, world.other_handler):
        services.proposal_reply(proposal=replied, result="adopted", reply="x", actor=handler)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        staff = login_as(world.city_staff)
        listed = {p.pk for p in staff.get(reverse("proposals:list"), {"overdue": "1"}).context["page"]}
        flagged = {p.pk for p in staff.get(reverse("proposals:list")).context["page"] if p.late}
        assert listed == flagged == {late.pk}
        assert 'data-testid="overdue"' in staff.get(reverse("proposals:detail", args=[late.pk])).content.decode()
        case_overdue_scan_task.delay()
        assert {r.dispatch.proposal_id for r in ProposalReminder.objects.all()} == {late.pk}


def test_proposal_list_queries_stay_bounded_with_several_units(world, client, django_assert_max_num_queries):
    for i in range(8):
        two_units(world, title=f"p{i}")
    for user in (world.city_staff, world.handler):
        client.force_login(user)
        client.get(reverse("proposals:list"))
        with django_assert_max_num_queries(12):
            assert client.get(reverse("proposals:list")).status_code == 200
