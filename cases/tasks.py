"""Periodic jobs of the cases app (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task
def case_overdue_scan_task():
    """Thin: the daily overdue scan of cases and proposals. Idempotent, so a redelivered or doubled run adds nothing."""
    from .reminder_services import case_overdue_scan, proposal_overdue_scan

    # Proposals and motions are dispatched and replied like cases: the same daily scan.
    return dict(case_overdue_scan() + proposal_overdue_scan())


@shared_task(acks_late=True)
def case_export_run_task(job_id):
    """Thin: run one case list export job (skipped if another delivery already ran it)."""
    from .export_services import case_export_run

    case_export_run(job_id=job_id)


@shared_task
def resident_data_retention_task():
    """Thin: anonymize residents' data in cases archived longer than the retention. Idempotent."""
    from .privacy_services import resident_data_retention_run

    return resident_data_retention_run()
