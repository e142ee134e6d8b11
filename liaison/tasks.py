"""Periodic jobs of the accounts-and-system app (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from liaison.lib import sms

from . import services
from .export_run_services import background_export_run
from .models import SmsMessage

# Look again by itself only for waits this short; longer ones (a quiet night) are the beat
# sweep's job, which runs every few minutes anyway.
SELF_RETRY_LIMIT = dt.timedelta(hours=1)


@shared_task(acks_late=True)
def background_export_task(job_id):
    """Thin: run one background export. A redelivered task finds the job claimed and does nothing."""
    background_export_run(job_id=job_id)


@shared_task
def audit_purge_task():
    return services.audit_purge()


@shared_task(autoretry_for=(sms.SmsError,), retry_backoff=True, max_retries=3)
def sms_deliver_now(message_id):
    """Deliver one message at once, whatever the hour: a one-time code the resident waits for."""
    message = SmsMessage.objects.filter(pk=message_id, status=SmsMessage.Status.QUEUED).first()
    if message is None:
        return None
    # The outbox row holds the code only sealed, and delivery blanks even that (liaison.lib.sms).
    sms.sms_deliver(message, backend=sms.get_backend())
    return message.status


def schedule_follow_up(summary):
    """Enqueue one more delivery run when rows wait on back-off or on another worker's lease."""
    if summary.next_due is None:
        return None
    if sms_send_due.app.conf.task_always_eager:
        # In process there is no worker to come back later: an "eager" countdown runs at once,
        # finds the same rows still waiting and would recurse without end. The next sweep (beat
        # or the send_reception_reminders command) picks them up.
        return None
    wait = max(summary.next_due - timezone.now(), dt.timedelta(seconds=1))
    if wait > SELF_RETRY_LIMIT:
        return None
    return sms_send_due.apply_async(kwargs={"follow_up": True}, countdown=wait.total_seconds() + 1)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def sms_send_batch(ids):
    """Deliver one batch of messages a job has just committed (liaison.lib.sms.sms_send_ids). A
    redelivered run (the worker died) finds the rows sent or leased and sends nothing twice; rows
    left behind (quiet hours, back-off, a lease of a dead worker) are the follow-up chain's."""
    summary = sms.sms_send_ids(ids)
    return {"sent": summary.sent, "failed": summary.failed, "retrying": summary.retrying}


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
