"""A unit's side of a dispatched case (issue 12 item 7): 签收 sign for receipt, 退回 return to staff,
申请延期 ask for a later deadline; staff approve or refuse it, re-dispatch or close a returned share.
Services are tested here; the pages in test_unit_flow_pages.py."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import dispatch_services as ds
from cases import workflow
from cases.deadline_selectors import case_is_overdue
from cases.models import CaseDispatch, CaseReminder, DeadlineExtension, DispatchStatus, Status
from cases.reminder_services import case_overdue_scan
from liaison.models import Notice, SmsMessage

from . import journey

pytestmark = pytest.mark.django_db


def dispatched(world, *, units=None, days=10):
    case = journey.forward(world, journey.assign(world, journey.register(world)))
    # City staff may dispatch to units of any district (unit B is in district B).
    return journey.dispatch(world, case, units=units, days=days, actor=world.city_staff if units else None)


def share_of(case, unit):
    return CaseDispatch.objects.get(case=case, unit=unit, round=case.dispatch_round,
                                    status__in=[DispatchStatus.PENDING, DispatchStatus.SIGNED])


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


# ---------------------------------------------------------------- 签收


def test_unit_signs_for_its_share_with_the_time_and_the_dispatching_staff_is_told(world):
    case = dispatched(world)
    Notice.objects.all().delete()
    share = ds.dispatch_sign(dispatch=share_of(case, world.unit_a), actor=world.handler)
    assert share.status == DispatchStatus.SIGNED and share.signed_by == world.handler
    assert share.signed_at is not None
    event = case.events.last()
    assert (event.action, event.from_status, event.to_status) == ("unit_sign", "dispatched", "dispatched")
    assert list(Notice.objects.values_list("user__username", flat=True)) == ["district_staff"]
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED


def test_signing_twice_or_by_another_unit_is_refused(world):
    case = dispatched(world)
    share = share_of(case, world.unit_a)
    with pytest.raises(PermissionDenied):
        ds.dispatch_sign(dispatch=share, actor=world.other_handler)
    with pytest.raises(PermissionDenied):
        ds.dispatch_sign(dispatch=share, actor=world.district_staff)
    ds.dispatch_sign(dispatch=share, actor=world.handler)
    with pytest.raises(ValidationError) as exc:
        ds.dispatch_sign(dispatch=share, actor=world.handler)
    assert exc.value.code == "illegal_transition"


# ---------------------------------------------------------------- 退回


def test_returned_case_goes_back_to_the_districts_staff_with_the_reason(world):
    world.district_staff.mobile = "13522223333"
    world.district_staff.save(update_fields=["mobile"])
    case = dispatched(world)
    Notice.objects.all().delete()
    ds.dispatch_return(dispatch=share_of(case, world.unit_a), reason="属于城管职责", actor=world.handler)
    share = CaseDispatch.objects.get(case=case)
    assert share.status == DispatchStatus.RETURNED and share.return_reason == "属于城管职责"
    case.refresh_from_db()
    # Still dispatched (the staff must find the right unit), but nothing is owed by a unit.
    assert case.status == Status.DISPATCHED and case.reply_due is None
    assert case.events.last().action == "unit_return"
    assert set(Notice.objects.values_list("user__username", flat=True)) == {"district_staff"}
    sms = SmsMessage.objects.get(template="case_returned")
    assert sms.phone == "13522223333" and sms.template == "case_returned" and case.tracking_code in sms.text
    assert "楼道灯" not in sms.text
    # The unit is no longer a party: it cannot reply.
    with pytest.raises(PermissionDenied):
        journey.reply(world, case)


def test_return_needs_a_reason(world):
    case = dispatched(world)
    with pytest.raises(ValidationError):
        ds.dispatch_return(dispatch=share_of(case, world.unit_a), reason=" ", actor=world.handler)
    assert share_of(case, world.unit_a).status == DispatchStatus.PENDING


def test_staff_redispatch_a_returned_share_to_the_right_unit_in_the_same_round(world):
    case = dispatched(world)
    ds.dispatch_return(dispatch=share_of(case, world.unit_a), reason="不归我局", actor=world.handler)
    returned = CaseDispatch.objects.get(case=case)
    ds.dispatch_redispatch(dispatch=returned, units=[world.unit_b], deadline=in_days(7), actor=world.city_staff)
    returned.refresh_from_db()
    assert returned.status == DispatchStatus.REDISPATCHED
    new = share_of(case, world.unit_b)
    assert new.round == returned.round and new.deadline == in_days(7)
    case.refresh_from_db()
    assert case.reply_due == in_days(7) and case.events.last().action == "redispatch"
    assert Notice.objects.filter(user=world.other_handler, text__contains=case.tracking_code).exists()
    # The new unit replies and the case moves on.
    journey.reply(world, case, actor=world.other_handler)
    case.refresh_from_db()
    assert case.status == Status.REPLIED


def test_the_unit_that_returned_a_case_may_get_it_again(world):
    case = dispatched(world)
    ds.dispatch_return(dispatch=share_of(case, world.unit_a), reason="请先核实地址", actor=world.handler)
    ds.dispatch_redispatch(dispatch=CaseDispatch.objects.get(case=case), units=[world.unit_a], deadline=in_days(5),
                           actor=world.district_staff)
    assert share_of(case, world.unit_a).status == DispatchStatus.PENDING


def test_district_staff_cannot_redispatch_a_case_of_another_district(world):
    case = dispatched(world)
    ds.dispatch_return(dispatch=share_of(case, world.unit_a), reason="x", actor=world.handler)
    with pytest.raises(PermissionDenied):
        ds.dispatch_redispatch(dispatch=CaseDispatch.objects.get(case=case), units=[world.unit_b],
                               deadline=in_days(5), actor=world.other_staff)


def test_a_returned_share_is_closed_only_when_another_unit_covers_the_case(world):
    case = dispatched(world, units=[world.unit_a, world.unit_b])
    ds.dispatch_return(dispatch=share_of(case, world.unit_a), reason="主要是城管", actor=world.handler)
    journey.reply(world, case, actor=world.other_handler)
    case.refresh_from_db()
    # A returned share keeps the case with staff even though the other unit replied.
    assert case.status == Status.DISPATCHED
    returned = CaseDispatch.objects.get(case=case, status=DispatchStatus.RETURNED)
    with pytest.raises(ValidationError):
        ds.dispatch_close(dispatch=returned, note="", actor=world.district_staff)
    ds.dispatch_close(dispatch=returned, note="城管局已答复全部诉求", actor=world.district_staff)
    case.refresh_from_db()
    assert case.status == Status.REPLIED
    assert [e.action for e in case.events.all()][-3:] == ["unit_reply", "dispatch_close", "reply"]


def test_a_lone_returned_share_cannot_be_closed(world):
    case = dispatched(world)
    ds.dispatch_return(dispatch=share_of(case, world.unit_a), reason="x", actor=world.handler)
    with pytest.raises(ValidationError) as exc:
        ds.dispatch_close(dispatch=CaseDispatch.objects.get(case=case), note="x", actor=world.district_staff)
    assert exc.value.code == "no_other_unit"


# ---------------------------------------------------------------- 申请延期


def test_extension_request_tells_staff_and_moves_nothing_until_decided(world):
    case = dispatched(world, days=3)
    Notice.objects.all().delete()
    ext = ds.extension_request(dispatch=share_of(case, world.unit_a), new_deadline=in_days(20),
                               reason="需要跨部门协调", actor=world.handler)
    assert ext.status == DeadlineExtension.Status.PENDING and ext.old_deadline == in_days(3)
    assert share_of(case, world.unit_a).deadline == in_days(3)
    assert set(Notice.objects.values_list("user__username", flat=True)) == {"district_staff"}
    with pytest.raises(ValidationError) as exc:
        ds.extension_request(dispatch=share_of(case, world.unit_a), new_deadline=in_days(30), reason="再延",
                             actor=world.handler)
    assert exc.value.code == "already_pending"


def test_extension_must_be_later_than_the_deadline_and_give_a_reason(world):
    case = dispatched(world, days=5)
    share = share_of(case, world.unit_a)
    for new, reason in ((in_days(5), "x"), (in_days(2), "x"), (in_days(9), "")):
        with pytest.raises(ValidationError):
            ds.extension_request(dispatch=share, new_deadline=new, reason=reason, actor=world.handler)
    assert not DeadlineExtension.objects.exists()


def test_approved_extension_moves_the_deadline_the_overdue_rule_and_the_scan_follow(world):
    import time_machine

    world.handler.mobile = "13511112222"
    world.handler.save(update_fields=["mobile"])
    case = dispatched(world, days=1)
    ext = ds.extension_request(dispatch=share_of(case, world.unit_a), new_deadline=in_days(10),
                               reason="等待检测报告", actor=world.handler)
    Notice.objects.all().delete()
    ds.extension_approve(extension=ext, actor=world.district_staff)
    ext.refresh_from_db()
    assert ext.status == DeadlineExtension.Status.APPROVED and ext.decided_by == world.district_staff
    share = share_of(case, world.unit_a)
    assert share.deadline == in_days(10)
    case.refresh_from_db()
    assert case.reply_due == in_days(10)
    assert list(Notice.objects.values_list("user__username", flat=True)) == ["handler"]
    sms = SmsMessage.objects.get(template="case_extension_decided")
    assert sms.phone == "13511112222" and in_days(10).isoformat() in sms.text
    # Three days on the old deadline is long past, the new one is not: not overdue, no reminder.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        assert not case_is_overdue(case)
        assert case_overdue_scan()["reply"] == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=12)):
        assert case_is_overdue(case)
        assert case_overdue_scan()["reply"] == 1
    assert CaseReminder.objects.get().due_on == in_days(10)


def test_refused_extension_keeps_the_deadline_and_needs_a_reason(world):
    case = dispatched(world, days=4)
    ext = ds.extension_request(dispatch=share_of(case, world.unit_a), new_deadline=in_days(10), reason="x",
                               actor=world.handler)
    with pytest.raises(ValidationError):
        ds.extension_refuse(extension=ext, actor=world.district_staff, note="")
    ds.extension_refuse(extension=ext, actor=world.district_staff, note="情况紧急，请按期答复")
    ext.refresh_from_db()
    assert ext.status == DeadlineExtension.Status.REFUSED
    assert share_of(case, world.unit_a).deadline == in_days(4)
    assert Notice.objects.filter(user=world.handler, text__contains=in_days(4).isoformat()).exists()
    with pytest.raises(ValidationError) as exc:
        ds.extension_approve(extension=ext, actor=world.district_staff)
    assert exc.value.code == "illegal_transition"


def test_only_staff_covering_the_case_decide_an_extension(world):
    case = dispatched(world)
    ext = ds.extension_request(dispatch=share_of(case, world.unit_a), new_deadline=in_days(30), reason="x",
                               actor=world.handler)
    for user in (world.other_staff, world.handler, world.liaison):
        with pytest.raises(PermissionDenied):
            ds.extension_approve(extension=ext, actor=user)
    ds.extension_approve(extension=ext, actor=world.city_staff)


def test_a_pending_extension_lapses_when_the_unit_replies(world):
    case = dispatched(world)
    ext = ds.extension_request(dispatch=share_of(case, world.unit_a), new_deadline=in_days(30), reason="x",
                               actor=world.handler)
    journey.reply(world, case)
    ext.refresh_from_db()
    assert ext.status == DeadlineExtension.Status.LAPSED
    with pytest.raises(ValidationError):
        ds.extension_approve(extension=ext, actor=world.district_staff)


def test_with_several_units_each_acts_on_its_own_share(world):
    case = dispatched(world, units=[world.unit_a, world.unit_b], days=3)
    ds.dispatch_sign(dispatch=share_of(case, world.unit_a), actor=world.handler)
    ext = ds.extension_request(dispatch=share_of(case, world.unit_b), new_deadline=in_days(9), reason="x",
                               actor=world.other_handler)
    ds.extension_approve(extension=ext, actor=world.city_staff)
    assert share_of(case, world.unit_a).deadline == in_days(3)
    assert share_of(case, world.unit_b).deadline == in_days(9)
    case.refresh_from_db()
    assert case.reply_due == in_days(3)  # the earliest deadline still owed
    journey.reply(world, case)
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.reply_due == in_days(9)


def test_the_unit_moves_are_rows_of_the_dispatch_table_not_case_states():
    assert set(workflow.DISPATCH_TRANSITIONS) == {"sign", "return", "extend", "reply", "redispatch", "close"}
    # No case transition starts or ends in a state only units know about (a target of None records
    # something on the case, such as the resident's rating, without moving it).
    for t in workflow.TRANSITIONS.values():
        assert t.target is None or t.target in Status.values
        assert set(t.sources) <= set(Status.values)


def test_a_returned_share_does_not_count_against_the_unit_in_the_year_end_review_000_7(world):
    from cases.review_selectors import as_reviews, unit_review_queryset

    case = dispatched(world)
    ds.dispatch_return(dispatch=share_of(case, world.unit_a), reason="不属我局", actor=world.handler)
    ds.dispatch_redispatch(dispatch=CaseDispatch.objects.get(case=case), units=[world.unit_b], deadline=in_days(5),
                           actor=world.city_staff)
    reviews = {r.unit_id: r for r in as_reviews(unit_review_queryset(user=world.city_staff,
                                                                     year=timezone.localdate().year))}
    assert reviews[world.unit_a.pk].received == 0
    assert reviews[world.unit_b.pk].received == 1


def test_the_residents_tracking_page_shows_moves_of_the_case_not_the_units_internal_steps(world):
    from cases.public_selectors import case_public_progress

    case = dispatched(world, days=3)
    ds.dispatch_sign(dispatch=share_of(case, world.unit_a), actor=world.handler)
    ext = ds.extension_request(dispatch=share_of(case, world.unit_a), new_deadline=in_days(9), reason="等报告",
                               actor=world.handler)
    ds.extension_approve(extension=ext, actor=world.district_staff)
    steps = [s["status"] for s in case_public_progress(case)["steps"]]
    assert steps == ["registered", "assigned", "forwarded", "dispatched"]
