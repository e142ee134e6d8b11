"""Issue 11 item 6: pages that answered 500. The admin history of statutory holidays for every
admin role, and the public office (submit, track, CAPTCHA, privacy requests) while Redis — the
rate limiter's counters — is down. The limiter fails closed: 503 with a Chinese message, the form
re-rendered with what was typed, nothing saved, the outage logged."""

import datetime
import logging
import socket

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from cases.models import Case, Category, PrivacyRequest
from liaison.lib import captcha
from liaison.models import Role, SmsMessage
from reception.models import StatutoryHoliday
from tests.base import make_user
from tests.cases import journey

pytestmark = pytest.mark.django_db

UNAVAILABLE = "服务暂时不可用"
PHONE = "13612345678"


def admin_role_users(world):
    return [
        world.city_staff, world.district_staff,
        make_user("sysadmin", Role.SYSADMIN), make_user("secadmin", Role.SECADMIN), make_user("auditor", Role.AUDITOR),
        make_user("root", is_superuser=True, is_staff=True),
    ]


def test_statutory_holiday_history_opens_for_every_admin_role(world, client):
    holiday, _created = StatutoryHoliday.objects.get_or_create(date=datetime.date(2031, 1, 1), defaults={"name": "元旦"})
    url = reverse("admin:reception_statutoryholiday_history", args=[holiday.pk])
    for user in admin_role_users(world):
        client.force_login(user)
        assert client.get(url).status_code in (200, 302, 403), user.username
    client.force_login(world.city_staff)
    assert client.get(url).status_code == 200


def test_no_admin_history_page_answers_a_server_error(world, client):
    """Every registered admin, every admin role, on whatever row exists: never a 500. Django
    raises in the test client instead of answering 500, so any escape fails here."""
    StatutoryHoliday.objects.get_or_create(date=datetime.date(2031, 1, 1), defaults={"name": "元旦"})
    users = admin_role_users(world)
    for model, _model_admin in admin.site._registry.items():
        row = model._default_manager.order_by("pk").first()
        if row is None:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[row.pk])
        for user in users:
            client.force_login(user)
            assert client.get(url).status_code in (200, 302, 403, 404), (url, user.username)


# --- Redis down ---------------------------------------------------------------------------------


def dead_redis():
    """A cache on a Redis port where nothing listens: the real client, the real connection error."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0"}}


@pytest.fixture
def redis_down(settings):
    # Overriding CACHES resets Django's cache handler, so the limiter's `cache` is this one.
    settings.CACHES = dead_redis()


@pytest.fixture
def local_cache():
    cache.clear()
    yield
    cache.clear()


def _unavailable(response, caplog):
    html = response.content.decode()
    return (
        response.status_code == 503
        and UNAVAILABLE in html
        and any(r.name == "liaison.lib.ratelimit" and r.levelno >= logging.ERROR for r in caplog.records)
    )


def test_submitting_while_redis_is_down_answers_503_and_keeps_what_was_typed(world, client, redis_down, caplog):
    url = reverse("public:write", args=[world.office_a1.pk])
    assert client.get(url).status_code == 200  # the form itself needs no counter
    data = {
        "name": "刘女士", "mobile": "13912345678", "address": "东和路8号", "title": "小区路灯不亮",
        "content": "东和路8号附近路灯坏了一个月", "category": Category.objects.filter(is_active=True).first().pk,
        "captcha": client.session[captcha.SESSION_KEY]["a"], "acknowledge": "on",
    }
    response = client.post(url, data)
    assert _unavailable(response, caplog)
    form = response.context["form"]
    assert form["title"].value() == "小区路灯不亮" and form["content"].value() == "东和路8号附近路灯坏了一个月"
    assert form["mobile"].value() == "13912345678"
    assert not Case.objects.exists()


def test_tracking_while_redis_is_down_answers_503_and_reveals_nothing(world, client, redis_down, caplog):
    response = client.post(reverse("public:track"), {"code": "AAAAAAAAAAAA", "mobile": "13912345678"})
    assert _unavailable(response, caplog)
    assert response.context["form"]["code"].value() == "AAAAAAAAAAAA" and response.context["result"] is None


def test_the_captcha_picture_while_redis_is_down_answers_503(world, client, redis_down, caplog):
    client.get(reverse("public:write", args=[world.office_a1.pk]))
    response = client.get(reverse("public:captcha"))
    assert response.status_code == 503 and response["Content-Type"].startswith("text/plain")
    assert UNAVAILABLE in response.content.decode()


def test_privacy_requests_while_redis_is_down_answer_503_and_send_nothing(world, client, caplog, local_cache):
    journey.register(world)  # a case with PHONE
    # A code is requested while Redis works, then Redis goes: entering the code fails closed too.
    client.get(reverse("privacy:start"))
    answer = client.session[captcha.SESSION_KEY]["a"]
    assert client.post(reverse("privacy:start"), {"mobile": PHONE, "captcha": answer}).status_code == 302
    sent = SmsMessage.objects.count()

    with override_settings(CACHES=dead_redis()):
        response = client.post(reverse("privacy:verify"), {"code": "123456"})
        assert _unavailable(response, caplog)
        assert response.context["form"]["code"].value() == "123456"

        client.get(reverse("privacy:start"))
        answer = client.session[captcha.SESSION_KEY]["a"]
        response = client.post(reverse("privacy:start"), {"mobile": PHONE, "captcha": answer})
        assert _unavailable(response, caplog) and response.context["form"]["mobile"].value() == PHONE
    assert PrivacyRequest.objects.count() == 1 and SmsMessage.objects.count() == sent
