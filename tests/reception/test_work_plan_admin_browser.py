"""The work plan's admin page in a real browser (Debian's chromium): staff read the plan's
activities as a table, one row each (issue 10: the items became a tabular inline), add one
through the inline's "add another" row, correct another and save; the plan keeps them."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.reception.test_work_plan import item, make_plan


@pytest.mark.django_db(transaction=True)
def test_staff_add_and_correct_a_plans_activities_in_the_admin_table(world, page, browser_login, live_server):
    plan = make_plan(world, items=[item(deputies=[world.deputy_a.pk]), item(month=4)])
    browser_login(page, "district_staff")
    page.goto(live_server.url + reverse("admin:reception_workplan_change", args=[plan.pk]))
    rows = page.locator("#items-group tbody tr.form-row.has_original")
    expect(rows).to_have_count(2)
    expect(page.locator("#items-group thead")).to_contain_text("月份")

    page.fill("#id_items-1-title", "走访困难家庭（改）")
    page.click("#items-group .add-row a")
    page.fill("#id_items-2-month", "9")
    page.select_option("#id_items-2-kind", index=1)
    page.fill("#id_items-2-title", "九月集中接待")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_be_visible()

    titles = sorted(plan.items.values_list("month", "title"))
    assert len(titles) == 3 and (9, "九月集中接待") in titles
    assert any(title == "走访困难家庭（改）" for _month, title in titles)
