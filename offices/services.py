"""Writes to the organization chart, with the rules of SPEC §1 enforced in one place so the
admin, the roster import and any page refuse the same things with the same message."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.lib.permissions import actor_require, scope_to_staff
from liaison.models import Role
from liaison.services import audit_record

from .models import (
    Deputy,
    FixedCommunity,
    Jurisdiction,
    LeaderChange,
    Office,
    Team,
    TeamMembership,
    new_calendar_token,
)
from .roster_version import roster_changed
from .selectors import deputies_visible_to, offices_manageable_by


def fixed_communities_validate(*, level, district, is_leadership_member, communities):
    """The fixed-community rules of [000 一]:

    - in a district every deputy is fixed to exactly one community;
    - in a new district a city deputy may keep several fixed communities, others exactly one;
    - leadership-team members have exactly one fixed community (they may act elsewhere);
    - every fixed community lies in the deputy's district.
    """
    communities = list(communities)
    if not communities:
        raise ValidationError(_("A deputy must be fixed to one community."), code="no_fixed_community")
    for community in communities:
        if community.level != Jurisdiction.Level.COMMUNITY:
            raise ValidationError(
                _("%(name)s is not a community.") % {"name": community.name}, code="not_community"
            )
        if district is not None and community.district_id != district.pk:
            raise ValidationError(
                _("Community %(community)s is not in %(district)s.")
                % {"community": community.name, "district": district.name},
                code="community_outside_district",
            )
    if len(communities) > 1:
        several_allowed = (
            district is not None
            and district.level == Jurisdiction.Level.NEW_DISTRICT
            and level == Deputy.Level.CITY
            and not is_leadership_member
        )
        if not several_allowed:
            if is_leadership_member:
                msg = _("A deputy who is a leadership-team member has one fixed community (they may still act elsewhere).")
            elif district is not None and district.level == Jurisdiction.Level.NEW_DISTRICT:
                msg = _("In a new district only city deputies may keep several fixed communities.")
            else:
                msg = _("In a district each deputy is fixed to exactly one community.")
            raise ValidationError(msg, code="too_many_fixed_communities")


@transaction.atomic
def deputy_set_fixed_communities(*, deputy, communities):
    communities = list(communities)
    fixed_communities_validate(
        level=deputy.level,
        district=deputy.district,
        is_leadership_member=deputy.is_leadership_member,
        communities=communities,
    )
    wanted = {c.pk for c in communities}
    FixedCommunity.objects.filter(deputy=deputy).exclude(community_id__in=wanted).delete()
    have = set(FixedCommunity.objects.filter(deputy=deputy).values_list("community_id", flat=True))
    FixedCommunity.objects.bulk_create(
        [FixedCommunity(deputy=deputy, community_id=pk) for pk in wanted - have]
    )


def team_members_validate(*, team_community, members):
    """`members` is a list of (deputy, is_leader). Exactly one leader [000 二]; every member is
    fixed to the team's community; nobody listed twice."""
    leaders = [d for d, is_leader in members if is_leader]
    if len(leaders) != 1:
        raise ValidationError(_("A team has exactly one leader."), code="leader_count")
    seen = set()
    for deputy, _is_leader in members:
        if deputy.pk in seen:
            raise ValidationError(
                _("%(name)s is listed twice.") % {"name": deputy.name}, code="duplicate_member"
            )
        seen.add(deputy.pk)
    fixed = set(
        FixedCommunity.objects.filter(deputy_id__in=seen, community=team_community).values_list("deputy_id", flat=True)
    )
    for deputy, _is_leader in members:
        if deputy.pk not in fixed:
            raise ValidationError(
                _("%(name)s is not fixed to %(community)s, the team's community.")
                % {"name": deputy.name, "community": team_community.name},
                code="member_not_fixed_here",
            )


@transaction.atomic
def team_set_members(*, team, members):
    """Set a new team's members. Changing the leader of an existing team goes through
    team_change_leader, which keeps the record the organization department files."""
    team_members_validate(team_community=team.office.jurisdiction, members=members)
    current_leader = TeamMembership.objects.filter(team=team, is_leader=True).values_list("deputy_id", flat=True).first()
    new_leader = next(d for d, is_leader in members if is_leader)
    if current_leader is not None and current_leader != new_leader.pk:
        raise ValidationError(
            _("Change the leader with the leader-change form, which records the members' agreement."),
            code="leader_change_needs_record",
        )
    keep = {d.pk for d, _ in members}
    TeamMembership.objects.filter(team=team).exclude(deputy_id__in=keep).delete()
    existing = set(TeamMembership.objects.filter(team=team).values_list("deputy_id", flat=True))
    TeamMembership.objects.bulk_create(
        [TeamMembership(team=team, deputy=d, is_leader=is_leader) for d, is_leader in members if d.pk not in existing]
    )
    roster_changed()  # bulk_create sends no signal


@transaction.atomic
def team_change_leader(*, team, new_leader, date, reason, filed_by, all_members_agreed):
    """Hand the lead to another member. Needs every member's agreement and leaves a record [000 二]."""
    # Filed with the organization department of the team's district (or the city's).
    actor_require(
        scope_to_staff(Team.objects.filter(pk=team.pk), filed_by).exists(),
        _("The organization department of the team's district files a change of leader."),
    )
    if not all_members_agreed:
        raise ValidationError(
            _("Changing the leader requires the agreement of all team members."), code="no_agreement"
        )
    if not reason.strip():
        raise ValidationError(_("Give the reason for the change."), code="no_reason")
    team = Team.objects.select_for_update().get(pk=team.pk)
    memberships = {m.deputy_id: m for m in TeamMembership.objects.filter(team=team)}
    if new_leader.pk not in memberships:
        raise ValidationError(
            _("%(name)s is not a member of this team.") % {"name": new_leader.name}, code="not_member"
        )
    old = next((m for m in memberships.values() if m.is_leader), None)
    if old is not None and old.deputy_id == new_leader.pk:
        raise ValidationError(_("%(name)s already leads this team.") % {"name": new_leader.name}, code="same_leader")
    if old is not None:
        TeamMembership.objects.filter(pk=old.pk).update(is_leader=False)
    TeamMembership.objects.filter(pk=memberships[new_leader.pk].pk).update(is_leader=True)
    return LeaderChange.objects.create(
        team=team,
        date=date,
        old_leader_id=old.deputy_id if old else None,
        new_leader=new_leader,
        reason=reason,
        filed_by=filed_by,
        all_members_agreed=True,
    )


def calendar_token_regenerate(*, obj, actor):
    """Give a deputy or an office a new feed token: every existing subscription stops working."""
    if not isinstance(obj, Deputy | Office):
        raise TypeError(obj)
    if isinstance(obj, Office):
        allowed = offices_manageable_by(user=actor).filter(pk=obj.pk).exists()
    else:
        # The deputy themself, or the staff who manage them.
        allowed = obj.user_id == actor.pk or (
            actor.role == Role.ORG_STAFF and deputies_visible_to(user=actor).filter(pk=obj.pk).exists()
        )
    actor_require(allowed)
    obj.calendar_token = new_calendar_token()
    obj.save(update_fields=["calendar_token"])
    audit_record(action="calendar_token_regenerated", actor=actor, obj=obj)
    return obj
