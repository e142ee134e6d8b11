"""The attendance sheet page 考勤表 (its queries: attendance_selectors; its Excel file:
attendance_exporters, written by a background job)."""

from collections import namedtuple

from django.core.paginator import Paginator
from django.db.models import Value
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from liaison.export_services import export_request
from liaison.lib.choices import choice_labels
from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.models import Role
from liaison.services import audit_record
from offices.models import Deputy, Jurisdiction
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
    districts = list(districts)
    offices, teams = _pickers(user=user, districts=districts, district=district, offices=offices, teams=teams,
                              office=office, team=team)
    return render(request, "reception/attendance_sheet.html", {
        "periods": periods, "period": period, "page": page, "rows": _screen_rows(sheet_rows(page.object_list)),
        "totals": totals, "outcome_totals": [(value, label, totals[value]) for value, label in outcomes],
        "outcomes": outcomes, "districts": districts, "offices": offices, "teams": teams,
        "period_options": _period_options(periods, key),
        "office_options": _options(offices, f["office"]), "team_options": _options(teams, f["team"]),
        # issue 10: city staff are offered the offices and teams of one district at a time.
        "pick_district_first": not district and len(districts) > 1,
        "f": f, "district": district,
    })


def _screen_rows(rows):
    """What each row shows besides the deputy's own fields, worked out once for the page rather
    than per row in the template (issue 10): the level's and the outcome's labels translated once
    (get_level_display looks the choices up on every call), the activity's date as ISO text (what
    the `date` filter's "Y-m-d" gives, without a formatter per row), its link from one reversed
    URL, and the fixed communities as one text (no loop in each row)."""
    levels = {value: str(label) for value, label in choice_labels(Deputy._meta.get_field("level")).items()}
    outcome_labels = {}  # the outcome's label translated once, not on every row it is shown
    activity_url = reverse("reception:activity_detail", args=[0]).removesuffix("0/") + "{}/"
    for row in rows:
        activity = row["activity"]
        if row["outcome"] not in outcome_labels:
            outcome_labels[row["outcome"]] = str(row["outcome_label"])
        row["outcome_label"] = outcome_labels[row["outcome"]]
        row["level_label"] = levels.get(row["deputy"].level, row["deputy"].level)
        row["communities_text"] = "、".join(c.name for c in row["communities"])
        row["activity_url"] = activity_url.format(activity.pk) if activity else ""
        row["activity_date"] = activity.date.isoformat() if activity else ""
    return rows


def _pickers(*, user, districts, district, offices, teams, office, team):
    """The options of the office and team pickers, as (pk, name) rows.

    Issue 10: the city-wide sheet offered every office and team of the city (1,333 options, most
    of its 113 KB and of its rendering time). City staff now pick a district first and are offered
    its offices and teams (about 70 each); before that, only the office or team already chosen is
    listed, so that the filter stays visible and can be cleared. A district's staff and a liaison
    see their own (already bounded) lists, as before."""
    if user.is_city_staff and district is None:
        if len(districts) > 1:
            return [Option(office.pk, office.name)] if office else [], [Option(team.pk, team.name)] if team else []
        if districts:  # the slot has one district: its offices are the only ones on the sheet
            offices, teams = offices.filter(district=districts[0]), teams.filter(district=districts[0])
    # Both pickers in one query (UNION ALL), split here: only ids and names are read, and the
    # options are written by _options rather than in a template loop.
    pickers = offices.order_by().annotate(picker=Value(0)).values_list("picker", "pk", "name").union(
        teams.order_by().annotate(picker=Value(1)).values_list("picker", "pk", "name"), all=True,
    ).order_by("picker", "name", "pk")
    office_options, team_options = [], []
    for picker, pk, name in pickers:
        (team_options if picker else office_options).append(Option(pk, name))
    return office_options, team_options


def _period_options(periods, selected):
    """The period picker's <option> elements: its five years of slots written at once, the dates
    as ISO text, rather than a template loop with two date filters per option (issue 10)."""
    return format_html_join(
        "", '<option value="{}"{}>{} ({} – {})</option>',
        ((p["key"], SELECTED if p["key"] == selected else "", p["key"], p["first"].isoformat(),
          p["last"].strftime("%m-%d")) for p in periods),
    )


def _options(objects, selected):
    """A filter's <option> elements, escaped as the template would (a district's offices and teams,
    seventy or so each: one format_html_join instead of a template loop)."""
    return format_html_join(
        "", '<option value="{}"{}>{}</option>',
        ((o.pk, SELECTED if str(o.pk) == selected else "", o.name) for o in objects),
    )


SELECTED = mark_safe(" selected")

Option = namedtuple("Option", "pk name")
