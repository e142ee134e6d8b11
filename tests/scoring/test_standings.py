"""Standings pages: rankings within office, district and city; ties shared and explained; frozen
snapshots under rule-set changes; and query counts that do not grow with deputies and entries
(SPEC §4, [002 附件1 三])."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offices.models import Team, TeamMembership
from scoring.models import Entry, RuleSet, SnapshotRow
from scoring.selectors import standings_compute
from scoring.services import (
    claim_submit,
    claim_verify,
    points_record_event,
    review_request,
    ruleset_bind,
    ruleset_new_version,
    ruleset_publish,
    snapshot_publish,
)
from tests.base import make_deputy

from .helpers import DAY, make_record, total_of, yantian_item

pytestmark = pytest.mark.django_db


def claim_points(world, deputy, number, day=DAY):
    # The services check who acts: district B's deputy is recorded by district B's office.
    liaison = world.other_liaison if deputy.district_id == world.district_b.pk else world.liaison
    claim = claim_submit(deputy=deputy, rule_item=yantian_item(number), occurred_on=day, description="活动",
                         actor=liaison)
    return claim_verify(claim=claim, actor=world.city_staff)


# ---------------------------------------------------------------- ties and rankings


def test_tied_deputies_share_a_rank_and_the_page_explains_the_rule_002_1_3(client, world):
    claim_points(world, world.deputy_a, 12)  # 5
    claim_points(world, world.deputy_b, 13)  # 5: tie with A
    rows = {r.deputy_id: r for r in standings_compute(year=2026)}
    assert rows[world.deputy_a.pk].rank_city == rows[world.deputy_b.pk].rank_city == 1
    assert rows[world.deputy_c.pk].rank_city == 3  # the next rank skips the shared place
    assert rows[world.deputy_a.pk].rank_office == rows[world.deputy_b.pk].rank_office == 1
    client.force_login(world.city_staff)
    html = client.get(reverse("scoring:standings") + "?year=2026&scope=city").content.decode()
    # The ranking rule is stated on the page, in Chinese by default.
    assert "1, 2, 2, 4" in html and "并列" in html
    client.force_login(world.deputy_a_user)
    html = client.get(reverse("scoring:my_points") + "?year=2026").content.decode()
    assert "1, 2, 2, 4" in html


def test_standings_page_ranks_within_office_district_and_city_002_1_3(client, world):
    # Deputy C (district B) leads the city; A leads district A and office A1.
    claim_points(world, world.deputy_c, 14)  # 20
    claim_points(world, world.deputy_a, 12)  # 5
    client.force_login(world.city_staff)
    url = reverse("scoring:standings") + "?year=2026"

    def ranks(query):
        response = client.get(url + query)
        return [(t["row"].name, t["rank"]) for t in response.context["table"]]

    assert ranks("&scope=city") == [("王五", 1), ("张三", 2), ("李四", 3)]
    assert ranks(f"&scope=district&district={world.district_a.pk}") == [("张三", 1), ("李四", 2)]
    assert ranks(f"&scope=office&office={world.office_a1.pk}") == [("张三", 1), ("李四", 2)]
    assert ranks(f"&scope=office&office={world.office_b1.pk}") == [("王五", 1)]
    # The liaison sees only their office's ranking, whatever they ask for.
    client.force_login(world.liaison)
    assert ranks(f"&scope=city&office={world.office_b1.pk}") == [("张三", 1), ("李四", 2)]


# ---------------------------------------------------------------- frozen snapshots and rule sets


def test_rule_set_change_never_changes_published_points_002(world):
    yantian = RuleSet.objects.get(code="yantian", version=1)
    points_record_event(deputy=world.deputy_a, event="proposal", source=make_record(world.deputy_a), occurred_on=DAY)
    claim_points(world, world.deputy_a, 12)
    q2 = snapshot_publish(year=2026, quarter=2, actor=world.city_staff)
    published = SnapshotRow.objects.get(snapshot=q2, deputy=world.deputy_a)
    assert published.total == 8
    # A new version doubles item 7 and 12 and becomes the default; the district is also rebound to
    # the Shenzhen 2013 set. Neither changes what was awarded or published.
    v2 = ruleset_new_version(rule_set=yantian)
    v2.items.filter(number__in=[7, 12]).update(points=10)
    ruleset_publish(rule_set=v2, make_default=True)
    ruleset_bind(jurisdiction=world.district_a, year=2026, rule_set=RuleSet.objects.get(code="shenzhen2013"))
    published.refresh_from_db()
    assert (published.total, published.by_item) == (8, {str(yantian_item(7).pk): 3, str(yantian_item(12).pk): 5})
    assert sorted(Entry.objects.values_list("points", flat=True)) == [3, 5]
    assert total_of(world.deputy_a) == 8
    # New records are scored under the set bound now (Shenzhen 2013: a proposal is 3).
    e = points_record_event(deputy=world.deputy_a, event="proposal", source=make_record(world.deputy_a, 2),
                            occurred_on=datetime.date(2026, 8, 1))
    assert e.rule_item.rule_set.code == "shenzhen2013"
    q3 = snapshot_publish(year=2026, quarter=3, actor=world.city_staff)
    assert SnapshotRow.objects.get(snapshot=q3, deputy=world.deputy_a).total == 11
    assert SnapshotRow.objects.get(snapshot=q2, deputy=world.deputy_a).total == 8


def test_a_correction_after_publication_shows_in_the_next_snapshot_on_the_page_002_1_3(client, world):
    from scoring.services import review_decide

    claim_points(world, world.deputy_a, 14, day=datetime.date(2026, 2, 1))  # 20
    q1 = snapshot_publish(year=2026, quarter=1, actor=world.city_staff)
    review = review_request(entry=Entry.objects.get(), reason="应为一次", actor=world.deputy_a_user)
    review_decide(review=review, accept=True, corrected_points=5, reason="核实", actor=world.city_staff)
    q2 = snapshot_publish(year=2026, quarter=2, actor=world.city_staff)
    client.force_login(world.city_staff)
    url = reverse("scoring:standings") + "?year=2026&scope=city"
    first = client.get(url + f"&snapshot={q1.pk}").context["table"]
    second = client.get(url + f"&snapshot={q2.pk}").context["table"]
    assert next(t["row"].total for t in first if t["row"].deputy_id == world.deputy_a.pk) == 20
    assert next(t["row"].total for t in second if t["row"].deputy_id == world.deputy_a.pk) == 5


# ---------------------------------------------------------------- bounded queries


def _grow(world, n, start):
    """n more deputies in office A1 with a few entries each, a verified claim and a pending review."""
    team = Team.objects.get(office=world.office_a1)
    for i in range(start, start + n):
        d = make_deputy(f"代表{i}", district=world.district_a, community=world.community_a1)
        TeamMembership.objects.create(team=team, deputy=d)
        for j in range(3):
            points_record_event(deputy=d, event="motion_cosign", source=make_record(d, j), occurred_on=DAY)
        claim_points(world, d, 12)
    for j in range(n):
        points_record_event(deputy=world.deputy_a, event="inquiry", source=make_record(world.deputy_a, 1000 + start + j),
                            occurred_on=DAY)
    entry = Entry.objects.filter(deputy=world.deputy_a, kind="award").exclude(reviews__isnull=False).first()
    review_request(entry=entry, reason="复核", actor=world.deputy_a_user)


def _counts(client, world, snapshot):
    pages = [
        (world.deputy_a_user, reverse("scoring:my_points") + "?year=2026"),
        (world.city_staff, reverse("scoring:deputy_points", args=[world.deputy_a.pk]) + "?year=2026"),
        (world.city_staff, reverse("scoring:standings") + "?year=2026&scope=city"),
        (world.district_staff, reverse("scoring:standings") + f"?year=2026&scope=district&district={world.district_a.pk}"),
        (world.liaison, reverse("scoring:standings") + f"?year=2026&scope=office&office={world.office_a1.pk}"),
        (world.city_staff, reverse("scoring:standings") + f"?year=2026&scope=city&snapshot={snapshot.pk}"),
        (world.city_staff, reverse("scoring:claim_list") + "?status="),
        (world.liaison, reverse("scoring:claim_list") + "?status="),
        (world.deputy_a_user, reverse("scoring:claim_list") + "?status="),
        (world.city_staff, reverse("scoring:review_list") + "?status="),
        (world.deputy_a_user, reverse("scoring:review_list")),
        (world.city_staff, reverse("scoring:report_list") + "?year=2026"),
        (world.deputy_a_user, "/"),
        (world.liaison, "/"),
    ]
    from liaison.lib.versions import retire_all

    counts = {}
    for index, (user, url) in enumerate(pages):
        client.force_login(user)
        retire_all()  # each page computed, not read from the cache (the home's panels are cached)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts[(index, user.username, url.split("&snapshot")[0])] = len(ctx.captured_queries)
    return counts


def test_points_pages_query_counts_do_not_grow_with_deputies_and_entries(client, world):
    """Build N deputies, count each page's queries, grow to 3N (and three times the entries,
    claims and reviews), count again: every count must stay the same."""
    n = 4
    _grow(world, n, 0)
    small = _counts(client, world, snapshot_publish(year=2026, quarter=1, actor=world.city_staff))
    _grow(world, 2 * n, n)
    large = _counts(client, world, snapshot_publish(year=2026, quarter=2, actor=world.city_staff))
    grown = {page: (small[page], large[page]) for page in small if large[page] != small[page]}
    assert not grown, grown
    assert max(large.values()) <= 30


def test_totals_summed_by_the_database_agree_with_the_item_breakdown_including_caps_002(world):
    """The pages rank on totals the database sums and caps; snapshots and exports use the
    per-item breakdown. Both must give every deputy the same total: co-signing capped at 9, a
    reversal, entries after the quarter's end."""
    from scoring.selectors import capped_deputy_totals, standings_fill_detail
    from scoring.services import points_revoke_event

    for n in range(5):  # 15 points of co-signing, capped at 9
        points_record_event(deputy=world.deputy_a, event="motion_cosign", source=make_record(world.deputy_a, n),
                            occurred_on=DAY)
    record = make_record(world.deputy_b, 10)
    points_record_event(deputy=world.deputy_b, event="motion_lead", source=record, occurred_on=DAY)
    points_revoke_event(deputy=world.deputy_b, event="motion_lead", source=record, reason="撤回")
    points_record_event(deputy=world.deputy_b, event="inquiry", source=make_record(world.deputy_b, 11), occurred_on=DAY)
    claim_points(world, world.deputy_c, 14, day=datetime.date(2026, 9, 1))
    for upto in (None, datetime.date(2026, 6, 30)):
        detailed = {r.deputy_id: r.total for r in standings_compute(year=2026, upto=upto)}
        light = standings_compute(year=2026, upto=upto, detail=False)
        assert {r.deputy_id: r.total for r in light} == detailed
        assert all(r.by_item == {} for r in light)
    assert capped_deputy_totals(year=2026) == {world.deputy_a.pk: 9, world.deputy_b.pk: 5, world.deputy_c.pk: 20}
    assert world.deputy_c.pk not in capped_deputy_totals(year=2026, upto=datetime.date(2026, 6, 30))
    rows = standings_fill_detail(standings_compute(year=2026, detail=False)[:1], year=2026)
    assert rows[0].deputy_id == world.deputy_c.pk and rows[0].by_category == {"example": 20}
