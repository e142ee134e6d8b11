"""Viewer-dependent reads of cases: one place decides who sees which case, and which moves and
which personal data each viewer gets."""

from django.db.models import Q

from liaison.lib.permissions import scope_to_staff
from liaison.models import Role
from offices.models import Deputy, OfficeLiaison, TeamMembership

from . import workflow
from .models import DISPATCH_OPEN, Case, CaseDispatch


def _is_staff(user):
    return user.is_authenticated and (user.is_superuser or user.role == Role.ORG_STAFF)


def staff_covers(user, case):
    """Org staff whose scope covers the case's district (city staff cover all)."""
    if not _is_staff(user):
        return False
    if user.is_superuser:
        return True
    if user.jurisdiction_id is None:
        return False
    district_id = user.staff_district_id
    return district_id is None or district_id == case.district_id


def cases_visible_to(*, user):
    """Cases a user may open. Deputies: cases they own or received, and, for a team leader, every
    case of the team's office (the leader runs the assignment meeting). Liaisons: their offices'
    cases. Unit handlers: cases dispatched to their unit. Staff: their district (city: all)."""
    qs = Case.objects.select_related("office", "category", "owner")
    if not user.is_authenticated:
        return qs.none()
    if _is_staff(user):
        return scope_to_staff(qs, user, "district")
    if user.role == Role.LIAISON:
        return qs.filter(office_id__in=OfficeLiaison.objects.filter(user=user).values("office_id"))
    if user.role == Role.DEPUTY:
        received = Case.received_by.through.objects.filter(deputy__user=user).values("case_id")
        led = TeamMembership.objects.filter(deputy__user=user, is_leader=True).values("team__office_id")
        return qs.filter(Q(owner__user=user) | Q(pk__in=received) | Q(office_id__in=led))
    if user.role == Role.UNIT_HANDLER and user.unit_id:
        return qs.filter(pk__in=CaseDispatch.objects.filter(unit_id=user.unit_id).values("case_id"))
    return qs.none()


def actor_kinds(*, user, case):
    """The capacities in which a user stands towards a case (see cases.workflow)."""
    kinds = set()
    if user is None or not user.is_authenticated:
        return kinds
    if staff_covers(user, case):
        kinds.add(workflow.STAFF)
    if user.role == Role.LIAISON and OfficeLiaison.objects.filter(user=user, office_id=case.office_id).exists():
        kinds.add(workflow.LIAISON)
    if user.role == Role.DEPUTY:
        deputy = Deputy.objects.filter(user=user).only("pk").first()
        if deputy is not None:
            if case.owner_id == deputy.pk:
                kinds.add(workflow.OWNER)
            if case.received_by.filter(pk=deputy.pk).exists():
                kinds.add(workflow.RECEIVER)
            if TeamMembership.objects.filter(deputy=deputy, is_leader=True, team__office_id=case.office_id).exists():
                kinds.add(workflow.LEADER)
    if user.role == Role.UNIT_HANDLER and user.unit_id:
        # A unit is a party to the case while it owes its share (not once replied or returned).
        if case.dispatches.filter(unit_id=user.unit_id, round=case.dispatch_round, status__in=DISPATCH_OPEN).exists():
            kinds.add(workflow.UNIT)
    return kinds


def moves_for(*, user, case):
    """The transitions this user may make on this case now, in table order."""
    kinds = actor_kinds(user=user, case=case)
    return [t for t in workflow.TRANSITIONS.values() if case.status in t.sources and kinds & t.actors]


def can_see_personal_data(*, user, case):
    """Residents' phones and addresses: only the case's owner, its office's liaisons and the staff
    who handle it (SPEC §7)."""
    kinds = actor_kinds(user=user, case=case)
    return bool(kinds & {workflow.OWNER, workflow.LIAISON, workflow.STAFF})
