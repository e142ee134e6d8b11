"""The bi-monthly report page [004 第十二条]: a page of offices with their figures, or the same
rows queued as a background Excel export."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.export_services import export_request
from liaison.lib.permissions import role_required
from liaison.models import Role
from liaison.services import audit_record

from .bimonthly_exporters import bimonthly_header, bimonthly_row
from .bimonthly_forms import BimonthlyForm
from .bimonthly_selectors import (
    BIMESTERS,
    MONTHS,
    bimester_bounds,
    bimonthly_offices_visible_to,
    office_bimonthly_figures,
)


@role_required(Role.LIAISON, Role.ORG_STAFF)
def bimonthly_report(request):
    today = timezone.localdate()
    # By default the last complete two months.
    default_bimester = (today.month - 1) // MONTHS or BIMESTERS
    default_year = today.year if (today.month - 1) // MONTHS else today.year - 1
    form = BimonthlyForm(request.GET or {"year": default_year, "bimester": default_bimester})
    offices = bimonthly_offices_visible_to(user=request.user)
    if not form.is_valid():
        return render(request, "reports/bimonthly.html", {"form": form, "page": None}, status=400)
    start, end = bimester_bounds(form.cleaned_data["year"], form.cleaned_data["bimester"])
    if request.GET.get("format") == "xlsx":
        audit_record(action="bimonthly_report_exported", request=request, start=str(start), end=str(end))
        job = export_request(
            user=request.user, exporter="bimonthly_report",
            params={"year": form.cleaned_data["year"], "bimester": form.cleaned_data["bimester"]},
            title=_("Bi-monthly report %(start)s to %(end)s") % {"start": f"{start:%Y-%m}", "end": f"{end:%Y-%m}"},
        )
        return redirect("exports:detail", pk=job.pk)
    page = Paginator(offices, 50).get_page(request.GET.get("page"))
    figures = office_bimonthly_figures(offices=page.object_list, start=start, end=end)
    rows = [(office, bimonthly_row(office, figures[office.pk])[2:]) for office in page.object_list]
    return render(request, "reports/bimonthly.html", {
        "form": form, "page": page, "rows": rows, "columns": bimonthly_header()[2:], "start": start, "end": end,
    })
