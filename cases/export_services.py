"""Writes of the case list export jobs."""

import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from liaison.services import audit_record

from .exporters import CaseListExporter
from .models import CaseExportJob


def case_export_request(*, user, filters, personal_data, request=None):
    """Queue an export of the cases the user may see. The request is audited, saying whether it
    asks for residents' contact details; the task starts after commit."""
    from .tasks import case_export_run_task

    job = CaseExportJob.objects.create(requested_by=user, filters=filters, personal_data=personal_data)
    audit_record(action="case_list_export_requested", request=request, actor=user, obj=job,
                 personal_data=personal_data, filters=filters)
    transaction.on_commit(lambda: case_export_run_task.delay(job.pk))
    return job


def case_export_run(*, job_id):
    """Run one job: claimed with a conditional UPDATE (a redelivered task finds nothing to do), rows
    streamed into a temporary file with progress, then the file stored."""
    claimed = CaseExportJob.objects.filter(pk=job_id, status=CaseExportJob.Status.QUEUED).update(
        status=CaseExportJob.Status.RUNNING
    )
    if not claimed:
        return None
    job = CaseExportJob.objects.select_related("requested_by").get(pk=job_id)
    try:
        exporter = CaseListExporter(user=job.requested_by, filters=job.filters, personal_data=job.personal_data)
        total = exporter.count()
        CaseExportJob.objects.filter(pk=job.pk).update(total_rows=total)

        def progress(done):
            CaseExportJob.objects.filter(pk=job.pk).update(done_rows=done)

        with tempfile.TemporaryFile() as tmp:
            exporter.write_xlsx(tmp, progress=progress)
            tmp.seek(0)
            job.file.save(f"cases-{timezone.localdate():%Y%m%d}-{job.pk}.xlsx", File(tmp), save=False)
        CaseExportJob.objects.filter(pk=job.pk).update(
            file=job.file.name, status=CaseExportJob.Status.DONE, done_rows=total, total_rows=total,
            finished_at=timezone.now(),
        )
    except Exception as exc:
        CaseExportJob.objects.filter(pk=job.pk).update(
            status=CaseExportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    return job
