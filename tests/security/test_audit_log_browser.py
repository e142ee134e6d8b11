"""In a real browser: the auditor reads the audit log in Chinese, narrows it with the action list,
and on a phone gets one card per entry. No Content Security Policy violation on the way."""

import pytest
from playwright.sync_api import expect

from liaison.models import Role
from liaison.services import audit_record
from tests.base import make_user


@pytest.mark.django_db(transaction=True)
def test_auditor_picks_an_action_from_the_list_and_reads_the_entries_in_chinese(world, person, live_server):
    make_user("auditor", Role.AUDITOR, name="审计员 郑")
    audit_record(action="user_access_changed", actor=world.city_staff, obj=world.liaison)
    audit_record(action="login_failed", outcome="failed", username="intruder")
    audit_record(action="performance_file_exported", actor=world.liaison, obj=world.deputy_a)

    page = person("auditor", viewport={"width": 1280, "height": 900})
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}/audit/")
    table = page.get_by_test_id("audit-table")
    expect(table.locator("tbody tr[data-action='login_failed']")).to_contain_text("登录失败")
    expect(table.locator("tbody tr[data-action='login_failed']")).to_contain_text("失败")
    expect(table.locator("tbody tr[data-action='performance_file_exported']")).to_contain_text("党代表 #")

    page.select_option("select[name=action]", label="导出履职档案")
    page.get_by_role("button", name="筛选").click()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("导出履职档案")
    expect(rows.first).to_contain_text(world.deputy_a.name)
    expect(page.locator("select[name=action]")).to_have_value("performance_file_exported")

    # On a phone the same entries are cards; the wide table is hidden.
    phone = person("auditor")
    phone.goto(f"{live_server.url}/audit/?action=user_access_changed")
    expect(phone.get_by_test_id("audit-table")).to_be_hidden()
    card = phone.get_by_test_id("audit-cards").locator("li")
    expect(card).to_have_count(1)
    expect(card.first).to_contain_text("变更角色、管理范围或启用状态")
    expect(card.first).to_contain_text("成功")
    assert violations == []
