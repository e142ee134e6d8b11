"""The organization department's dashboard (SPEC §5): attendance rate per reception period, open
and overdue cases per responsible unit, the latest published points standings and the offices
below standard, each within the staff member's scope.

Every figure is one aggregate query, whatever the number of deputies, cases or offices.
"""

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import UnitOpenShares, UnitOpenTotal
from liaison.lib.versions import cached_result
from offices import rules
from offices.models import OfficeLiaison
from offices.selectors import offices_visible_to, units_visible_to
from reception.attendance_version import attendance_versions
from reception.models import Attendance, ReceptionPeriod
from scoring.models import Snapshot, SnapshotRow

PERIODS_SHOWN = 6
UNITS_SHOWN = 10
TOP_DEPUTIES = 10
OFFICES_SHOWN = 20


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def attendance_by_period(*, user, today=None):
    """The last periods that have begun, newest last: per period key (a city-wide period is the
    same slot in every district) the outcomes recorded and the attendance rate, counting made-up
    absences as attended and approved leave as excused [000 十一]."""
    today = today or timezone.localdate()
    periods = ReceptionPeriod.objects.filter(start__lte=today)
    if user.staff_district_id:
        periods = periods.filter(district_id=user.staff_district_id)
    keys = list(periods.order_by("-start").values_list("key", flat=True).distinct()[: PERIODS_SHOWN * 4])
    keys = sorted(dict.fromkeys(keys))[-PERIODS_SHOWN:]
    if not keys:
        return []
    Outcome = Attendance.Outcome
    # Counting the outcome (never null), not the id, lets PostgreSQL read the rows from the index
    # attendance_period_outcome alone (index-only scan) instead of fetching every row of six
    # periods (120,000 at 20,000 deputies: 170 -> 64 ms).
    rows = (
        Attendance.objects.filter(period__in=periods.filter(key__in=keys))
        .values("period__key")
        .annotate(
            total=Count("outcome"),
            attended=Count("outcome", filter=Q(outcome=Outcome.ATTENDED)),
            made_up=Count("outcome", filter=Q(outcome=Outcome.MADE_UP)),
            leave=Count("outcome", filter=Q(outcome=Outcome.LEAVE)),
            absent=Count("outcome", filter=Q(outcome=Outcome.ABSENT)),
        )
    )
    # Still every row of six slots (120,000 at 20,000 deputies): cached under the versions of
    # those slots' attendance and periods (reception.attendance_version), which every attendance
    # write bumps, so a closed period's figures are read once.
    sql, params = rows.query.sql_with_params()
    rows = cached_result(
        names=tuple(dict.fromkeys(name for key in keys for name in attendance_versions(key))),
        parts=("reports.attendance_by_period", sql, params),
        compute=lambda: list(rows),
    )
    by_key = {row["period__key"]: row for row in rows}
    result = []
    for key in keys:
        row = by_key.get(key, {"total": 0, "attended": 0, "made_up": 0, "leave": 0, "absent": 0})
        result.append({
            "key": key, **{k: row[k] for k in ("total", "attended", "made_up", "leave", "absent")},
            "rate": _rate(row["attended"] + row["made_up"], row["total"]),
        })
    return result


def cases_by_unit(*, user, today=None):
    """Per responsible unit, the dispatches of the current round still waiting for a reply, and
    those of them past the deadline staff set; most overdue first.

    Read from the kept counts (cases.unit_figures_services): the unit's open shares, less those
    whose deadline is today or later, are the overdue ones, so the day's date needs no kept
    state. One row per unit and an index range per unit (unit_open_shares_once), instead of
    joining every open share with its case (issue 10: 100,000 shares, 0.47 s)."""
    today = today or timezone.localdate()
    not_yet_due = (
        UnitOpenShares.objects.filter(unit_id=OuterRef("unit_id"), deadline__gte=today)
        .order_by()
        .values("unit_id")
        .annotate(shares=Sum("shares"))
        .values("shares")
    )
    rows = UnitOpenTotal.objects.filter(unit__in=units_visible_to(user=user), shares__gt=0).annotate(
        open=F("shares"), overdue=F("shares") - Coalesce(Subquery(not_yet_due), 0)
    )
    return list(
        rows.values("unit_id", "unit__name", "open", "overdue").order_by("-overdue", "-open", "unit__name")[:UNITS_SHOWN]
    )


def top_of_latest_standings(*, user):
    snapshot = Snapshot.objects.first()
    if snapshot is None:
        return None, []
    rows = SnapshotRow.objects.filter(snapshot=snapshot)
    if user.staff_district_id:
        rows = rows.filter(district_id=user.staff_district_id).order_by("rank_district")
    else:
        rows = rows.order_by("rank_city")
    return snapshot, list(rows.select_related("office")[:TOP_DEPUTIES])


def offices_below_standard(*, user):
    """Offices under the [004] standards: area under 20 m², open less than a half-day a week, or
    no full-time liaison [004 第五条 第十条 第十一条]."""
    full_time = OfficeLiaison.objects.filter(office=OuterRef("pk"), kind=OfficeLiaison.Kind.FULL_TIME)
    below = (
        Q(area_m2__isnull=True)
        | Q(area_m2__lt=rules.OFFICE_MIN_AREA_M2)
        | Q(open_half_days_per_week__lt=rules.OFFICE_MIN_HALF_DAYS_PER_WEEK)
        | Q(has_full_time=False)
    )
    qs = (
        offices_visible_to(user=user)
        .filter(is_active=True)
        .annotate(has_full_time=Exists(full_time))
        .filter(below)
        .order_by("district__name", "name")
    )
    return qs.count(), list(qs[:OFFICES_SHOWN])
