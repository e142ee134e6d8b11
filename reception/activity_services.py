"""Writes for activities, attendance, leave requests, escalation and department-leader invitations
(SPEC §2, [000 五 八 十一], [003], [004 第七条 第八条 第十条]).

Attendance is derived, never typed in: `attendance_recompute` looks at the facts of a deputy and a
reception period (receptions attended, approved leave, make-up activities attended, the period
having ended) and stores the one outcome, awarding or revoking the reception points as the outcome
moves to or away from "attended". Every page and job that changes a fact calls it.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.lib.permissions import actor_require
from liaison.lib.transitions import check_transition
from liaison.lib.uploads import DOCUMENT_TYPES, IMAGE_TYPES, validate_upload
from liaison.models import Role, User
from liaison.services import notices_send
from offices.models import Deputy, FixedCommunity, Jurisdiction, TeamMembership
from offices.selectors import offices_manageable_by
from scoring.services import points_record_event, points_revoke_event

from . import rules
from .activity_selectors import (
    activities_manageable_by,
    escalations_visible_to,
    invitations_visible_to,
    leave_requests_visible_to,
)
from .attendance_version import attendance_changed
from .models import (
    Activity,
    ActivityParticipant,
    ActivityPhoto,
    Attendance,
    Escalation,
    Invitation,
    LeaveRequest,
    ReceptionPeriod,
)

Outcome = Attendance.Outcome


# --- Who acts -------------------------------------------------------------------------------------
# The services check the actor, not only the record's state: the office's liaisons and the staff of
# its district plan and log activities, staff decide requests, a deputy asks and explains for
# themself (the views check the same, but they are not the only callers).


def _may_manage_office(actor, office):
    actor_require(offices_manageable_by(user=actor).filter(pk=office.pk).exists(),
                  _("You manage the activities of your own offices only."))


def _may_manage_activity(actor, activity):
    actor_require(activities_manageable_by(user=actor).filter(pk=activity.pk).exists(),
                  _("You manage the activities of your own offices only."))


def _is_the_deputy(actor, deputy):
    actor_require(actor.role == Role.DEPUTY and deputy.user_id == actor.pk, _("A deputy asks for themself only."))


def _staff_over(actor, queryset_for, obj):
    actor_require(
        (actor.is_superuser or actor.role == Role.ORG_STAFF) and queryset_for(user=actor).filter(pk=obj.pk).exists(),
        _("The organization department of the deputy's district decides this."),
    )


def _today(today=None):
    return today or timezone.localdate()


def make_up_deadline(period):
    """A deputy absent from a period makes it up within that month [000 十一]: the last day of the
    month in which the period ends."""
    last = calendar.monthrange(period.end.year, period.end.month)[1]
    return datetime.date(period.end.year, period.end.month, last)


def period_containing(*, district_id, day):
    if district_id is None:
        return None
    return ReceptionPeriod.objects.filter(district_id=district_id, start__lte=day, end__gte=day).first()


def _team_users(deputy, *, exclude_self=True):
    """Login accounts of the members of the deputy's team(s)."""
    team_ids = TeamMembership.objects.filter(deputy=deputy).values("team_id")
    qs = User.objects.filter(deputy__memberships__team_id__in=team_ids, is_active=True).distinct()
    if exclude_self and deputy.user_id:
        qs = qs.exclude(pk=deputy.user_id)
    return list(qs)


def _staff_users(district_id):
    """Org staff who manage a district: its own staff and city staff."""
    qs = User.objects.filter(role=Role.ORG_STAFF, is_active=True).select_related("jurisdiction")
    return [u for u in qs if u.jurisdiction_id and (u.jurisdiction.is_city or u.jurisdiction.district_id == district_id)]


# --- Activities -----------------------------------------------------------------------------------


def _validate_deputies(office, deputies):
    community = office.jurisdiction
    fixed = set(
        FixedCommunity.objects.filter(deputy__in=deputies, community=community).values_list("deputy_id", flat=True)
    )
    for deputy in deputies:
        if community.level == Jurisdiction.Level.COMMUNITY:
            # Deputies act at their fixed community; leadership-team members may act elsewhere [000 一].
            if deputy.pk not in fixed and not deputy.is_leadership_member:
                raise ValidationError(
                    _("%(name)s is not fixed to %(community)s and cannot take part in its activities.")
                    % {"name": deputy.name, "community": community.name},
                    code="deputy_not_here",
                )
        elif deputy.district_id != office.district_id and not deputy.is_leadership_member:
            raise ValidationError(
                _("%(name)s serves in another district.") % {"name": deputy.name}, code="deputy_not_here"
            )


def _validate_make_up(office, date, makes_up_period):
    if makes_up_period is None:
        return
    if makes_up_period.district_id != office.district_id:
        raise ValidationError(_("The reception period to make up belongs to another district."), code="make_up_district")
    deadline = make_up_deadline(makes_up_period)
    if not makes_up_period.start <= date <= deadline:
        raise ValidationError(
            _("A make-up activity takes place within the month of the missed period: between %(start)s and %(end)s.")
            % {"start": makes_up_period.start.isoformat(), "end": deadline.isoformat()},
            code="make_up_late",
        )


def _set_participants(activity, deputies):
    wanted = {d.pk for d in deputies}
    ActivityParticipant.objects.filter(activity=activity).exclude(deputy_id__in=wanted).delete()
    have = set(ActivityParticipant.objects.filter(activity=activity).values_list("deputy_id", flat=True))
    ActivityParticipant.objects.bulk_create(
        [ActivityParticipant(activity=activity, deputy_id=pk) for pk in sorted(wanted - have)]
    )


@transaction.atomic
def activity_plan(
    *, office, kind, title, date, slot, deputies, actor, place="", plan_notes="", households=0, makes_up_period=None
):
    _may_manage_office(actor, office)
    deputies = list(deputies)
    _validate_deputies(office, deputies)
    _validate_make_up(office, date, makes_up_period)
    activity = Activity(
        office=office,
        kind=kind,
        title=title,
        date=date,
        slot=slot,
        place=place or office.address,
        plan_notes=plan_notes,
        households=households or 0,
        makes_up_period=makes_up_period,
        created_by=actor,
    )
    if kind == Activity.Kind.RECEPTION:
        activity.period = period_containing(district_id=office.district_id, day=date)
    activity.save()
    _set_participants(activity, deputies)
    return activity


@transaction.atomic
def activity_update(
    *, activity, kind, title, date, slot, deputies, actor, place="", plan_notes="", households=0, makes_up_period=None
):
    """Change a planned or announced activity. Changing the date of an announced one withdraws the
    announcement: the public must see the new date at least 3 days ahead again [003]."""
    _may_manage_activity(actor, activity)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status not in (Activity.Status.PLANNED, Activity.Status.ANNOUNCED):
        raise ValidationError(_("A logged or cancelled activity cannot be changed."), code="frozen")
    deputies = list(deputies)
    _validate_deputies(activity.office, deputies)
    _validate_make_up(activity.office, date, makes_up_period)
    if activity.status == Activity.Status.ANNOUNCED and (date != activity.date or slot != activity.slot):
        activity.status = Activity.Status.PLANNED
        activity.announced_at = None
    activity.kind, activity.title, activity.date, activity.slot = kind, title, date, slot
    activity.place = place or activity.office.address
    activity.plan_notes, activity.households, activity.makes_up_period = plan_notes, households or 0, makes_up_period
    activity.period = (
        period_containing(district_id=activity.office.district_id, day=date) if kind == Activity.Kind.RECEPTION else None
    )
    activity.save()
    _set_participants(activity, deputies)
    return activity


@transaction.atomic
def activity_announce(*, activity, actor, today=None):
    """Publish the 活动预告 on the office's public page: at least 3 days before the activity [003]."""
    today = _today(today)
    _may_manage_activity(actor, activity)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    check_transition(Activity.TRANSITIONS["announce"], activity, _("Only a planned activity can be announced."))
    latest = activity.date - datetime.timedelta(days=rules.ANNOUNCE_DAYS_AHEAD)
    if today > latest:
        raise ValidationError(
            _(
                "An activity is announced at least %(days)s days before it takes place: the last day to announce "
                "this one was %(date)s. Move the activity to a later date to announce it."
            )
            % {"days": rules.ANNOUNCE_DAYS_AHEAD, "date": latest.isoformat()},
            code="announce_too_late",
        )
    if not activity.participants.exists():
        raise ValidationError(_("Name the deputies taking part before announcing the activity."), code="no_deputies")
    activity.status = Activity.Status.ANNOUNCED
    activity.announced_at = timezone.now()
    activity.save(update_fields=["status", "announced_at"])
    return activity


@transaction.atomic
def activity_cancel(*, activity, actor):
    _may_manage_activity(actor, activity)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    transition = Activity.TRANSITIONS["cancel"]
    check_transition(transition, activity, _("This activity can no longer be cancelled."))
    activity.status = transition.target
    activity.save(update_fields=["status"])
    users = [u for p in activity.participants.select_related("deputy__user") if (u := p.deputy.user) is not None]
    notices_send(
        users=users,
        text=_("Cancelled: %(activity)s") % {"activity": activity},
        url=activity.get_absolute_url(),
    )
    return activity


def _participation_event(activity):
    """The points event of a non-reception activity, or None. Receptions score once per period
    through the attendance row; household visits score per household."""
    if activity.kind == Activity.Kind.RECEPTION:
        return None
    if activity.kind == Activity.Kind.HOUSEHOLD_VISIT:
        return "household_visit"
    return "team_activity"


@transaction.atomic
def activity_log(*, activity, attended, actor, notes="", households=None, today=None):
    """Log what happened and who attended. `attended` maps deputy id → bool for the participants.
    May be repeated to correct the record; points follow the correction."""
    today = _today(today)
    _may_manage_activity(actor, activity)
    activity = Activity.objects.select_for_update(of=("self",)).select_related("office").get(pk=activity.pk)
    check_transition(Activity.TRANSITIONS["log"], activity, _("A cancelled activity cannot be logged."))
    if activity.date > today:
        raise ValidationError(_("An activity is logged once it has taken place."), code="future")
    old_households = activity.households
    if households is not None:
        activity.households = households
    if activity.kind == Activity.Kind.HOUSEHOLD_VISIT and activity.households < 1:
        raise ValidationError(_("Give the number of households visited."), code="no_households")
    activity.notes = notes
    activity.status = Activity.Status.LOGGED
    activity.logged_at = timezone.now()
    activity.save(update_fields=["households", "notes", "status", "logged_at"])

    event = _participation_event(activity)
    participants = list(activity.participants.select_related("deputy").select_for_update(of=("self",)))
    for p in participants:
        new = bool(attended.get(p.deputy_id, False))
        was = p.attended
        if was != new:
            p.attended = new
            p.save(update_fields=["attended"])
        if event is None:
            continue
        if new and (was is not True or old_households != activity.households):
            if was is True:
                # The household count changed: the award is redone with the new quantity.
                points_revoke_event(
                    deputy=p.deputy, event=event, source=p, reason=_("Households corrected"), actor=actor
                )
            points_record_event(
                deputy=p.deputy, event=event, source=p, occurred_on=activity.date,
                quantity=activity.households if event == "household_visit" else 1, actor=actor,
            )
        elif was is True and not new:
            points_revoke_event(
                deputy=p.deputy, event=event, source=p, reason=_("Attendance corrected"), actor=actor
            )
    for period in {activity.period, activity.makes_up_period} - {None}:
        for p in participants:
            attendance_recompute(deputy=p.deputy, period=period, actor=actor)
    return activity


def activity_photo_add(*, activity, image, actor):
    _may_manage_activity(actor, activity)
    validate_upload(image, allowed=IMAGE_TYPES)
    return ActivityPhoto.objects.create(activity=activity, image=image, uploaded_by=actor)


# --- Attendance -----------------------------------------------------------------------------------


def _facts(deputy, period):
    logged = Activity.Status.LOGGED
    attended = (
        ActivityParticipant.objects.filter(
            deputy=deputy, attended=True, activity__period=period, activity__status=logged,
            activity__kind=Activity.Kind.RECEPTION,
        )
        .select_related("activity")
        .order_by("activity__date")
        .first()
    )
    if attended:
        return Outcome.ATTENDED, attended.activity
    leave = (
        LeaveRequest.objects.filter(deputy=deputy, status=LeaveRequest.Status.APPROVED, activity__period=period)
        .select_related("activity")
        .first()
    )
    if leave:
        return Outcome.LEAVE, leave.activity
    made_up = (
        ActivityParticipant.objects.filter(
            deputy=deputy, attended=True, activity__makes_up_period=period, activity__status=logged,
            activity__date__lte=make_up_deadline(period),
        )
        .select_related("activity")
        .first()
    )
    if made_up:
        return Outcome.MADE_UP, made_up.activity
    missed = ActivityParticipant.objects.filter(
        deputy=deputy, attended=False, activity__period=period, activity__status=logged,
        activity__kind=Activity.Kind.RECEPTION,
    ).select_related("activity").first()
    if missed or period.closed_at is not None:
        return Outcome.ABSENT, missed.activity if missed else None
    return None, None


@transaction.atomic
def attendance_recompute(*, deputy, period, actor=None):
    """Store the deputy's one outcome for the period from the facts; award or revoke the reception
    points as the outcome moves to or away from "attended"; a period no longer missed closes its
    open make-up reminder. Returns the Attendance row or None."""
    outcome, activity = _facts(deputy, period)
    row = Attendance.objects.select_for_update().filter(deputy=deputy, period=period).first()
    if row is not None:
        # Its save or delete then names the period's slot to attendance_version without a query.
        row.period = period
    old = row.outcome if row else None
    if row is not None and old == Outcome.ATTENDED and outcome != Outcome.ATTENDED:
        points_revoke_event(
            deputy=deputy, event="reception_attended", source=row, reason=_("Attendance corrected"), actor=actor
        )
    if outcome is None:
        if row is not None:
            row.delete()
        return None
    if row is None:
        row = Attendance.objects.create(
            deputy=deputy, period=period, outcome=outcome, activity=activity, recorded_by=actor
        )
    elif (row.outcome, row.activity_id) != (outcome, activity.pk if activity else None):
        row.outcome, row.activity, row.recorded_by = outcome, activity, actor
        row.save(update_fields=["outcome", "activity", "recorded_by", "recorded_at"])
    if outcome == Outcome.ATTENDED and old != Outcome.ATTENDED:
        points_record_event(
            deputy=deputy, event="reception_attended", source=row, occurred_on=activity.date, actor=actor
        )
    if outcome != Outcome.ABSENT and old == Outcome.ABSENT:
        # The "resolve" move of Escalation.TRANSITIONS, in bulk: the make-up reminder is moot.
        Escalation.objects.filter(
            deputy=deputy, period=period, step=Escalation.Step.MAKE_UP, status=Escalation.Status.OPEN
        ).update(
            status=Escalation.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=actor,
            resolution=str(row.get_outcome_display()),
        )
    return row


# --- Escalation -----------------------------------------------------------------------------------


@transaction.atomic
def period_close(*, period, now=None):
    """Run once when a period has ended [000 十一]: every serving deputy of the district without an
    outcome is absent without reason; each absent deputy's streak of consecutive periods absent and
    not made up gives one escalation step (1 make-up reminder, 2 written explanation, 3 proposal to
    advise resignation). Idempotent: a closed period is skipped, and the escalation row is unique
    per deputy and period. Returns the escalations created."""
    now = now or timezone.now()
    period = ReceptionPeriod.objects.select_for_update().get(pk=period.pk)
    if period.closed_at is not None:
        return []
    period.closed_at = now
    period.save(update_fields=["closed_at"])
    serving = Deputy.objects.filter(district_id=period.district_id, status=Deputy.Status.SERVING)
    have = set(Attendance.objects.filter(period=period).values_list("deputy_id", flat=True))
    Attendance.objects.bulk_create(
        [
            Attendance(deputy_id=pk, period=period, outcome=Outcome.ABSENT)
            for pk in serving.exclude(pk__in=have).values_list("pk", flat=True)
        ]
    )
    attendance_changed(period.key)  # bulk_create sends no signal
    absent_ids = set(
        Attendance.objects.filter(period=period, outcome=Outcome.ABSENT, deputy__in=serving).values_list(
            "deputy_id", flat=True
        )
    )
    if not absent_ids:
        return []
    recent = list(
        ReceptionPeriod.objects.filter(district_id=period.district_id, start__lte=period.start)
        .order_by("-start")
        .values_list("pk", flat=True)[:rules.ESCALATION_LOOKBACK]
    )
    outcomes = {
        (d, p): o
        for d, p, o in Attendance.objects.filter(deputy_id__in=absent_ids, period_id__in=recent).values_list(
            "deputy_id", "period_id", "outcome"
        )
    }
    deadline = make_up_deadline(period)
    rows = []
    for deputy_id in sorted(absent_ids):
        streak = 0
        for period_id in recent:
            if outcomes.get((deputy_id, period_id)) != Outcome.ABSENT:
                break
            streak += 1
        rows.append(
            Escalation(
                deputy_id=deputy_id, period=period, district_id=period.district_id, step=min(streak, rules.ESCALATION_RESIGNATION),
                streak=streak, make_up_by=deadline,
            )
        )
    Escalation.objects.bulk_create(rows, ignore_conflicts=True)
    # The period is locked and closed once, so every escalation of it was created just now.
    created = list(Escalation.objects.filter(period=period).select_related("deputy__user"))
    _escalation_notices(period, created)
    return created


def _escalation_notices(period, escalations):
    period_label = f"{period.start:%Y-%m-%d}–{period.end:%m-%d}"
    reminders, owed, proposals = [], [], []
    for e in escalations:
        if e.step == Escalation.Step.RESIGNATION:
            proposals.append(e)
        elif e.deputy.user is not None:
            (owed if e.step == Escalation.Step.EXPLANATION else reminders).append(e.deputy.user)
    url = reverse("reception:my_escalations")
    if reminders:
        notices_send(
            users=reminders,
            text=_("You missed the reception period %(period)s. Please make it up by %(date)s.")
            % {"period": period_label, "date": make_up_deadline(period).isoformat()},
            url=url,
        )
    if owed:
        notices_send(
            users=owed,
            text=_(
                "You missed two reception periods in a row (the last: %(period)s). Please give a written explanation."
            )
            % {"period": period_label},
            url=url,
        )
    if proposals:
        names = "、".join(e.deputy.name for e in proposals)
        notices_send(
            users=_staff_users(period.district_id),
            text=_("Absent three reception periods in a row; the system proposes advising resignation: %(names)s")
            % {"names": names},
            url=reverse("reception:escalation_list") + "?step=3",
        )


def periods_close_due(*, today=None, now=None, since=None):
    """Close every period that has ended and was not closed yet (the daily job), oldest first, from
    `since` (default: rules.CLOSE_LOOKBACK_DAYS ago). Older unclosed periods are history from before
    the portal ran (a year's periods are generated at once): closing them would mark every deputy
    absent and escalate everyone; staff close them on purpose with `manage.py close_periods --since`. Returns the number of escalations created."""
    today = _today(today)
    since = since or today - datetime.timedelta(days=rules.CLOSE_LOOKBACK_DAYS)
    created = 0
    due = ReceptionPeriod.objects.filter(end__lt=today, end__gte=since, closed_at__isnull=True).order_by("start")
    for period in due:
        created += len(period_close(period=period, now=now))
    return created


@transaction.atomic
def escalation_explain(*, escalation, actor, text="", file=None):
    """The deputy's written explanation 书面说明, typed or uploaded."""
    _is_the_deputy(actor, escalation.deputy)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.step < Escalation.Step.EXPLANATION:
        raise ValidationError(_("No written explanation is owed for this period."), code="not_owed")
    check_transition(Escalation.TRANSITIONS["explain"], escalation, _("This matter is already closed."))
    if not text.strip() and not file:
        raise ValidationError(_("Write the explanation or upload it as a file."), code="empty")
    escalation.explanation = text
    if file:
        validate_upload(file, allowed=DOCUMENT_TYPES)
        escalation.explanation_file = file
    escalation.explained_at = timezone.now()
    escalation.explained_by = actor
    escalation.status = Escalation.Status.SUBMITTED
    escalation.save(update_fields=["explanation", "explanation_file", "explained_at", "explained_by", "status"])
    notices_send(
        users=_staff_users(escalation.district_id),
        text=_("%(name)s submitted a written explanation.") % {"name": escalation.deputy.name},
        url=reverse("reception:escalation_list") + "?status=submitted",
    )
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation, actor, resolution):
    _staff_over(actor, escalations_visible_to, escalation)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    check_transition(Escalation.TRANSITIONS["resolve"], escalation, _("This matter is already closed."))
    if not resolution.strip():
        raise ValidationError(_("Record what was decided."), code="no_resolution")
    escalation.status = Escalation.Status.RESOLVED
    escalation.resolution = resolution
    escalation.resolved_at = timezone.now()
    escalation.resolved_by = actor
    escalation.save(update_fields=["status", "resolution", "resolved_at", "resolved_by"])
    return escalation


# --- Leave requests and invitations -------------------------------------------------------------


def _check_deputy_may_ask(deputy, activity, days_ahead, today, what):
    if activity.status not in (Activity.Status.PLANNED, Activity.Status.ANNOUNCED):
        raise ValidationError(_("This activity is no longer open for requests."), code="closed")
    in_team = TeamMembership.objects.filter(deputy=deputy, team__office_id=activity.office_id).exists()
    if not in_team and not activity.participants.filter(deputy=deputy).exists():
        raise ValidationError(_("You do not take part in this activity."), code="not_yours")
    latest = activity.date - datetime.timedelta(days=days_ahead)
    if today > latest:
        raise ValidationError(
            what % {"days": days_ahead, "date": latest.isoformat()},
            code="too_late",
        )


@transaction.atomic
def leave_request_file(*, deputy, activity, reason, actor, today=None):
    """请假 at least 5 days before the activity; the deputy's team is told [000 十一]."""
    _is_the_deputy(actor, deputy)
    today = _today(today)
    _check_deputy_may_ask(
        deputy, activity, rules.LEAVE_DAYS_AHEAD, today,
        _(
            "Leave is requested at least %(days)s days before the activity: the last day for this one was "
            "%(date)s. Contact the organization department if something unforeseen happened."
        ),
    )
    if not reason.strip():
        raise ValidationError(_("Give the reason for the leave."), code="no_reason")
    if LeaveRequest.objects.filter(deputy=deputy, activity=activity).exclude(status=LeaveRequest.Status.REFUSED).exists():
        raise ValidationError(_("You already asked for leave from this activity."), code="duplicate")
    leave = LeaveRequest.objects.create(
        deputy=deputy, activity=activity, district_id=activity.district_id, reason=reason, filed_by=actor
    )
    notices_send(
        users=_team_users(deputy),
        text=_("%(name)s asked for leave from %(activity)s.") % {"name": deputy.name, "activity": activity},
        url=activity.get_absolute_url(),
    )
    return leave


@transaction.atomic
def leave_request_decide(*, leave, approve, actor, note=""):
    _staff_over(actor, leave_requests_visible_to, leave)
    leave = LeaveRequest.objects.select_for_update(of=("self",)).select_related("activity", "deputy").get(pk=leave.pk)
    transition = LeaveRequest.TRANSITIONS["approve" if approve else "refuse"]
    check_transition(transition, leave, _("This request was already decided."))
    if not approve and not note.strip():
        raise ValidationError(_("Give the reason for refusing."), code="no_reason")
    leave.status = transition.target
    leave.decided_by, leave.decided_at, leave.decision_note = actor, timezone.now(), note
    leave.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if leave.activity.period_id:
        attendance_recompute(deputy=leave.deputy, period=leave.activity.period, actor=actor)
    text = (
        _("Your leave from %(activity)s was approved.")
        if approve
        else _("Your leave from %(activity)s was refused: %(note)s")
    ) % {"activity": leave.activity, "note": note}
    if leave.deputy.user_id:
        notices_send(users=[leave.deputy.user], text=text, url=reverse("reception:leave_list"))
    if approve:
        notices_send(
            users=_team_users(leave.deputy),
            text=_("%(name)s is on approved leave from %(activity)s.")
            % {"name": leave.deputy.name, "activity": leave.activity},
            url=leave.activity.get_absolute_url(),
        )
    return leave


@transaction.atomic
def invitation_request(*, deputy, activity, department, problem, actor, today=None):
    """邀请部门领导 at least 5 days before the activity [000 八]."""
    _is_the_deputy(actor, deputy)
    today = _today(today)
    _check_deputy_may_ask(
        deputy, activity, rules.INVITATION_DAYS_AHEAD, today,
        _(
            "Department leaders are invited at least %(days)s days before the activity: the last day for this one "
            "was %(date)s."
        ),
    )
    if not department.strip():
        raise ValidationError(_("Name the department."), code="no_department")
    if not problem.strip():
        raise ValidationError(_("Describe the problem the department should help solve."), code="no_problem")
    invitation = Invitation.objects.create(
        deputy=deputy, activity=activity, district_id=activity.district_id, department=department,
        problem=problem, filed_by=actor,
    )
    notices_send(
        users=_staff_users(activity.district_id),
        text=_("%(name)s asks leaders of %(department)s to join %(activity)s.")
        % {"name": deputy.name, "department": department, "activity": activity},
        url=reverse("reception:invitation_list"),
    )
    return invitation


@transaction.atomic
def invitation_decide(*, invitation, approve, actor, note="", attendees=""):
    _staff_over(actor, invitations_visible_to, invitation)
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("activity", "deputy__user").get(pk=invitation.pk)
    transition = Invitation.TRANSITIONS["approve" if approve else "refuse"]
    check_transition(transition, invitation, _("This request was already decided."))
    if approve and not attendees.strip():
        raise ValidationError(_("Name the leaders who will come."), code="no_attendees")
    if not approve and not note.strip():
        raise ValidationError(_("Give the reason for refusing."), code="no_reason")
    invitation.status = transition.target
    invitation.decided_by, invitation.decided_at = actor, timezone.now()
    invitation.decision_note, invitation.attendees = note, attendees if approve else ""
    invitation.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "attendees"])
    users = list(invitation.activity.office.liaisons.all())
    if invitation.deputy.user_id:
        users.append(invitation.deputy.user)
    text = (
        _("Leaders of %(department)s will join %(activity)s: %(who)s")
        if approve
        else _("The invitation of %(department)s to %(activity)s was refused: %(note)s")
    ) % {"department": invitation.department, "activity": invitation.activity, "who": attendees, "note": note}
    notices_send(users=users, text=text, url=invitation.activity.get_absolute_url())
    return invitation
