"""The roster import pages of the admin: upload → the job's page follows the check (progress,
then the preview: every problem by row and column, or what will be created) → confirm → the same
page follows the import (progress, then the result). The uploaded workbook waits under
settings.IMPORT_ROOT (outside the media and static trees) named by a random token that only the
job row holds; the check and the import are background jobs (offices.roster_import_job_services),
the import reading and checking the file again before anything is written, and the staff member
who uploaded — nobody else — follows them on the job's page, where the initial passwords of the
new logins are shown once.

A file of at most settings.ROSTER_IMPORT_INLINE_CHECK_BYTES (a few hundred rows) is checked inside
the upload request by the same function: it takes a fraction of a second, and the preview then
comes with the redirect instead of after a wait behind whatever else the workers are doing (a
twenty-row correction would otherwise queue behind a city's export)."""

import io
import secrets
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.lib.exporters import XLSX_CONTENT_TYPE
from liaison.services import client_ip

from ..models import RosterImportJob
from ..roster_import_job_services import (
    PREVIEW_ROWS,
    import_dir,
    roster_check_job_run,
    roster_check_request,
    roster_import_confirm,
    roster_import_passwords_take,
    roster_import_progress,
)
from ..roster_import_services import SHEETS, RowError, template_xlsx
from ..tasks import roster_check_task, roster_import_task

STALE_SECONDS = 24 * 3600


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _clean_stale(directory):
    cutoff = time.time() - STALE_SECONDS
    for f in directory.glob("*.xlsx"):
        try:
            if f.stat().st_mtime < cutoff:
                f.unlink()
        except OSError:
            pass


class RosterImportButtonMixin:
    """A link to the import pages on the change list (deputies and offices)."""

    change_list_template = "admin/offices/change_list_import.html"

    def has_roster_import_permission(self, request):
        user = request.user
        return all(user.has_perm(f"offices.add_{m}") for m in ("office", "team", "deputy", "fixedcommunity", "teammembership"))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "roster_import_allowed": self.has_roster_import_permission(request)}
        return super().changelist_view(request, extra_context)


class RosterImportMixin(RosterImportButtonMixin):
    """Added to DeputyAdmin: the import pages and the template download."""

    def get_urls(self):
        info = self.opts.app_label
        urls = [
            path("import/", self.admin_site.admin_view(self.roster_import_view), name=f"{info}_roster_import"),
            path(
                "import/confirm/",
                self.admin_site.admin_view(self.roster_confirm_view),
                name=f"{info}_roster_import_confirm",
            ),
            path(
                "import/<int:pk>/",
                self.admin_site.admin_view(self.roster_job_view),
                name=f"{info}_roster_import_job",
            ),
            path(
                "import/<int:pk>/status/",
                self.admin_site.admin_view(self.roster_job_status_view),
                name=f"{info}_roster_import_job_status",
            ),
            path(
                "import/template/",
                self.admin_site.admin_view(self.roster_template_view),
                name=f"{info}_roster_import_template",
            ),
        ]
        return urls + super().get_urls()

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import the roster from Excel"),
            "max_rows": settings.ROSTER_IMPORT_MAX_ROWS,
            "sheets": SHEETS,
            **extra,
        }

    def _render(self, request, **extra):
        return TemplateResponse(request, "admin/offices/roster_import.html", self._context(request, **extra))

    def roster_template_view(self, request):
        if not self.has_roster_import_permission(request):
            raise PermissionDenied
        buf = io.BytesIO()
        template_xlsx(buf)
        response = HttpResponse(buf.getvalue(), content_type=XLSX_CONTENT_TYPE)
        name = _("roster-template") + ".xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
        return response

    def roster_import_view(self, request):
        if not self.has_roster_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return self._render(request, form=RosterUploadForm())
        form = RosterUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form=form)
        upload = form.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            return self._render(
                request,
                form=RosterUploadForm(),
                file_error=_("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {"size": round(upload.size / 1048576, 1), "limit": round(settings.UPLOAD_MAX_BYTES / 1048576, 1)},
            )
        directory = import_dir()
        _clean_stale(directory)
        token = secrets.token_urlsafe(24)
        with open(directory / f"{token}.xlsx", "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        job = roster_check_request(user=request.user, token=token, file_name=upload.name, ip=client_ip(request))
        if upload.size <= settings.ROSTER_IMPORT_INLINE_CHECK_BYTES:
            roster_check_job_run(job_id=job.pk)
        else:
            transaction.on_commit(lambda: roster_check_task.delay(job.pk))
        return redirect(reverse("admin:offices_roster_import_job", args=[job.pk]))

    def roster_confirm_view(self, request):
        if not self.has_roster_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return redirect(reverse("admin:offices_roster_import"))
        try:
            pk = int(request.POST.get("job", ""))
        except ValueError:
            pk = None
        # Another staff member's job is not found, as on its page.
        if pk is not None:
            get_object_or_404(RosterImportJob.objects.filter(requested_by=request.user), pk=pk)
        job = roster_import_confirm(job_id=pk, user=request.user, ip=client_ip(request)) if pk else None
        if job is None:
            messages.error(request, _("This import has expired or was already done. Upload the file again."))
            return redirect(reverse("admin:offices_roster_import"))
        transaction.on_commit(lambda: roster_import_task.delay(job.pk))
        return redirect(reverse("admin:offices_roster_import_job", args=[job.pk]))

    def _job(self, request, pk):
        """The import job `pk` if the signed-in staff member ran it: anyone else gets a 404."""
        if not self.has_roster_import_permission(request):
            raise PermissionDenied
        return get_object_or_404(RosterImportJob.objects.filter(requested_by=request.user), pk=pk)

    def roster_job_view(self, request, pk):
        job = self._job(request, pk)
        extra = {"job": job, "progress": roster_import_progress(job), "file_name": job.file_name}
        checking = job.phase == RosterImportJob.Phase.CHECK
        if checking and job.status == RosterImportJob.Status.DONE:
            extra.update(preview=job.preview, preview_rows=PREVIEW_ROWS)
        elif job.status == RosterImportJob.Status.DONE:
            extra["done"] = {
                "offices": job.offices, "teams": job.teams, "deputies": job.deputies,
                "accounts": roster_import_passwords_take(job_id=job.pk, user=request.user),
                "usernames": job.usernames,
            }
        elif job.status == RosterImportJob.Status.REFUSED:
            if job.problems:
                extra["errors"] = [RowError(*p) for p in job.problems]
            else:
                extra["file_error"] = job.error
            extra["form"] = RosterUploadForm()
        # The passwords are in this page only: admin_view's never_cache keeps it out of every cache.
        return self._render(request, **extra)

    def roster_job_status_view(self, request, pk):
        return JsonResponse(roster_import_progress(self._job(request, pk)))
