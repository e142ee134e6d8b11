"""docs/security.md, deployment: the extra layer under the append-only trigger. With the grants the
document gives, the application's database role can add audit entries but neither change nor
delete them, while the purge run by the maintenance role still works."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.utils import timezone

from liaison.models import AuditLog
from liaison.services import audit_record


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_app_role_without_update_and_delete_grants_cannot_touch_audit_entries():
    role = f"liaison_app_{uuid.uuid4().hex[:8]}"
    entry = audit_record(action="login")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    try:
        with connection.cursor() as cursor:
            # The statements of docs/security.md, "Database roles and grants".
            cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON liaison_auditlog FROM {role}")
        for statement in (
            "UPDATE liaison_auditlog SET action = 'x'",
            "DELETE FROM liaison_auditlog",
            "TRUNCATE liaison_auditlog",
        ):
            with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL ROLE {role}")
                    # Even with the purge switch the trigger honours, the grant refuses.
                    cursor.execute("SET LOCAL liaison.audit_purge = 'on'")
                    cursor.execute(statement)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {role}")
            audit_record(action="logout")  # appending still works
        assert AuditLog.objects.filter(pk=entry.pk, action="login").exists()
        assert AuditLog.objects.filter(action="logout").exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


@pytest.mark.django_db
def test_the_purge_command_deletes_old_entries_as_the_maintenance_role(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        old = audit_record(action="login")
    call_command("audit_purge", verbosity=0)
    assert not AuditLog.objects.filter(pk=old.pk).exists()
