"""Issue 12 item 7 in a real browser, on phone-sized screens: a unit handler signs for a case and
asks for more time, staff approve, and the inbox shows the new deadline; a unit returns a wrongly
dispatched case and staff re-dispatch it to the right unit. Each person in their own browser
context and login."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseDispatch, DispatchStatus
from offices.models import Unit

from . import journey


def dispatched(world, title, days):
    case = journey.forward(world, journey.assign(world, journey.register(world, title=title)))
    return journey.dispatch(world, case, days=days)


def confirm(page):
    page.get_by_test_id("confirm").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_unit_signs_asks_for_more_time_staff_approve_and_the_inbox_shows_the_new_deadline(world, person, live_server):
    url = live_server.url
    today = timezone.localdate()
    case = dispatched(world, "人行道地砖松动", days=5)
    new_deadline = today + datetime.timedelta(days=25)

    handler = person("handler")
    handler.goto(f"{url}/cases/inbox/")
    row = handler.get_by_test_id("inbox-row").filter(has_text="人行道地砖松动")
    expect(row.get_by_test_id("days-left")).to_contain_text("剩余 5 天")
    # Phone-sized: the inbox is one card per case, the table header is hidden.
    expect(handler.locator("table.table-cards thead")).to_be_hidden()
    row.get_by_role("link", name="签收").click()
    expect(handler.get_by_test_id("explain")).to_be_visible()
    confirm(handler)
    expect(handler.get_by_test_id("share-status")).to_have_text("已签收")
    handler.get_by_role("link", name="申请延期").click()
    handler.fill("input[name=new_deadline]", new_deadline.isoformat())
    handler.fill("textarea[name=reason]", "需先做管道检测并报水务部门审批")
    confirm(handler)
    expect(handler.get_by_test_id("extension")).to_contain_text("待审批")

    staff = person("district_staff")
    staff.goto(f"{url}/cases/to-dispatch/")
    expect(staff.get_by_test_id("extensions-count")).to_have_text("1")
    staff.get_by_test_id("extensions").get_by_role("link", name="批准").click()
    expect(staff.get_by_test_id("new-deadline")).to_have_text(new_deadline.isoformat())
    confirm(staff)
    expect(staff.get_by_test_id("extension")).to_contain_text("已批准")

    handler.goto(f"{url}/cases/inbox/")
    row = handler.get_by_test_id("inbox-row").filter(has_text="人行道地砖松动")
    expect(row.get_by_test_id("inbox-deadline")).to_have_text(new_deadline.isoformat())
    expect(row.get_by_test_id("days-left")).to_contain_text("剩余 25 天")
    assert CaseDispatch.objects.get(case=case).deadline == new_deadline


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_unit_returns_a_wrongly_dispatched_case_and_staff_redispatch_it(world, person, live_server):
    url = live_server.url
    right_unit = Unit.objects.create(name="盐田区城市管理和综合执法局", jurisdiction=world.district_a)
    case = dispatched(world, "菜市场周边违章搭建", days=7)

    handler = person("handler")
    handler.goto(f"{url}/cases/{case.pk}/")
    handler.get_by_test_id("unit-moves").get_by_role("link", name="退回").click()
    handler.fill("textarea[name=reason]", "违章搭建属城管执法局职责")
    confirm(handler)
    expect(handler.get_by_test_id("share-status")).to_have_text("已退回")
    handler.goto(f"{url}/cases/inbox/")
    expect(handler.get_by_test_id("empty")).to_be_visible()  # nothing owed any more

    staff = person("district_staff")
    staff.goto(f"{url}/")
    staff.get_by_test_id("unit-requests-link").click()
    expect(staff.get_by_test_id("returned")).to_contain_text("违章搭建属城管执法局职责")
    staff.get_by_test_id("returned").get_by_role("link", name="改派").click()
    staff.check(f"input[name=units][value='{right_unit.pk}']")
    staff.fill("input[name=deadline]", (timezone.localdate() + datetime.timedelta(days=10)).isoformat())
    confirm(staff)
    expect(staff.get_by_test_id("dispatches")).to_contain_text(right_unit.name)
    expect(staff.get_by_test_id("dispatches")).to_contain_text("已改派")
    assert CaseDispatch.objects.get(case=case, unit=right_unit).status == DispatchStatus.PENDING
