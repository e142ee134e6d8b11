"""The performance file pages: a deputy's file for a year, its Excel export (audited), the
deputy's own file, and the list of files a liaison or staff member keeps."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.export_services import export_request
from liaison.lib.params import year_param
from liaison.lib.permissions import get_visible_or_404, role_required
from liaison.models import Role
from liaison.security.audit import audited
from offices.models import Deputy
from offices.selectors import deputy_for_user, performance_files_visible_to

from .performance_forms import PerformanceFileFilter
from .performance_selectors import performance_file, performance_file_deputies, with_file_counts

PAGE_SIZE = 30


def _year(request):
    this = timezone.localdate().year
    return year_param(request, this, max_year=this + 1)


def _years():
    this = timezone.localdate().year
    return list(range(this, this - 10, -1))


@role_required(Role.DEPUTY, Role.LIAISON, Role.ORG_STAFF)
def performance_file_detail(request, pk):
    year = _year(request)
    deputies = with_file_counts(performance_files_visible_to(user=request.user), year=year, viewer=request.user)
    deputy = get_visible_or_404(deputies, pk=pk)
    context = performance_file(deputy=deputy, year=year, viewer=request.user)
    context["years"] = _years()
    context["is_own"] = deputy.user_id == request.user.pk
    return render(request, "reports/performance_file.html", context)


@role_required(Role.DEPUTY, Role.LIAISON, Role.ORG_STAFF)
@audited("performance_file_exported", model=Deputy, object_kwarg="pk")
def performance_file_export(request, pk):
    """The file as Excel, written by a background export like every other: the requester follows
    the job's progress page and downloads it there."""
    deputy = get_visible_or_404(performance_files_visible_to(user=request.user), pk=pk)
    year = _year(request)
    job = export_request(
        user=request.user, exporter="performance_file", params={"deputy": deputy.pk, "year": year},
        title=_("Performance file of %(name)s, %(year)s") % {"name": deputy.name, "year": year},
    )
    return redirect("exports:detail", pk=job.pk)


@role_required(Role.DEPUTY)
def my_performance_file(request):
    deputy = deputy_for_user(request.user)
    if deputy is None:
        raise Http404
    url = redirect("reports:performance_file", pk=deputy.pk).url
    if request.GET.get("year"):
        url += f"?year={_year(request)}"
    return redirect(url)


@role_required(Role.LIAISON, Role.ORG_STAFF)
def performance_file_list(request):
    """The deputies whose files the liaison or staff member keeps, to find one and open it."""
    form = PerformanceFileFilter(request.GET or None, user=request.user)
    qs = performance_file_deputies(user=request.user)
    if form.is_bound:
        qs = form.filter(qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/performance_file_list.html", {"form": form, "page": page})
