"""Issue 11 item 9 in a real browser on a phone-sized screen: the character CAPTCHA is served by our
own view, "换一张" gives a new picture with JavaScript on (only the picture changes) and off (the
form comes back with what was typed), and the resident gets through with the new picture."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.cases.test_browser import pending_captcha_answer

MOBILE = "13912345678"


def _fill(page):
    page.fill("input[name=name]", "刘女士")
    page.fill("input[name=mobile]", MOBILE)
    page.fill("input[name=title]", "小区路灯不亮")
    page.fill("textarea[name=content]", "东和路8号附近路灯坏了一个月")
    page.check("input[name=acknowledge]")


def _picture_loaded(page):
    return page.get_by_test_id("captcha-img").evaluate("img => img.complete && img.naturalWidth > 0")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_new_picture_with_javascript_swaps_only_the_picture(world, person, live_server):
    resident = person()
    errors = []
    resident.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    resident.goto(f"{live_server.url}/office/{world.office_a1.pk}/write/")
    _fill(resident)
    assert _picture_loaded(resident)
    first = pending_captcha_answer(resident)
    old_src = resident.get_by_test_id("captcha-img").get_attribute("src")
    resident.get_by_test_id("captcha-refresh").click()
    expect(resident.get_by_test_id("captcha-img")).not_to_have_attribute("src", old_src)
    resident.wait_for_function("() => { const i = document.querySelector('.captcha-img'); return i.complete && i.naturalWidth > 0; }")
    assert resident.input_value("textarea[name=content]") == "东和路8号附近路灯坏了一个月"  # no round trip
    second = pending_captcha_answer(resident)
    assert second != first
    resident.fill("input[name=captcha]", second.lower())  # not case-sensitive
    resident.get_by_test_id("submit").click()
    expect(resident.get_by_test_id("tracking-code")).to_be_visible()
    assert Case.objects.get().title == "小区路灯不亮"
    assert not [e for e in errors if "Content Security Policy" in e]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_new_picture_without_javascript_keeps_what_was_typed(world, browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        resident = context.new_page()
        resident.goto(f"{live_server.url}/office/{world.office_a1.pk}/write/")
        _fill(resident)
        first = pending_captcha_answer(resident)
        resident.get_by_test_id("captcha-refresh").click()
        resident.wait_for_load_state()
        assert resident.input_value("textarea[name=content]") == "东和路8号附近路灯坏了一个月"
        assert resident.input_value("input[name=mobile]") == MOBILE and resident.is_checked("input[name=acknowledge]")
        expect(resident.locator(".invalid-feedback")).to_have_count(0)
        second = pending_captcha_answer(resident)
        assert second != first
        # Enter in a field submits the form (the hidden default button), not "New picture".
        resident.fill("input[name=captcha]", second)
        resident.press("input[name=captcha]", "Enter")
        resident.wait_for_load_state()
        expect(resident.get_by_test_id("tracking-code")).to_be_visible()
        assert Case.objects.count() == 1
    finally:
        context.close()
