"""The reception reminder job under a real `celery -A liaison worker` process on PostgreSQL and
Redis (issue 3 "Done when"): a period with 2,007 serving deputies (Shenzhen's 463 city + 1,544
district deputies [000]); the task sent twice at once, and a worker killed with SIGKILL in the
middle of the batches and started again, still end with exactly 2,007 reminder SMS, all delivered.

The worker reads the test database (DATABASE_URL with the test database's name), the same Redis
and queue as this process, and the outbox backend. Quiet hours are switched off for it so that
the test passes at any hour; the quiet-hours rule itself is tested in test_reception_reminders.py."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection

from liaison.models import Notice, Role, SmsMessage, User
from offices.models import Deputy
from reception.models import ReceptionPeriod, ReceptionReminder
from reception.tasks import reception_reminders_task

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPUTIES = 2007
DAY = dt.date(2027, 1, 4) - dt.timedelta(days=7)  # a week before the first period of 2027
VISIBILITY_TIMEOUT = 4  # seconds before Redis hands a dead worker's unacknowledged task out again

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _purge_queue(queue):
    """Leave nothing of this test in Redis: waiting tasks in the queue, and tasks a killed worker
    held unacknowledged (countdown retries of the delivery chain, a redelivered reminder run),
    which a later worker on the same queue would otherwise pick up."""
    from liaison.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        try:
            channel.queue_purge(queue)
        except Exception:  # noqa: BLE001 - the queue may not exist yet
            pass
        client = channel.client
        for tag, payload in client.hgetall(channel.unacked_key).items():
            try:
                _message, _exchange, routing_key = json.loads(payload)
            except (ValueError, TypeError):
                continue
            if routing_key == queue:
                client.hdel(channel.unacked_key, tag)
                client.zrem(channel.unacked_index_key, tag)


class Worker:
    """`celery -A liaison worker` in its own process group, so SIGKILL reaches the pool too."""

    def __init__(self, tmp_path, **env):
        self.queue = django_settings.CELERY_TASK_DEFAULT_QUEUE
        self.log_path = tmp_path / "worker.log"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "liaison.settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": django_settings.REDIS_URL,
            "CELERY_QUEUE": self.queue,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "SMS_BACKEND": "liaison.lib.sms.outbox.OutboxBackend",
            "SMS_QUIET_START": "0",
            "SMS_QUIET_END": "0",
            "SMS_CLAIM_LEASE_SECONDS": "3",
            # Small batches: many transactions, so that a kill lands between two of them.
            "RECEPTION_REMINDER_BATCH_SIZE": "50",
            "SMS_BATCH_SIZE": "250",
            **env,
        }
        self.proc = None

    def start(self):
        log = open(self.log_path, "a")  # noqa: SIM115 - the child keeps it; closed with the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "liaison", "worker", "--pool=prefork", "--concurrency=2",
             "-Q", self.queue, "-n", f"reminders-{uuid.uuid4().hex[:8]}@%h", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        return self

    def kill(self, sig=signal.SIGKILL):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def output(self):
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""


@pytest.fixture
def worker(tmp_path):
    worker = Worker(tmp_path)
    _purge_queue(worker.queue)
    try:
        yield worker
    finally:
        worker.kill(signal.SIGTERM)
        worker.kill(signal.SIGKILL)
        _purge_queue(worker.queue)


@pytest.fixture
def city_period(world):
    """2,007 serving deputies with logins in district A (the world's two included), bulk-made,
    plus one deputy on leave who must get nothing; the period starts a week after DAY."""
    n = DEPUTIES - 2
    users = User.objects.bulk_create(
        [User(username=f"rem{i:04d}", name=f"代表{i:04d}", role=Role.DEPUTY, password="!") for i in range(n)]
    )
    Deputy.objects.bulk_create(
        [
            Deputy(name=f"代表{i:04d}", gender=Deputy.Gender.FEMALE, mobile=f"139{i:08d}", level=Deputy.Level.DISTRICT,
                   term="第七届", work_unit="街道办事处", district=world.district_a, user=u)
            for i, u in enumerate(users)
        ]
        + [
            Deputy(name="请假代表", gender=Deputy.Gender.MALE, mobile="13711112222", level=Deputy.Level.DISTRICT,
                   term="第七届", work_unit="街道办事处", district=world.district_a, status=Deputy.Status.ON_LEAVE)
        ],
        batch_size=1000,
    )
    assert Deputy.objects.filter(district=world.district_a, status=Deputy.Status.SERVING).count() == DEPUTIES
    return ReceptionPeriod.objects.create(
        district=world.district_a, key="2027-01", start=DAY + dt.timedelta(days=7), end=dt.date(2027, 1, 17)
    )


def _reminder_sms():
    return SmsMessage.objects.filter(template="reception_reminder")


def _wait_until_all_delivered(worker, timeout=45, expected=DEPUTIES):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _reminder_sms().filter(status=SmsMessage.Status.SENT).count() >= expected:
            return
        assert worker.alive(), worker.output()
        time.sleep(0.3)
    raise AssertionError(
        f"{_reminder_sms().filter(status=SmsMessage.Status.SENT).count()} of {expected} delivered\n{worker.output()}"
    )


def _assert_exactly_once(period):
    assert ReceptionReminder.objects.filter(period=period).count() == DEPUTIES
    assert _reminder_sms().count() == DEPUTIES
    assert _reminder_sms().values("phone").distinct().count() == DEPUTIES
    assert _reminder_sms().filter(status=SmsMessage.Status.SENT).count() == DEPUTIES
    assert not _reminder_sms().filter(phone="13711112222").exists()  # on leave
    assert Notice.objects.filter(user__username__startswith="rem").count() == DEPUTIES - 2


def test_the_reminder_task_sent_twice_at_once_writes_exactly_one_sms_per_deputy_000_11(worker, city_period):
    worker.start()
    first = reception_reminders_task.apply_async(args=[DAY.isoformat()])
    second = reception_reminders_task.apply_async(args=[DAY.isoformat()])
    created = [first.get(timeout=60)["created"], second.get(timeout=60)["created"]]
    # Both runs ran on the worker, side by side, and split the deputies between them.
    assert sum(created) == DEPUTIES, (created, worker.output())
    _wait_until_all_delivered(worker)
    _assert_exactly_once(city_period)


def test_a_worker_killed_mid_batch_and_restarted_still_reminds_each_deputy_exactly_once_000_11(worker, city_period):
    worker.start()
    reception_reminders_task.apply_async(args=[DAY.isoformat()])
    reception_reminders_task.apply_async(args=[DAY.isoformat()])
    deadline = time.monotonic() + 60
    while ReceptionReminder.objects.count() < 200:
        assert time.monotonic() < deadline and worker.alive(), worker.output()
        time.sleep(0.01)
    worker.kill(signal.SIGKILL)
    at_kill = ReceptionReminder.objects.count()
    assert 0 < at_kill < DEPUTIES, at_kill
    # What the dead worker committed is whole: each reminder has its SMS, nothing more.
    assert _reminder_sms().count() == at_kill
    assert not _reminder_sms().filter(status=SmsMessage.Status.SENT).exists()
    # Redis hands the unacknowledged runs out again once their visibility timeout has passed.
    time.sleep(VISIBILITY_TIMEOUT + 1)
    worker.start()
    _wait_until_all_delivered(worker)
    _assert_exactly_once(city_period)


def test_delivery_starts_with_the_first_committed_batch_not_after_the_whole_job_000_11(worker, city_period):
    """Each batch's SMS are handed to a delivery task when the batch commits: messages are sent
    while the reminder job is still writing later batches."""
    worker.start()
    result = reception_reminders_task.apply_async(args=[DAY.isoformat()])
    deadline = time.monotonic() + 60
    sent_while_writing = 0
    while not result.ready():
        assert time.monotonic() < deadline and worker.alive(), worker.output()
        if ReceptionReminder.objects.count() < DEPUTIES:
            sent_while_writing = max(sent_while_writing, _reminder_sms().filter(status=SmsMessage.Status.SENT).count())
        time.sleep(0.05)
    assert result.get(timeout=5)["created"] == DEPUTIES
    assert sent_while_writing > 0, "no message left before the job had written every batch"
    _wait_until_all_delivered(worker)
    _assert_exactly_once(city_period)


CITY_SCALE = 20_000  # ten times Shenzhen's 2,007 deputies (issue 10)


@pytest.fixture
def ten_times_shenzhen(world):
    """20,000 serving deputies with logins in district A (the world's two included), bulk-made."""
    n = CITY_SCALE - 2
    users = User.objects.bulk_create(
        [User(username=f"big{i:05d}", name=f"代表{i:05d}", role=Role.DEPUTY, password="!") for i in range(n)],
        batch_size=2000,
    )
    Deputy.objects.bulk_create(
        [
            Deputy(name=f"代表{i:05d}", gender=Deputy.Gender.FEMALE, mobile=f"139{i:08d}", level=Deputy.Level.DISTRICT,
                   term="第七届", work_unit="街道办事处", district=world.district_a, user=u)
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    return ReceptionPeriod.objects.create(
        district=world.district_a, key="2027-01", start=DAY + dt.timedelta(days=7), end=dt.date(2027, 1, 17)
    )


def test_twenty_thousand_deputies_are_reminded_and_every_sms_is_delivered_by_a_real_worker_000_11(
    tmp_path, ten_times_shenzhen
):
    """The job at 10× Shenzhen with the settings' batch sizes: every outbox row ends sent, once.
    Bounded by its own timeout, not a timing assertion: bench/reminders.py measures the seconds
    (8.6 s on a quiet machine, 46 s at load average 14; bench/README.md)."""
    worker = Worker(tmp_path, RECEPTION_REMINDER_BATCH_SIZE="500", SMS_BATCH_SIZE="200")
    _purge_queue(worker.queue)
    try:
        worker.start()
        result = reception_reminders_task.apply_async(args=[DAY.isoformat()])
        assert result.get(timeout=180)["created"] == CITY_SCALE, worker.output()
        _wait_until_all_delivered(worker, timeout=180, expected=CITY_SCALE)
    finally:
        worker.kill(signal.SIGTERM)
        worker.kill(signal.SIGKILL)
        _purge_queue(worker.queue)
    messages = _reminder_sms()
    assert messages.count() == messages.filter(status=SmsMessage.Status.SENT).count() == CITY_SCALE
    assert messages.values("phone").distinct().count() == CITY_SCALE
    assert ReceptionReminder.objects.filter(period=ten_times_shenzhen).count() == CITY_SCALE
