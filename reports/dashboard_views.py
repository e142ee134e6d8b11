"""The organization department's dashboard page (SPEC §5); its figures come from dashboard_selectors."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.lib.charts import Series, bar_chart
from liaison.lib.permissions import role_required
from liaison.models import Role
from offices import rules

from .dashboard_selectors import attendance_by_period, cases_by_unit, offices_below_standard, top_of_latest_standings


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
                (not office.meets_area_standard, _("area under %(n)s m²") % {"n": rules.OFFICE_MIN_AREA_M2}),
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
    return render(request, "reports/dashboard.html", context)
