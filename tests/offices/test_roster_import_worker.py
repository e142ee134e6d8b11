"""The roster import on a real `celery -A liaison worker` process reading the same PostgreSQL test
database, Redis queue and import directory: the upload only queues the check, the worker reads and
checks the file and the job's page then shows the preview; the confirmation only queues the
import, the worker checks and writes the roster, the status URL follows both through Redis, and
the job's page shows the new login's password once to the staff member who ran it."""

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from offices.models import Deputy, RosterImportJob
from tests.offices.roster import good_roster, roster_xlsx
from tests.scoring.test_export_worker import celery_worker_process  # noqa: F401 - a fixture


@pytest.fixture
def import_root(tmp_path, monkeypatch, settings):
    """One import directory for this process and the worker (which reads IMPORT_ROOT from its
    environment): requested before the worker fixture, which copies the environment."""
    root = tmp_path / "imports"
    monkeypatch.setenv("IMPORT_ROOT", str(root))
    settings.IMPORT_ROOT = root
    return root


def wait(client, status_url, worker):
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        state = client.get(status_url).json()
        if state["status"] not in ("queued", "running"):
            break
        assert worker.poll() is None, worker.output()
        time.sleep(0.5)
    assert state["status"] == "done" and state["percent"] == 100, (state, worker.output())


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_imports_the_roster_and_its_requester_sees_the_password_once(
    client, world, import_root, celery_worker_process, settings  # noqa: F811
):
    settings.ROSTER_IMPORT_INLINE_CHECK_BYTES = 0  # checked by the worker, as a big file is
    client.force_login(world.district_staff)
    response = client.post(reverse("admin:offices_roster_import"),
                           {"file": SimpleUploadedFile("roster.xlsx", roster_xlsx(**good_roster(world)))})
    job = RosterImportJob.objects.get()
    assert response.url == reverse("admin:offices_roster_import_job", args=[job.pk])
    status_url = reverse("admin:offices_roster_import_job_status", args=[job.pk])
    wait(client, status_url, celery_worker_process)
    # The worker's log, not its banner (which lists every task it knows).
    assert re.search(r"Task offices\.tasks\.roster_check_task\[[-0-9a-f]+\] succeeded", celery_worker_process.output())
    preview = client.get(response.url)
    assert preview.context["preview"]["deputies"] == 3 and not Deputy.objects.filter(name="陈一").exists()
    response = client.post(reverse("admin:offices_roster_import_confirm"), {"job": job.pk})
    assert response.url == reverse("admin:offices_roster_import_job", args=[job.pk])
    wait(client, status_url, celery_worker_process)
    assert re.search(r"Task offices\.tasks\.roster_import_task\[[-0-9a-f]+\] succeeded", celery_worker_process.output())
    assert Deputy.objects.filter(name__in=["陈一", "陈二", "陈三"]).count() == 3
    assert not list(import_root.iterdir()), "the worker deletes the file"
    client.force_login(world.city_staff)
    assert client.get(reverse("admin:offices_roster_import_job", args=[job.pk])).status_code == 404
    client.force_login(world.district_staff)
    page = client.get(reverse("admin:offices_roster_import_job", args=[job.pk]))
    [(_name, username, password)] = page.context["done"]["accounts"]
    assert username == "chenyi" and Deputy.objects.get(name="陈一").user.check_password(password)
    again = client.get(reverse("admin:offices_roster_import_job", args=[job.pk]))
    assert again.context["done"]["accounts"] is None and password not in again.content.decode()
