"""The auditor's audit log page (MLPS 8.1.4.3 d) in the reader's language: actions, objects and
outcomes by name, the action filter a choice list, the Excel export labelled too, and the page's
queries bounded whatever the entries name."""

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from liaison.models import AuditAction, AuditLog, AuditOutcome, Role
from liaison.security.audit import ACTION_GROUPS, AuditLogFilterForm
from liaison.services import audit_record
from tests.base import make_user

pytestmark = pytest.mark.django_db

SOURCE_DIRS = ("liaison", "offices", "reception", "cases", "scoring")
# Every way the code names an audit action: audit_record(action="…"), @audited("…"), and the
# bulk-created rows of the retention job (AuditLog(action="…")).
ACTION_CALL = re.compile(r"""(?:audit_record\(\s*action=|audited\(\s*|AuditLog\(\s*action=)["']([\w.]+)["']""")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def auditor():
    return make_user("auditor", Role.AUDITOR, name="审计员 郑")


def _recorded_actions():
    found = {}
    for folder in SOURCE_DIRS:
        for path in (Path(settings.BASE_DIR) / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for action in ACTION_CALL.findall(path.read_text(encoding="utf-8")):
                found.setdefault(action, str(path.relative_to(settings.BASE_DIR)))
    return found


def test_every_action_the_code_records_has_a_label():
    found = _recorded_actions()
    # The scan itself must see the call sites (a regex that matches nothing proves nothing).
    assert {"login", "case_personal_data_viewed", "points_export_downloaded", "resident_data_anonymized"} <= set(found)
    missing = {action: where for action, where in found.items() if action not in AuditAction.values}
    assert missing == {}, "add these to liaison.models.AuditAction"


def test_every_action_is_in_exactly_one_group_of_the_filter():
    grouped = [a for _group, actions in ACTION_GROUPS for a in actions]
    assert sorted(grouped) == sorted(AuditAction)


@pytest.mark.parametrize("choices", [AuditAction, AuditOutcome])
def test_every_action_and_outcome_is_named_in_chinese_and_in_english(choices):
    for member in choices:
        with translation.override("en"):
            english = str(member.label)
        with translation.override("zh-hans"):
            chinese = str(member.label)
        assert english != member.value and not CJK.search(english), member
        assert CJK.search(chinese) and chinese != english, member


def test_auditor_reads_actions_objects_and_outcomes_in_chinese(world, client, auditor):
    from cases.models import Case, Category

    case = Case.objects.create(
        office=world.office_a1, category=Category.objects.first(), title="楼道灯不亮", content="…",
        channel=Case._meta.get_field("channel").choices[0][0], received_on="2026-03-02", tracking_code="A1B2C3",
    )
    audit_record(action="case_personal_data_viewed", actor=world.city_staff, obj=case)
    audit_record(action="login_failed", outcome="failed", username="intruder")
    audit_record(action="user_access_changed", actor=world.city_staff, obj=world.liaison)
    client.force_login(auditor)
    page = client.get(reverse("audit_log")).content.decode()
    table = page.split('data-testid="audit-table"')[1].split("</table>")[0]
    assert "查看社情民意中群众的联系方式" in table and "登录失败" in table and "变更角色、管理范围或启用状态" in table
    # The object by its model's name and its label, not `cases.case`.
    assert f"社情民意 #{case.pk}" in table and str(case) in table and "cases.case" not in table
    assert "用户" in table and "liaison.user" not in table
    assert '<span class="badge bg-warning text-dark">失败</span>' in table
    assert '<span class="badge bg-success">成功</span>' in table
    # Codes only in attributes (for scripts and the tooltip), never as the visible text.
    assert ">login_failed<" not in table and ">case_personal_data_viewed<" not in table


def test_the_page_is_complete_in_english(world, client, auditor):
    audit_record(action="login_failed", outcome="failed", username="intruder")
    client.force_login(auditor)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("audit_log")).content.decode()
    table = page.split('data-testid="audit-table"')[1].split("</table>")[0]
    assert "Sign-in failed" in table and ">Failed<" in table and "Signed in" in table
    assert "Any action" in page and "Sign-in and accounts" in page
    assert not CJK.search(table.replace("审计员 郑", ""))


def test_an_unknown_legacy_action_still_renders_under_its_code(client, auditor):
    AuditLog.objects.create(action="sms_resent_by_hand", outcome="partial", object_type="gone.model", object_id="7",
                            object_repr="an old thing", actor_repr="someone")
    client.force_login(auditor)
    response = client.get(reverse("audit_log"))
    table = response.content.decode().split('data-testid="audit-table"')[1]
    assert ">sms_resent_by_hand<" in table and ">partial<" in table and "gone.model #7" in table


def test_actors_without_an_account_are_named_in_chinese_but_a_typed_username_is_not(client, auditor):
    resident = audit_record(action="privacy_data_viewed", username="resident 138****0000")
    command = audit_record(action="emergency_superuser_created", username="manage.py")
    typed = audit_record(action="login_failed", outcome="failed", username="system")
    with translation.override("zh-hans"):
        assert resident.actor_label == "群众 138****0000"
        assert command.actor_label == "服务器命令行"
        assert typed.actor_label == "system"


def test_the_action_filter_is_a_choice_list_grouped_by_kind(client, auditor):
    login = AuditLog.objects.create(action="login", actor_repr="a")
    AuditLog.objects.create(action="login_failed", actor_repr="b", outcome="failed")
    client.force_login(auditor)
    page = client.get(reverse("audit_log")).content.decode()
    select = page.split('name="action"')[1].split("</select>")[0]
    assert '<optgroup label="登录与账号">' in select and '<option value="login">登录</option>' in select
    assert '<optgroup label="群众个人信息">' in select
    own_login = AuditLog.objects.get(action="login", actor=auditor)
    response = client.get(reverse("audit_log"), {"action": "login"})
    assert {e.pk for e in response.context["page"].object_list} == {login.pk, own_login.pk}


def test_an_action_outside_the_list_matches_nothing_and_says_why(client, auditor):
    AuditLog.objects.create(action="login", actor_repr="a")
    client.force_login(auditor)
    response = client.get(reverse("audit_log"), {"action": "log"})
    assert response.status_code == 200 and list(response.context["page"].object_list) == []
    assert response.context["form"].errors["action"]
    assert "选择一个有效的选项" in response.content.decode()


def test_the_filter_form_lists_every_action_once():
    form = AuditLogFilterForm()
    values = [v for _g, options in form.fields["action"].choices[1:] for v, _label in options]
    assert sorted(values) == sorted(AuditAction.values)


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_entries_name(world, client, auditor):
    from offices.models import Deputy, Office

    url = reverse("audit_log")
    client.force_login(auditor)
    client.get(url)  # warm the per-process and cached reads (the signed-in account)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    objects = [world.liaison, world.office_a1, world.deputy_a, *Office.objects.all(), *Deputy.objects.all()]
    actions = list(AuditAction)
    for i in range(49):
        audit_record(action=actions[i % len(actions)], actor=world.city_staff, obj=objects[i % len(objects)])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 50
    assert len(many) == len(few)


def background_export(client, params):
    """Ask for the Excel file of the log (a background job, run in process here) and download it
    from the job's page. Returns the file's bytes."""
    from django.test.testcases import TestCase

    from liaison.models import BackgroundExport

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(reverse("audit_log"), {**params, "format": "xlsx"})
    job = BackgroundExport.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse("exports:detail", args=[job.pk])
    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def test_the_excel_export_names_actions_objects_and_outcomes_and_keeps_the_codes(world, client, auditor):
    audit_record(action="user_access_changed", actor=world.city_staff, obj=world.liaison, outcome="refused")
    client.force_login(auditor)
    rows = list(load_workbook(BytesIO(background_export(client, {"action": "user_access_changed"}))).active.values)
    assert rows[0][3:6] == ("操作", "操作代码", "对象类型")
    assert len(rows) == 2
    row = rows[1]
    assert row[1] == str(world.city_staff) and row[3] == "变更角色、管理范围或启用状态" and row[4] == "user_access_changed"
    assert row[5] == "用户" and row[6] == str(world.liaison.pk) and row[8] == "已拒绝"


def test_the_admin_list_of_the_log_shows_the_same_names_and_filters_by_the_list(world, client, auditor):
    audit_record(action="user_access_changed", actor=world.city_staff, obj=world.liaison)
    client.force_login(auditor)
    url = reverse("admin:liaison_auditlog_changelist")
    page = client.get(url).content.decode()
    assert "变更角色、管理范围或启用状态" in page and f"用户 {world.liaison}" in page and "成功" in page
    filtered = client.get(url, {"action": "user_access_changed"})
    assert [e.action for e in filtered.context["cl"].result_list] == ["user_access_changed"]
