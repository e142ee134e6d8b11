"""Issue 12's closing requirement: the whole journey across roles in a real browser, each person in
their own (phone-sized) context and login. A resident opens `/`, finds the office and leaves an
opinion with a photo; the SMS with the tracking code is in the outbox; the team gives the case an
owner, who forwards it; staff dispatch it to a unit, whose handler signs for it and asks for more
time, which staff approve; the unit replies; the resident rates the answer 非常满意 through the link
of the reply SMS; the owner deputy's points item 3 and the unit's review satisfaction rate follow
the resident's rating, and the tracking page shows the unit's reply, never the deputy's own note."""

import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, CaseDispatch, DispatchStatus, SatisfactionSource, Status
from cases.review_selectors import as_reviews, unit_review_queryset
from liaison.models import SmsMessage
from scoring.models import Entry

from . import journey
from .test_browser import MOBILE, make_move, pending_captcha_answer, submit

TITLE = "东和路路灯不亮"
REPLY = "已更换东和路8号路口的路灯灯头并恢复照明。"
NOTE = "已电话告知刘女士，内部备注：下次巡查顺带看看。"
ITEM_3 = "协助解决群众诉求"
# How many lines an inline element's text takes (its boxes of any width, by their top).
LINES = "e => new Set([...e.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size"


def photo(tmp_path):
    from PIL import Image

    path = tmp_path / "路灯.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), "orange").save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return path


def confirm(page):
    page.get_by_test_id("confirm").click()
    page.wait_for_load_state()


def item_3_points(world):
    return Entry.objects.filter(deputy=world.deputy_b, rule_item__number=3).aggregate(p=Sum("points"))["p"] or 0


def review_of_unit_a(world):
    reviews = as_reviews(unit_review_queryset(user=world.district_staff, year=timezone.localdate().year))
    return next(r for r in reviews if r.unit_id == world.unit_a.pk)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The public form's and the rating link's rate limits count in the cache, which other tests
    of the same run also fill from 127.0.0.1."""
    cache.clear()
    yield
    cache.clear()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_residents_opinion_with_a_photo_walks_to_the_units_reply_and_the_residents_rating_counts(
    world, person, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_STAGING_ROOT = tmp_path / "staging"
    settings.PUBLIC_BASE_URL = live_server.url  # the links in the resident's SMS
    url = live_server.url
    today = timezone.localdate()

    # 1. The resident opens the front door, finds the office by its deputy and writes, with a photo.
    resident = person()
    resident.goto(f"{url}/")
    resident.get_by_test_id("front-write").click()
    resident.fill("input[name=q]", "李四")
    resident.locator("[data-testid=office-search] button[type=submit]").click()
    card = resident.get_by_test_id("office-card")
    expect(card).to_have_count(1)
    card.get_by_role("link", name="在此留言反映").click()
    resident.fill("input[name=name]", "刘女士")
    resident.fill("input[name=mobile]", MOBILE)
    resident.fill("input[name=title]", TITLE)
    resident.fill("textarea[name=content]", "东和路8号附近路灯坏了一个月，晚上很黑。")
    resident.fill("input[name=location]", "东和路8号路口")
    resident.set_input_files("input[name=photos]", str(photo(tmp_path)))
    resident.fill("input[name=captcha]", pending_captcha_answer(resident))
    resident.check("input[name=acknowledge]")
    resident.get_by_test_id("submit").click()
    code = resident.get_by_test_id("tracking-code").inner_text().strip()
    case = Case.objects.get(tracking_code=code)
    assert case.office == world.office_a1 and case.status == Status.REGISTERED
    assert list(case.attachments.values_list("name", flat=True)) == ["路灯.jpg"]

    # 2. The SMS with the tracking code and the tracking page's address is in the outbox.
    intake = SmsMessage.objects.get(phone=MOBILE, template="case_received")
    assert code in intake.text and f"{url}/office/track/" in intake.text

    # 3. The team meeting gives the case its owner (the meeting page has its own journey test);
    #    the owner forwards it on the case page, where the resident's photo is attached.
    journey.assign(world, case, owner=world.deputy_b)
    owner = person("deputy_b")
    owner.goto(f"{url}/cases/{case.pk}/")
    expect(owner.locator("main")).to_contain_text("路灯.jpg")
    make_move(owner, "forward")
    owner.fill("textarea[name=comment]", "请组织部交办城管部门")
    submit(owner)
    expect(owner.get_by_test_id("status")).to_have_text("已报送")

    # 4. Staff dispatch it to the unit with a short deadline.
    staff = person("district_staff", viewport={"width": 375, "height": 800})  # the narrowest phones
    staff.goto(f"{url}/cases/to-dispatch/")
    staff.get_by_role("link", name=TITLE).click()
    make_move(staff, "dispatch")
    staff.check(f"input[name=units][value='{world.unit_a.pk}']")
    staff.fill("input[name=deadline]", (today + datetime.timedelta(days=5)).isoformat())
    submit(staff)
    expect(staff.get_by_test_id("status")).to_have_text("已交办")
    assert SmsMessage.objects.filter(phone=MOBILE, template="case_dispatched").count() == 1

    # 5. The unit's handler signs for its share and asks for more time.
    new_deadline = today + datetime.timedelta(days=20)
    handler = person("handler")
    handler.goto(f"{url}/cases/inbox/")
    row = handler.get_by_test_id("inbox-row").filter(has_text=TITLE)
    row.get_by_role("link", name="签收").click()
    confirm(handler)
    expect(handler.get_by_test_id("share-status")).to_have_text("已签收")
    handler.get_by_role("link", name="申请延期").click()
    handler.fill("input[name=new_deadline]", new_deadline.isoformat())
    handler.fill("textarea[name=reason]", "灯杆需更换，须等供电部门配合")
    confirm(handler)
    expect(handler.get_by_test_id("extension")).to_contain_text("待审批")

    # 6. Staff approve the extension from their queue.
    staff.goto(f"{url}/cases/to-dispatch/")
    # The old and the new deadline read on one line, even at 375 px.
    assert staff.get_by_test_id("extension-dates").evaluate(LINES) == 1
    assert staff.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    staff.get_by_test_id("extensions").get_by_role("link", name="批准").click()
    confirm(staff)
    expect(staff.get_by_test_id("extension")).to_contain_text("已批准")
    assert CaseDispatch.objects.get(case=case).deadline == new_deadline

    # 7. The handler replies from the inbox, under the new deadline.
    handler.goto(f"{url}/cases/inbox/")
    row = handler.get_by_test_id("inbox-row").filter(has_text=TITLE)
    expect(row.get_by_test_id("inbox-deadline")).to_have_text(new_deadline.isoformat())
    row.get_by_role("link", name="答复").click()
    handler.check("input[name=result][value=solved]")
    handler.fill("textarea[name=reply]", REPLY)
    submit(handler)
    expect(handler.get_by_test_id("status")).to_have_text("已答复")
    assert CaseDispatch.objects.get(case=case).status == DispatchStatus.REPLIED

    # Before the resident rates: no item 3 points, no satisfaction rate for the unit.
    assert item_3_points(world) == 0
    staff.goto(f"{url}/case-reports/review/")
    unit_row = staff.locator(f"tr[data-unit='{world.unit_a.pk}']")
    expect(unit_row.locator("td").last).to_have_text("—")

    # 8. The resident opens the link of the reply SMS, reads the answer and rates it 非常满意.
    rate_sms = SmsMessage.objects.get(phone=MOBILE, template="case_answer_rate")
    assert code in rate_sms.text and rate_sms.params["url"].startswith(f"{url}/")
    resident.goto(rate_sms.params["url"])
    expect(resident.get_by_test_id("unit-replies")).to_contain_text(REPLY)
    resident.get_by_label("非常满意").check()
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.get_by_test_id("rate-thanks")).to_contain_text("非常满意")
    case.refresh_from_db()
    assert case.satisfaction == "very" and case.satisfaction_source == SatisfactionSource.RESIDENT

    # 9. The owner's points item 3 and the unit's satisfaction rate follow the resident's rating,
    #    on their pages.
    assert item_3_points(world) == 6
    owner.goto(f"{url}/points/")
    item_row = owner.get_by_test_id("by-item").locator("tr").filter(has_text=ITEM_3)
    expect(item_row.locator("td").last).to_have_text("6")
    staff.goto(f"{url}/case-reports/review/")
    unit_row = staff.locator(f"tr[data-unit='{world.unit_a.pk}']")
    expect(unit_row.locator("td").last).to_have_text("100.0%")
    review = review_of_unit_a(world)
    assert (review.received, review.replied, review.very, review.satisfaction_rate) == (1, 1, 1, 100)

    # 10. The owner tells the resident the result, with an internal note.
    owner.goto(f"{url}/cases/{case.pk}/")
    make_move(owner, "feedback")
    owner.fill("textarea[name=note]", NOTE)
    submit(owner)
    expect(owner.get_by_test_id("status")).to_have_text("已反馈")

    # 11. The resident tracks it: the unit's reply and their own rating, not the deputy's note.
    resident.goto(f"{url}/office/track/")
    resident.fill("input[name=code]", code)
    resident.fill("input[name=mobile]", MOBILE)
    resident.locator("main form button[type=submit]").click()
    result = resident.get_by_test_id("track-result")
    expect(resident.get_by_test_id("track-status")).to_have_text("已反馈")
    expect(result).to_contain_text(REPLY)
    expect(result).not_to_contain_text("内部备注")
    expect(resident.get_by_test_id("track-rating")).to_contain_text("非常满意")
    # Each move of the case, dated; the unit's signing and extension are not the resident's steps.
    steps = result.locator("ol li")
    expect(steps).to_have_count(6)
    assert [t.split()[0] for t in steps.all_inner_texts()] == ["已登记", "已领办", "已报送", "已交办", "已答复", "已反馈"]
    assert all(re.search(r"\d{4}-\d{2}-\d{2}", t) for t in steps.all_inner_texts())
    assert resident.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
