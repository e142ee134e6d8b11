"""Periodic jobs of the reception app (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

import datetime as dt

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction

from liaison.tasks import sms_send_batch, sms_send_due

from . import activity_services, period_services, reminder_services


def deliver_sms_soon():
    """Start an outbox delivery run once the caller's transaction has committed; its follow-up
    chain returns for back-off retries and for rows a dead worker had claimed."""
    transaction.on_commit(lambda: sms_send_due.apply_async(kwargs={"follow_up": True}))


def deliver_batch(ids):
    """Hand one committed batch of outbox rows to a delivery task, so delivery starts with the
    first batch instead of after the whole job."""
    sms_send_batch.delay(ids)


# acks_late + reject_on_worker_lost (settings): a run whose worker dies is delivered again and
# finishes the batches the first one did not commit. Database hiccups are retried with back-off;
# provider errors never reach this task (the outbox retries each message with its own back-off).
@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def reception_reminders_task(day=None):
    """Queue the week-ahead reception reminders [000 十一]; `day` (ISO date) stands for today."""
    today = dt.date.fromisoformat(day) if day else None
    created = reminder_services.reception_reminders_send(today=today, on_batch=deliver_batch)
    # The sweep after the last batch: rows a delivery task could not take (a lease of a dead
    # worker, a back-off) are followed up until delivered.
    deliver_sms_soon()
    return {"created": created}


@shared_task
def reception_periods_ahead():
    """Lay out the reception periods a year ahead from each district's rule, keeping staff edits."""
    return {str(year): stats for year, stats in period_services.reception_periods_generate_ahead().items()}


@shared_task
def periods_close_due():
    """Close ended reception periods: absences recorded, escalation steps raised [000 十一]."""
    return activity_services.periods_close_due()
