"""Background jobs of the org chart app (thin: they call services)."""

from celery import shared_task

from .roster_import_job_services import roster_check_job_run, roster_import_job_run, roster_import_secrets_purge


@shared_task(acks_late=True)
def roster_import_task(job_id):
    """Run one confirmed roster import. A redelivered task finds the job claimed and does nothing."""
    roster_import_job_run(job_id=job_id)


@shared_task
def roster_import_secrets_purge_task():
    return roster_import_secrets_purge()


@shared_task(acks_late=True)
def roster_check_task(job_id):
    """Read and check one uploaded roster (the preview). A redelivered task finds the job claimed."""
    roster_check_job_run(job_id=job_id)
