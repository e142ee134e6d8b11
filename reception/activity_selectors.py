"""Viewer-dependent reads of activities, leave requests, invitations and escalations, and a
deputy's home-page summary."""

from django.db.models import Prefetch, Q
from django.utils import timezone

from liaison.lib.permissions import scope_to_staff
from liaison.models import Role

from .models import Activity, ActivityParticipant, Attendance, Escalation, Invitation, LeaveRequest, ReceptionPeriod

# --- Activities, attendance, leave, escalation, invitations ------------------------------------


def activities_visible_to(*, user):
    """Liaisons see their offices' activities, staff their jurisdiction's, a deputy those of their
    team's office and those they take part in."""
    qs = Activity.objects.select_related("office")
    if user.role == Role.LIAISON:
        return qs.filter(office__liaison_links__user=user)
    if user.role == Role.DEPUTY:
        return qs.filter(
            Q(office__team__memberships__deputy__user=user) | Q(participants__deputy__user=user)
        ).distinct()
    return scope_to_staff(qs, user)


def activities_manageable_by(*, user):
    """The activities a user may plan, announce and log: liaisons their offices', staff their
    jurisdiction's. Deputies manage none."""
    if user.role not in (Role.LIAISON, Role.ORG_STAFF) and not user.is_superuser:
        return Activity.objects.none()
    return activities_visible_to(user=user)


def _scoped_by_deputy(qs, user, *, liaison_path):
    if user.role == Role.DEPUTY:
        return qs.filter(deputy__user=user)
    if user.role == Role.LIAISON:
        return qs.filter(**{liaison_path: user}).distinct()
    return scope_to_staff(qs, user)


def leave_requests_visible_to(*, user):
    qs = LeaveRequest.objects.select_related("deputy", "activity__office", "decided_by")
    return _scoped_by_deputy(qs, user, liaison_path="activity__office__liaison_links__user")


def invitations_visible_to(*, user):
    qs = Invitation.objects.select_related("deputy", "activity__office", "decided_by")
    return _scoped_by_deputy(qs, user, liaison_path="activity__office__liaison_links__user")


def escalations_visible_to(*, user):
    qs = Escalation.objects.select_related("deputy", "period", "district", "resolved_by", "explained_by")
    return _scoped_by_deputy(qs, user, liaison_path="deputy__memberships__team__office__liaison_links__user")


def office_upcoming_activities(office, *, today=None, limit=10):
    """Announcements 活动预告 shown on the office's public page: only activities announced at least
    3 days ahead [003], with the deputies' public names, units and positions."""
    today = today or timezone.localdate()
    qs = (
        Activity.objects.filter(office=office, status=Activity.Status.ANNOUNCED, date__gte=today)
        .order_by("date", "slot")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=ActivityParticipant.objects.select_related("deputy").order_by("deputy__name_initials"),
            )
        )[: limit * 2]
    )
    return [a for a in qs if a.is_publicly_announced][:limit]


def deputy_home(*, deputy, today=None):
    """Everything the deputy's home page shows, in a fixed number of queries."""
    today = today or timezone.localdate()
    return {
        "periods": list(
            ReceptionPeriod.objects.filter(district_id=deputy.district_id, end__gte=today).order_by("start")[:3]
        ),
        "activities": list(
            Activity.objects.filter(participants__deputy=deputy, date__gte=today)
            .exclude(status=Activity.Status.CANCELLED)
            .select_related("office")
            .order_by("date", "slot")[:5]
        ),
        "attendance": list(
            Attendance.objects.filter(deputy=deputy).select_related("period").order_by("-period__start")[:6]
        ),
        "leave_requests": list(
            LeaveRequest.objects.filter(deputy=deputy).select_related("activity").order_by("-filed_at")[:5]
        ),
        "owed": list(
            Escalation.objects.filter(deputy=deputy)
            .exclude(status=Escalation.Status.RESOLVED)
            .select_related("period")
            .order_by("-created_at")[:5]
        ),
    }
