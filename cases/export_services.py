"""Writes of the case list export jobs."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from liaison.lib.exporters import export_job_run
from liaison.models import Role
from liaison.services import audit_record

from . import tasks
from .exporters import CaseListExporter
from .models import CaseExportJob


def case_export_request(*, user, filters, personal_data, request=None):
    """Queue an export of the cases the user may see. The request is audited, saying whether it
    asks for residents' contact details; the task starts after commit."""
    job = CaseExportJob.objects.create(requested_by=user, filters=filters, personal_data=personal_data)
    audit_record(action="case_list_export_requested", request=request, actor=user, obj=job,
                 personal_data=personal_data, filters=filters)
    transaction.on_commit(lambda: tasks.case_export_run_task.delay(job.pk))
    return job


def case_export_run(*, job_id):
    """Run one job (liaison.lib.exporters.export_job_run: claimed once, streamed with progress)."""
    return export_job_run(
        model=CaseExportJob,
        job_id=job_id,
        select_related=("requested_by",),
        exporter_for=lambda job: CaseListExporter(
            user=job.requested_by, filters=job.filters, personal_data=job.personal_data
        ),
        filename_for=lambda job, exporter: f"cases-{timezone.localdate():%Y%m%d}-{job.pk}.xlsx",
    )


def case_export_rows(user, limit):
    """The "my exports" rows (liaison.export_selectors) of the case list exports: staff's own."""
    if user.role != Role.ORG_STAFF:
        return []
    return [
        (job.created_at, job._meta.verbose_name, job, reverse("case_reports:export_detail", args=[job.pk]))
        for job in CaseExportJob.objects.filter(requested_by=user)[:limit]
    ]
