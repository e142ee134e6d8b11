"""A standings export as a real background job (SPEC §4, issue 5 "Done when"): the request only
queues the job; a separate Celery worker process, reading the same PostgreSQL test database and
Redis queue, streams the workbook with progress; the page then offers a readable xlsx. The full
city scale (2,007 deputies, and 10,000) is measured in bench/."""

import io
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from offices.models import Deputy, Team, TeamMembership
from scoring.models import Entry, ExportJob
from tests.base import wait_for_export

from .helpers import DAY, yantian_item

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(tmp_path):
    """`celery -A liaison worker` on this test's database, broker and queue; always terminated."""
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 - closed in the finalizer
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "CELERY_QUEUE": django_settings.CELERY_TASK_DEFAULT_QUEUE,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "liaison.settings",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "liaison", "worker", "--pool=solo", "--concurrency=1",
         "-Q", django_settings.CELERY_TASK_DEFAULT_QUEUE, "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )

    def output():
        log.flush()
        log.seek(0)
        return log.read()[-4000:]

    proc.output = output
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _moderate_city(world, n):
    """n serving deputies in office A1, each with three ledger entries (bulk: this is the data,
    not the behaviour under test)."""
    deputies = Deputy.objects.bulk_create(
        [
            Deputy(name=f"代表{i:04d}", gender=Deputy.Gender.FEMALE, mobile="13800138000", level=Deputy.Level.DISTRICT, term="第七届",
                   work_unit="街道办事处", position="主任", district=world.district_a)
            for i in range(n)
        ]
    )
    team = Team.objects.get(office=world.office_a1)
    TeamMembership.objects.bulk_create([TeamMembership(team=team, deputy=d) for d in deputies])
    item = yantian_item(12)
    source = world.deputy_a  # any row serves as a source; (deputy, event, source, seq) stays unique
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(source)
    Entry.objects.bulk_create(
        [
            Entry(deputy=d, rule_item=item, event="claim", source_type=ct, source_id=source.pk, seq=k + 1,
                  year=DAY.year, occurred_on=DAY, points=item.points * (1 + (i % 4)))
            for i, d in enumerate(deputies)
            for k in range(3)
        ],
        batch_size=2000,
    )
    return deputies


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_standings_export_finishes_as_a_background_job_on_a_real_worker_000_13(
    client, world, celery_worker_process, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"  # where the worker writes (see the fixture)
    n = 600
    _moderate_city(world, n)
    client.force_login(world.city_staff)
    response = client.post(reverse("scoring:export_list"), {"kind": "standings", "year": DAY.year})
    job = ExportJob.objects.get()
    assert response.url == reverse("scoring:export_detail", args=[job.pk])
    status_url = reverse("scoring:export_status", args=[job.pk])
    state = wait_for_export(client, status_url, celery_worker_process)
    assert state["percent"] == 100 and state["done"] == state["total"] == n + 3
    # The worker process ran it, not the request.
    assert re.search(r"Task scoring\.tasks\.export_run\[[-0-9a-f]+\] succeeded", celery_worker_process.output())
    download = client.get(state["download"])
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert len(rows) == n + 3 + 1  # header + every serving deputy (world's three and the n)
    assert rows[0][:7] == ("全市排名", "区内排名", "工作室内排名", "党代表", "区", "工作室", "总积分")
    assert rows[1][6] == 60 and rows[1][0] == 1  # 3 entries × 20 points, the top of the city
