"""Delivery per committed batch (liaison.lib.sms.sms_send_ids, called by liaison.tasks.sms_send_batch
when each batch of reception reminders commits) keeps the outbox's guarantees: nothing in quiet
hours, nothing sent twice, and no row another run holds a lease on [000 十一]."""

import datetime as dt
import zoneinfo

import pytest

from liaison.lib import sms
from liaison.models import SmsMessage
from reception.models import ReceptionPeriod
from reception.reminder_services import reception_reminders_send

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.date(2027, 1, 4)


def local(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def period(world):
    return ReceptionPeriod.objects.create(district=world.district_a, key="2027-01", start=START, end=dt.date(2027, 1, 17))


def _remind(now, batch_size=1):
    batches = []
    reception_reminders_send(today=now.date(), now=now, batch_size=batch_size, on_batch=batches.append)
    return batches


def test_each_committed_batch_is_handed_over_with_its_own_sms_000_11(world, period, django_capture_on_commit_callbacks):
    nine = local(START - dt.timedelta(days=7), 9)
    with django_capture_on_commit_callbacks(execute=True):
        batches = _remind(nine)
    assert len(batches) == 2 and all(len(b) == 1 for b in batches)  # two deputies, batches of one
    assert sorted(i for b in batches for i in b) == sorted(SmsMessage.objects.values_list("pk", flat=True))


def test_a_batch_is_delivered_once_however_often_its_delivery_runs_000_11(world, period, django_capture_on_commit_callbacks):
    nine = local(START - dt.timedelta(days=7), 9)
    with django_capture_on_commit_callbacks(execute=True):
        batches = _remind(nine, batch_size=10)
    ids = batches[0]
    assert sms.sms_send_ids(ids, now=nine).sent == 2
    assert sms.sms_send_ids(ids, now=nine).sent == 0
    assert SmsMessage.objects.filter(status=SmsMessage.Status.SENT, attempts=1).count() == 2


def test_a_batch_written_in_quiet_hours_waits_for_the_sweep_after_8_000_11(world, period, django_capture_on_commit_callbacks):
    evening = local(START - dt.timedelta(days=7), 22, 30)
    with django_capture_on_commit_callbacks(execute=True):
        batches = _remind(evening, batch_size=10)
    ids = batches[0]  # handed over once the batch has committed
    summary = sms.sms_send_ids(ids, now=evening)
    assert summary.sent == 0 and summary.deferred_by_quiet_hours
    # Past midnight, still quiet: the rows are not due before 08:00 either.
    assert sms.sms_send_ids(ids, now=local(START - dt.timedelta(days=6), 7, 59)).sent == 0
    assert sms.sms_send_due(now=local(START - dt.timedelta(days=6), 8)).sent == 2


def test_rows_leased_by_another_run_are_left_to_it_000_11(world, period, django_capture_on_commit_callbacks, settings):
    nine = local(START - dt.timedelta(days=7), 9)
    with django_capture_on_commit_callbacks(execute=True):
        batches = _remind(nine, batch_size=10)
    ids = batches[0]
    SmsMessage.objects.filter(pk=ids[0]).update(claimed_at=nine)  # a worker that died mid-send
    assert sms.sms_send_ids(ids, now=nine).sent == 1
    later = nine + dt.timedelta(seconds=settings.SMS_CLAIM_LEASE_SECONDS + 1)
    assert sms.sms_send_ids(ids, now=later).sent == 1  # its lease expired: delivered once
    assert not SmsMessage.objects.exclude(status=SmsMessage.Status.SENT).exists()


def test_a_batch_that_cannot_be_handed_over_stays_queued_for_the_sweep_000_11(world, period,
                                                                            django_capture_on_commit_callbacks):
    """The broker is down: every reminder is still written, its SMS waits in the outbox."""
    nine = local(START - dt.timedelta(days=7), 9)

    def broker_down(ids):
        raise ConnectionError("broker down")

    with django_capture_on_commit_callbacks(execute=True):
        created = reception_reminders_send(today=nine.date(), now=nine, batch_size=1, on_batch=broker_down)
    assert created == 2
    assert SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED).count() == 2
    assert sms.sms_send_due(now=nine).sent == 2
