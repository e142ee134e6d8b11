"""The reception journey in a real browser (SPEC §2, [000 十一], [003]): a liaison plans a
reception and publishes its announcement, the public office page shows it, a deputy asks for
leave, staff approve it, the liaison logs the reception with attendance, and the deputy sees the
leave and the attendance on the home page. Each person has their own phone-sized browser context."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reception.models import Activity, Attendance, LeaveRequest, ReceptionPeriod


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_liaison_plans_announces_and_logs_a_reception_while_a_deputy_takes_approved_leave_000_11(
    world, person, live_server, browser
):
    today = timezone.localdate()
    day = today + datetime.timedelta(days=10)
    period = ReceptionPeriod.objects.create(
        district=world.district_a, key="test-1", start=today - datetime.timedelta(days=2), end=day
    )
    url = live_server.url

    # 1. The liaison plans a reception with both deputies of the team.
    liaison = person("liaison")
    liaison.goto(f"{url}/org/activities/")
    liaison.get_by_role("link", name="计划活动", exact=True).click()
    liaison.select_option("select[name=office]", str(world.office_a1.pk))
    liaison.select_option("select[name=kind]", "reception")
    liaison.fill("input[name=title]", "十一月接待周集中接待")
    liaison.fill("input[name=date]", day.isoformat())
    liaison.select_option("select[name=slot]", "pm")
    liaison.get_by_label("张三", exact=False).check()
    liaison.get_by_label("李四", exact=False).check()
    liaison.get_by_role("button", name="保存", exact=True).click()
    expect(liaison.get_by_test_id("activity-status")).to_have_text("已计划")
    activity = Activity.objects.get()
    assert activity.period == period

    # 2. It publishes the announcement, 10 days ahead.
    liaison.get_by_role("link", name="发布活动预告", exact=True).click()
    liaison.get_by_role("button", name="发布", exact=True).click()
    expect(liaison.get_by_test_id("activity-status")).to_have_text("已预告")

    # The public office page shows it with the deputies' units.
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{url}/office/{world.office_a1.pk}/")
    expect(public.get_by_test_id("upcoming-activities")).to_contain_text("十一月接待周集中接待")
    expect(public.get_by_test_id("upcoming-activities")).to_contain_text(world.deputy_b.work_unit)
    public.context.close()

    # 3. Deputy B asks for leave from the home page's activity.
    deputy = person("deputy_b")
    expect(deputy.get_by_test_id("my-activities")).to_contain_text("十一月接待周集中接待")
    deputy.get_by_test_id("my-activities").get_by_role("link").first.click()
    deputy.get_by_role("link", name="请假", exact=True).click()
    deputy.fill("textarea[name=reason]", "赴外地参加培训")
    deputy.get_by_role("button", name="提交申请", exact=True).click()
    expect(deputy.get_by_test_id("leave-list")).to_contain_text("待审批")

    # 4. District staff approve it.
    staff = person("district_staff")
    staff.goto(f"{url}/org/leave/")
    staff.get_by_role("link", name="审批", exact=True).click()
    staff.get_by_label("批准", exact=True).check()
    staff.get_by_role("button", name="记录处理决定", exact=True).click()
    expect(staff.get_by_test_id("leave-list")).not_to_contain_text("赴外地参加培训")
    assert LeaveRequest.objects.get().status == LeaveRequest.Status.APPROVED

    # 5. The day comes; the liaison logs who attended.
    Activity.objects.filter(pk=activity.pk).update(date=today)
    liaison.goto(f"{url}/org/activities/{activity.pk}/")
    liaison.get_by_role("link", name="登记活动情况", exact=True).click()
    liaison.get_by_label("张三", exact=False).check()
    liaison.fill("textarea[name=notes]", "接待群众12人次，收集意见3条。")
    liaison.get_by_role("button", name="保存登记", exact=True).click()
    expect(liaison.get_by_test_id("activity-status")).to_have_text("已开展并登记")
    expect(liaison.get_by_test_id("participants")).to_contain_text("出席")

    outcomes = dict(Attendance.objects.filter(period=period).values_list("deputy__name", "outcome"))
    assert outcomes == {"张三": Attendance.Outcome.ATTENDED, "李四": Attendance.Outcome.LEAVE}

    # 6. The deputy sees the approved leave and the period's outcome on the home page.
    deputy.goto(f"{url}/")
    expect(deputy.get_by_test_id("my-leave")).to_contain_text("已批准")
    expect(deputy.get_by_test_id("my-attendance")).to_contain_text("已请假")
