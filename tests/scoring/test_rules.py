"""Claims, reviews, snapshots, rule-set versions and the 14 items of the Yantian standard
(SPEC §4, [002 附件1 附件2])."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from scoring.models import Claim, Entry, RuleItem, RuleSet, SnapshotRow
from scoring.selectors import competition_ranks, standings_compute
from scoring.services import (
    claim_confirm,
    claim_refuse,
    claim_submit,
    claim_verify,
    points_record_event,
    review_decide,
    review_request,
    ruleset_new_version,
    ruleset_publish,
    snapshot_publish,
)

from .helpers import DAY, make_record, photo, total_of, yantian_item

pytestmark = pytest.mark.django_db

YANTIAN_TABLE = {
    # number: (category, points, cap, record event or "" for claimed)
    1: ("service", 5, None, "reception_attended"),
    2: ("service", 5, None, "case_taken"),
    4: ("service", 3, None, ""),
    5: ("service", 5, None, ""),
    6: ("deliberation", 10, None, ""),
    7: ("deliberation", 3, None, "proposal"),
    8: ("deliberation", 10, None, "motion_lead"),
    9: ("deliberation", 3, 9, "motion_cosign"),
    10: ("supervision", 5, None, "inquiry"),
    11: ("supervision", 10, None, ""),
    12: ("example", 5, None, ""),
    13: ("example", 5, None, ""),
    14: ("example", 20, None, ""),
}


def verified_claim(world, item, deputy=None, quantity=1, day=DAY):
    deputy = deputy or world.deputy_a
    claim = claim_submit(
        deputy=deputy, rule_item=item, occurred_on=day, description="社区志愿服务", actor=deputy.user or world.liaison,
        quantity=quantity,
    )
    # The services check who acts: district B's deputy goes through district B's office and staff.
    in_b = deputy.district_id == world.district_b.pk
    if claim.status == Claim.Status.SUBMITTED:
        claim_confirm(claim=claim, actor=world.other_liaison if in_b else world.liaison)
    return claim_verify(claim=claim, actor=world.other_staff if in_b else world.district_staff)


def test_yantian_standard_has_14_items_in_4_categories_002():
    items = RuleItem.objects.filter(rule_set__code="yantian")
    assert items.values("number").distinct().count() == 14
    assert items.values("category").distinct().count() == 4
    assert RuleSet.objects.get(is_default=True).code == "yantian"


@pytest.mark.parametrize("number", sorted(YANTIAN_TABLE))
def test_each_yantian_item_scores_as_the_table_says_002(world, number):
    category, points, cap, event = YANTIAN_TABLE[number]
    item = yantian_item(number)
    assert (item.category, item.points, item.cap_per_year, item.event) == (category, points, cap, event)
    if event:
        entry = points_record_event(deputy=world.deputy_a, event=event, source=make_record(world.deputy_a), occurred_on=DAY)
    else:
        verified_claim(world, item)
        entry = Entry.objects.get(deputy=world.deputy_a)
    assert entry.points == points
    assert total_of(world.deputy_a) == points


def test_item_3_scores_6_for_very_and_5_for_basically_satisfied_002(world):
    assert yantian_item(3, "非常满意").points == 6 and yantian_item(3, "基本满意").points == 5
    points_record_event(deputy=world.deputy_a, event="case_satisfied_very", source=make_record(world.deputy_a, 1), occurred_on=DAY)
    points_record_event(deputy=world.deputy_a, event="case_satisfied_basic", source=make_record(world.deputy_a, 2), occurred_on=DAY)
    assert total_of(world.deputy_a) == 11


def test_unverified_claims_do_not_count_only_verified_ones_002_1_2(world):
    item = yantian_item(12)
    claim = claim_submit(deputy=world.deputy_a, rule_item=item, occurred_on=DAY, description="义务劳动",
                         actor=world.deputy_a_user, evidence=photo())
    assert claim.status == Claim.Status.SUBMITTED and claim.evidence
    assert total_of(world.deputy_a) == 0
    claim_confirm(claim=claim, actor=world.liaison)
    assert total_of(world.deputy_a) == 0  # recorded by the office, not yet verified
    claim_verify(claim=claim, actor=world.district_staff)
    assert total_of(world.deputy_a) == 5
    # Verifying twice is refused and never double counts.
    with pytest.raises(ValidationError):
        claim_verify(claim=claim, actor=world.district_staff)
    assert Entry.objects.count() == 1


def test_liaison_entered_claim_waits_only_for_verification_002_1_2(world):
    claim = claim_submit(deputy=world.deputy_b, rule_item=yantian_item(4), occurred_on=DAY, description="宣讲",
                         actor=world.liaison)
    assert claim.status == Claim.Status.CONFIRMED
    claim_verify(claim=claim, actor=world.district_staff)
    assert total_of(world.deputy_b) == 3


def test_refusal_needs_a_reason_and_counts_nothing_002_1_2(world):
    claim = claim_submit(deputy=world.deputy_a, rule_item=yantian_item(14), occurred_on=DAY, description="抢险",
                         actor=world.deputy_a_user)
    with pytest.raises(ValidationError):
        claim_refuse(claim=claim, actor=world.liaison, reason=" ")
    claim_refuse(claim=claim, actor=world.liaison, reason="无佐证材料")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REFUSED and claim.refusal_reason == "无佐证材料"
    with pytest.raises(ValidationError):
        claim_verify(claim=claim, actor=world.district_staff)
    assert total_of(world.deputy_a) == 0


def test_record_items_cannot_be_claimed_002(world):
    with pytest.raises(ValidationError):
        claim_submit(deputy=world.deputy_a, rule_item=yantian_item(1), occurred_on=DAY, description="x",
                     actor=world.deputy_a_user)


def test_accepted_review_reverses_the_entry_and_records_the_correction_002_1_4(world):
    verified_claim(world, yantian_item(14))  # 20 points
    entry = Entry.objects.get()
    review = review_request(entry=entry, reason="应为两次", actor=world.deputy_a_user)
    with pytest.raises(ValidationError):
        review_request(entry=entry, reason="again", actor=world.deputy_a_user)
    review_decide(review=review, accept=True, corrected_points=40, reason="核实为两次", actor=world.city_staff)
    review.refresh_from_db()
    assert review.status == "accepted" and review.decision_reason == "核实为两次" and review.decided_by == world.city_staff
    kinds = sorted(Entry.objects.values_list("kind", "points"))
    assert kinds == [("award", 20), ("award", 40), ("reversal", -20)]
    assert total_of(world.deputy_a) == 40
    with pytest.raises(ValidationError):
        review_decide(review=review, accept=False, reason="x", actor=world.city_staff)


def test_rejected_review_changes_nothing_but_is_recorded_002_1_4(world):
    verified_claim(world, yantian_item(12))
    review = review_request(entry=Entry.objects.get(), reason="分数不对", actor=world.deputy_a_user)
    review_decide(review=review, accept=False, reason="符合标准", actor=world.city_staff)
    review.refresh_from_db()
    assert review.status == "rejected" and review.decision_reason == "符合标准"
    assert total_of(world.deputy_a) == 5 and Entry.objects.count() == 1


def test_published_quarterly_snapshot_is_unchanged_by_a_later_correction_002_1_3(world):
    verified_claim(world, yantian_item(14), day=datetime.date(2026, 2, 1))
    snap = snapshot_publish(year=2026, quarter=1, actor=world.city_staff)
    row = SnapshotRow.objects.get(snapshot=snap, deputy=world.deputy_a)
    assert row.total == 20 and row.rank_city == 1
    review = review_request(entry=Entry.objects.get(), reason="x", actor=world.deputy_a_user)
    review_decide(review=review, accept=True, corrected_points=0, reason="不符合", actor=world.city_staff)
    row.refresh_from_db()
    assert row.total == 20  # frozen
    with pytest.raises(ValidationError):
        snapshot_publish(year=2026, quarter=1, actor=world.city_staff)
    q2 = snapshot_publish(year=2026, quarter=2, actor=world.city_staff)
    assert SnapshotRow.objects.get(snapshot=q2, deputy=world.deputy_a).total == 0


def test_snapshot_counts_only_entries_up_to_the_quarter_end_002_1_3(world):
    verified_claim(world, yantian_item(12), day=datetime.date(2026, 3, 31))
    verified_claim(world, yantian_item(13), day=datetime.date(2026, 4, 1))
    snap = snapshot_publish(year=2026, quarter=1, actor=world.city_staff)
    assert SnapshotRow.objects.get(snapshot=snap, deputy=world.deputy_a).total == 5


def test_ties_share_a_rank_standard_competition_ranking_002_1_3():
    assert competition_ranks({"a": 10, "b": 8, "c": 8, "d": 5}) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_rankings_within_office_district_and_city_002_1_3(world):
    verified_claim(world, yantian_item(14), deputy=world.deputy_c)  # 20, district B
    verified_claim(world, yantian_item(12), deputy=world.deputy_a)  # 5, district A
    rows = {r.deputy_id: r for r in standings_compute(year=2026)}
    a, b, c = rows[world.deputy_a.pk], rows[world.deputy_b.pk], rows[world.deputy_c.pk]
    assert (c.rank_city, a.rank_city, b.rank_city) == (1, 2, 3)
    assert (a.rank_district, b.rank_district, c.rank_district) == (1, 2, 1)
    assert a.office_id == world.office_a1.pk and (a.rank_office, b.rank_office) == (1, 2)
    assert c.rank_office == 1


def test_published_rule_set_is_not_edited_a_new_version_is_002(world):
    yantian = RuleSet.objects.get(code="yantian")
    with pytest.raises(ValidationError):
        ruleset_publish(rule_set=yantian)
    e = points_record_event(deputy=world.deputy_a, event="proposal", source=make_record(world.deputy_a), occurred_on=DAY)
    v2 = ruleset_new_version(rule_set=yantian)
    assert v2.version == 2 and not v2.is_published and v2.items.count() == yantian.items.count()
    v2.items.filter(number=7).update(points=4)
    ruleset_publish(rule_set=v2, make_default=True)
    assert RuleSet.objects.get(is_default=True) == v2
    # Points already awarded keep the points of their time; new records use the new version.
    e2 = points_record_event(deputy=world.deputy_a, event="proposal", source=make_record(world.deputy_a, 2), occurred_on=DAY)
    assert Entry.objects.get(pk=e.pk).points == 3 and e2.points == 4
    assert total_of(world.deputy_a) == 7


def test_cosigning_cap_of_nine_holds_across_a_new_version_published_mid_year_002(world):
    """A new version of the rule set in the middle of the year does not open a second cap."""
    from scoring.selectors import capped_deputy_totals, capped_total, standings_fill_detail

    for n in range(3):
        points_record_event(
            deputy=world.deputy_a, event="motion_cosign", source=make_record(world.deputy_a, n), occurred_on=DAY
        )
    v1 = RuleSet.objects.get(code="yantian", version=1)
    v2 = ruleset_new_version(rule_set=v1, actor=world.city_staff)
    ruleset_publish(rule_set=v2, make_default=True, actor=world.city_staff)
    for n in range(3, 6):
        points_record_event(
            deputy=world.deputy_a, event="motion_cosign", source=make_record(world.deputy_a, n),
            occurred_on=datetime.date(2026, 10, 5),
        )
    items = set(Entry.objects.filter(deputy=world.deputy_a).values_list("rule_item__rule_set__version", flat=True))
    assert items == {1, 2}  # the facts went to both versions
    assert total_of(world.deputy_a) == 9
    assert capped_deputy_totals(year=2026)[world.deputy_a.pk] == 9
    # The performance file's one-query total caps the same way (six co-signings of 3, capped at 9).
    assert capped_total(Entry.objects.filter(deputy=world.deputy_a, year=2026)) == 9
    (row,) = standings_fill_detail(
        [r for r in standings_compute(year=2026, detail=False) if r.deputy_id == world.deputy_a.pk], year=2026
    )
    assert row.total == 9 and sum(row.by_item.values()) == 9
