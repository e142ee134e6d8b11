"""The attendance sheet 考勤表 of one reception period (SPEC §2, §6 "export attendance sheets",
[000 十一]): one row per serving deputy in the viewer's scope with the period's outcome, the
activity that decided it and the leave reason, totals per outcome and the attendance rate; on
screen and as an Excel file with the same filters.

A period is picked by its rule slot (`ReceptionPeriod.key`), as the dashboard groups them: a
city-wide slot is one row per district, so city staff see the whole city in one sheet and each
deputy is matched with the period of their own district. A deputy with no Attendance row yet is
listed as "not recorded", never dropped.

The page costs a fixed number of queries: the outcome is a subquery annotation, and the page's
teams, fixed communities, attendance rows and leave reasons are one query each. At 20,000
deputies nothing on it reads the whole city per request: the totals per district are two grouped
queries, cached under exact versions (reception.attendance_version), and a page sorts only the
districts it falls in (`SheetPage`).
"""

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from liaison.lib.versions import cached_result
from liaison.models import Role
from offices.models import Deputy, Jurisdiction, OfficeLiaison, Team, TeamMembership
from offices.roster_version import ROSTER
from offices.selectors import deputies_visible_to

from .attendance_version import attendance_versions
from .models import Attendance, LeaveRequest, ReceptionPeriod

Outcome = Attendance.Outcome
# The filter value and label of deputies without an Attendance row for the period.
NOT_RECORDED = "none"
NOT_RECORDED_LABEL = gettext_lazy("Not recorded")


def sheet_district_ids(*, user):
    """The districts whose periods the viewer may open: None for all (city staff), the staff
    member's district, or the districts of a liaison's offices."""
    if user.role == Role.LIAISON:
        return list(
            OfficeLiaison.objects.filter(user=user).values_list("office__district_id", flat=True).distinct()
        )
    if user.is_city_staff:
        return None
    return [user.staff_district_id] if user.staff_district_id else []


def sheet_periods(*, user, today=None):
    """The period slots the viewer may open, most recent first: periods that have begun in the
    viewer's districts, as dicts of key, first day and last day (over the districts)."""
    today = today or timezone.localdate()
    periods = ReceptionPeriod.objects.filter(start__lte=today)
    district_ids = sheet_district_ids(user=user)
    if district_ids is not None:
        periods = periods.filter(district_id__in=district_ids)
    return list(periods.values("key").annotate(first=Min("start"), last=Max("end")).order_by("-first", "-key"))


def sheet_deputies(*, user, key, district_ids):
    """The deputies of the sheet, each annotated with `outcome` (None when not recorded) and
    `attendance_id`: those the viewer may see, of a district that has the period, who are serving
    or have an outcome recorded for it (a deputy who resigned since still shows what they did)."""
    attendance = _attendance_of_deputy(key)
    periods = ReceptionPeriod.objects.filter(key=key)
    if district_ids is not None:
        periods = periods.filter(district_id__in=district_ids)
    visible = deputies_visible_to(user=user)
    if visible.query.distinct:
        # A liaison's deputies come through their offices' teams (a join made distinct).
        visible = Deputy.objects.filter(pk__in=visible.values("pk"))
    # Staff see their scope's deputies: filtered in place, not as `pk IN (every deputy in scope)`,
    # which PostgreSQL checked with an index probe per deputy of the city.
    return (
        visible.filter(district_id__in=periods.values("district_id"))
        .annotate(outcome=Subquery(attendance.values("outcome")[:1]), attendance_id=Subquery(attendance.values("pk")[:1]))
        # EXISTS rather than the annotation: PostgreSQL then looks the outcome up only for the
        # deputies no longer serving, instead of for every deputy of the city (bench/README.md).
        .filter(Q(status=Deputy.Status.SERVING) | Exists(attendance))
        .select_related("district")
        # Only what the sheet shows and sorts by (issue 10: a deputy row has some thirty columns,
        # and each read one costs its conversion and assignment on fifty instances per page).
        .only(*SHEET_DEPUTY_FIELDS)
        .order_by("district__name", "name_initials", "name", "pk")
    )


# The deputy's columns the sheet, on screen and in Excel, reads (sheet_deputies, sheet_rows).
SHEET_DEPUTY_FIELDS = ("name", "name_initials", "level", "status", "district_id", "district__name")


def _attendance_of_deputy(key):
    """A deputy's outcome row for the period `key` of their own district (correlated on the outer
    deputy)."""
    return Attendance.objects.filter(deputy=OuterRef("pk"), period__key=key, period__district=OuterRef("district"))


def sheet_filter_outcome(deputies, *, key, outcome):
    """Narrow the sheet's deputies to one outcome, or to NOT_RECORDED. A semi-join (EXISTS), not a
    filter on the annotation, so that a city-wide sheet does not compute every deputy's outcome
    twice before it can sort and cut a page (a city-wide "absent" sheet at 10,000 deputies:
    bench/README.md)."""
    attendance = _attendance_of_deputy(key)
    if outcome == NOT_RECORDED:
        return deputies.filter(~Exists(attendance))
    return deputies.filter(Exists(attendance.filter(outcome=outcome)))


def sheet_totals(deputies, *, key, cache=True):
    """Rows per outcome, not recorded, and the attendance rate: attended or made up out of the
    outcomes recorded, as on the dashboard [000 十一]; and under "districts", the same per
    district in the sheet's order (`SheetPage` cuts the pages with them).

    Two grouped queries whatever the number of deputies: the period's attendance rows of the
    sheet's deputies per district and outcome (one join over the attendance table, read from
    attendance_period_outcome alone), and the sheet's deputies per district. Grouping the deputies
    by their outcome annotation ran the outcome subquery once per deputy (20,000 times for a
    city-wide sheet at 20,000 deputies, and JIT compilation on top: bench/README.md). Still, a
    city-wide sheet groups every deputy of the city, so the result is cached under the versions
    of what it reads (liaison.lib.versions): the slot's attendance and periods (attendance_version)
    and the roster (names, districts, status, teams: offices.roster_version). `cache=False` for
    deputies chosen through something no version covers (a liaison's offices: see the view)."""
    if not cache:
        districts = _district_totals(deputies, key=key)
    else:
        districts = _cached_district_totals(deputies, key=key)
    totals = {value: 0 for value in Outcome.values}
    totals["total"] = 0
    for row in districts:
        totals["total"] += row["total"]
        for value in Outcome.values:
            totals[value] += row[value]
    recorded = sum(totals[value] for value in Outcome.values)
    totals[NOT_RECORDED] = totals["total"] - recorded
    attended = totals[Outcome.ATTENDED] + totals[Outcome.MADE_UP]
    totals["recorded"] = recorded
    totals["rate"] = round(100 * attended / recorded, 1) if recorded else None
    totals["districts"] = districts
    return totals


def _cached_district_totals(deputies, *, key):
    sql, params = deputies.order_by().values("pk").query.sql_with_params()
    return cached_result(
        names=(*attendance_versions(key), ROSTER),
        parts=("reception.sheet_totals", key, sql, params),
        compute=lambda: _district_totals(deputies, key=key),
    )

def _district_totals(deputies, *, key):
    """[{"ids": district ids, "total": deputies, outcome: rows, …, NOT_RECORDED: …}] in the order
    of the sheet (district name): one entry per district name (districts of the same name share
    one, as their deputies interleave in the sheet's order)."""
    # The deputies joined with their row of the slot (one filter() call: both conditions on the
    # same row), not the rows filtered on `deputy IN (the sheet's deputies)`: PostgreSQL
    # misjudged that semi-join and probed it once per row (20,000 index probes, 0.2 s).
    counts = {}
    for district_id, outcome, n in (
        deputies.filter(attendances__period__key=key, attendances__period__district=F("district"))
        .order_by().values_list("district_id", "attendances__outcome").annotate(n=Count("pk"))
    ):
        counts[district_id, outcome] = n
    districts = []
    for district_id, name, n in (
        deputies.order_by("district__name", "district_id").values_list("district_id", "district__name")
        .annotate(n=Count("pk")).values_list("district_id", "district__name", "n")
    ):
        if not districts or districts[-1]["name"] != name:
            districts.append({"ids": [], "name": name, "total": 0, **{value: 0 for value in Outcome.values}})
        row = districts[-1]
        row["ids"].append(district_id)
        row["total"] += n
        for value in Outcome.values:
            row[value] += counts.get((district_id, value), 0)
    for row in districts:
        row[NOT_RECORDED] = row["total"] - sum(row[value] for value in Outcome.values)
    return districts


class SheetPage:
    """The sheet's deputies as the paginator's object list, cut district by district: a page's
    query reads only the districts the page falls in (known from the totals per district), so
    PostgreSQL sorts one district's deputies, not the whole city's, to find 50 of them. The page
    is the same as slicing the whole ordered sheet."""

    def __init__(self, deputies, totals, outcome=""):
        self.deputies = deputies
        self.sizes = [(row["ids"], row[outcome] if outcome else row["total"]) for row in totals["districts"]]
        self.total = sum(n for _ids, n in self.sizes)

    def __len__(self):
        return self.total

    def __getitem__(self, item):
        if not isinstance(item, slice):
            raise TypeError("SheetPage only serves slices")
        start, stop = item.start or 0, item.stop if item.stop is not None else self.total
        ids, skipped, seen = [], 0, 0
        for district_ids, n in self.sizes:
            if seen + n <= start:
                skipped += n
            elif seen < stop:
                ids.extend(district_ids)
            seen += n
        if not ids:
            return []
        return list(self.deputies.filter(district_id__in=ids)[start - skipped:stop - skipped])


def sheet_rows(deputies):
    """The sheet's rows for a list of annotated deputies (a page or an export chunk), in four
    queries whatever their number: teams with offices, fixed communities, attendance rows with
    their activities, and the reasons of approved leave."""
    deputies = list(deputies)
    ids = [d.pk for d in deputies]
    memberships = {}
    # Each query reads only the columns the rows show, and the teams and communities themselves
    # with their link's columns annotated, rather than the links with their teams and communities
    # (issue 10: fewer model instances per page, and no related row's other columns, an
    # activity's description among them, read and turned into fields for nothing).
    for team in (
        Team.objects.filter(memberships__deputy_id__in=ids).select_related("office")
        .annotate(member_id=F("memberships__deputy_id"), member_leads=F("memberships__is_leader"))
        .only("name", "office__name").order_by("name", "pk")
    ):
        memberships.setdefault(team.member_id, []).append(team)
    communities = {}
    for community in (
        Jurisdiction.objects.filter(fixed_links__deputy_id__in=ids).annotate(member_id=F("fixed_links__deputy_id"))
        .only("name").order_by("name", "pk")
    ):
        communities.setdefault(community.member_id, []).append(community)
    attendances = {
        a.pk: a
        for a in Attendance.objects.filter(pk__in=[d.attendance_id for d in deputies if d.attendance_id])
        .select_related("activity__office")
        .only("deputy_id", "period_id", "outcome", "activity__title", "activity__date", "activity__office__name")
    }
    leave_ids = [
        (a.deputy_id, a.activity_id) for a in attendances.values() if a.outcome == Outcome.LEAVE and a.activity_id
    ]
    reasons = {}
    if leave_ids:
        leave = LeaveRequest.objects.filter(
            status=LeaveRequest.Status.APPROVED,
            deputy_id__in={d for d, _a in leave_ids},
            activity_id__in={a for _d, a in leave_ids},
        ).order_by("filed_at")
        reasons = {(lr.deputy_id, lr.activity_id): lr.reason for lr in leave}
    labels = dict(Outcome.choices)
    rows = []
    for d in deputies:
        a = attendances.get(d.attendance_id)
        teams = memberships.get(d.pk, [])
        rows.append({
            "deputy": d,
            "teams": teams,
            "leads": any(t.member_leads for t in teams),
            "offices": [t.office for t in teams],
            "communities": communities.get(d.pk, []),
            "outcome": d.outcome or NOT_RECORDED,
            "outcome_label": labels[d.outcome] if d.outcome else NOT_RECORDED_LABEL,
            "attendance": a,
            "activity": a.activity if a else None,
            "leave_reason": reasons.get((d.pk, a.activity_id), "") if a and a.outcome == Outcome.LEAVE else "",
        })
    return rows


def sheet_filter(deputies, *, district=None, office=None, team=None, q=""):
    """Narrow the sheet's deputies by the page's filters (all but the outcome)."""
    if district is not None:
        deputies = deputies.filter(district=district)
    if office is not None:
        deputies = deputies.filter(
            Exists(TeamMembership.objects.filter(deputy=OuterRef("pk"), team__office=office))
        )
    if team is not None:
        deputies = deputies.filter(Exists(TeamMembership.objects.filter(deputy=OuterRef("pk"), team=team)))
    if q:
        deputies = deputies.filter(Q(name__icontains=q) | Q(name_initials__icontains=q))
    return deputies
