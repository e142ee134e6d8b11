"""PrivacyRequest moved from the liaison app to cases (liaison 0010, cases 0013) with its table
and its content type: rows written before the move are read by the cases model afterwards, the
content type keeps its id (so permissions follow), and beat's row of the retention job names the
task where it now lives."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import PrivacyRequest
from liaison.models import AuditLog

BEFORE = [("liaison", "0009_background_export_and_export_job_base"), ("cases", "0012_case_export_job_on_export_job_base")]
# Apps the test writes to as well (not ancestors of BEFORE), at their latest.
OTHERS = [("contenttypes", "0002_remove_content_type_name"), ("django_celery_beat", "0019_alter_periodictasks_options")]
OLD_TASK, NEW_TASK = "liaison.tasks.resident_data_retention_task", "cases.tasks.resident_data_retention_task"


def _migrate(targets=None):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_privacy_requests_written_before_the_move_are_read_by_the_cases_model():
    content_type_id = ContentType.objects.get_for_model(PrivacyRequest).pk
    try:
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE + OTHERS).apps
        OldRequest = old.get_model("liaison", "PrivacyRequest")
        first = OldRequest.objects.create(kind="access", status="done", phone_digest="d" * 64, phone_masked="138****0000")
        OldRequest.objects.create(kind="delete", phone_digest="d" * 64, phone_masked="138****0000", verified_by=first)
        OldContentType = old.get_model("contenttypes", "ContentType")
        assert OldContentType.objects.get(pk=content_type_id).app_label == "liaison"
        crontab = old.get_model("django_celery_beat", "CrontabSchedule").objects.create(minute="10", hour="3")
        old.get_model("django_celery_beat", "PeriodicTask").objects.create(
            name="resident-data-retention", task=OLD_TASK, crontab=crontab
        )

        executor = _migrate()
        ContentType.objects.clear_cache()

        moved = PrivacyRequest.objects.get(pk=first.pk)
        assert (moved.kind, moved.status, moved.phone_masked) == ("access", "done", "138****0000")
        assert PrivacyRequest.objects.get(kind="delete").verified_by == moved
        assert PrivacyRequest._meta.db_table == "liaison_privacyrequest"
        content_type = ContentType.objects.get(pk=content_type_id)
        assert (content_type.app_label, content_type.model) == ("cases", "privacyrequest")
        assert ContentType.objects.get_for_model(PrivacyRequest).pk == content_type_id
        assert not ContentType.objects.filter(app_label="liaison", model="privacyrequest").exists()
        assert Permission.objects.get(codename="view_privacyrequest").content_type_id == content_type_id
        from django_celery_beat.models import PeriodicTask

        assert PeriodicTask.objects.get(name="resident-data-retention").task == NEW_TASK
    finally:
        _migrate()
        ContentType.objects.clear_cache()


@pytest.mark.django_db
def test_audit_entries_written_before_the_move_still_name_the_model():
    entry = AuditLog.objects.create(action="privacy_verified", actor_repr="resident 138****0000",
                                    object_type="liaison.privacyrequest", object_id="1")
    assert entry.object_type_label == PrivacyRequest._meta.verbose_name
