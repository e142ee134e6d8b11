"""MLPS 8.1.4.1 d: two-factor authentication for staff (TOTP, recovery codes)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.models import AuditLog, Role
from tests.base import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_factor_on(settings):
    settings.REQUIRE_STAFF_2FA = True


def _code(device, drift=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def _password_login(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _enrol(client):
    assert client.get(reverse("two_factor_setup")).status_code == 200
    device = TOTPDevice.objects.get(user__username="city_staff", confirmed=False)
    response = client.post(reverse("two_factor_setup"), {"token": _code(device), "next": "/"})
    assert response.status_code == 200
    return device, response


def test_staff_without_a_second_factor_are_sent_to_enrolment_and_refused_the_admin(world, client, two_factor_on):
    _password_login(client, "city_staff")
    for url in (reverse("home"), reverse("admin:index"), reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("two_factor_setup"))


def test_enrolment_shows_a_qr_code_and_recovery_codes_once(world, client, two_factor_on):
    _password_login(client, "city_staff")
    page = client.get(reverse("two_factor_setup"))
    body = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in body and "双因素认证" in body
    assert "no-store" in page["Cache-Control"]
    device, response = _enrol(client)
    codes = response.context["codes"]
    assert len(codes) == 10 and all(c in response.content.decode() for c in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200  # verified in this session
    assert AuditLog.objects.filter(action="2fa_enrolled", object_id=str(world.city_staff.pk)).exists()
    # Shown once: the enrolment page does not show them again.
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 302


def test_a_wrong_code_is_refused_and_the_right_one_accepted_at_login(world, client, two_factor_on):
    _password_login(client, "city_staff")
    device, _ = _enrol(client)
    client.post(reverse("logout"))
    _password_login(client, "city_staff")
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    response = client.post(reverse("two_factor_verify"), {"token": "000000", "next": "/admin/"})
    assert response.status_code == 200 and "验证码错误" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    # django-otp throttles after a failure (1 s, doubling): the right code a moment later works.
    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        token = _code(TOTPDevice.objects.get(pk=device.pk), drift=1)
        response = client.post(reverse("two_factor_verify"), {"token": token, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200
    outcomes = list(AuditLog.objects.filter(action__in=["2fa_failed", "2fa_verified"]).order_by("id").values_list("action", flat=True))
    assert outcomes == ["2fa_failed", "2fa_verified"]


def test_a_recovery_code_works_once(world, client, two_factor_on):
    _password_login(client, "city_staff")
    _enrol(client)
    code = StaticToken.objects.filter(device__user=world.city_staff).first().token
    for expected in (302, 200):
        client.post(reverse("logout"))
        _password_login(client, "city_staff")
        response = client.post(reverse("two_factor_verify"), {"token": code, "next": "/"})
        assert response.status_code == expected


def test_liaisons_and_deputies_need_no_second_factor(world, client, two_factor_on):
    _password_login(client, "liaison")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("two_factor_setup")).status_code == 403


def test_second_factor_is_off_in_the_demo_and_on_in_production(monkeypatch):
    import importlib

    import liaison.settings as project_settings

    try:
        monkeypatch.setenv("DEBUG", "false")
        monkeypatch.setenv("DEMO_MODE", "true")
        assert importlib.reload(project_settings).REQUIRE_STAFF_2FA is False
        monkeypatch.setenv("DEMO_MODE", "false")
        assert importlib.reload(project_settings).REQUIRE_STAFF_2FA is True
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_security_admin_resets_a_lost_second_factor(world, client, two_factor_on, settings):
    _password_login(client, "city_staff")
    _enrol(client)
    client.post(reverse("logout"))
    settings.REQUIRE_STAFF_2FA = False
    secadmin = make_user("secadmin", Role.SECADMIN)
    client.force_login(secadmin)
    client.post(reverse("admin:liaison_roleassignment_changelist"), {"action": "reset_two_factor", "_selected_action": [world.city_staff.pk]})
    assert not TOTPDevice.objects.filter(user=world.city_staff).exists()
    assert AuditLog.objects.filter(action="2fa_reset", actor=secadmin).exists()
