"""The requester's background exports: the list ("my exports"), each job's progress page (polled
by static/js/job_progress.js, no inline script under the CSP), its status as JSON and the
download. A job is its requester's alone: anyone else gets a 404, as for an object outside their
scope."""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from .export_selectors import background_exports_of, export_rows_of
from .lib.permissions import get_visible_or_404, role_required
from .lib.uploads import serve_file
from .models import BackgroundExport, Role
from .services import audit_record

# Everyone who may start an export somewhere in the portal (a deputy: their own performance file).
EXPORT_ROLES = (Role.ORG_STAFF, Role.LIAISON, Role.DEPUTY, Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR)


def _mine(request):
    return background_exports_of(request.user)


@role_required(*EXPORT_ROLES)
def export_list(request):
    """This user's recent exports of every kind, newest first: the background exports, and the
    exports other apps keep on their own pages (liaison.export_selectors)."""
    return render(request, "liaison/export_list.html", {"jobs": export_rows_of(request.user)})


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
