"""Background exports of any list (SPEC §6 "big exports run in the background with progress").

A page that offers an Excel file of a list no longer writes it in the request: it calls
`export_request` with the list's filters, and the requester follows the job's progress page
(liaison.export_views) until the file can be downloaded. A worker runs the job through
liaison.lib.exporters.export_job_run: claimed once with a conditional UPDATE, rows streamed into a
write-only workbook, progress saved every few hundred rows.

`EXPORTERS` names, for each export, the function that builds its exporter from a job: it reads
`job.params` and applies `job.requested_by`'s scope again, so a job never shows more than its
requester may see at the time it runs. The functions are named by dotted path so that the worker
imports only the one it runs.
"""

from django.db import transaction
from django.utils.module_loading import import_string

from .models import BackgroundExport

EXPORTERS = {
    "attendance_sheet": "reception.attendance_views.attendance_sheet_export_build",
    "bimonthly_report": "offices.bimonthly.bimonthly_export_build",
    "admin_changelist": "liaison.admin_export.admin_changelist_export_build",
    "audit_log": "liaison.security.audit.audit_log_export_build",
}


class UnknownExporter(LookupError):
    pass


def exporter_for(job):
    try:
        build = import_string(EXPORTERS[job.exporter])
    except KeyError:
        raise UnknownExporter(job.exporter) from None
    return build(job)


def export_request(*, user, exporter, title, params):
    """Queue one export for `user` and start it once the caller's transaction has committed."""
    from .tasks import background_export_task

    if exporter not in EXPORTERS:
        raise UnknownExporter(exporter)
    job = BackgroundExport.objects.create(requested_by=user, exporter=exporter, title=str(title)[:200], params=params)
    transaction.on_commit(lambda: background_export_task.delay(job.pk))
    return job


def background_export_run(*, job_id):
    """Run one job (claimed once, streamed with progress). Returns the job, or None when another
    run had already claimed it."""
    from .lib.exporters import export_job_run

    return export_job_run(
        model=BackgroundExport,
        job_id=job_id,
        exporter_for=exporter_for,
        filename_for=lambda job, exporter: f"{exporter.filename}-{job.pk}.xlsx",
        select_related=("requested_by",),
    )
