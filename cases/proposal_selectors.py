"""Who sees which proposals, motions and inquiries. Lists and detail pages both read from here."""

from django.db.models import Q

from liaison.lib.permissions import scope_to_staff
from liaison.models import Role
from offices.models import TeamMembership

from .models.proposals import Inquiry, Proposal, ProposalDispatch, ProposalStatus

# A unit sees a proposal from its dispatch on; before that it is none of its business.
UNIT_VISIBLE = (ProposalStatus.DISPATCHED, ProposalStatus.REPLIED, ProposalStatus.EVALUATED)


def proposals_visible_to(*, user):
    qs = Proposal.objects.select_related("lead", "unit", "district")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.DEPUTY:
        return qs.filter(Q(lead__user=user) | Q(cosigner_links__deputy__user=user)).distinct()
    if user.role == Role.UNIT_HANDLER:
        if user.unit_id is None:
            return qs.none()
        shares = ProposalDispatch.objects.filter(unit_id=user.unit_id).values("proposal_id")
        return qs.filter(pk__in=shares, status__in=UNIT_VISIBLE)
    if user.role == Role.LIAISON:
        # The proposals of the deputies serving the liaison's offices. Their ids read from the team
        # memberships alone (no join back to the deputies): a smaller join, planned in a third of
        # the time where it is read on each row (the performance file's "openable" EXISTS).
        lead_ids = TeamMembership.objects.filter(team__office__liaison_links__user=user).values("deputy_id")
        return qs.filter(lead_id__in=lead_ids)
    return scope_to_staff(qs, user)


def inquiries_visible_to(*, user):
    qs = Inquiry.objects.select_related("target_unit", "district")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.DEPUTY:
        return qs.filter(participants__user=user).distinct()
    if user.role == Role.LIAISON:
        deputy_ids = TeamMembership.objects.filter(team__office__liaison_links__user=user).values("deputy_id")
        return qs.filter(participants__in=deputy_ids).distinct()
    if user.role == Role.UNIT_HANDLER:
        if user.unit_id is None:
            return qs.none()
        return qs.filter(target_unit_id=user.unit_id)
    if user.is_superuser or user.role == Role.ORG_STAFF:
        district_id = user.staff_district_id
        if district_id is None:
            return scope_to_staff(qs, user)
        # District staff: events on their district's units, and city-level events their
        # district's deputies took part in.
        return qs.filter(
            Q(district_id=district_id) | Q(district__isnull=True, participants__district_id=district_id)
        ).distinct()
    return qs.none()


def inquiries_writable_by(*, user):
    """The inquiry records a user may correct: organization staff, those of their own district's
    events (city staff: all). Narrower than `inquiries_visible_to`, which also shows district
    staff the city-level events their deputies took part in."""
    qs = Inquiry.objects.select_related("target_unit", "district")
    if not user.is_authenticated or not (user.is_superuser or user.role == Role.ORG_STAFF):
        return qs.none()
    return scope_to_staff(qs, user)
