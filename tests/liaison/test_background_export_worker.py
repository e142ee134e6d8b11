"""A background export (the attendance sheet) on a real `celery -A liaison worker` process reading
the same PostgreSQL test database and Redis queue: the request only queues the job, the worker
streams the workbook with progress, the requester's status page offers the file."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from liaison.models import BackgroundExport
from offices.models import Deputy
from reception.models import ReceptionPeriod
from tests.base import wait_for_export
from tests.scoring.test_export_worker import celery_worker_process  # noqa: F401 - a fixture


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_attendance_sheet_export_is_written_by_the_worker_and_downloaded_by_its_requester(
    client, world, celery_worker_process, tmp_path, settings  # noqa: F811
):
    settings.MEDIA_ROOT = tmp_path / "media"  # where the worker writes (see the fixture)
    n = 600
    Deputy.objects.bulk_create([
        Deputy(name=f"代表{i:04d}", gender=Deputy.Gender.FEMALE, mobile="13800138000", level=Deputy.Level.DISTRICT,
               term="第七届", work_unit="街道办事处", district=world.district_a)
        for i in range(n)
    ])
    ReceptionPeriod.objects.create(district=world.district_a, key="2026-09", start=datetime.date(2026, 9, 7),
                                   end=datetime.date(2026, 9, 20))
    client.force_login(world.district_staff)
    response = client.get(reverse("reception:attendance_sheet"), {"period": "2026-09", "format": "xlsx"})
    job = BackgroundExport.objects.get()
    assert response.url == reverse("exports:detail", args=[job.pk])
    status_url = reverse("exports:status", args=[job.pk])
    state = wait_for_export(client, status_url, celery_worker_process)
    assert state["percent"] == 100 and state["done"] == state["total"] == n + 2
    assert re.search(r"Task liaison\.tasks\.background_export_task\[[-0-9a-f]+\] succeeded",
                     celery_worker_process.output())
    download = client.get(state["download"])
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).active.values)
    assert len(rows) == 1 + n + 2 and rows[0][1] == "党代表"
    client.force_login(world.city_staff)
    assert client.get(state["download"]).status_code == 404
