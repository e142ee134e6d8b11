"""Running background exports (liaison.export_services queues them): the registry of exporters
and the run of one job by the worker (liaison.tasks.background_export_task).

`EXPORTERS` names, for each export, the function that builds its exporter from a job: it reads
`job.params` and applies `job.requested_by`'s scope again, so a job never shows more than its
requester may see at the time it runs. Each app registers its own exporters from its
AppConfig.ready (register_exporters), so this app names none of the apps above it; the functions
are named by dotted path so that the worker imports only the one it runs."""

from django.utils.module_loading import import_string

from .lib.exporters import export_job_run
from .models import BackgroundExport

EXPORTERS = {}


class UnknownExporter(LookupError):
    pass


def register_exporters(**paths):
    """Register exporters by name: `register_exporters(audit_log="liaison.security.audit.…")`."""
    EXPORTERS.update(paths)


def exporter_for(job):
    try:
        build = import_string(EXPORTERS[job.exporter])
    except KeyError:
        raise UnknownExporter(job.exporter) from None
    return build(job)


def background_export_run(*, job_id):
    """Run one job (claimed once, streamed with progress). Returns the job, or None when another
    run had already claimed it."""
    return export_job_run(
        model=BackgroundExport,
        job_id=job_id,
        exporter_for=exporter_for,
        filename_for=lambda job, exporter: f"{exporter.filename}-{job.pk}.xlsx",
        select_related=("requested_by",),
    )
