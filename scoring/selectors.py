"""Reads of the points ledger: totals and standings by aggregation (never a counter on the deputy),
and what each viewer may see of claims, reviews, snapshots and reports."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.urls import reverse

from liaison.lib.permissions import scope_to_staff
from liaison.lib.versions import cached_result, version_bump
from liaison.models import Role
from offices.models import ContactVisit, Deputy, Team, TeamMembership
from offices.roster_version import ROSTER

from .models import AnnualReport, Claim, DeputyYearTotal, Entry, ExportJob, Review, RuleItem, RuleSet, SnapshotRow


def competition_ranks(values):
    """Standard competition ranking ("1, 2, 2, 4"): equal totals share a rank, and the next rank
    skips as many places as were shared. `values` maps a key to a total; returns key → rank."""
    ordered = sorted(values.items(), key=lambda kv: -kv[1])
    ranks = {}
    previous = None
    rank = 0
    for position, (key, total) in enumerate(ordered, start=1):
        if total != previous:
            rank = position
            previous = total
        ranks[key] = rank
    return ranks


def capped_item_totals(entries):
    """Aggregate ledger entries per deputy and item, then apply each item's yearly cap (co-signing is
    capped at 9 a year [002 附件2 9]). Two queries whatever the number of rows.

    The cap holds for the item across versions of its rule set: when staff publish a new version
    in the middle of a year, points under the old and the new version count against one cap (the
    stricter of the two), taken in the order the versions were created.

    Returns ({deputy_id: {item_id: points}}, {item_id: RuleItem})."""
    sums = entries.values("deputy_id", "rule_item_id").annotate(s=Sum("points")).order_by()
    per_deputy = defaultdict(dict)
    item_ids = set()
    for row in sums:
        per_deputy[row["deputy_id"]][row["rule_item_id"]] = row["s"] or 0
        item_ids.add(row["rule_item_id"])
    items = RuleItem.objects.select_related("rule_set").in_bulk(item_ids)
    for totals in per_deputy.values():
        apply_caps(totals, items)
    return per_deputy, items


def capped_total(entries):
    """The capped points of one deputy's ledger `entries` of one year (as `capped_item_totals`
    caps them), in one query: each item's sum read with what the cap needs of its rule item."""
    sums = (
        entries.values(
            "rule_item_id", "rule_item__number", "rule_item__variant", "rule_item__cap_per_year",
            "rule_item__rule_set__code",
        )
        .annotate(s=Sum("points"))
        .order_by()
    )
    totals = {}
    items = {}
    for row in sums:
        item_id = row["rule_item_id"]
        totals[item_id] = totals.get(item_id, 0) + (row["s"] or 0)
        items[item_id] = RuleItem(
            pk=item_id, number=row["rule_item__number"], variant=row["rule_item__variant"],
            cap_per_year=row["rule_item__cap_per_year"], rule_set=RuleSet(code=row["rule_item__rule_set__code"]),
        )
    return sum(apply_caps(totals, items).values())


def apply_caps(totals, items):
    """Cap one deputy's {item_id: points} of a year in place (see `capped_item_totals`); `items`
    maps the item ids to RuleItems with their rule set loaded. Returns `totals`."""
    same_item = defaultdict(list)
    for item_id in sorted(totals):
        same_item[_item_identity(items[item_id])].append(item_id)
    for ids in same_item.values():
        caps = [items[i].cap_per_year for i in ids if items[i].cap_per_year is not None]
        if not caps:
            continue
        room = min(caps)
        for item_id in ids:
            totals[item_id] = max(0, min(totals[item_id], room))
            room -= totals[item_id]
    return totals


def _item_identity(item):
    """One item across the versions of its rule set."""
    return (item.rule_set.code, item.number, item.variant)


@dataclass
class StandingRow:
    deputy_id: int
    name: str
    district_id: int
    office_id: int | None
    total: int = 0
    by_category: dict = field(default_factory=dict)
    by_item: dict = field(default_factory=dict)
    rank_city: int = 0
    rank_district: int = 0
    rank_office: int | None = None


def deputy_offices(deputy_ids=None):
    """deputy id → the office of their (first) team: the seed ranks deputies office by office."""
    qs = TeamMembership.objects.order_by("-team_id")
    if deputy_ids is not None:
        qs = qs.filter(deputy_id__in=deputy_ids)
    return dict(qs.values_list("deputy_id", "team__office_id"))


def _capped_totals_sql(*, where):
    """SELECT deputy_id, year, capped total FROM the ledger WHERE `where` (on alias e), grouped per
    deputy and year: sum per item identity (rule-set code, number, variant: one item across
    versions), cap with the stricter cap of the versions involved, then sum per deputy."""
    entry, item, ruleset = Entry._meta.db_table, RuleItem._meta.db_table, RuleSet._meta.db_table
    return (
        f"SELECT t.deputy_id, t.year, SUM(CASE WHEN t.cap IS NOT NULL AND t.s > t.cap THEN t.cap ELSE t.s END) "
        f"FROM (SELECT e.deputy_id, e.year, rs.code, i.number, i.variant, SUM(e.points) AS s, "
        f"MIN(i.cap_per_year) AS cap "
        f"FROM {entry} e JOIN {item} i ON i.id = e.rule_item_id JOIN {ruleset} rs ON rs.id = i.rule_set_id "
        f"WHERE {where} GROUP BY e.deputy_id, e.year, rs.code, i.number, i.variant) t GROUP BY t.deputy_id, t.year"
    )


def capped_deputy_totals(*, year, upto=None, deputy_ids=None):
    """{deputy_id: total of the year after each item's cap}, summed and capped by the database in
    one query: one row per deputy instead of one per deputy and item, for the pages that only
    need totals and ranks. Agrees with `capped_item_totals` (tests/scoring/test_standings.py).
    `deputy_ids` limits the sum to those deputies' entries (an index range per deputy)."""
    from django.db import connection

    where, params = "e.year = %s", [year]
    if upto is not None:
        where += " AND e.occurred_on <= %s"
        params.append(upto)
    if deputy_ids is not None:
        deputy_ids = [int(pk) for pk in deputy_ids]
        if not deputy_ids:
            return {}
        where += f" AND e.deputy_id IN ({', '.join(['%s'] * len(deputy_ids))})"
        params.extend(deputy_ids)
    with connection.cursor() as cursor:
        cursor.execute(_capped_totals_sql(where=where), params)
        return {deputy_id: int(total or 0) for deputy_id, _year, total in cursor.fetchall()}


def totals_version(year):
    """The cache version (liaison.lib.versions) of the kept totals of `year`: bumped by the ledger
    service whenever a deputy's kept total of the year changes, and by `deputy_totals_rebuild`."""
    return f"scoring:totals:{int(year)}"


# Bumped when every year's kept totals are rebuilt at once.
ALL_TOTALS_VERSION = "scoring:totals"


def year_totals(*, year):
    """{deputy_id: capped total of the year} from the totals the ledger service keeps (deputies
    without points have no row): one indexed read instead of aggregating the year's ledger."""
    return dict(DeputyYearTotal.objects.filter(year=year).values_list("deputy_id", "total"))


def deputy_standing(*, deputy, year, office=True):
    """One deputy's StandingRow for the year (total, city, district and office ranks, the same as in
    `standings_compute`), and the number of deputies each rank is out of, without ranking the
    city: the ranks count the serving deputies whose kept total (DeputyYearTotal) is higher.
    Two small queries whatever the size of the city (one without the office rank: office=False).
    Returns (row or None, counts).

    The result depends on the year's kept totals and the roster (serving status, districts, teams
    and memberships, names) alone, whose versions key the cache: a ledger write that changes a
    kept total, a rebuild or a roster change retires it at once (liaison.lib.versions). Counting
    the deputies above one total still reads every serving deputy's total (40-65 ms at 20,000
    deputies, issue 10), on the deputy's home and score page."""
    return cached_result(
        names=(ALL_TOTALS_VERSION, totals_version(year), ROSTER),
        parts=("deputy_standing", deputy.pk, deputy.name, deputy.district_id, int(year), bool(office)),
        compute=lambda: _deputy_standing(deputy=deputy, year=year, office=office),
    )


def _deputy_standing(*, deputy, year, office):
    from django.db.models import Count, FilteredRelation, Max, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    counts = {"city": 0, "district": 0, "office": 0}
    serving = Deputy.objects.filter(status=Deputy.Status.SERVING).order_by()
    points = serving.annotate(
        this_year=FilteredRelation("year_totals", condition=Q(year_totals__year=year))
    ).annotate(points=Coalesce("this_year__total", 0))
    # The deputy's own total is a scalar subquery that the database reads once (an InitPlan).
    mine = Coalesce(
        Subquery(DeputyYearTotal.objects.filter(deputy_id=deputy.pk, year=year).values("total")[:1]), 0
    )
    agg = points.aggregate(
        city=Count("pk"), city_above=Count("pk", filter=Q(points__gt=mine)),
        district=Count("pk", filter=Q(district_id=deputy.district_id)),
        district_above=Count("pk", filter=Q(district_id=deputy.district_id, points__gt=mine)),
        me=Count("pk", filter=Q(pk=deputy.pk)), mine=Max("points", filter=Q(pk=deputy.pk)),
    )
    counts["city"], counts["district"] = agg["city"], agg["district"]
    if not agg["me"]:
        return None, counts
    mine = agg["mine"] or 0
    row = StandingRow(
        deputy_id=deputy.pk, name=deputy.name, district_id=deputy.district_id, office_id=None, total=mine,
        rank_city=agg["city_above"] + 1, rank_district=agg["district_above"] + 1,
    )
    if not office:
        return row, counts
    # The memberships of everyone who shares an office with the deputy, with each member's serving
    # status and kept total of the year, in one query: each one's office is that of their first
    # team (deputy_offices), the deputy's own included, and the office rank counts the serving
    # members whose total is higher (the same as the city and district counts above).
    near = (
        TeamMembership.objects.filter(
            deputy_id__in=TeamMembership.objects.filter(
                team__office_id__in=TeamMembership.objects.filter(deputy_id=deputy.pk).values("team__office_id")
            ).values("deputy_id")
        )
        .annotate(
            member_points=Coalesce(
                Subquery(
                    DeputyYearTotal.objects.filter(deputy_id=OuterRef("deputy_id"), year=year).values("total")[:1]
                ),
                0,
            )
        )
        .order_by("-team_id")
    )
    first_office, member_points = {}, {}
    for deputy_id, office_id, status, points_ in near.values_list(
        "deputy_id", "team__office_id", "deputy__status", "member_points"
    ):
        first_office[deputy_id] = office_id
        if status == Deputy.Status.SERVING:
            member_points[deputy_id] = points_
    row.office_id = first_office.get(deputy.pk)
    if row.office_id is not None:
        members = [pk for pk, office_id in first_office.items() if office_id == row.office_id and pk in member_points]
        counts["office"] = len(members)
        row.rank_office = 1 + sum(1 for pk in members if member_points[pk] > mine)
    return row, counts


class RankedStandings:
    """The live standings of the year ranked by the database, as a sequence a Paginator can cut:
    the ranks come from window functions over every serving deputy's kept total
    (DeputyYearTotal), the scope and name filters apply to the ranked rows, and only the page's
    rows reach Python. Ranking 20,000 StandingRows in Python took longer than the whole page may
    (issue 10). Same ranks as `standings_compute` (tests/scoring/test_year_totals.py)."""

    RANK_FIELDS = ("rank_city", "rank_district", "rank_office")

    def __init__(self, *, year, rank_field="rank_city", district_id=None, office_id=None, q=""):
        if rank_field not in self.RANK_FIELDS:
            raise ValueError(rank_field)
        self.year, self.rank_field = year, rank_field
        self.filters, self.params = [], []
        if district_id:
            self.filters.append("r.district_id = %s")
            self.params.append(int(district_id))
        if office_id:
            self.filters.append("r.office_id = %s")
            self.params.append(int(office_id))
        if q:
            escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            self.filters.append("r.name LIKE %s ESCAPE '\\'")
            self.params.append(f"%{escaped}%")

    def _ranked(self, ranks=True):
        deputy, total = Deputy._meta.db_table, DeputyYearTotal._meta.db_table
        membership, team = TeamMembership._meta.db_table, Team._meta.db_table
        points = "COALESCE(y.total, 0)"
        # A deputy's office is that of their first team (deputy_offices).
        windows = (
            f", RANK() OVER (ORDER BY {points} DESC) AS rank_city, "
            f"RANK() OVER (PARTITION BY d.district_id ORDER BY {points} DESC) AS rank_district, "
            f"RANK() OVER (PARTITION BY t.office_id ORDER BY {points} DESC) AS rank_office "
        ) if ranks else " "
        return (
            f"SELECT d.id, d.name, d.district_id, t.office_id, {points} AS total{windows}"
            f"FROM {deputy} d LEFT JOIN {total} y ON y.deputy_id = d.id AND y.year = %s "
            f"LEFT JOIN (SELECT deputy_id, MIN(team_id) AS team_id FROM {membership} GROUP BY deputy_id) f "
            f"ON f.deputy_id = d.id LEFT JOIN {team} t ON t.id = f.team_id "
            f"WHERE d.status = %s"
        )

    def _query(self, select, tail="", extra=(), ranks=True):
        from django.db import connection

        where = f" WHERE {' AND '.join(self.filters)}" if self.filters else ""
        sql = f"SELECT {select} FROM ({self._ranked(ranks)}) r{where}{tail}"
        params = [self.year, Deputy.Status.SERVING, *self.params, *extra]

        def compute():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        # Ranking every serving deputy costs a few hundred milliseconds at 20,000 deputies (issue
        # 10); the result depends only on the year's kept totals and the roster, whose versions
        # key the cache, so a ledger write or a roster change retires it at once.
        return cached_result(
            names=(ALL_TOTALS_VERSION, totals_version(self.year), ROSTER), parts=(sql, params), compute=compute
        )

    def count(self):
        # The filters do not depend on the ranks: count without the window functions.
        return self._query("COUNT(*)", ranks=False)[0][0]

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("RankedStandings are cut by slices")
        start = index.start or 0
        stop = index.stop if index.stop is not None else start + 10**9
        rows = self._query(
            "r.id, r.name, r.district_id, r.office_id, r.total, r.rank_city, r.rank_district, r.rank_office",
            f" ORDER BY r.{self.rank_field}, r.name, r.id LIMIT %s OFFSET %s",
            (max(0, stop - start), start),
        )
        return [
            StandingRow(
                deputy_id=pk, name=name, district_id=district_id, office_id=office_id, total=int(total),
                rank_city=rank_city, rank_district=rank_district,
                rank_office=rank_office if office_id is not None else None,
            )
            for pk, name, district_id, office_id, total, rank_city, rank_district, rank_office in rows
        ]


def standing_fill_from_entries(row, entries):
    """Fill a StandingRow's breakdown (and total) from the deputy's entries of the year already
    read (with rule_item__rule_set), capped as `capped_item_totals` caps: no second ledger read."""
    per_item, items = defaultdict(int), {}
    for e in entries:
        per_item[e.rule_item_id] += e.points
        items[e.rule_item_id] = e.rule_item
    _fill(row, apply_caps(dict(per_item), items), items)
    return row


def deputy_totals_rebuild(*, year=None):
    """Recompute DeputyYearTotal from the ledger (all years, or one): after a bulk load that wrote
    entries without the ledger service. Returns the number of rows written."""
    from django.db import connection, transaction

    table = DeputyYearTotal._meta.db_table
    where, params = ("e.year = %s", [year]) if year is not None else ("1 = 1", [])
    with transaction.atomic(), connection.cursor() as cursor:
        if year is None:
            cursor.execute(f"DELETE FROM {table}")
        else:
            cursor.execute(f"DELETE FROM {table} WHERE year = %s", [year])
        cursor.execute(f"INSERT INTO {table} (deputy_id, year, total) {_capped_totals_sql(where=where)}", params)
        version_bump(ALL_TOTALS_VERSION if year is None else totals_version(year))
        return cursor.rowcount


def standings_compute(*, year, upto=None, deputies=None, detail=True):
    """Live standings of all serving deputies (or of `deputies`), ranked city-wide, within each
    district and within each office. A constant number of queries. With detail=False the rows
    carry totals and ranks only (cheaper at city scale); `standings_fill_detail` adds the category
    and item breakdown to the rows a page shows."""
    if deputies is None:
        deputies = Deputy.objects.filter(status=Deputy.Status.SERVING)
    people = list(deputies.order_by().values_list("id", "name", "district_id"))
    if detail:
        entries = Entry.objects.filter(year=year)
        if upto is not None:
            entries = entries.filter(occurred_on__lte=upto)
        per_deputy, items = capped_item_totals(entries)
    elif upto is None:
        totals_only = year_totals(year=year)
    else:
        totals_only = capped_deputy_totals(year=year, upto=upto)
    offices = deputy_offices()
    rows = []
    for deputy_id, name, district_id in people:
        row = StandingRow(deputy_id=deputy_id, name=name, district_id=district_id, office_id=offices.get(deputy_id))
        if detail:
            _fill(row, per_deputy.get(deputy_id, {}), items)
        else:
            row.total = totals_only.get(deputy_id, 0)
        rows.append(row)
    city = competition_ranks({r.deputy_id: r.total for r in rows})
    by_district = defaultdict(dict)
    by_office = defaultdict(dict)
    for r in rows:
        r.rank_city = city[r.deputy_id]
        by_district[r.district_id][r.deputy_id] = r.total
        if r.office_id:
            by_office[r.office_id][r.deputy_id] = r.total
    district_ranks = {k: competition_ranks(v) for k, v in by_district.items()}
    office_ranks = {k: competition_ranks(v) for k, v in by_office.items()}
    for r in rows:
        r.rank_district = district_ranks[r.district_id][r.deputy_id]
        if r.office_id:
            r.rank_office = office_ranks[r.office_id][r.deputy_id]
    rows.sort(key=lambda r: (r.rank_city, r.name))
    return rows


def _fill(row, totals, items):
    by_category = defaultdict(int)
    for item_id, points in totals.items():
        by_category[items[item_id].category] += points
    row.total = sum(totals.values())
    row.by_category = dict(by_category)
    row.by_item = dict(totals)


def standings_fill_detail(rows, *, year, upto=None):
    """Add the category and item breakdown to some rows of `standings_compute(detail=False)`
    (a page of them, or one deputy's): two queries whatever the number of rows."""
    ids = [r.deputy_id for r in rows]
    if not ids:
        return rows
    entries = Entry.objects.filter(year=year, deputy_id__in=ids)
    if upto is not None:
        entries = entries.filter(occurred_on__lte=upto)
    per_deputy, items = capped_item_totals(entries)
    for r in rows:
        _fill(r, per_deputy.get(r.deputy_id, {}), items)
    return rows


def deputy_score(*, deputy, year):
    """A deputy's total, categories, items and ranks for the year (live, from the ledger)."""
    mine, _counts = deputy_standing(deputy=deputy, year=year)
    if mine is not None:
        standings_fill_detail([mine], year=year)
    return mine


# ---------------------------------------------------------------- visibility


def staff_can_review(user):
    return user.is_authenticated and user.has_perm("scoring.can_review_points")


def claims_visible_to(*, user):
    qs = Claim.objects.select_related("deputy", "rule_item", "office", "deputy__district")
    if user.role == Role.DEPUTY:
        return qs.filter(deputy__user=user)
    if user.role == Role.LIAISON:
        return qs.filter(office__liaison_links__user=user)
    return scope_to_staff(qs, user, "deputy__district")


def reviews_visible_to(*, user):
    qs = Review.objects.select_related("deputy", "entry", "entry__rule_item", "decided_by")
    if user.role == Role.DEPUTY:
        return qs.filter(deputy__user=user)
    return scope_to_staff(qs, user, "deputy__district")


def entries_visible_to(*, user):
    qs = Entry.objects.select_related("rule_item", "source_type", "deputy")
    if user.role == Role.DEPUTY:
        return qs.filter(deputy__user=user)
    return scope_to_staff(qs, user, "deputy__district")


def snapshot_rows_visible_to(*, user, snapshot):
    qs = SnapshotRow.objects.filter(snapshot=snapshot).select_related("district", "office")
    return scope_to_staff(qs, user, "district")


def reports_visible_to(*, user):
    """Submitted reports are published inside the system [000 十二] to deputies, liaisons and
    organization staff; a deputy also sees their own draft. Unit handlers and the administrators
    see none (their points are in them)."""
    qs = AnnualReport.objects.select_related("deputy", "deputy__district")
    if not user.is_authenticated or user.role not in (Role.DEPUTY, Role.LIAISON, Role.ORG_STAFF):
        return qs.none()
    if user.role == Role.DEPUTY:
        return qs.filter(Q(status=AnnualReport.Status.SUBMITTED) | Q(deputy__user=user))
    return qs.filter(status=AnnualReport.Status.SUBMITTED)


# ---------------------------------------------------------------- annual report facts


def annual_report_facts(*, deputy, year):
    """The year's facts for the written report [000 十二], read from the ledger (which every record
    app feeds) and from the offices' contact records."""
    entries = Entry.objects.filter(deputy=deputy, year=year)
    per_deputy, items = capped_item_totals(entries)
    totals = per_deputy.get(deputy.pk, {})
    facts = {"points": sum(totals.values())}
    counts = defaultdict(int)
    for row in entries.values("event", "kind").annotate(q=Sum("quantity")).order_by():
        sign = 1 if row["kind"] == Entry.Kind.AWARD else -1
        counts[row["event"]] += sign * (row["q"] or 0)
    facts["receptions"] = counts.get("reception_attended", 0)
    facts["households"] = counts.get("household_visit", 0)
    facts["team_activities"] = counts.get("team_activity", 0)
    facts["cases"] = counts.get("case_received", 0) + counts.get("case_taken", 0)
    facts["proposals"] = counts.get("proposal", 0)
    facts["motions"] = counts.get("motion_lead", 0) + counts.get("motion_cosign", 0)
    facts["inquiries"] = counts.get("inquiry", 0)
    facts["verified_claims"] = counts.get("claim", 0)
    # Contact visits are counted from the offices' own records: a deputy may have records in a
    # district whose rule set gives them no points.
    facts["contact_visits"] = ContactVisit.objects.filter(contact__deputy=deputy, date__year=year).count()
    facts["by_item"] = [
        {"item": str(items[item_id]), "points": points} for item_id, points in sorted(totals.items())
    ]
    return facts


def points_export_rows(user, limit):
    """The "my exports" rows (liaison.export_selectors) of the points exports: staff's and the
    system administrator's own."""
    if user.role not in (Role.ORG_STAFF, Role.SYSADMIN):
        return []
    return [
        (job.created_at, f"{job.get_kind_display()} · {job.year}", job, reverse("scoring:export_detail", args=[job.pk]))
        for job in ExportJob.objects.filter(requested_by=user)[:limit]
    ]
