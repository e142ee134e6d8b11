"""Periodic jobs of the accounts-and-system app (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from liaison.lib import sms

from . import services

# Look again by itself only for waits this short; longer ones (a quiet night) are the beat
# sweep's job, which runs every few minutes anyway.
SELF_RETRY_LIMIT = dt.timedelta(hours=1)


@shared_task
def audit_purge_task():
    return services.audit_purge()


def schedule_follow_up(summary):
    """Enqueue one more delivery run when rows wait on back-off or on another worker's lease."""
    if summary.next_due is None:
        return None
    wait = max(summary.next_due - timezone.now(), dt.timedelta(seconds=1))
    if wait > SELF_RETRY_LIMIT:
        return None
    return sms_send_due.apply_async(kwargs={"follow_up": True}, countdown=wait.total_seconds() + 1)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def sms_send_due(follow_up=False):
    """Deliver queued SMS that are due. The beat sweep runs it every few minutes; a job that has
    just queued messages starts a follow-up chain (follow_up=True) that comes back at each retry
    time or lease expiry, so retries happen on time even without beat. Only that chain re-enqueues
    itself, so sweeps do not multiply."""
    summary = sms.sms_send_due()
    if follow_up:
        schedule_follow_up(summary)
    return {"sent": summary.sent, "failed": summary.failed, "retrying": summary.retrying}
