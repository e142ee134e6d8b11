"""The year-end review of the responsible units 回头看 [000 七] for org staff: a table with a chart
and its Excel export."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.lib.exporters import xlsx_response
from liaison.lib.permissions import role_required
from liaison.models import Role
from liaison.services import audit_record

from .exporters import UnitReviewExporter
from .review_forms import ReviewFilterForm
from .review_selectors import as_reviews, review_totals, unit_review_queryset

PAGE_SIZE = 25

# Chart geometry (SVG user units): one group of three bars per unit.
CHART_WIDTH = 640
CHART_LABEL = 200
BAR_H = 7
GROUP_GAP = 10
SERIES = (
    ("on_time_rate", "#90a4ae"),
    ("closure_rate", "#e57373"),
    ("satisfaction_rate", "#b71c1c"),
)


def review_chart(reviews):
    """Horizontal bars of the on-time, closure and satisfaction rates (0–100 %) of each unit,
    drawn as server-side SVG: no script, no CDN."""
    span = CHART_WIDTH - CHART_LABEL - 40
    groups = []
    y = 20
    labels = {
        "on_time_rate": _("On-time rate"), "closure_rate": _("Closure rate"),
        "satisfaction_rate": _("Satisfaction rate"),
    }
    for r in reviews:
        bars = []
        for i, (attr, colour) in enumerate(SERIES):
            value = getattr(r, attr)
            bars.append({
                "x": CHART_LABEL, "y": y + i * BAR_H, "w": round(span * (value or 0) / 100, 1), "h": BAR_H - 1,
                "fill": colour, "value": "—" if value is None else f"{value}%", "label": labels[attr],
                "text_x": CHART_LABEL + round(span * (value or 0) / 100, 1) + 4, "text_y": y + i * BAR_H + BAR_H - 1,
            })
        groups.append({"name": r.name, "label_y": y + BAR_H * 2, "bars": bars})
        y += BAR_H * 3 + GROUP_GAP
    legend = [{"label": labels[attr], "fill": colour, "x": CHART_LABEL + i * 140} for i, (attr, colour) in enumerate(SERIES)]
    return {"width": CHART_WIDTH, "height": y + 4, "groups": groups, "legend": legend, "grid_x": CHART_LABEL,
            "grid_x100": CHART_LABEL + span}


@role_required(Role.ORG_STAFF)
def unit_review(request):
    form = ReviewFilterForm(request.GET, user=request.user)
    year, district, q = form.filters()
    reviews = as_reviews(unit_review_queryset(user=request.user, year=year, district=district, q=q))
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/review_units.html", {
        "form": form, "year": year, "page": page, "totals": review_totals(reviews),
        "chart": review_chart(page.object_list), "query": request.GET.urlencode(),
    })


@role_required(Role.ORG_STAFF)
def unit_review_export(request):
    form = ReviewFilterForm(request.GET, user=request.user)
    year, district, q = form.filters()
    exporter = UnitReviewExporter(user=request.user, year=year, district=district, q=q)
    audit_record(action="case_review_exported", request=request, year=year, district=district or "", q=q)
    return xlsx_response(exporter)
