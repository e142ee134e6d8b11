"""Pluggable SMS, in the manner of Django's e-mail backends: settings.SMS_BACKEND names a class
with a `send(message)` method. Every message is first stored as an SmsMessage row, so the
outbox is also the delivery record whatever the backend.

Queued rows are delivered by `sms_send_due` (the liaison.tasks.sms_send_due beat job, or the
caller directly): it claims due rows in batches with SELECT ... FOR UPDATE SKIP LOCKED and a lease,
so two runs never hand the same row to the provider, and a row claimed by a worker that died is
picked up again once its lease has expired. Temporary provider errors are retried with
exponential back-off; permanent ones are recorded and left for staff (the admin can requeue).

Secret parameters (templates.SmsTemplate.secret: a resident's one-time code) never reach the row in
clear: it shows ******, keeps the real value sealed (secrets.seal) and loses even that once the
message is sent, has failed for good or has expired. Backends get a Delivery, the one object that
carries the real values, and only for the time of the call.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from liaison.models import SmsMessage

from .base import BaseSmsBackend, Delivery, SmsError, SmsResult
from .quiet import in_quiet_hours, outside_quiet_hours
from .secrets import seal, unseal
from .templates import MASK, TEMPLATES, render, secret_names, split_secret

__all__ = [
    "TEMPLATES",
    "MASK",
    "BaseSmsBackend",
    "Delivery",
    "SmsError",
    "SmsResult",
    "get_backend",
    "in_quiet_hours",
    "outside_quiet_hours",
    "render",
    "sms_build",
    "sms_deliver",
    "sms_deliver_many",
    "sms_requeue",
    "sms_send_due",
    "sms_send_ids",
]

_UPDATE_FIELDS = [
    "attempts",
    "backend",
    "provider_message_id",
    "provider_code",
    "template_id",
    "status",
    "sent_at",
    "error",
    "scheduled_at",
    "claimed_at",
    "secret",
]


def get_backend(path=None, **kwargs):
    return import_string(path or settings.SMS_BACKEND)(**kwargs)


def sms_build(*, phone, template, params, now=None, district=None, expires_at=None):
    """An unsaved outbox row for one of our templates (see templates.TEMPLATES), due at once or,
    in quiet hours, at 08:00. `district` (a Jurisdiction or its id) is whose business the message
    is, for scoping the outbox; `expires_at` is when it is no longer worth sending."""
    shown, secret = split_secret(template, params)
    return SmsMessage(
        phone=phone,
        district_id=getattr(district, "pk", district),
        template=template,
        params=shown,
        text=render(template, shown),
        secret=seal(secret),
        expires_at=expires_at,
        scheduled_at=outside_quiet_hours(now or timezone.now()),
    )


def _delivery(message):
    """What the backend needs, with the secret parameters opened; None when a template's secret
    is gone (already delivered, expired, or sealed under another key): sending the mask instead
    would only confuse the recipient."""
    params = dict(message.params or {})
    if secret_names(message.template):
        secret = unseal(message.secret)
        if secret is None:
            return None
        params.update(secret)
    return Delivery(
        pk=message.pk, phone=message.phone, template=message.template, params=params,
        text=render(message.template, params) if message.template in TEMPLATES else message.text,
        shown_text=message.text,
    )


def retry_delay(attempts):
    """Exponential back-off: base, 2×base, 4×base … capped at six hours."""
    return dt.timedelta(seconds=min(settings.SMS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600))


def _send_one(message, backend, now):
    """Send one message and record the outcome on the (unsaved) instance. Returns the SmsError
    for a failure, None for success."""
    message.claimed_at = None
    if message.expires_at is not None and now >= message.expires_at:
        return _give_up(message, SmsError("Expired before it could be delivered", permanent=True, code="Expired"))
    delivery = _delivery(message)
    if delivery is None:
        return _give_up(message, SmsError("The secret parameters are gone", permanent=True, code="SecretGone"))
    message.attempts += 1
    message.backend = f"{type(backend).__module__}.{type(backend).__name__}"
    try:
        result = backend.send(delivery)
    except SmsError as exc:
        message.error = f"{exc.code}: {exc}" if exc.code else str(exc)
        message.provider_code = exc.code[:100]
        if exc.permanent or message.attempts >= settings.SMS_MAX_ATTEMPTS:
            message.status = SmsMessage.Status.FAILED
            message.secret = ""
        else:
            message.status = SmsMessage.Status.QUEUED
            message.scheduled_at = outside_quiet_hours(now + retry_delay(message.attempts))
        return exc
    except Exception as exc:  # a backend bug or an unexpected SDK error: retry like a temporary one
        message.error = f"{type(exc).__name__}: {exc}"
        message.status = SmsMessage.Status.QUEUED
        message.scheduled_at = outside_quiet_hours(now + retry_delay(message.attempts))
        return SmsError(str(exc), permanent=False, code=type(exc).__name__)
    # The provider has the secret now: nobody needs it back, so nobody can have it back.
    message.secret = ""
    if not isinstance(result, SmsResult):
        result = SmsResult(provider_message_id=result or "")
    message.provider_message_id = result.provider_message_id[:100]
    message.provider_code = result.provider_code[:100]
    message.template_id = result.template_id[:50]
    message.status = SmsMessage.Status.SENT
    message.sent_at = timezone.now()
    message.error = ""
    return None


def _give_up(message, error):
    """Fail a message without sending it, and drop its secret."""
    message.status = SmsMessage.Status.FAILED
    message.error = f"{error.code}: {error}"
    message.provider_code = error.code
    message.secret = ""
    return error


def sms_deliver(message, *, backend=None):
    """Hand one stored message to the backend and record the outcome on the row. Raises SmsError
    for temporary failures after recording them, so a task can retry."""
    error = _send_one(message, backend or get_backend(), timezone.now())
    message.save(update_fields=_UPDATE_FIELDS)
    if error is not None and not error.permanent:
        raise error
    return message


def sms_deliver_many(messages, *, backend=None, now=None):
    """Send stored messages one by one and record every outcome with a single UPDATE, so a batch
    costs a constant number of queries. Returns {message.pk: SmsError or None}."""
    backend = backend or get_backend()
    now = now or timezone.now()
    outcomes = {message.pk: _send_one(message, backend, now) for message in messages}
    if messages:
        _save_outcomes(messages)
    return outcomes


def _save_outcomes(messages):
    """One UPDATE for a batch of outcomes. Django's bulk_update builds a CASE expression per row
    and field, which costs seconds of CPU per few hundred rows; on PostgreSQL an UPDATE ... FROM
    (VALUES ...) carries the same data for a fraction of it."""
    if connection.vendor != "postgresql":
        SmsMessage.objects.bulk_update(messages, _UPDATE_FIELDS)
        return
    fields = [SmsMessage._meta.get_field(name) for name in _UPDATE_FIELDS]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}::{f.db_type(connection)}" for f in fields)
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    params = []
    for message in messages:
        params.append(message.pk)
        params.extend(f.get_db_prep_save(getattr(message, f.attname), connection) for f in fields)
    table = quote(SmsMessage._meta.db_table)
    sql = (
        f"UPDATE {table} AS m SET {assignments} FROM (VALUES {', '.join([row] * len(messages))}) "  # noqa: S608
        f"AS v(id, {columns}) WHERE m.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def sms_requeue(*, messages):
    """Queue failed messages again (after staff fixed a wrong number or a template approval).
    Messages with a secret parameter are left failed: their secret is gone with the first failure,
    and a one-time code has run out long before anyone could fix anything."""
    secret_templates = [name for name, template in TEMPLATES.items() if template.secret]
    return (
        messages.filter(status=SmsMessage.Status.FAILED)
        .exclude(template__in=secret_templates)
        .update(status=SmsMessage.Status.QUEUED, error="", attempts=0, claimed_at=None, scheduled_at=timezone.now())
    )


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    deferred_by_quiet_hours: bool = False
    # When the caller should look again: the earliest retry, or a lease held by another worker.
    next_due: dt.datetime | None = None


def _claim(now, batch_size, ids=None):
    """Claim up to batch_size due rows for this run (only among `ids` when given). SKIP LOCKED
    lets a concurrent run take the next rows instead of waiting; the lease (claimed_at) keeps a row
    away from other runs after this transaction commits, until it is delivered or its lease
    expires."""
    lease_start = now - dt.timedelta(seconds=settings.SMS_CLAIM_LEASE_SECONDS)
    due = SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED, scheduled_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=list(ids))
    with transaction.atomic():
        rows = list(
            due.select_for_update(skip_locked=True)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease_start))
            .order_by("scheduled_at", "pk")[:batch_size]
        )
        if rows:
            SmsMessage.objects.filter(pk__in=[m.pk for m in rows]).update(claimed_at=now)
    for message in rows:
        message.claimed_at = now
    return rows


def sms_send_ids(ids, *, now=None, backend=None):
    """Deliver those of the given messages that are due and unclaimed, at once: the delivery of
    one batch a job has just committed, so a big job's first messages leave while it is still
    writing the next ones. The rows are claimed like sms_send_due's (SKIP LOCKED and a lease), so a
    second run for the same ids, or a concurrent sweep, finds nothing to send twice; rows not due
    (quiet hours, back-off) are left to the sweep. Returns a SendSummary without next_due."""
    summary = SendSummary()
    now = now or timezone.now()
    if in_quiet_hours(now):
        summary.deferred_by_quiet_hours = True
        return summary
    ids = list(ids)
    if not ids:
        return summary
    rows = _claim(now, len(ids), ids=ids)
    _deliver_counted(rows, backend=backend, now=now, summary=summary)
    return summary


def _deliver_counted(rows, *, backend, now, summary):
    """Deliver claimed rows and add each outcome to `summary` (sent, failed for good, retrying)."""
    outcomes = sms_deliver_many(rows, backend=backend, now=now)
    for message in rows:
        error = outcomes[message.pk]
        if error is None:
            summary.sent += 1
        elif message.status == SmsMessage.Status.FAILED:
            summary.failed += 1
        else:
            summary.retrying += 1


def sms_send_due(*, now=None, batch_size=None, backend=None, max_batches=None):
    """Deliver every queued message that is due, batch by batch. Nothing is sent in quiet hours."""
    summary = SendSummary()
    now = now or timezone.now()
    if in_quiet_hours(now):
        summary.deferred_by_quiet_hours = True
        summary.next_due = outside_quiet_hours(now)
        return summary
    backend = backend or get_backend()
    batch_size = batch_size or settings.SMS_BATCH_SIZE
    batches = 0
    while max_batches is None or batches < max_batches:
        rows = _claim(now, batch_size)
        if not rows:
            break
        batches += 1
        _deliver_counted(rows, backend=backend, now=now, summary=summary)
    # Rows still waiting: retries later on, or rows another (possibly dead) worker holds a lease on.
    waiting = (
        SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED)
        .filter(Q(scheduled_at__gt=now) | Q(claimed_at__isnull=False))
        .order_by("scheduled_at")
        .values_list("scheduled_at", "claimed_at")[:1]
    )
    for scheduled_at, claimed_at in waiting:
        lease_end = claimed_at + dt.timedelta(seconds=settings.SMS_CLAIM_LEASE_SECONDS) if claimed_at else None
        summary.next_due = max(d for d in (scheduled_at, lease_end) if d is not None)
    return summary
