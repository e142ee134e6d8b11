"""MLPS 8.1.4.2 (separation of duties) and 8.1.4.3 (security audit)."""

from datetime import timedelta
from io import BytesIO, StringIO

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from liaison.models import AuditLog, AuditLogReadOnly, Role, User
from liaison.roles import ROLE_PERMISSIONS, role_has_perm
from liaison.services import audit_purge, audit_record
from tests.base import make_user
from tests.security.test_audit_log_page import background_export

pytestmark = pytest.mark.django_db


def _expanded(role):
    spec = ROLE_PERMISSIONS[role]
    perms = set(spec["perms"])
    for p in Permission.objects.select_related("content_type").filter(content_type__app_label__in=spec["apps"]):
        perms.add(f"{p.content_type.app_label}.{p.codename}")
    return perms


def test_sysadmin_secadmin_and_auditor_permissions_do_not_overlap():
    sys_, sec, aud = _expanded(Role.SYSADMIN), _expanded(Role.SECADMIN), _expanded(Role.AUDITOR)
    assert sys_ and sec and aud
    assert not sys_ & sec and not sys_ & aud and not sec & aud
    # Every permission named exists, so none of them is a typo that silently grants nothing.
    for perm in sys_ | sec | aud:
        app_label, codename = perm.split(".")
        assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), perm


def test_the_auditor_can_only_read_logs():
    log_models = {"auditlog", "accesslog", "accessfailurelog"}
    for perm in _expanded(Role.AUDITOR):
        codename = perm.split(".")[1]
        action, _, model = codename.partition("_")
        assert action in ("view", "export") and model in log_models, perm
    for perm in ("liaison.change_auditlog", "liaison.delete_auditlog", "liaison.change_user", "liaison.change_roleassignment"):
        assert not role_has_perm(Role.AUDITOR, perm)


def test_the_auditor_cannot_change_or_delete_a_log_entry_in_the_admin(client):
    auditor = make_user("auditor", Role.AUDITOR)
    entry = audit_record(action="login", actor=auditor)
    client.force_login(auditor)
    assert client.get(reverse("admin:liaison_auditlog_changelist")).status_code == 200
    page = client.get(reverse("admin:liaison_auditlog_change", args=[entry.pk]))
    assert page.status_code == 200 and 'type="submit"' not in page.content.decode().split('id="auditlog_form"')[-1]
    client.post(reverse("admin:liaison_auditlog_change", args=[entry.pk]), {"action": "forged"})
    assert client.post(reverse("admin:liaison_auditlog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    entry = AuditLog.objects.get(pk=entry.pk)
    assert entry.action == "login"
    # Not even a superuser gets a change or delete page.
    root = User.objects.create_superuser("root", password="Root-pass-2026-x")
    client.force_login(root)
    assert client.post(reverse("admin:liaison_auditlog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403


def test_the_application_refuses_to_update_or_delete_audit_entries():
    entry = audit_record(action="login")
    entry.action = "forged"
    with pytest.raises(AuditLogReadOnly):
        entry.save()
    with pytest.raises(AuditLogReadOnly):
        entry.delete()
    with pytest.raises(AuditLogReadOnly):
        AuditLog.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(AuditLogReadOnly):
        AuditLog.objects.all().delete()


@pytest.mark.postgres
def test_postgresql_trigger_refuses_update_and_delete_but_lets_the_purge_through():
    # A year and more old: the purge function measures the retention by the database's clock,
    # so the entry is made in the past rather than the clock moved forward.
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        entry = audit_record(action="login")
    table = AuditLog._meta.db_table
    for sql in (
        f"UPDATE {table} SET action = 'forged' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
        f"TRUNCATE {table}",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk] if "%s" in sql else None)
    assert AuditLog.objects.get(pk=entry.pk).action == "login"
    assert audit_purge() == 1
    assert not AuditLog.objects.filter(pk=entry.pk).exists()


def test_purge_deletes_only_entries_older_than_the_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=366)):
        old = audit_record(action="login")
    with time_machine.travel(now - timedelta(days=300)):
        young = audit_record(action="login")
    assert audit_purge() == 1
    assert not AuditLog.objects.filter(pk=old.pk).exists()
    assert AuditLog.objects.filter(pk=young.pk).exists()
    assert AuditLog.objects.filter(action="audit_purged", detail__deleted=1).exists()


def test_purge_is_a_scheduled_task(settings):
    from liaison.tasks import audit_purge_task

    assert settings.CELERY_BEAT_SCHEDULE["audit-purge"]["task"] == audit_purge_task.name
    assert settings.AUDIT_RETENTION_DAYS == 365


@pytest.fixture
def auditor():
    return make_user("auditor", Role.AUDITOR, name="审计员 郑")


@pytest.mark.parametrize("persona", ["city_staff", "liaison", "outsider"])
def test_only_the_auditor_opens_the_audit_log(world, client, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("audit_log")).status_code == 403


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.SECADMIN])
def test_administrators_cannot_read_the_audit_log(client, role):
    client.force_login(make_user("admin-x", role))
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("admin:liaison_auditlog_changelist")).status_code == 403


def test_auditor_filters_the_log_by_date_actor_action_outcome_ip_and_object(world, client, auditor, django_assert_max_num_queries):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=10)):
        old = audit_record(action="login", actor=world.liaison)
    failed = audit_record(action="login_failed", outcome="failed", username="intruder")
    changed = audit_record(action="user_access_changed", actor=world.city_staff, obj=world.liaison)
    entry = AuditLog.objects.create(action="login", ip="10.7.7.7", actor=world.handler, actor_repr=str(world.handler))
    client.force_login(auditor)
    own_login = AuditLog.objects.get(action="login", actor=auditor)
    url = reverse("audit_log")

    def ids(**params):
        with django_assert_max_num_queries(12):
            response = client.get(url, params)
        assert response.status_code == 200
        return {e.pk for e in response.context["page"].object_list}

    assert ids(date_from=(now - timedelta(days=1)).date().isoformat()) == {failed.pk, changed.pk, entry.pk, own_login.pk}
    assert ids(date_to=(now - timedelta(days=5)).date().isoformat()) == {old.pk}
    assert ids(actor="intruder") == {failed.pk}
    assert ids(action="user_access_changed") == {changed.pk}
    assert ids(outcome="failed") == {failed.pk}
    assert ids(ip="10.7.7.7") == {entry.pk}
    assert ids(obj=str(world.liaison)) == {changed.pk}


def test_audit_log_is_paginated(client, auditor):
    AuditLog.objects.bulk_create([AuditLog(action="login", actor_repr=f"u{i}") for i in range(120)])
    client.force_login(auditor)
    response = client.get(reverse("audit_log"), {"page": 3})
    # 120 entries plus the auditor's own login: pages of 50.
    assert len(response.context["page"].object_list) == 21 and response.context["page"].paginator.num_pages == 3



def test_auditor_exports_the_log_to_excel_and_the_export_is_audited(world, client, auditor):
    audit_record(action="login_failed", outcome="failed", username="=HYPERLINK(\"http://x\")")
    client.force_login(auditor)
    rows = list(load_workbook(BytesIO(background_export(client, {"outcome": "failed"}))).active.values)
    assert rows[0][0] == "时间" and len(rows) == 2
    assert rows[1][1].startswith("'=")  # neutralized, stays text
    export = AuditLog.objects.get(action="audit_log_exported")
    assert export.actor == auditor and export.detail["filters"] == {"outcome": "failed"}


def test_role_scope_and_active_changes_made_in_the_admin_are_audited(world, client):
    secadmin = make_user("secadmin", Role.SECADMIN)
    client.force_login(secadmin)
    url = reverse("admin:liaison_roleassignment_change", args=[world.liaison.pk])
    response = client.post(url, {"role": Role.ORG_STAFF, "jurisdiction": world.district_a.pk, "unit": ""})
    assert response.status_code == 302
    entry = AuditLog.objects.get(action="user_access_changed")
    assert entry.actor == secadmin and entry.object_id == str(world.liaison.pk)
    assert entry.detail["changes"]["role"] == ["liaison", "staff"]
    assert entry.detail["changes"]["jurisdiction"] == ["", "盐田区"]
    world.liaison.refresh_from_db()
    assert world.liaison.is_staff  # admin access follows the role


def test_sysadmin_deactivating_an_account_is_audited_and_cannot_change_its_role(world, client):
    sysadmin = make_user("sysadmin", Role.SYSADMIN)
    client.force_login(sysadmin)
    url = reverse("admin:liaison_user_change", args=[world.liaison.pk])
    data = {"username": "liaison", "name": "联络员 陈", "mobile": "", "email": "", "must_change_password": "", "role": Role.SYSADMIN}
    assert client.post(url, data).status_code == 302
    world.liaison.refresh_from_db()
    assert not world.liaison.is_active and world.liaison.role == Role.LIAISON
    assert AuditLog.objects.get(action="user_access_changed").detail["changes"] == {"is_active": ["True", "False"]}


def test_emergency_superuser_is_created_and_revoked_with_an_audit_entry():
    out = StringIO()
    call_command("emergency_superuser", "break-glass", reason="incident 42", stdout=out)
    user = User.objects.get(username="break-glass")
    assert user.is_superuser and "One-time password" in out.getvalue()
    call_command("emergency_superuser", "break-glass", "--revoke", reason="closed", stdout=out)
    user.refresh_from_db()
    assert not user.is_superuser and not user.is_active
    actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["emergency_superuser_created", "emergency_superuser_revoked"]


def test_the_system_administrator_sees_no_business_data_even_with_a_jurisdiction(world):
    """Issue 11 item 1: the system administrator's scope is accounts and scheduled jobs; a
    jurisdiction set on the account by mistake must not open the city's deputies, offices, teams,
    units, cases or SMS outbox."""
    from cases.selectors import cases_visible_to
    from liaison.sms_selectors import sms_messages_visible_to
    from offices.selectors import deputies_visible_to, offices_visible_to, teams_visible_to, units_visible_to
    from tests.cases import journey

    journey.register(world)
    sysadmin = make_user("sysadmin_city", Role.SYSADMIN, jurisdiction=world.city)
    for selector in (offices_visible_to, deputies_visible_to, teams_visible_to, units_visible_to, cases_visible_to,
                     sms_messages_visible_to):
        assert not selector(user=sysadmin).exists(), selector.__name__
        assert selector(user=world.city_staff).exists() or selector is sms_messages_visible_to, selector.__name__
