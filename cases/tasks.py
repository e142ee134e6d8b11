"""Periodic jobs of the cases app (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task


@shared_task
def case_overdue_scan_task():
    """Thin: the daily overdue scan. Idempotent, so a redelivered or doubled run adds nothing."""
    from .reminder_services import case_overdue_scan

    return dict(case_overdue_scan())
