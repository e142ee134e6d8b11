"""The rows of "my exports" (liaison.export_views.export_list): the background exports of this app,
and the export jobs other apps keep themselves (the case list, the points), which those apps add
from their AppConfig.ready with register_job_list, so this app names none of them."""

from django.urls import reverse

from .models import BackgroundExport

RECENT = 30
# Functions (user, limit) -> iterable of (created_at, title, job, url) of that user's own jobs.
JOB_LISTS = []


def register_job_list(rows):
    JOB_LISTS.append(rows)
    return rows


def background_exports_of(user):
    return BackgroundExport.objects.filter(requested_by=user)


def export_rows_of(user, *, limit=RECENT):
    """This user's recent exports of every kind, newest first, as {title, job, url}."""
    rows = [
        (job.created_at, job.title, job, reverse("exports:detail", args=[job.pk]))
        for job in background_exports_of(user)[:limit]
    ]
    for job_list in JOB_LISTS:
        rows += list(job_list(user, limit))
    rows.sort(key=lambda r: r[0], reverse=True)
    return [{"title": title, "job": job, "url": url} for _at, title, job, url in rows[:limit]]
