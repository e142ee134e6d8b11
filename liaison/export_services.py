"""Background exports of any list (SPEC §6 "big exports run in the background with progress").

A page that offers an Excel file of a list no longer writes it in the request: it calls
`export_request` with the list's filters, and the requester follows the job's progress page
(liaison.export_views) until the file can be downloaded. A worker runs the job through
liaison.export_run_services (the registry of exporters, which each app fills from its
AppConfig.ready) and liaison.lib.exporters.export_job_run: claimed once with a conditional UPDATE,
rows streamed into a write-only workbook, progress saved every few hundred rows.
"""

from django.db import transaction

from .export_run_services import (  # noqa: F401 (the one place callers and tests import from)
    EXPORTERS,
    UnknownExporter,
    background_export_run,
    exporter_for,
    register_exporters,
)
from .models import BackgroundExport
from .tasks import background_export_task


def export_request(*, user, exporter, title, params):
    """Queue one export for `user` and start it once the caller's transaction has committed."""
    if exporter not in EXPORTERS:
        raise UnknownExporter(exporter)
    job = BackgroundExport.objects.create(requested_by=user, exporter=exporter, title=str(title)[:200], params=params)
    transaction.on_commit(lambda: background_export_task.delay(job.pk))
    return job
