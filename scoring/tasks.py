import logging

from celery import shared_task

from .services import export_job_run

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def export_run(job_id):
    """Thin: load the job and run it. The service skips a job that is no longer queued, so a
    redelivered task does not write the file twice."""
    export_job_run(job_id=job_id)
