"""The attendance sheet page 考勤表 (its queries: attendance_selectors; its Excel file:
attendance_exporters, written by a background job)."""

from collections import namedtuple

from django.core.paginator import Paginator
from django.db.models import Value
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from liaison.export_services import export_request
from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.models import Role
from liaison.services import audit_record
from offices.models import Jurisdiction
from offices.selectors import jurisdictions_visible_to, offices_visible_to, teams_visible_to

from .attendance_selectors import (
    NOT_RECORDED,
    NOT_RECORDED_LABEL,
    Outcome,
    SheetPage,
    sheet_deputies,
    sheet_district_ids,
    sheet_filter,
    sheet_filter_outcome,
    sheet_periods,
    sheet_rows,
    sheet_totals,
)

PAGE_SIZE = 50


def _pick(request, queryset, name):
    """A filter naming an object outside the viewer's scope is a 404, as its detail page would be."""
    value = request.GET.get(name, "")
    if not value:
        return None
    return get_visible_or_404(queryset, pk=value)


@role_required(Role.ORG_STAFF, Role.LIAISON)
def attendance_sheet(request):
    user = request.user
    periods = sheet_periods(user=user)
    if not periods:
        return render(request, "reception/attendance_sheet.html", {"periods": [], "page": None})
    key = request.GET.get("period") or periods[0]["key"]
    period = next((p for p in periods if p["key"] == key), None)
    if period is None:
        raise Http404
    district_ids = sheet_district_ids(user=user)

    districts = jurisdictions_visible_to(user=user).filter(
        level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT],
        reception_periods__key=key,
    ).distinct().order_by("name") if user.role == Role.ORG_STAFF else Jurisdiction.objects.none()
    district = _pick(request, districts, "district")
    offices = offices_visible_to(user=user).filter(is_active=True).order_by("name", "pk")
    teams = teams_visible_to(user=user).order_by("name", "pk")
    if district is not None:
        offices, teams = offices.filter(district=district), teams.filter(district=district)
    office = _pick(request, offices, "office")
    team = _pick(request, teams, "team")
    outcome = request.GET.get("outcome", "")
    if outcome not in (*Outcome.values, NOT_RECORDED):
        outcome = ""
    q = request.GET.get("q", "").strip()

    deputies = sheet_filter(
        sheet_deputies(user=user, key=key, district_ids=district_ids), district=district, office=office, team=team, q=q
    )
    # The totals show every outcome of the deputies chosen by the other filters. A liaison's
    # deputies come through their office links, which no cache version covers (and are few):
    # computed each time.
    totals = sheet_totals(deputies, key=key, cache=user.role != Role.LIAISON)
    if outcome:
        deputies = sheet_filter_outcome(deputies, key=key, outcome=outcome)

    f = {"period": key, "district": request.GET.get("district", ""), "office": request.GET.get("office", ""),
         "team": request.GET.get("team", ""), "outcome": outcome, "q": q}
    if request.GET.get("format") == "xlsx":
        # A whole city's sheet takes a while to write: a worker does it while the requester
        # follows the job's progress page.
        audit_record(
            action="attendance_sheet_exported", request=request, period=key,
            **{k: v for k, v in f.items() if v and k != "period"},
        )
        job = export_request(
            user=user, exporter="attendance_sheet", params=f,
            title=_("Attendance sheet %(period)s") % {"period": key},
        )
        return redirect("exports:detail", pk=job.pk)
    # The totals have counted these rows already, per district: no second count over the sheet,
    # and each page reads only the districts it falls in.
    paginator = Paginator(SheetPage(deputies, totals, outcome), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    outcomes = [*Outcome.choices, (NOT_RECORDED, NOT_RECORDED_LABEL)]
    # City staff pick among every office and team of the city (over a thousand options): only
    # their ids and names are read, and the options are written here rather than in a template loop.
    # Both pickers in one query (UNION ALL), split here.
    pickers = offices.order_by().annotate(picker=Value(0)).values_list("picker", "pk", "name").union(
        teams.order_by().annotate(picker=Value(1)).values_list("picker", "pk", "name"), all=True,
    ).order_by("picker", "name", "pk")
    offices, teams = [], []
    for picker, pk, name in pickers:
        (teams if picker else offices).append(Option(pk, name))
    return render(request, "reception/attendance_sheet.html", {
        "periods": periods, "period": period, "page": page, "rows": sheet_rows(page.object_list),
        "totals": totals, "outcome_totals": [(value, label, totals[value]) for value, label in outcomes],
        "outcomes": outcomes, "districts": list(districts), "offices": offices, "teams": teams,
        "office_options": _options(offices, f["office"]), "team_options": _options(teams, f["team"]),
        "f": f, "district": district,
    })


def _options(objects, selected):
    """A filter's <option> elements, escaped as the template would (a thousand of them for city
    staff: one format_html_join instead of a template loop)."""
    return format_html_join(
        "", '<option value="{}"{}>{}</option>',
        ((o.pk, SELECTED if str(o.pk) == selected else "", o.name) for o in objects),
    )


SELECTED = mark_safe(" selected")

Option = namedtuple("Option", "pk name")
