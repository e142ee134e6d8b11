"""Issue 12 item 3 in a real browser: the resident opens the link of their SMS (read from the outbox
row, as the phone would receive it) on a phone-sized screen, reads the unit's answer and rates it;
the case's satisfaction and the owner deputy's points item 3 follow, and the spent link says so."""

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from cases.models import SatisfactionSource
from liaison.models import SmsMessage
from scoring.models import Entry

from . import journey

MOBILE = "13612345678"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_resident_rates_the_answer_from_the_sms_link_and_the_owners_points_follow(world, person, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    case = journey.through(world, journey.register(world), "replied")
    sms = SmsMessage.objects.get(phone=MOBILE, template="case_answer_rate")
    assert sms.params["url"] in sms.text and case.tracking_code in sms.text

    resident = person()  # no login, phone-sized
    resident.goto(sms.params["url"])
    expect(resident.get_by_test_id("unit-replies")).to_contain_text("已更换灯泡")
    expect(resident.get_by_test_id("unit-replies")).to_contain_text(world.unit_a.name)
    # Nothing overflows a 390 px screen.
    assert resident.evaluate("document.documentElement.scrollWidth") <= 390
    resident.get_by_label("非常满意").check()
    resident.fill("textarea[name=comment]", "灯修好了，谢谢党代表")
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.get_by_test_id("rate-thanks")).to_contain_text("非常满意")

    case.refresh_from_db()
    assert case.satisfaction == "very" and case.satisfaction_source == SatisfactionSource.RESIDENT
    points = Entry.objects.filter(deputy=world.deputy_b, event="case_satisfied_very").aggregate(p=Sum("points"))["p"]
    assert points == 6  # item 3, very satisfied, to the owner

    # The link is single-use: opened again, it thanks and takes nothing more.
    resident.goto(sms.params["url"])
    expect(resident.get_by_test_id("rate-thanks")).to_be_visible()
    expect(resident.locator("[data-testid=rate-form]")).to_have_count(0)

    # The owner's points page shows the item.
    owner = person("deputy_b")
    owner.goto(f"{live_server.url}/points/")
    expect(owner.locator("main")).to_contain_text("协助解决群众诉求")
