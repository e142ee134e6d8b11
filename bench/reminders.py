"""Reception reminders at city scale under a real `celery -A liaison worker`: seconds from queuing
the reminder job until every deputy's SMS is delivered (status sent) through the outbox.

    DATABASE_URL=postgres://.../liaison_bench_reminders REDIS_URL=redis://127.0.0.1:6379/N \\
    CELERY_QUEUE=liaison-bench .venv/bin/python bench/reminders.py [--deputies 20000]

The database is dropped and recreated (migrations only, no demo data): one district, N serving
deputies with logins, one reception period a week ahead. The worker runs with the settings'
default batch sizes, two prefork processes, the outbox SMS backend and quiet hours off (so the
figure does not depend on the hour). Prints the time to the first delivered message, to the last
reminder written and to the last message delivered, with the load average.
"""

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _django import ROOT, machine, setup  # noqa: E402


def recreate_database():
    from django.core.management import call_command
    from django.db import connection
    from generate import recreate_database as recreate

    connection.close()
    recreate()
    call_command("migrate", verbosity=0)


def make_deputies(n, day):
    from liaison.models import Role, User
    from offices.models import Deputy, Jurisdiction
    from reception.models import ReceptionPeriod

    city = Jurisdiction.objects.create(name="深圳市", level=Jurisdiction.Level.CITY)
    district = Jurisdiction.objects.create(name="福田区", level=Jurisdiction.Level.DISTRICT, parent=city)
    users = User.objects.bulk_create(
        [User(username=f"bench{i:05d}", name=f"代表{i:05d}", role=Role.DEPUTY, password="!") for i in range(n)],
        batch_size=2000,
    )
    Deputy.objects.bulk_create(
        [
            Deputy(name=f"代表{i:05d}", gender=Deputy.Gender.FEMALE, mobile=f"139{i:08d}", level=Deputy.Level.DISTRICT,
                   term="第七届", work_unit="街道办事处", district=district, user=u)
            for i, u in enumerate(users)
        ],
        batch_size=2000,
    )
    return ReceptionPeriod.objects.create(
        district=district, key="bench", start=day + dt.timedelta(days=7), end=day + dt.timedelta(days=20)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deputies", type=int, default=20000)
    parser.add_argument("--timeout", type=int, default=900)
    args = parser.parse_args()
    settings = setup()
    if not settings.REDIS_URL:
        sys.exit("Set REDIS_URL (and CELERY_QUEUE): the benchmark runs a real worker.")
    from django.db import connection

    from liaison.models import SmsMessage
    from reception.models import ReceptionReminder
    from reception.tasks import reception_reminders_task

    recreate_database()
    print(machine())
    day = dt.date(2027, 1, 4) - dt.timedelta(days=7)
    make_deputies(args.deputies, day)
    db = connection.settings_dict
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "SMS_BACKEND": "liaison.lib.sms.outbox.OutboxBackend",
        "SMS_QUIET_START": "0",
        "SMS_QUIET_END": "0",
    }
    from liaison.celery import app

    app.control.purge()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "liaison", "worker", "--pool=prefork", "--concurrency=2", "-Q", queue,
         "-n", f"bench-{uuid.uuid4().hex[:8]}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel=WARNING"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    try:
        time.sleep(3)  # the worker's start-up is not part of the figure
        sent = SmsMessage.objects.filter(template="reception_reminder", status=SmsMessage.Status.SENT)
        start = time.monotonic()
        reception_reminders_task.apply_async(args=[day.isoformat()])
        first = written = None
        while True:
            now = time.monotonic() - start
            done = sent.count()
            if first is None and done:
                first = now
            if written is None and ReceptionReminder.objects.count() >= args.deputies:
                written = now
            if done >= args.deputies:
                break
            if now > args.timeout or worker.poll() is not None:
                sys.exit(f"stopped after {now:.0f} s: {done} of {args.deputies} delivered")
            time.sleep(0.2)
        total = time.monotonic() - start
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert SmsMessage.objects.filter(template="reception_reminder").count() == args.deputies
    print(f"{args.deputies} deputies: first SMS delivered after {first:.1f} s, all reminders written after "
          f"{written:.1f} s, all {args.deputies} delivered after {total:.1f} s "
          f"(load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
