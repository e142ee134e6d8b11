"""scoring/rules.py holds the seeds' numbers; the shipped default rule set and the score page's
chart agree with it (issue 13: one home per rule)."""

import datetime

import pytest
from django.urls import reverse

from liaison.lib.append_only import AppendOnlyError
from scoring import rules
from scoring.models import ClaimEvent, RuleItem, RuleSet
from scoring.services import claim_submit, claim_verify, points_record_event, quarter_end

from .helpers import DAY, make_record, yantian_item

pytestmark = pytest.mark.django_db


def test_co_signing_is_capped_at_9_points_a_year_seed_002():
    assert (rules.COSIGN_POINTS, rules.COSIGN_CAP_PER_YEAR) == (3, 9)
    item = yantian_item(9)
    assert (item.points, item.cap_per_year) == (rules.COSIGN_POINTS, rules.COSIGN_CAP_PER_YEAR)


def test_the_default_rule_set_is_the_yantian_standard_of_14_items_seed_002():
    assert RuleSet.objects.get(is_default=True).code == rules.DEFAULT_RULE_SET
    items = RuleItem.objects.filter(rule_set__code=rules.DEFAULT_RULE_SET)
    assert items.values("number").distinct().count() == rules.DEFAULT_RULE_SET_ITEMS == 14
    assert items.values("category").distinct().count() == rules.DEFAULT_RULE_SET_CATEGORIES == 4


def test_standings_are_published_once_a_quarter_seed_002():
    assert rules.QUARTERS == (1, 2, 3, 4)
    assert [quarter_end(2026, q) for q in rules.QUARTERS] == [
        datetime.date(2026, 3, 31), datetime.date(2026, 6, 30), datetime.date(2026, 9, 30), datetime.date(2026, 12, 31)
    ]


def test_the_score_chart_caps_co_signing_at_9_points_a_year_seed_002(client, world):
    """The chart uses the one capped computation (`selectors.apply_caps`): five co-signings (15
    points uncapped) show as 9, month by month as in the total."""
    for n in range(5):
        points_record_event(
            deputy=world.deputy_a, event="motion_cosign", source=make_record(world.deputy_a, n),
            occurred_on=datetime.date(2026, 2 + n, 1),
        )
    client.force_login(world.deputy_a_user)
    ctx = client.get(reverse("scoring:my_points") + "?year=2026").context
    bars = ctx["chart"]["bars"]
    assert ctx["mine"].total == rules.COSIGN_CAP_PER_YEAR
    assert [b["value"] for b in bars[1:6]] == [3, 6, 9, 9, 9]
    assert bars[-1]["value"] == rules.COSIGN_CAP_PER_YEAR


def test_claim_timeline_entries_cannot_be_changed_or_deleted(world):
    claim = claim_submit(deputy=world.deputy_a, rule_item=yantian_item(12), occurred_on=DAY, description="义务劳动",
                         actor=world.liaison)
    claim_verify(claim=claim, actor=world.city_staff)
    event = ClaimEvent.objects.filter(claim=claim).last()
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ClaimEvent.objects.filter(claim=claim).update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        ClaimEvent.objects.filter(claim=claim).delete()
    assert ClaimEvent.objects.filter(claim=claim).count() == 2
