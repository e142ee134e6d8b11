"""The yearly totals the ledger service keeps (issue 10): one deputy's score page and home panel
rank the deputy from one row per deputy instead of aggregating the city's ledger, so the kept
totals must always equal the ledger's capped totals, and the ranks must equal the live
standings' ranks."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from offices.models import Deputy, Team, TeamMembership
from scoring.models import DeputyYearTotal, RuleSet
from scoring.selectors import (
    capped_deputy_totals,
    deputy_standing,
    deputy_totals_rebuild,
    standings_compute,
    year_totals,
)
from scoring.services import (
    claim_submit,
    claim_verify,
    points_record_event,
    points_revoke_event,
    review_decide,
    review_request,
    ruleset_bind,
    ruleset_new_version,
    ruleset_publish,
)
from tests.base import make_deputy

from .helpers import DAY, make_record, yantian_item

pytestmark = pytest.mark.django_db


def claim_points(world, deputy, number, day=DAY):
    # The deputy's own office's liaison records the claim [002 附件1 二].
    liaison = world.other_liaison if deputy == world.deputy_c else world.liaison
    claim = claim_submit(deputy=deputy, rule_item=yantian_item(number), occurred_on=day, description="活动",
                         actor=liaison)
    return claim_verify(claim=claim, actor=world.city_staff)


def cosign(deputy, n, day=DAY):
    return points_record_event(deputy=deputy, event="motion_cosign", source=make_record(deputy, n), occurred_on=day)


def _new_cosign_version(world):
    """A second version of the Yantian set, bound to district A from now on: co-signing under the
    old and the new version counts against one cap (the item's identity)."""
    v2 = ruleset_new_version(rule_set=RuleSet.objects.get(code="yantian", version=1))
    v2 = ruleset_publish(rule_set=v2)
    ruleset_bind(jurisdiction=world.district_a, year=2026, rule_set=v2)
    return v2


def test_kept_totals_equal_the_ledgers_capped_totals_through_caps_reversals_reviews_and_versions_002(world):
    for n in range(4):  # 12 points of co-signing under version 1, capped at 9
        cosign(world.deputy_a, n)
    record = make_record(world.deputy_b, 10)
    points_record_event(deputy=world.deputy_b, event="motion_lead", source=record, occurred_on=DAY)
    points_revoke_event(deputy=world.deputy_b, event="motion_lead", source=record, reason="撤回")
    claim = claim_points(world, world.deputy_c, 14)  # 20
    review = review_request(entry=_entry_of(claim), reason="应为一次", actor=world.deputy_c_user)
    review_decide(review=review, accept=True, corrected_points=5, reason="核实", actor=world.city_staff)
    _new_cosign_version(world)
    cosign(world.deputy_b, 20, day=datetime.date(2026, 8, 1))
    for n in range(30, 33):  # version 2: still one cap of 9 for the item across versions
        cosign(world.deputy_a, n, day=datetime.date(2026, 9, 1))
    ledger = capped_deputy_totals(year=2026)
    assert ledger[world.deputy_a.pk] == 9 and ledger[world.deputy_c.pk] == 5
    assert year_totals(year=2026) == ledger
    # A rebuild from the ledger (what the bench generator runs after its bulk load) writes the same.
    kept = dict(DeputyYearTotal.objects.values_list("deputy_id", "total"))
    DeputyYearTotal.objects.all().delete()
    assert deputy_totals_rebuild() == len(kept)
    assert dict(DeputyYearTotal.objects.values_list("deputy_id", "total")) == kept


def _entry_of(claim):
    from scoring.models import Entry

    return Entry.objects.get(event="claim", source_id=claim.pk)


def test_one_deputys_ranks_equal_the_live_standings_ranks_with_ties_002_1_3(world):
    team = Team.objects.get(office=world.office_a1)
    extra = []
    for i in range(4):
        d = make_deputy(f"代表{i}", district=world.district_a, community=world.community_a1)
        TeamMembership.objects.create(team=team, deputy=d)
        extra.append(d)
    claim_points(world, world.deputy_a, 12)  # 5
    claim_points(world, world.deputy_b, 13)  # 5: tie with A
    claim_points(world, world.deputy_c, 14)  # 20, other district
    claim_points(world, extra[0], 14)  # 20
    cosign(extra[1], 1)  # 3
    extra[2].status = Deputy.Status.RESIGNED  # not ranked
    extra[2].save(update_fields=["status"])
    claim_points(world, extra[2], 14)
    rows = {r.deputy_id: r for r in standings_compute(year=2026)}
    for deputy in [world.deputy_a, world.deputy_b, world.deputy_c, *extra]:
        deputy.refresh_from_db()
        row, counts = deputy_standing(deputy=deputy, year=2026)
        live = rows.get(deputy.pk)
        if live is None:
            assert row is None, deputy
            continue
        assert (row.total, row.rank_city, row.rank_district, row.rank_office) == (
            live.total, live.rank_city, live.rank_district, live.rank_office
        ), deputy
        assert counts == {
            "city": len(rows),
            "district": sum(1 for r in rows.values() if r.district_id == live.district_id),
            "office": sum(1 for r in rows.values() if live.office_id and r.office_id == live.office_id),
        }


def test_one_deputys_cached_standing_follows_every_ledger_and_roster_change(world, settings):
    """deputy_standing is cached (issue 10 item 2) under the versions of the year's kept totals and
    the roster: a point recorded for anyone, a deputy leaving, a rebuild each give the new ranks on
    the next read, and a repeated read makes no query."""
    from django.test.utils import CaptureQueriesContext

    settings.VERSIONED_CACHE = True
    deputy = world.deputy_a
    claim_points(world, world.deputy_a, 12)  # 5
    row, counts = deputy_standing(deputy=deputy, year=2026)
    assert row.rank_city == 1
    with CaptureQueriesContext(connection) as ctx:
        assert deputy_standing(deputy=deputy, year=2026) == (row, counts)
    assert len(ctx.captured_queries) == 0
    claim_points(world, world.deputy_c, 14)  # 20, another deputy's ledger
    row, _ = deputy_standing(deputy=deputy, year=2026)
    assert row.rank_city == 2
    world.deputy_c.status = Deputy.Status.RESIGNED  # the roster
    world.deputy_c.save(update_fields=["status"])
    row, after = deputy_standing(deputy=deputy, year=2026)
    assert row.rank_city == 1 and after["city"] == counts["city"] - 1
    DeputyYearTotal.objects.filter(deputy=world.deputy_a).delete()  # a write that bypasses the service ...
    deputy_totals_rebuild(year=2026)  # ... then the rebuild, which bumps the versions
    row, _ = deputy_standing(deputy=deputy, year=2026)
    assert row.total == 5 and row.rank_city == 1


def test_score_page_chart_caps_like_the_total_across_rule_set_versions_002(client, world):
    """The chart's months add up to the total: one cap per item across versions of its rule set
    (it used to cap each version's item on its own and showed 18 for a capped 9)."""
    for n in range(3):
        cosign(world.deputy_a, n, day=datetime.date(2026, 3, 1))
    _new_cosign_version(world)
    for n in range(10, 13):
        cosign(world.deputy_a, n, day=datetime.date(2026, 9, 1))
    client.force_login(world.deputy_a_user)
    ctx = client.get(reverse("scoring:my_points") + "?year=2026").context
    bars = ctx["chart"]["bars"]
    assert ctx["mine"].total == 9
    assert bars[-1]["value"] == 9 and bars[2]["value"] == 9 and bars[8]["gain"] == 0
    assert sum(b["gain"] for b in bars) == 9


def test_the_home_panel_and_score_page_do_not_read_other_deputies_entries(client, world):
    """Issue 10: one deputy's pages aggregate that deputy's ledger only; the ranks come from the
    kept totals."""
    claim_points(world, world.deputy_c, 14)
    claim_points(world, world.deputy_a, 12)
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.deputy_a_user)
    for url in ("/", reverse("scoring:my_points") + "?year=2026"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        for q in ctx.captured_queries:
            sql = q["sql"]
            if "scoring_entry" in sql and "SUM(" in sql.upper():
                assert "deputy_id\" IN" in sql or "deputy_id IN" in sql or "deputy_id\" =" in sql, sql


@pytest.mark.postgres
def test_one_deputys_ledger_sum_reads_the_year_deputy_index(world):
    """The score page sums one deputy's year: an index range, not the year's ledger."""
    claim_points(world, world.deputy_a, 12)
    from scoring.selectors import _capped_totals_sql

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN " + _capped_totals_sql(where="e.year = %s AND e.deputy_id IN (%s)"), [2026, world.deputy_a.pk]
        )
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "entry_year_deputy_item" in plan, plan


def test_the_database_ranks_the_live_standings_like_standings_compute_in_every_scope_002_1_3(world):
    """The live standings page is ranked and cut by the database (RankedStandings): every scope,
    filter and page must give the rows and ranks of `standings_compute`."""
    from scoring.selectors import RankedStandings

    team = Team.objects.get(office=world.office_a1)
    for i in range(5):
        d = make_deputy(f"代表{i}", district=world.district_a, community=world.community_a1)
        TeamMembership.objects.create(team=team, deputy=d)
        if i % 2:
            cosign(d, i)
    make_deputy("无团队", district=world.district_a, community=world.community_a2)  # no team, no office
    claim_points(world, world.deputy_a, 12)
    claim_points(world, world.deputy_b, 13)
    claim_points(world, world.deputy_c, 14)
    live = standings_compute(year=2026, detail=False)
    key = lambda r: (r.deputy_id, r.total, r.rank_city, r.rank_district, r.rank_office, r.office_id)  # noqa: E731
    for rank_field, filters, expected in (
        ("rank_city", {}, live),
        ("rank_district", {"district_id": world.district_a.pk}, [r for r in live if r.district_id == world.district_a.pk]),
        ("rank_office", {"office_id": world.office_a1.pk}, [r for r in live if r.office_id == world.office_a1.pk]),
        ("rank_city", {"q": "代表"}, [r for r in live if "代表" in r.name]),
    ):
        ranked = RankedStandings(year=2026, rank_field=rank_field, **filters)
        expected = sorted(expected, key=lambda r: (getattr(r, rank_field), r.name, r.deputy_id))
        assert ranked.count() == len(expected)
        page = ranked[0:100]
        # Names within a rank follow the database's collation: compare the rows, and the order of ranks.
        assert sorted(map(key, page)) == sorted(map(key, expected))
        assert [getattr(r, rank_field) for r in page] == sorted(getattr(r, rank_field) for r in expected)
        assert [key(r) for r in ranked[2:4]] == [key(r) for r in page[2:4]]
    assert RankedStandings(year=2026, q="%").count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_awards_to_one_deputy_at_once_both_count_in_the_kept_total_002(world):
    """The kept total is recomputed under a row lock: two workers awarding different records to
    the same deputy at the same moment must leave the total of both entries, not of one."""
    from tests.base import run_at_once

    first, second = make_record(world.deputy_a, 1), make_record(world.deputy_a, 2)

    def award(record):
        return lambda: points_record_event(deputy=world.deputy_a, event="inquiry", source=record, occurred_on=DAY)

    assert not [o for o in run_at_once(award(first), award(second)) if isinstance(o, Exception)]
    assert year_totals(year=2026)[world.deputy_a.pk] == capped_deputy_totals(year=2026)[world.deputy_a.pk] == 10


# ---------------------------------------------------------------- the cached live standings


def _standings(client, user, url):
    """(deputy id → (total, rank) on the page, the page's queries)."""
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    table = {t["row"].deputy_id: (t["row"].total, t["rank"]) for t in response.context["table"]}
    return table, [q["sql"] for q in ctx.captured_queries]


def _ranking_queries(sqls):
    return [sql for sql in sqls if "scoring_deputyyeartotal" in sql and "COALESCE" in sql]


def test_the_cached_live_standings_show_a_new_entry_a_reversal_and_a_roster_change_at_once_002(client, world):
    """Issue 10: the live standings' ranking is cached under the versions of the year's kept
    totals and of the roster. A repeated request reads no ranking from the database; the request
    after a ledger write, a reversal, a resignation or a team change shows it at once."""
    from offices.services import team_set_members

    for n in range(3):
        cosign(world.deputy_a, n)  # 9
    cosign(world.deputy_b, 1)  # 3
    url = reverse("scoring:standings") + "?year=2026&scope=city"
    first, sqls = _standings(client, world.city_staff, url)
    assert first[world.deputy_a.pk] == (9, 1) and first[world.deputy_b.pk] == (3, 2)
    assert len(_ranking_queries(sqls)) == 2  # the count and the page
    again, sqls = _standings(client, world.city_staff, url)
    assert again == first and _ranking_queries(sqls) == []

    records = [make_record(world.deputy_b, 10), make_record(world.deputy_b, 11)]
    for record in records:  # 3 + 5 + 5 = 13: deputy B moves up
        points_record_event(deputy=world.deputy_b, event="inquiry", source=record, occurred_on=DAY)
    table, sqls = _standings(client, world.city_staff, url)
    assert table[world.deputy_b.pk] == (13, 1) and table[world.deputy_a.pk] == (9, 2)
    assert len(_ranking_queries(sqls)) == 2

    points_revoke_event(deputy=world.deputy_b, event="inquiry", source=records[1], reason="撤回")
    table, _sqls = _standings(client, world.city_staff, url)
    assert table[world.deputy_b.pk] == (8, 2) and table[world.deputy_a.pk] == (9, 1)

    # A resignation takes the deputy off the live standings (a save: the roster's receivers).
    world.deputy_a.status = Deputy.Status.RESIGNED
    world.deputy_a.save(update_fields=["status"])
    table, _sqls = _standings(client, world.city_staff, url)
    assert world.deputy_a.pk not in table and table[world.deputy_b.pk] == (8, 1)

    # A new team's members (a bulk write: the service bumps the roster itself) rank in its office.
    office_url = reverse("scoring:standings") + f"?year=2026&scope=office&office={world.office_a1.pk}"
    before, _sqls = _standings(client, world.city_staff, office_url)
    newcomer = make_deputy("新成员", district=world.district_a, community=world.community_a1)
    team = Team.objects.get(office=world.office_a1)
    members = [(m.deputy, m.is_leader) for m in TeamMembership.objects.filter(team=team).select_related("deputy")]
    cosign(newcomer, 1)
    team_set_members(team=team, members=members + [(newcomer, False)])
    after, _sqls = _standings(client, world.city_staff, office_url)
    assert newcomer.pk not in before and after[newcomer.pk][0] == 3


def test_the_cached_live_standings_make_the_same_queries_at_n_and_3n_deputies(client, world):
    """Cold (after a ledger write) and warm, the live standings page makes the same number of
    queries whatever the number of deputies and entries."""
    team = Team.objects.get(office=world.office_a1)
    url = reverse("scoring:standings") + "?year=2026&scope=city"

    def grow(n, start):
        for i in range(start, start + n):
            d = make_deputy(f"代表{i}", district=world.district_a, community=world.community_a1)
            TeamMembership.objects.create(team=team, deputy=d)
            for j in range(3):
                cosign(d, j)

    def counts():
        cosign(world.deputy_a, 100 + Deputy.objects.count())  # a ledger write: the cache is cold
        _table, cold = _standings(client, world.city_staff, url)
        _table, warm = _standings(client, world.city_staff, url)
        return len(cold), len(warm)

    grow(3, 0)
    small = counts()
    grow(6, 3)
    large = counts()
    assert small == large and large[1] == large[0] - 2, (small, large)
