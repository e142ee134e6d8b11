"""Issue 6, done-when: in a real browser, staff enrol TOTP, log out and log in again with a code; the
auditor, in a separate browser session, finds the enrolment and both logins in the audit log.
No page along the way may trip the Content Security Policy."""

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from liaison.models import Role
from tests.base import make_user


def _code(key, drift=0):
    return f"{totp(key, step=30, t0=0, digits=6, drift=drift):06d}"


def _key_from_secret(secret):
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def _watch_csp(page, violations):
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)


@pytest.mark.django_db(transaction=True)
def test_staff_enrols_totp_logs_in_with_a_code_and_the_auditor_finds_both_in_the_log(
    world, page, browser, browser_login, live_server, settings
):
    settings.REQUIRE_STAFF_2FA = True
    violations = []
    _watch_csp(page, violations)

    # Password alone leads staff to the enrolment page: QR code and the key to type by hand.
    browser_login(page, "city_staff")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/setup/"))
    expect(page.locator("img.qr-code")).to_be_visible()
    key = _key_from_secret(page.get_by_test_id("totp-secret").inner_text().strip())
    page.fill("input[name=token]", _code(key))
    page.click("main form button[type=submit]")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.click("main a.btn")
    expect(page.locator("h1")).to_contain_text("欢迎")

    # Log out through the user menu.
    page.get_by_test_id("user-menu").click()
    page.click("form[action='/accounts/logout/'] button")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")

    # Password, then a code: the next time step's code (within the device's tolerance), since the
    # enrolment code may not be used twice. An enrolment that crossed a 30-second boundary leaves
    # the device a drift of one step back, which would put the next step's code out of reach:
    # the test's clock, not the login, so the drift is reset here.
    TOTPDevice.objects.filter(user=world.city_staff).update(drift=0)
    browser_login(page, "city_staff")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/verify/"))
    page.fill("input[name=token]", _code(key, 1))
    page.click("main form button[type=submit]")
    expect(page.locator("h1")).to_contain_text("欢迎")

    # The auditor, in a browser session of their own (with their own second factor).
    auditor = make_user("auditor", Role.AUDITOR, name="审计员")
    device = TOTPDevice.objects.create(user=auditor, name="TOTP", confirmed=True)
    other = browser.new_context(locale="zh-CN")
    audit_page = other.new_page()
    _watch_csp(audit_page, violations)
    browser_login(audit_page, "auditor")
    audit_page.fill("input[name=token]", _code(device.bin_key))
    audit_page.click("main form button[type=submit]")
    audit_page.goto(f"{live_server.url}/audit/?actor=city_staff")
    table = audit_page.get_by_test_id("audit-table")
    expect(table.locator("tbody tr[data-action='2fa_enrolled']")).to_have_count(1)
    expect(table.locator("tbody tr[data-action='login']")).to_have_count(2)
    expect(table.locator("tbody tr[data-action='2fa_verified']")).to_have_count(1)
    expect(table.locator("tbody tr[data-action='logout']")).to_have_count(1)
    # Named in Chinese, not by their codes.
    expect(table.locator("tbody tr[data-action='2fa_enrolled']")).to_contain_text("设置双因素认证")
    # The staff member's session is untouched by the auditor's.
    page.reload()
    expect(page.locator("h1")).to_contain_text("欢迎")
    other.close()
    assert violations == []
