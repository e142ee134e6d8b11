"""The points journey in a real browser (SPEC §4, [002 附件1 二 四]): a deputy claims volunteer
work with a photo, the office's liaison confirms, org staff verify, the deputy sees the points and
the rank change; then the deputy asks for a review and sees the decision. Each person uses their
own browser context and logs in through the login form."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from scoring.models import Claim, Entry, Review
from scoring.services import points_record_event

from .helpers import PNG, make_record, yantian_item


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_volunteer_claim_confirmed_verified_then_reviewed_in_the_browser_002_1_2_and_1_4(
    world, person, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    # Deputy B already has 3 points: deputy A starts second in the district.
    points_record_event(deputy=world.deputy_b, event="proposal", source=make_record(world.deputy_b), occurred_on=today)
    url = live_server.url

    deputy = person("deputy_a")
    deputy.goto(f"{url}/points/")
    expect(deputy.get_by_test_id("total")).to_have_text("0")
    expect(deputy.get_by_test_id("rank-district")).to_have_text("2 / 2")

    # 1. The deputy claims item 12 (volunteer work) with a photo.
    deputy.get_by_role("link", name="申报履职活动").click()
    deputy.select_option("select[name=rule_item]", str(yantian_item(12).pk))
    deputy.fill("input[name=occurred_on]", today.isoformat())
    deputy.fill("input[name=quantity]", "1")
    deputy.fill("textarea[name=description]", "周末参加社区环境整治志愿活动")
    deputy.set_input_files("input[name=evidence]", {"name": "volunteer.png", "mimeType": "image/png", "buffer": PNG})
    deputy.get_by_role("button", name="提交申报").click()
    expect(deputy.get_by_test_id("claim-status")).to_have_text("待工作室确认")
    claim = Claim.objects.get()
    assert claim.evidence.name.endswith(".png") and claim.entered_by == world.deputy_a_user
    deputy.goto(f"{url}/points/")
    expect(deputy.get_by_test_id("total")).to_have_text("0")  # not counted before verification

    # 2. The office's liaison confirms (records) it.
    liaison = person("liaison")
    liaison.goto(f"{url}/points/claims/")
    liaison.get_by_role("link", name=world.deputy_a.name).click()
    liaison.get_by_role("button", name="确认（工作室登记）").click()
    expect(liaison.get_by_test_id("claim-status")).to_have_text("工作室已确认，待组织部门审核")

    # 3. Org staff of the district verify it.
    staff = person("district_staff")
    staff.goto(f"{url}/points/claims/")
    staff.get_by_role("link", name=world.deputy_a.name).click()
    staff.get_by_role("button", name="审核通过（计入积分）").click()
    expect(staff.get_by_test_id("claim-status")).to_have_text("已审核")

    # 4. The deputy sees the points and the new rank.
    deputy.reload()
    expect(deputy.get_by_test_id("total")).to_have_text("5")
    expect(deputy.get_by_test_id("rank-district")).to_have_text("1 / 2")
    expect(deputy.get_by_test_id("rank-office")).to_have_text("1 / 2")

    # 5. The deputy asks for a review of the entry.
    deputy.get_by_role("link", name="申请复核").click()
    deputy.fill("textarea[name=reason]", "当天共参加两次志愿活动，应计两次")
    deputy.get_by_role("button", name="提交申请").click()
    expect(deputy.get_by_test_id("review-status")).to_have_text("待处理")
    review = Review.objects.get()

    # 6. The review group decides: accepted, corrected to 10 points, with the reason.
    staff.goto(f"{url}/points/reviews/")
    staff.locator(f'main a[href="/points/reviews/{review.pk}/"]').click()
    staff.select_option("select[name=decision]", "accept")
    staff.fill("input[name=corrected_points]", "10")
    staff.fill("textarea[name=reason]", "经核实佐证材料，确为两次")
    staff.locator("form:has(select[name=decision]) button[type=submit]").click()
    expect(staff.get_by_test_id("review-status")).to_have_text("已采纳")

    # 7. The deputy sees the decision and the corrected total.
    deputy.goto(f"{url}/points/reviews/{review.pk}/")
    expect(deputy.get_by_test_id("review-status")).to_have_text("已采纳")
    expect(deputy.get_by_test_id("review-decision")).to_contain_text("经核实佐证材料，确为两次")
    deputy.goto(f"{url}/points/")
    expect(deputy.get_by_test_id("total")).to_have_text("10")
    expect(deputy.get_by_text("经核实佐证材料，确为两次").first).to_be_visible()
    assert sorted(Entry.objects.filter(deputy=world.deputy_a).values_list("points", flat=True)) == [-5, 5, 10]
