"""Periodic jobs of the cases app (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import export_services, inbox_sort_services, privacy_services, reminder_services


@shared_task
def case_overdue_scan_task():
    """Thin: the daily overdue scan of cases and proposals. Idempotent, so a redelivered or doubled run adds nothing."""
    # Proposals and motions are dispatched and replied like cases: the same daily scan.
    return dict(reminder_services.case_overdue_scan() + reminder_services.proposal_overdue_scan())


@shared_task(acks_late=True)
def case_export_run_task(job_id):
    """Thin: run one case list export job (skipped if another delivery already ran it)."""
    export_services.case_export_run(job_id=job_id)


@shared_task
def resident_data_retention_task():
    """Thin: anonymize residents' data in cases archived longer than the retention. Idempotent."""
    return privacy_services.resident_data_retention_run()


@shared_task
def inbox_sort_keys_follow_task(*, office_id=None, district_id=None):
    """Thin: a renamed office's or district's shares take its current name (the unit inbox's sort
    keys, issue 10). Idempotent: a repeated run writes nothing."""
    return inbox_sort_services.sort_keys_follow(office_id=office_id, district_id=district_id)
