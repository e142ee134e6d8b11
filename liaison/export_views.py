"""The requester's background exports: the list ("my exports"), each job's progress page (polled
by static/js/export_progress.js, no inline script under the CSP), its status as JSON and the
download. A job is its requester's alone: anyone else gets a 404, as for an object outside their
scope."""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from .lib.permissions import get_visible_or_404, role_required
from .lib.uploads import serve_file
from .models import BackgroundExport, Role
from .services import audit_record

# Everyone who may start an export somewhere in the portal.
EXPORT_ROLES = (Role.ORG_STAFF, Role.LIAISON, Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR)
RECENT = 30


def _mine(request):
    return BackgroundExport.objects.filter(requested_by=request.user)


@role_required(*EXPORT_ROLES)
def export_list(request):
    """This user's recent exports of every kind, newest first: the background exports, and the
    case list and points exports, which keep their own pages."""
    from cases.models import CaseExportJob
    from scoring.models import ExportJob

    rows = [
        (job.created_at, job.title, job, reverse("exports:detail", args=[job.pk]))
        for job in _mine(request)[:RECENT]
    ]
    if request.user.role == Role.ORG_STAFF:
        rows += [
            (job.created_at, job._meta.verbose_name, job, reverse("case_reports:export_detail", args=[job.pk]))
            for job in CaseExportJob.objects.filter(requested_by=request.user)[:RECENT]
        ]
    if request.user.role in (Role.ORG_STAFF, Role.SYSADMIN):
        rows += [
            (job.created_at, f"{job.get_kind_display()} · {job.year}", job,
             reverse("scoring:export_detail", args=[job.pk]))
            for job in ExportJob.objects.filter(requested_by=request.user)[:RECENT]
        ]
    rows.sort(key=lambda r: r[0], reverse=True)
    jobs = [{"title": title, "job": job, "url": url} for _at, title, job, url in rows[:RECENT]]
    return render(request, "liaison/export_list.html", {"jobs": jobs})


@role_required(*EXPORT_ROLES)
def export_detail(request, pk):
    return render(request, "liaison/export_detail.html", {"job": get_visible_or_404(_mine(request), pk=pk)})


@role_required(*EXPORT_ROLES)
def export_status(request, pk):
    job = get_visible_or_404(_mine(request), pk=pk)
    done = job.status == BackgroundExport.Status.DONE
    return JsonResponse({
        "status": job.status, "percent": job.percent, "done": job.done_rows, "total": job.total_rows,
        "download": reverse("exports:download", args=[job.pk]) if done else "",
        "error": bool(job.error),
    })


@role_required(*EXPORT_ROLES)
def export_download(request, pk):
    job = get_visible_or_404(_mine(request), pk=pk)
    if job.status != BackgroundExport.Status.DONE:
        raise Http404
    audit_record(action="export_downloaded", request=request, obj=job, export=job.exporter, rows=job.total_rows,
                 filters={k: v for k, v in job.params.items() if v})
    return serve_file(job.file, as_attachment=True)
