"""The yearly work plan journey in a real browser [004 第十条] [004 第十二条(五)]: on a phone, the liaison
draws up the office's plan for the year with its weekly opening and an activity, publishes it (late,
since the year has begun: it is published and flagged), the public office page shows it, and the
district staff see it as published late in their status list."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reception.models import WorkPlan


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_liaison_writes_and_publishes_the_yearly_plan_and_it_is_on_the_public_page_004_art10(
    world, browser, browser_login, live_server
):
    url = live_server.url
    year = timezone.localdate().year
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    liaison = context.new_page()
    browser_login(liaison, "liaison")

    liaison.goto(f"{url}/org/plans/")
    liaison.get_by_role("link", name="制定年度计划", exact=True).click()
    liaison.fill("input[name=year]", str(year))
    liaison.fill("textarea[name=goals]", "每月开展一次集中接待")
    # Saving without any opening half-day is refused [004 第十条].
    liaison.select_option("select[name=items-0-month]", "3")
    liaison.select_option("select[name=items-0-kind]", "reception")
    liaison.fill("input[name=items-0-title]", "三月集中接待日")
    liaison.get_by_role("button", name="保存", exact=True).click()
    expect(liaison.get_by_test_id("work-plan-form")).to_contain_text("工作室每周至少开放一次，每次不少于半天。")
    assert not WorkPlan.objects.exists()

    liaison.get_by_label("星期三 下午", exact=True).check()
    liaison.fill("input[name=opening_notes]", "14:30–17:30")
    liaison.locator("[data-testid=plan-item]").first.get_by_label("张三", exact=False).check()
    liaison.get_by_role("button", name="保存", exact=True).click()
    expect(liaison.get_by_test_id("plan-status")).to_contain_text("草稿")
    expect(liaison.get_by_test_id("plan-opening")).to_contain_text("星期三 下午")

    # The draft is not public.
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{url}/office/{world.office_a1.pk}/")
    expect(public.get_by_test_id("public-work-plan")).to_have_count(0)

    liaison.get_by_role("link", name="发布计划", exact=True).click()
    expect(liaison.get_by_test_id("publish-late")).to_be_visible()
    liaison.get_by_role("button", name="发布", exact=True).click()
    expect(liaison.get_by_test_id("plan-status")).to_contain_text("逾期发布")
    plan = WorkPlan.objects.get()
    assert plan.is_published and plan.published_late

    public.reload()
    expect(public.get_by_test_id("public-work-plan")).to_contain_text("三月集中接待日")
    # The plan's weekly opening is the office's open hours, stated once at the top of the page.
    expect(public.get_by_test_id("office-hours")).to_contain_text("星期三 下午")
    expect(public.get_by_test_id("public-work-plan")).to_contain_text("张三")
    public.context.close()

    staff = context.browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    browser_login(staff, "district_staff")
    staff.goto(f"{url}/org/plans/status/?state=late&year={year}")
    expect(staff.get_by_test_id("work-plan-status")).to_contain_text(world.office_a1.name)
    staff.get_by_role("link", name=world.office_a1.name, exact=True).click()
    expect(staff.get_by_test_id("plan-months")).to_contain_text("三月集中接待日")
    staff.context.close()
    context.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_liaison_adds_activity_rows_without_saving_first(world, browser, browser_login, live_server):
    year = timezone.localdate().year
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    liaison = context.new_page()
    browser_login(liaison, "liaison")
    liaison.goto(f"{live_server.url}/org/plans/new/")
    liaison.fill("input[name=year]", str(year))
    liaison.get_by_label("星期三 下午", exact=True).check()
    rows = liaison.get_by_test_id("plan-item")
    expect(rows).to_have_count(3)
    liaison.get_by_test_id("add-plan-item").click()
    liaison.get_by_test_id("add-plan-item").click()
    expect(rows).to_have_count(5)
    expect(rows.nth(4).locator("legend").first).to_have_text("活动5")
    for index, (month, title) in enumerate([(1, "一月接待"), (2, "二月接待"), (3, "三月接待"), (4, "四月接待"), (5, "五月接待")]):
        liaison.select_option(f"select[name=items-{index}-month]", str(month))
        liaison.select_option(f"select[name=items-{index}-kind]", "reception")
        liaison.fill(f"input[name=items-{index}-title]", title)
    # The new row's deputy choices work like the server-rendered ones.
    rows.nth(4).get_by_label("张三", exact=False).check()
    liaison.get_by_role("button", name="保存", exact=True).click()
    expect(liaison.get_by_test_id("plan-status")).to_contain_text("草稿")
    plan = WorkPlan.objects.get()
    assert sorted(plan.items.values_list("title", flat=True)) == sorted(["一月接待", "二月接待", "三月接待", "四月接待", "五月接待"])
    assert list(plan.items.get(title="五月接待").deputies.values_list("name", flat=True)) == ["张三"]
    context.close()
