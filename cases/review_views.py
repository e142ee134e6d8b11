"""Staff reports on cases: the year-end review of the responsible units 回头看 [000 七] (a table
with a chart, and its Excel export, a background job), and the case list export run as a background job."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.export_services import export_request
from liaison.lib.charts import Series, bar_chart
from liaison.lib.params import year_param
from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.lib.uploads import serve_file
from liaison.lib.views import show_error
from liaison.models import Role
from liaison.services import audit_record

from .bulletin_services import bulletin_publish, bulletin_rows
from .export_services import case_export_request
from .models import CaseExportJob
from .review_forms import BulletinForm, CaseExportForm, ReviewFilterForm
from .review_selectors import (
    as_reviews,
    bulletin_reviews,
    bulletins_visible_to,
    review_totals,
    reviews_from_rows,
    unit_review_queryset,
)

PAGE_SIZE = 25

def review_chart(reviews):
    """Bars of the on-time, closure and satisfaction rates (0–100 %) of each unit."""
    return bar_chart(
        groups=[r.name for r in reviews],
        series=[
            Series(_("On-time rate"), [r.on_time_rate for r in reviews]),
            Series(_("Closure rate"), [r.closure_rate for r in reviews]),
            Series(_("Satisfaction rate"), [r.satisfaction_rate for r in reviews]),
        ],
        max_value=100, unit="%", bar_height=7,
    )


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
    """The review as Excel: a background job (a city's year takes a while to add up); the
    requester follows the job's progress page."""
    form = ReviewFilterForm(request.GET, user=request.user)
    year, district, q = form.filters()
    audit_record(action="case_review_exported", request=request, year=year, district=district or "", q=q)
    job = export_request(
        user=request.user, exporter="unit_review",
        params={"year": year, "district": str(district or ""), "q": q},
        title=_("Year-end review %(year)s") % {"year": year},
    )
    return redirect("exports:detail", pk=job.pk)


# ---------------------------------------------------------------- the review published as a bulletin

BULLETIN_READERS = (Role.ORG_STAFF, Role.LIAISON, Role.DEPUTY, Role.UNIT_HANDLER)
# The chart of a bulletin shows its busiest units; the table below it lists every unit.
BULLETIN_CHART_UNITS = 20


@role_required(*BULLETIN_READERS)
def bulletin_list(request):
    bulletins = bulletins_visible_to(user=request.user).defer("rows", "foreword")
    year = year_param(request)
    if year is not None:
        bulletins = bulletins.filter(year=year)
    page = Paginator(bulletins, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/bulletin_list.html", {
        "page": page, "year": year or "", "can_publish": request.user.role == Role.ORG_STAFF,
        "query": f"year={year}" if year is not None else "",
    })


@role_required(Role.ORG_STAFF)
def bulletin_new(request):
    data = request.POST if request.method == "POST" else None
    initial = {"year": year_param(request, timezone.localdate().year),
               "district": request.GET.get("district", "")}
    initial["title"] = request.GET.get("title") or (
        _("Year-end review of the responsible units %(year)s: bulletin") % {"year": initial["year"]}
    )
    initial["foreword"] = request.GET.get("foreword", "")
    form = BulletinForm(data, user=request.user, initial=initial)
    if data is not None and form.is_valid():
        d = form.cleaned_data
        try:
            bulletin = bulletin_publish(user=request.user, year=d["year"], district=d["district"], title=d["title"],
                                        foreword=d["foreword"], request=request)
        except ValidationError as exc:
            show_error(request, exc, form=form)
        else:
            messages.success(request, _("The bulletin is published."))
            return redirect("case_reports:bulletin_detail", pk=bulletin.pk)
    # The preview shows what would be frozen now, for the scope and year in the form.
    year, district = form.preview_scope()
    preview = reviews_from_rows(bulletin_rows(user=request.user, year=year, district=district))
    return render(request, "cases/bulletin_form.html", {
        "form": form, "preview": preview, "year": year, "district": district, "totals": review_totals(preview),
    })


@role_required(*BULLETIN_READERS)
def bulletin_detail(request, pk):
    bulletin = get_visible_or_404(bulletins_visible_to(user=request.user), pk=pk)
    reviews = bulletin_reviews(bulletin)
    busiest = sorted(reviews, key=lambda r: -r.received)[:BULLETIN_CHART_UNITS]
    newer = (
        bulletins_visible_to(user=request.user)
        .filter(year=bulletin.year, scope=bulletin.scope, revision__gt=bulletin.revision)
        .select_related(None).order_by("-revision").only("pk", "revision").first()
    )
    return render(request, "cases/bulletin_detail.html", {
        "bulletin": bulletin, "reviews": reviews, "totals": review_totals(reviews), "newer": newer,
        "chart": review_chart(busiest), "chart_is_partial": len(busiest) < len(reviews),
    })


# ---------------------------------------------------------------- case list export


@role_required(Role.ORG_STAFF)
def case_export(request):
    form = CaseExportForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = case_export_request(user=request.user, filters=form.to_filters(),
                                  personal_data=form.cleaned_data["personal_data"], request=request)
        return redirect("case_reports:export_detail", pk=job.pk)
    jobs = CaseExportJob.objects.filter(requested_by=request.user)[:20]
    return render(request, "cases/review_export_list.html", {"form": form, "jobs": jobs})


def _job_or_404(request, pk):
    # A job belongs to whoever asked for it: another staff member's file is not theirs to fetch.
    return get_visible_or_404(CaseExportJob.objects.filter(requested_by=request.user), pk=pk)


@role_required(Role.ORG_STAFF)
def case_export_detail(request, pk):
    return render(request, "cases/review_export_detail.html", {"job": _job_or_404(request, pk)})


@role_required(Role.ORG_STAFF)
def case_export_status(request, pk):
    job = _job_or_404(request, pk)
    done = job.status == CaseExportJob.Status.DONE
    return JsonResponse({
        "status": job.status, "percent": job.percent, "done": job.done_rows, "total": job.total_rows,
        "download": reverse("case_reports:export_download", args=[job.pk]) if done else "",
        "error": bool(job.error),
    })


@role_required(Role.ORG_STAFF)
def case_export_download(request, pk):
    job = _job_or_404(request, pk)
    if job.status != CaseExportJob.Status.DONE:
        raise Http404
    # Every download is logged, and says whether residents' contact details were in the file.
    audit_record(action="case_list_exported", request=request, obj=job, personal_data=job.personal_data,
                 rows=job.total_rows)
    return serve_file(job.file, as_attachment=True)
