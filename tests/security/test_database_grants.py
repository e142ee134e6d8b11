"""The audit log in PostgreSQL (issue 11 item 2): the application's role can add entries but can
neither change, delete nor TRUNCATE them, not even by setting the purge switch, while the purge of
entries past the retention keeps working for it through the owner's SECURITY DEFINER function.
The test database belongs to the test's own (superuser) role, so the application's role is made
here, as docs/security.md and `migrate` make it in production."""

import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError, connection, transaction
from django.db.utils import ProgrammingError
from django.utils import timezone

from liaison.models import AuditLog
from liaison.security.database import check_app_role, database_grants_apply
from liaison.services import audit_purge, audit_record

postgres = pytest.mark.postgres

WRITES = ("UPDATE liaison_auditlog SET action = 'x'", "DELETE FROM liaison_auditlog", "TRUNCATE liaison_auditlog")


def _sql(statement, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else None


@pytest.fixture
def role():
    """A login-less role that owns nothing, made inside the test's transaction (rolled back)."""
    name = f"liaison_app_{uuid.uuid4().hex[:8]}"
    _sql(f"CREATE ROLE {name} NOLOGIN")
    return name


@contextmanager
def acting_as(role):
    _sql(f"SET ROLE {role}")
    try:
        yield
    finally:
        _sql("RESET ROLE")


def _entries():
    old = _at(days=400, action="login")
    young = _at(days=300, action="logout")
    return old, young


def _at(*, days, action):
    with time_machine.travel(timezone.now() - timedelta(days=days)):
        return audit_record(action=action)


def _refused(statement, match):
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        # Even with the switch the first trigger honoured for anyone.
        _sql("SET LOCAL liaison.audit_purge = 'on'")
        _sql(statement)


@postgres
@pytest.mark.django_db
def test_truncate_is_refused_even_to_the_tables_owner_without_the_switch():
    entry = audit_record(action="login")
    with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"), transaction.atomic():
        _sql("TRUNCATE liaison_auditlog")
    assert AuditLog.objects.filter(pk=entry.pk).exists()


@postgres
@pytest.mark.django_db
def test_an_app_role_with_every_grant_can_neither_delete_truncate_nor_flip_the_purge_switch(role):
    """The README's old set-up at its worst: every privilege on every table, nothing revoked. The
    trigger alone holds: the switch counts only for the table's owner."""
    old, young = _entries()
    _sql(f"GRANT USAGE ON SCHEMA public TO {role}")
    _sql(f"GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO {role}")
    _sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    with acting_as(role):
        for statement in WRITES:
            _refused(statement, "append-only")
        # Nor can it take the owner's function, which is not granted to it.
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            _sql("SELECT liaison_auditlog_purge(now())")
    assert AuditLog.objects.filter(pk__in=[old.pk, young.pk]).count() == 2


@postgres
@pytest.mark.django_db
def test_the_app_role_without_update_and_delete_grants_cannot_touch_audit_entries(role):
    entry = audit_record(action="login")
    database_grants_apply(app_role=role)  # what `migrate` does for DATABASE_APP_ROLE
    with acting_as(role):
        for statement in WRITES:
            _refused(statement, "permission denied")
        audit_record(action="logout")  # appending still works
    assert AuditLog.objects.filter(pk=entry.pk, action="login").exists()
    assert AuditLog.objects.filter(action="logout").exists()


@postgres
@pytest.mark.django_db
def test_the_app_role_purges_entries_past_the_retention_and_nothing_younger(role, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    old, young = _entries()
    database_grants_apply(app_role=role)
    with acting_as(role):
        # A cutoff in the future (a forged clock, a zero retention) still spares the last year:
        # the function measures the year by the database's clock.
        assert _sql("SELECT liaison_auditlog_purge(now() + interval '1 day')") == [(1,)]
        assert not AuditLog.objects.filter(pk=old.pk).exists()
        assert AuditLog.objects.filter(pk=young.pk).exists()
        _at(days=500, action="login")
        assert audit_purge() == 1  # the nightly task, as the application's role
    assert AuditLog.objects.filter(pk=young.pk).exists()
    assert AuditLog.objects.filter(action="audit_purged", detail__deleted=1).exists()


@postgres
@pytest.mark.django_db
def test_migrate_grants_the_app_role_and_refuses_to_run_as_it(role, settings):
    settings.DATABASE_APP_ROLE = role

    def may(privilege):
        return _sql("SELECT has_table_privilege(%s, 'liaison_auditlog', %s)", [role, privilege])[0][0]

    assert not may("INSERT")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert may("INSERT") and may("SELECT")
    assert not any(may(p) for p in ("UPDATE", "DELETE", "TRUNCATE"))
    assert _sql("SELECT has_table_privilege(%s, 'cases_case', 'UPDATE')", [role])[0][0]
    assert _sql("SELECT has_function_privilege(%s, 'liaison_auditlog_purge(timestamptz)', 'EXECUTE')", [role])[0][0]
    with acting_as(role), pytest.raises(ImproperlyConfigured, match="owner role"):
        database_grants_apply(app_role=role)


@postgres
@pytest.mark.django_db
def test_an_owner_role_that_is_no_superuser_installs_the_guard_and_the_app_role_purges_only_through_it(role):
    """The README's set-up, where neither role is a superuser (the test database's own role is):
    the migrations' SQL runs as such an owner in a schema of its own, and the app role then
    meets the same walls as above."""
    from importlib import import_module

    from liaison.security.database import app_role_grants

    owner, schema = f"{role}_owner", f"{role}_schema"
    _sql(f"CREATE ROLE {owner} NOLOGIN")
    _sql(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}")
    try:
        with acting_as(owner):
            _sql(f"SET search_path = {schema}")
            _sql("CREATE TABLE liaison_auditlog (id bigserial PRIMARY KEY, at timestamptz NOT NULL, action varchar(50))")
            with connection.schema_editor() as editor:
                import_module("liaison.migrations.0004_auditlog_append_only_trigger").forwards(None, editor)
                import_module("liaison.migrations.0008_auditlog_truncate_guard_and_purge_function").forwards(None, editor)
            _sql("INSERT INTO liaison_auditlog (at, action) VALUES (now() - interval '400 days', 'old'), (now(), 'young')")
            for statement in app_role_grants(schema=schema, app_role=role, quote=connection.ops.quote_name):
                _sql(statement)
        with acting_as(role):
            _sql(f"SET search_path = {schema}")
            for statement in WRITES:
                _refused(statement, "permission denied")
            assert _sql("SELECT liaison_auditlog_purge(now() + interval '10 years')") == [(1,)]
            assert _sql("SELECT action FROM liaison_auditlog") == [("young",)]
    finally:
        _sql("RESET search_path")


@postgres
def test_the_deploy_check_warns_when_no_app_role_is_set(settings):
    settings.DATABASE_APP_ROLE = ""
    assert [w.id for w in check_app_role(None)] == ["liaison.W003"]
    settings.DATABASE_APP_ROLE = "liaison_app"
    assert check_app_role(None) == []


@pytest.mark.django_db
def test_the_purge_command_deletes_old_entries(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    old, young = _entries()
    call_command("audit_purge", verbosity=0)
    assert not AuditLog.objects.filter(pk=old.pk).exists()
    assert AuditLog.objects.filter(pk=young.pk).exists()
