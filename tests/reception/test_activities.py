"""Activities, attendance, leave, escalation and invitations, tested through the services
(SPEC §2; seeds [000 五 八 十一], [003], [004 第七条 第八条])."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Sum

from liaison.models import Notice
from offices.models import Deputy
from reception import activity_services as svc
from reception.models import Activity, Attendance, Escalation, Invitation, LeaveRequest, ReceptionPeriod
from reception.period_services import reception_periods_generate
from scoring.models import Entry, RuleSet, RuleSetBinding
from tests.base import run_at_once

D = datetime.date
Outcome = Attendance.Outcome


@pytest.fixture
def cal(world):
    """The 2027 periods of district A under the default rule: Jan 4–17, Mar 1–14, May 3–16, Jul 5–18 …"""
    reception_periods_generate(year=2027, districts=[world.district_a])
    periods = list(ReceptionPeriod.objects.filter(district=world.district_a).order_by("start"))
    assert [(p.start, p.end) for p in periods[:3]] == [
        (D(2027, 1, 4), D(2027, 1, 17)), (D(2027, 3, 1), D(2027, 3, 14)), (D(2027, 5, 3), D(2027, 5, 16)),
    ]
    return periods


def plan(world, *, date, kind=Activity.Kind.RECEPTION, deputies=None, **extra):
    return svc.activity_plan(
        office=world.office_a1, kind=kind, title=extra.pop("title", "集中接待"), date=date,
        slot=Activity.Slot.MORNING, deputies=deputies if deputies is not None else [world.deputy_a, world.deputy_b],
        actor=world.liaison, **extra,
    )


def log(world, activity, attended, **extra):
    return svc.activity_log(
        activity=activity, attended={d.pk: True for d in attended}, actor=world.liaison,
        today=extra.pop("today", activity.date), **extra,
    )


def outcome(deputy, period):
    row = Attendance.objects.filter(deputy=deputy, period=period).first()
    return row.outcome if row else None


def points(deputy, event):
    return Entry.objects.filter(deputy=deputy, event=event).aggregate(s=Sum("points"))["s"] or 0


# --- Activities and announcements -------------------------------------------------------------


def test_reception_is_linked_to_the_period_it_falls_in_000_4(world, cal):
    inside = plan(world, date=D(2027, 1, 6))
    outside = plan(world, date=D(2027, 2, 10))
    visit = plan(world, date=D(2027, 1, 6), kind=Activity.Kind.HOUSEHOLD_VISIT)
    assert inside.period == cal[0]
    assert outside.period is None
    assert visit.period is None
    assert inside.place == world.office_a1.address


def test_every_activity_kind_of_the_spec_exists_000_5():
    assert set(Activity.Kind.values) == {
        "reception", "appointment", "household_visit", "volunteer", "party_lecture", "council",
        "visit_enterprise", "visit_school", "visit_hospital", "visit_park", "survey", "pairing",
    }


def test_deputy_from_another_community_cannot_take_part_000_1(world, cal):
    with pytest.raises(ValidationError) as exc:
        plan(world, date=D(2027, 1, 6), deputies=[world.deputy_c])
    assert exc.value.code == "deputy_not_here"


def test_announcement_three_days_ahead_is_published_003(world, cal):
    activity = plan(world, date=D(2027, 1, 7))
    svc.activity_announce(activity=activity, actor=world.liaison, today=D(2027, 1, 4))
    activity.refresh_from_db()
    assert activity.status == Activity.Status.ANNOUNCED and activity.announced_at


def test_announcement_later_than_three_days_ahead_is_refused_with_a_message_003(world, cal):
    activity = plan(world, date=D(2027, 1, 7))
    with pytest.raises(ValidationError) as exc:
        svc.activity_announce(activity=activity, actor=world.liaison, today=D(2027, 1, 5))
    assert exc.value.code == "announce_too_late"
    assert "2027-01-04" in exc.value.messages[0]
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED and activity.announced_at is None


def test_public_page_lists_only_announcements_made_three_days_ahead_003(world, time_machine):
    from reception.activity_selectors import office_upcoming_activities

    time_machine.move_to(datetime.datetime(2027, 1, 1, 10, 0, tzinfo=datetime.UTC))
    on_time = plan(world, date=D(2027, 1, 8), title="按时预告")
    svc.activity_announce(activity=on_time, actor=world.liaison)
    quiet = plan(world, date=D(2027, 1, 9), title="未预告")
    # An announcement stamped late (e.g. imported) is not shown even though its row says announced.
    late = plan(world, date=D(2027, 1, 10), title="迟到")
    Activity.objects.filter(pk=late.pk).update(
        status=Activity.Status.ANNOUNCED, announced_at=datetime.datetime(2027, 1, 8, 2, 0, tzinfo=datetime.UTC)
    )
    shown = office_upcoming_activities(world.office_a1, today=D(2027, 1, 1))
    assert [a.title for a in shown] == ["按时预告"]
    assert quiet.status == Activity.Status.PLANNED


def test_changing_the_date_of_an_announced_activity_withdraws_the_announcement_003(world, cal):
    activity = plan(world, date=D(2027, 1, 10))
    svc.activity_announce(activity=activity, actor=world.liaison, today=D(2027, 1, 4))
    svc.activity_update(
        activity=activity, kind=activity.kind, title=activity.title, date=D(2027, 1, 12), slot=activity.slot,
        deputies=[world.deputy_a], actor=world.liaison,
    )
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED and activity.announced_at is None
    assert list(activity.participants.values_list("deputy_id", flat=True)) == [world.deputy_a.pk]


def test_activity_cannot_be_logged_before_it_happened(world, cal):
    activity = plan(world, date=D(2027, 1, 10))
    with pytest.raises(ValidationError):
        svc.activity_log(activity=activity, attended={}, actor=world.liaison, today=D(2027, 1, 9))


# --- Attendance and points ----------------------------------------------------------------------


def test_logging_a_reception_sets_each_deputys_period_outcome_and_awards_points_000_11(world, cal):
    activity = plan(world, date=D(2027, 1, 6))
    log(world, activity, [world.deputy_a])
    assert outcome(world.deputy_a, cal[0]) == Outcome.ATTENDED
    assert outcome(world.deputy_b, cal[0]) == Outcome.ABSENT
    assert points(world.deputy_a, "reception_attended") == 5
    assert points(world.deputy_b, "reception_attended") == 0


def test_attendance_is_one_outcome_per_deputy_and_period_in_the_database(world, cal):
    Attendance.objects.create(deputy=world.deputy_a, period=cal[0], outcome=Outcome.ATTENDED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(deputy=world.deputy_a, period=cal[0], outcome=Outcome.ABSENT)


def test_two_receptions_in_one_period_score_the_period_once(world, cal):
    log(world, plan(world, date=D(2027, 1, 6)), [world.deputy_a])
    log(world, plan(world, date=D(2027, 1, 13)), [world.deputy_a])
    assert Attendance.objects.filter(deputy=world.deputy_a).count() == 1
    assert points(world.deputy_a, "reception_attended") == 5


def test_correcting_attended_to_absent_revokes_the_points(world, cal):
    activity = plan(world, date=D(2027, 1, 6))
    log(world, activity, [world.deputy_a, world.deputy_b])
    log(world, activity, [world.deputy_b])
    assert outcome(world.deputy_a, cal[0]) == Outcome.ABSENT
    assert points(world.deputy_a, "reception_attended") == 0
    assert Entry.objects.filter(deputy=world.deputy_a, kind=Entry.Kind.REVERSAL).count() == 1
    assert points(world.deputy_b, "reception_attended") == 5


def test_a_missed_reception_does_not_undo_another_attended_in_the_same_period(world, cal):
    log(world, plan(world, date=D(2027, 1, 6)), [world.deputy_a])
    log(world, plan(world, date=D(2027, 1, 13)), [])
    assert outcome(world.deputy_a, cal[0]) == Outcome.ATTENDED


@pytest.fixture
def shenzhen_rules(world):
    RuleSetBinding.objects.create(
        jurisdiction=world.district_a, year=2027, rule_set=RuleSet.objects.get(code="shenzhen2013", version=1)
    )


def test_household_visit_scores_per_household_and_follows_corrections_000_13(world, cal, shenzhen_rules):
    visit = plan(world, date=D(2027, 2, 3), kind=Activity.Kind.HOUSEHOLD_VISIT, households=4)
    log(world, visit, [world.deputy_a], households=4)
    assert points(world.deputy_a, "household_visit") == 4
    log(world, visit, [world.deputy_a], households=6)
    assert points(world.deputy_a, "household_visit") == 6
    log(world, visit, [])
    assert points(world.deputy_a, "household_visit") == 0
    assert outcome(world.deputy_a, cal[0]) is None


def test_household_visit_needs_the_number_of_households(world, cal):
    visit = plan(world, date=D(2027, 2, 3), kind=Activity.Kind.HOUSEHOLD_VISIT)
    with pytest.raises(ValidationError) as exc:
        log(world, visit, [world.deputy_a], households=0)
    assert exc.value.code == "no_households"


def test_team_activity_scores_where_the_rule_set_has_the_item_000_13(world, cal, shenzhen_rules):
    lecture = plan(world, date=D(2027, 2, 3), kind=Activity.Kind.PARTY_LECTURE)
    log(world, lecture, [world.deputy_a, world.deputy_b])
    assert points(world.deputy_a, "team_activity") == 3
    assert points(world.deputy_b, "team_activity") == 3


def test_team_activity_scores_nothing_under_a_rule_set_without_the_item(world, cal):
    lecture = plan(world, date=D(2027, 2, 3), kind=Activity.Kind.PARTY_LECTURE)
    log(world, lecture, [world.deputy_a])
    assert points(world.deputy_a, "team_activity") == 0


# --- Leave --------------------------------------------------------------------------------------------


def test_leave_five_days_before_is_accepted_and_the_team_is_told_000_11(world, cal):
    activity = plan(world, date=D(2027, 1, 11))
    leave = svc.leave_request_file(
        deputy=world.deputy_b, activity=activity, reason="出差", actor=world.deputy_b_user, today=D(2027, 1, 6)
    )
    assert leave.status == LeaveRequest.Status.PENDING
    told = Notice.objects.filter(text__contains="李四").values_list("user__username", flat=True)
    assert list(told) == ["deputy_a"]


def test_leave_four_days_before_is_refused_with_a_message_000_11(world, cal):
    activity = plan(world, date=D(2027, 1, 11))
    with pytest.raises(ValidationError) as exc:
        svc.leave_request_file(
            deputy=world.deputy_b, activity=activity, reason="出差", actor=world.deputy_b_user, today=D(2027, 1, 7)
        )
    assert exc.value.code == "too_late"
    assert "2027-01-06" in exc.value.messages[0]
    assert not LeaveRequest.objects.exists()


def test_deputy_cannot_ask_leave_from_another_offices_activity(world, cal):
    activity = plan(world, date=D(2027, 1, 11))
    with pytest.raises(ValidationError) as exc:
        svc.leave_request_file(
            deputy=world.deputy_c, activity=activity, reason="x", actor=world.deputy_c_user, today=D(2027, 1, 1)
        )
    assert exc.value.code == "not_yours"


def test_approved_leave_sets_the_outcome_and_refusal_needs_a_reason_000_11(world, cal):
    activity = plan(world, date=D(2027, 1, 11))
    leave = svc.leave_request_file(
        deputy=world.deputy_b, activity=activity, reason="出差", actor=world.deputy_b_user, today=D(2027, 1, 1)
    )
    with pytest.raises(ValidationError):
        svc.leave_request_decide(leave=leave, approve=False, note=" ", actor=world.district_staff)
    svc.leave_request_decide(leave=leave, approve=True, actor=world.district_staff)
    assert outcome(world.deputy_b, cal[0]) == Outcome.LEAVE
    log(world, activity, [world.deputy_a])
    assert outcome(world.deputy_b, cal[0]) == Outcome.LEAVE
    with pytest.raises(ValidationError):
        svc.leave_request_decide(leave=leave, approve=False, note="晚了", actor=world.district_staff)


def test_second_leave_request_for_one_activity_is_refused(world, cal):
    activity = plan(world, date=D(2027, 1, 11))
    svc.leave_request_file(deputy=world.deputy_b, activity=activity, reason="a", actor=world.deputy_b_user,
                           today=D(2027, 1, 1))
    with pytest.raises(ValidationError) as exc:
        svc.leave_request_file(deputy=world.deputy_b, activity=activity, reason="b", actor=world.deputy_b_user,
                               today=D(2027, 1, 1))
    assert exc.value.code == "duplicate"


# --- Invitations --------------------------------------------------------------------------------------


def test_invitation_five_days_ahead_is_recorded_with_staffs_decision_000_8(world, cal):
    activity = plan(world, date=D(2027, 1, 11))
    invitation = svc.invitation_request(
        deputy=world.deputy_a, activity=activity, department="盐田区住房和建设局", problem="老旧小区加装电梯",
        actor=world.deputy_a_user, today=D(2027, 1, 6),
    )
    with pytest.raises(ValidationError) as exc:
        svc.invitation_decide(invitation=invitation, approve=True, attendees="", actor=world.district_staff)
    assert exc.value.code == "no_attendees"
    svc.invitation_decide(invitation=invitation, approve=True, attendees="王局长", actor=world.district_staff)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.attendees, invitation.decided_by) == (
        Invitation.Status.APPROVED, "王局长", world.district_staff
    )
    assert Notice.objects.filter(user=world.liaison, text__contains="王局长").exists()


def test_invitation_four_days_ahead_is_refused_000_8(world, cal):
    activity = plan(world, date=D(2027, 1, 11))
    with pytest.raises(ValidationError) as exc:
        svc.invitation_request(
            deputy=world.deputy_a, activity=activity, department="住建局", problem="电梯",
            actor=world.deputy_a_user, today=D(2027, 1, 7),
        )
    assert exc.value.code == "too_late"


# --- Escalation -----------------------------------------------------------------------------------


def close(period):
    return svc.period_close(period=period)


def steps(deputy):
    return list(Escalation.objects.filter(deputy=deputy).order_by("period__start").values_list("step", flat=True))


def attend_all_but_b(world, period):
    log(world, plan(world, date=period.start + datetime.timedelta(days=2)), [world.deputy_a])


def test_one_absence_gives_a_make_up_reminder_000_11(world, cal):
    attend_all_but_b(world, cal[0])
    close(cal[0])
    assert steps(world.deputy_b) == [1]
    assert steps(world.deputy_a) == []
    e = Escalation.objects.get(deputy=world.deputy_b)
    assert e.make_up_by == D(2027, 1, 31) and e.created_by is None and e.created_at
    assert Notice.objects.filter(user=world.deputy_b_user, text__contains="2027-01-31").exists()


def test_two_absences_owe_a_written_explanation_000_11(world, cal):
    for period in cal[:2]:
        attend_all_but_b(world, period)
        close(period)
    assert steps(world.deputy_b) == [1, 2]
    owed = Escalation.objects.get(deputy=world.deputy_b, step=2)
    with pytest.raises(ValidationError):
        svc.escalation_explain(escalation=owed, text=" ", actor=world.deputy_b_user)
    svc.escalation_explain(escalation=owed, text="家中有事", actor=world.deputy_b_user)
    owed.refresh_from_db()
    assert owed.status == Escalation.Status.SUBMITTED and owed.explained_by == world.deputy_b_user


def test_moves_a_state_machine_does_not_allow_are_refused_as_illegal_transitions(world, cal):
    """Activity, leave, invitation and escalation moves are checked against their tables
    (liaison.lib.transitions): a decided request is not decided again, a closed matter not
    explained or resolved again, a cancelled activity neither announced nor logged."""
    activity = plan(world, date=D(2027, 1, 11))
    leave = svc.leave_request_file(
        deputy=world.deputy_b, activity=activity, reason="出差", actor=world.deputy_b_user, today=D(2027, 1, 1)
    )
    invitation = svc.invitation_request(
        deputy=world.deputy_a, activity=activity, department="住建局", problem="电梯", actor=world.deputy_a_user,
        today=D(2027, 1, 1),
    )
    svc.leave_request_decide(leave=leave, approve=False, note="无正当理由", actor=world.district_staff)
    svc.invitation_decide(invitation=invitation, approve=True, attendees="王局长", actor=world.district_staff)
    for attempt in (
        lambda: svc.leave_request_decide(leave=leave, approve=True, actor=world.district_staff),
        lambda: svc.invitation_decide(invitation=invitation, approve=False, note="另行安排", actor=world.district_staff),
    ):
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert exc.value.code == "illegal_transition"
    svc.activity_cancel(activity=activity, actor=world.liaison)
    for attempt in (
        lambda: svc.activity_announce(activity=activity, actor=world.liaison, today=D(2027, 1, 1)),
        lambda: svc.activity_cancel(activity=activity, actor=world.liaison),
        lambda: log(world, activity, [world.deputy_a]),
    ):
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert exc.value.code == "illegal_transition"

    for period in cal[:2]:
        attend_all_but_b(world, period)
        close(period)
    owed = Escalation.objects.get(deputy=world.deputy_b, step=2)
    svc.escalation_resolve(escalation=owed, resolution="已谈话", actor=world.district_staff)
    for attempt in (
        lambda: svc.escalation_explain(escalation=owed, text="家中有事", actor=world.deputy_b_user),
        lambda: svc.escalation_resolve(escalation=owed, resolution="再次", actor=world.district_staff),
    ):
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert exc.value.code == "illegal_transition"


def test_three_absences_propose_resignation_000_11(world, cal):
    for period in cal[:3]:
        attend_all_but_b(world, period)
        close(period)
    assert steps(world.deputy_b) == [1, 2, 3]
    assert Notice.objects.filter(user=world.district_staff, text__contains="李四").exists()
    assert Notice.objects.filter(user=world.city_staff, text__contains="李四").exists()
    assert not Notice.objects.filter(user=world.other_staff).exists()


def test_make_up_within_the_month_breaks_the_streak_000_11(world, cal):
    attend_all_but_b(world, cal[0])
    close(cal[0])
    make_up = plan(world, date=D(2027, 1, 25), kind=Activity.Kind.VOLUNTEER, deputies=[world.deputy_b],
                   makes_up_period=cal[0])
    log(world, make_up, [world.deputy_b])
    assert outcome(world.deputy_b, cal[0]) == Outcome.MADE_UP
    assert Escalation.objects.get(deputy=world.deputy_b, period=cal[0]).status == Escalation.Status.RESOLVED
    for period in cal[1:3]:
        attend_all_but_b(world, period)
        close(period)
    # Absent in periods 1 and 2 only: the make-up of period 0 broke the streak.
    assert steps(world.deputy_b) == [1, 1, 2]


def test_make_up_after_the_month_is_refused_000_11(world, cal):
    with pytest.raises(ValidationError) as exc:
        plan(world, date=D(2027, 2, 1), kind=Activity.Kind.VOLUNTEER, deputies=[world.deputy_b],
             makes_up_period=cal[0])
    assert exc.value.code == "make_up_late"


def test_leave_between_absences_breaks_the_streak_000_11(world, cal):
    attend_all_but_b(world, cal[0])
    close(cal[0])
    activity = plan(world, date=D(2027, 3, 10))
    leave = svc.leave_request_file(deputy=world.deputy_b, activity=activity, reason="病假",
                                   actor=world.deputy_b_user, today=D(2027, 3, 1))
    svc.leave_request_decide(leave=leave, approve=True, actor=world.district_staff)
    log(world, activity, [world.deputy_a])
    close(cal[1])
    attend_all_but_b(world, cal[2])
    close(cal[2])
    assert steps(world.deputy_b) == [1, 1]


def test_closing_is_idempotent_and_the_command_and_task_do_the_same_job(world, cal):
    attend_all_but_b(world, cal[0])
    call_command("close_periods")  # today is before 2027: nothing has ended yet
    assert not Escalation.objects.exists()
    assert svc.periods_close_due(today=D(2027, 1, 18)) == 1
    assert svc.periods_close_due(today=D(2027, 1, 18)) == 0
    assert close(cal[0]) == []
    from reception.tasks import periods_close_due

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.utils.timezone.localdate", lambda *a: D(2027, 1, 20))
        assert periods_close_due.delay().get() == 0
    assert Escalation.objects.count() == 1
    assert Attendance.objects.filter(period=cal[0]).count() == 2


def test_deputies_without_any_record_are_absent_when_the_period_closes_000_11(world, cal):
    close(cal[0])
    assert outcome(world.deputy_a, cal[0]) == Outcome.ABSENT
    assert outcome(world.deputy_b, cal[0]) == Outcome.ABSENT
    # Deputies of other districts are not touched.
    assert not Attendance.objects.filter(deputy=world.deputy_c).exists()


def test_resigned_deputies_are_not_escalated(world, cal):
    Deputy.objects.filter(pk=world.deputy_b.pk).update(status=Deputy.Status.RESIGNED)
    close(cal[0])
    assert steps(world.deputy_b) == []


def test_late_logged_attendance_after_closing_resolves_the_reminder_and_scores(world, cal):
    close(cal[0])
    log(world, plan(world, date=D(2027, 1, 6)), [world.deputy_b], today=D(2027, 1, 20))
    assert outcome(world.deputy_b, cal[0]) == Outcome.ATTENDED
    assert Escalation.objects.get(deputy=world.deputy_b).status == Escalation.Status.RESOLVED
    assert points(world.deputy_b, "reception_attended") == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_closes_of_a_period_raise_each_escalation_once_000_11(world):
    reception_periods_generate(year=2027, districts=[world.district_a])
    period = ReceptionPeriod.objects.filter(district=world.district_a).order_by("start").first()
    outcomes = run_at_once(lambda: svc.period_close(period=period), lambda: svc.period_close(period=period))
    errors = [o for o in outcomes if isinstance(o, Exception)]
    results = [len(o) for o in outcomes if not isinstance(o, Exception)]
    assert errors == []
    assert sorted(results) == [0, 2]
    assert Escalation.objects.filter(period=period).count() == 2
    assert Attendance.objects.filter(period=period).count() == 2


def test_daily_job_leaves_periods_older_than_a_month_for_staff_to_close_on_purpose(world, cal):
    # Installed in June: January's and March's periods ended long ago and carry no records.
    assert svc.periods_close_due(today=D(2027, 6, 1)) == 2  # May 3–16 only: deputies A and B
    assert set(Escalation.objects.values_list("period__start", flat=True)) == {D(2027, 5, 3)}
    assert svc.periods_close_due(today=D(2027, 6, 1), since=D(2027, 1, 1)) == 4
    # January and March escalate once each; May's streak was computed when May closed.
    assert sorted(steps(world.deputy_b)) == [1, 1, 2]
