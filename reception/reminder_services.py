"""The SMS and notice every serving deputy gets a week before each reception period [000 十一]."""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.lib.sms import sms_build
from liaison.models import SmsMessage
from liaison.services import notices_send
from offices.models import Deputy

from . import rules
from .models import ReceptionPeriod, ReceptionReminder

# --- Reminders a week before each reception period [000 十一] ---------------------------------------


def reception_periods_to_remind(*, today):
    """Periods whose reminders are due today: those starting RECEPTION_REMINDER_DAYS_BEFORE days
    from now, and, so that a day the job did not run is caught up late rather than never, those
    starting sooner that have not started yet. Periods already reminded cost one cheap query."""
    horizon = today + datetime.timedelta(days=rules.reminder_days_before())
    return ReceptionPeriod.objects.filter(start__gt=today, start__lte=horizon).select_related("district")


def _reminder_params(*, deputy, period):
    return {"name": deputy.name, "start": f"{period.start.month}月{period.start.day}日", "end": f"{period.end.month}月{period.end.day}日"}


def _remind_batch(*, period, deputies, now, on_commit=None):
    """Write the reminders of one batch of deputies: reminder rows, their SMS and notices in one
    transaction. A concurrent run writing the same (period, deputy) keys makes the insert fail on
    the unique constraint (PostgreSQL makes it wait for the other transaction first); the batch
    is then rolled back, SMS and notices included, and looked at again."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                done = set(
                    ReceptionReminder.objects.filter(period=period, deputy__in=[d.pk for d in deputies]).values_list(
                        "deputy_id", flat=True
                    )
                )
                todo = [d for d in deputies if d.pk not in done]
                if not todo:
                    return 0
                messages = SmsMessage.objects.bulk_create(
                    [
                        sms_build(
                            phone=d.mobile,
                            template="reception_reminder",
                            params=_reminder_params(deputy=d, period=period),
                            now=now,
                            district=d.district_id,
                        )
                        for d in todo
                    ]
                )
                ReceptionReminder.objects.bulk_create(
                    [ReceptionReminder(period=period, deputy=d, sms=m) for d, m in zip(todo, messages, strict=True)]
                )
                notices_send(
                    users=[d.user_id for d in todo if d.user_id],
                    text=_(
                        "Reception period from %(start)s to %(end)s: please spend at least half a day at your "
                        "fixed community."
                    )
                    % {"start": f"{period.start:%Y-%m-%d}", "end": f"{period.end:%Y-%m-%d}"},
                    url=reverse("home"),
                )
                if on_commit is not None:
                    # robust: a broker hiccup while handing a batch over must not stop the job;
                    # the batch stays queued for the delivery sweep.
                    ids = [m.pk for m in messages]
                    transaction.on_commit(lambda ids=ids: on_commit(ids), robust=True)
                return len(todo)
        except IntegrityError:
            if attempt == 2:
                raise
    return 0


def reception_reminders_send(*, today=None, now=None, batch_size=None, on_batch=None):
    """Remind every serving deputy of each period starting a week from `today` [000 十一]: one SMS
    (template reception_reminder, queued in the outbox, deferred to 08:00 in quiet hours) and one
    in-portal notice per deputy and period, exactly once however often and however concurrently
    this runs. Deputies are walked in primary-key batches so memory and transactions stay small.
    Delivery is the outbox's job (liaison.lib.sms.sms_send_due); `on_batch(sms_ids)`, called once
    each batch has committed, lets the caller start delivering it while the next batches are
    written. Returns the number of new reminders."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    batch_size = batch_size or rules.reminder_batch_size()
    created = 0
    for period in reception_periods_to_remind(today=today):
        deputies = (
            Deputy.objects.filter(district_id=period.district_id, status=Deputy.Status.SERVING)
            .only("pk", "name", "mobile", "user_id", "district_id")
            .order_by("pk")
        )
        last_pk = 0
        while True:
            batch = list(deputies.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            created += _remind_batch(period=period, deputies=batch, now=now, on_commit=on_batch)
    return created


# --- Calendar feed tokens ------------------------------------------------------------------------
