"""The organization department's dashboard (SPEC §5): attendance rate per reception period, open
and overdue cases per responsible unit, the latest published points standings and the offices
below standard, each with a chart or a list, within the staff member's scope.

Every figure is one aggregate query, whatever the number of deputies, cases or offices.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.lib.charts import Series, bar_chart
from liaison.lib.permissions import role_required
from liaison.models import Role
from reception.models import Attendance, ReceptionPeriod

from .models import Office, OfficeLiaison
from .selectors import offices_visible_to, units_visible_to

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
    Outcome = Attendance.Outcome
    rows = (
        Attendance.objects.filter(period__in=periods.filter(key__in=keys))
        .values("period__key")
        .annotate(
            total=Count("id"),
            attended=Count("id", filter=Q(outcome=Outcome.ATTENDED)),
            made_up=Count("id", filter=Q(outcome=Outcome.MADE_UP)),
            leave=Count("id", filter=Q(outcome=Outcome.LEAVE)),
            absent=Count("id", filter=Q(outcome=Outcome.ABSENT)),
        )
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
    those of them past the deadline staff set; most overdue first."""
    from cases.deadline_selectors import dispatch_overdue_q, open_dispatch_q
    from cases.models import CaseDispatch

    today = today or timezone.localdate()
    open_dispatches = CaseDispatch.objects.filter(open_dispatch_q(), unit__in=units_visible_to(user=user))
    return list(
        open_dispatches.values("unit_id", "unit__name")
        .annotate(open=Count("id"), overdue=Count("id", filter=dispatch_overdue_q(today)))
        .order_by("-overdue", "-open", "unit__name")[:UNITS_SHOWN]
    )


def top_of_latest_standings(*, user):
    from scoring.models import Snapshot, SnapshotRow

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
        | Q(area_m2__lt=Office.MIN_AREA_M2)
        | Q(open_half_days_per_week__lt=Office.MIN_HALF_DAYS_PER_WEEK)
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


@role_required(Role.ORG_STAFF)
def dashboard(request):
    user = request.user
    periods = attendance_by_period(user=user)
    units = cases_by_unit(user=user)
    snapshot, top = top_of_latest_standings(user=user)
    below_count, below = offices_below_standard(user=user)
    for office in below:
        office.shortfalls = [
            text
            for failed, text in (
                (not office.meets_area_standard, _("area under %(n)s m²") % {"n": Office.MIN_AREA_M2}),
                (not office.meets_hours_standard, _("open less than a half-day a week")),
                (not office.has_full_time, _("no full-time liaison")),
            )
            if failed
        ]
    context = {
        "periods": periods,
        "attendance_chart": bar_chart(
            groups=[p["key"] for p in periods],
            series=[Series(_("Attendance rate"), [p["rate"] for p in periods])],
            max_value=100, unit="%",
        ) if periods else None,
        "units": units,
        "units_chart": bar_chart(
            groups=[u["unit__name"] for u in units],
            series=[Series(_("Waiting for a reply"), [u["open"] for u in units]),
                    Series(_("Overdue"), [u["overdue"] for u in units])],
        ) if units else None,
        "snapshot": snapshot,
        "top": top,
        "below_count": below_count,
        "below": below,
    }
    return render(request, "offices/dashboard.html", context)
