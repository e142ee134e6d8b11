"""SPEC §1 rules: fixed communities [000 一] and one team leader [000 二]."""

import datetime
from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError

from offices.models import Deputy, LeaderChange, TeamMembership
from offices.services import (
    deputy_set_fixed_communities,
    team_change_leader,
    team_set_members,
)
from tests.base import make_deputy

pytestmark = pytest.mark.django_db


@contextmanager
def raises_code(code):
    with pytest.raises(ValidationError) as info:
        yield
    assert info.value.code == code, info.value


def test_district_deputy_is_fixed_to_exactly_one_community_000_1(world):
    with raises_code("too_many_fixed_communities"):
        deputy_set_fixed_communities(deputy=world.deputy_b, communities=[world.community_a1, world.community_a2])


def test_city_deputy_in_a_district_is_also_fixed_to_one_community_000_1(world):
    with raises_code("too_many_fixed_communities"):
        deputy_set_fixed_communities(deputy=world.deputy_a, communities=[world.community_a1, world.community_a2])


def test_city_deputy_in_new_district_may_keep_several_fixed_communities_000_1(world):
    d = make_deputy("赵六", district=world.new_district, community=world.community_n1, level=Deputy.Level.CITY)
    deputy_set_fixed_communities(deputy=d, communities=[world.community_n1, world.community_n2])
    assert set(d.fixed_communities.all()) == {world.community_n1, world.community_n2}


def test_new_district_representative_is_fixed_to_one_community_000_1(world):
    d = make_deputy("钱七", district=world.new_district, community=world.community_n1, level=Deputy.Level.NEW_DISTRICT)
    with raises_code("too_many_fixed_communities"):
        deputy_set_fixed_communities(deputy=d, communities=[world.community_n1, world.community_n2])


def test_leadership_member_has_one_fixed_community_000_1(world):
    d = make_deputy(
        "孙八", district=world.new_district, community=world.community_n1, level=Deputy.Level.CITY, is_leadership_member=True
    )
    with raises_code("too_many_fixed_communities"):
        deputy_set_fixed_communities(deputy=d, communities=[world.community_n1, world.community_n2])


def test_fixed_community_must_lie_in_the_deputys_district(world):
    with raises_code("community_outside_district"):
        deputy_set_fixed_communities(deputy=world.deputy_b, communities=[world.community_b1])


def test_team_has_exactly_one_leader_000_2(world):
    with raises_code("leader_count"):
        team_set_members(team=world.team_a1, members=[(world.deputy_a, True), (world.deputy_b, True)])
    with raises_code("leader_count"):
        team_set_members(team=world.team_a1, members=[(world.deputy_a, False), (world.deputy_b, False)])


def test_team_members_must_be_fixed_to_the_teams_community(world):
    with raises_code("member_not_fixed_here"):
        team_set_members(team=world.team_a1, members=[(world.deputy_a, True), (world.deputy_c, False)])


def test_leader_change_needs_all_members_agreement_and_is_recorded_000_2(world):
    kwargs = dict(team=world.team_a1, new_leader=world.deputy_b, date=datetime.date(2026, 3, 1), reason="工作调动")
    with raises_code("no_agreement"):
        team_change_leader(**kwargs, filed_by=world.district_staff, all_members_agreed=False)
    team_change_leader(**kwargs, filed_by=world.district_staff, all_members_agreed=True)
    assert TeamMembership.objects.get(team=world.team_a1, is_leader=True).deputy == world.deputy_b
    change = LeaderChange.objects.get()
    assert (change.old_leader, change.new_leader, change.filed_by) == (world.deputy_a, world.deputy_b, world.district_staff)


def test_leader_cannot_be_swapped_silently_through_member_list(world):
    with raises_code("leader_change_needs_record"):
        team_set_members(team=world.team_a1, members=[(world.deputy_a, False), (world.deputy_b, True)])


def test_district_is_denormalized_down_the_tree(world):
    assert world.community_a1.district == world.district_a
    assert world.office_a1.district == world.district_a
    assert world.team_a1.district == world.district_a
    assert world.district_a.district_id == world.district_a.pk
    assert world.city.district is None
