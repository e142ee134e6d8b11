"""The year-end review published as a bulletin, in a real browser [000 七]: district staff open
the review, publish it with a foreword; the handler of a unit in it finds the notice on the home
page and reads the bulletin in their own login."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import ReviewBulletin

from .test_review_bulletin import dispatched_to_a, dispatched_to_b


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_publish_the_review_bulletin_and_the_unit_reads_it_000_7(world, person, live_server):
    dispatched_to_a(world)
    dispatched_to_a(world, replied=False)
    dispatched_to_b(world)
    year = timezone.localdate().year

    staff = person("district_staff", viewport={"width": 1280, "height": 900})
    staff.goto(f"{live_server.url}/case-reports/review/?year={year}")
    staff.get_by_test_id("publish-bulletin").click()
    expect(staff.locator("h1")).to_have_text("发布回头看通报")
    # The preview holds the district's unit, not the other district's.
    expect(staff.locator("main table")).to_contain_text("盐田区住房和建设局")
    expect(staff.locator("main table")).not_to_contain_text("福田区城市管理局")
    staff.fill("textarea[name=foreword]", "请各承办单位对照问题逐项整改。")
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.get_by_role("button", name="发布", exact=True).click()
    expect(staff.get_by_test_id("bulletin-title")).to_have_text(f"{year}年度社情民意办理“回头看”情况通报")
    expect(staff.locator(".alert-success")).to_contain_text("通报已发布")
    bulletin = ReviewBulletin.objects.get()
    assert bulletin.rows[0]["received"] == 2

    handler = person("handler")
    handler.goto(f"{live_server.url}/notices/")
    handler.get_by_role("link", name="回头看通报已发布", exact=False).click()
    expect(handler.locator("article")).to_contain_text("请各承办单位对照问题逐项整改。")
    row = handler.locator(f'tr[data-unit="{world.unit_a.pk}"]')
    expect(row).to_contain_text("盐田区住房和建设局")
    expect(row.locator("td").nth(2)).to_have_text("2")

    # The other district's handler does not get it.
    other = person("other_handler")
    other.goto(f"{live_server.url}/case-reports/bulletins/{bulletin.pk}/")
    expect(other.locator("body")).not_to_contain_text("请各承办单位对照问题逐项整改。")
