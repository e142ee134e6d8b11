"""MLPS 8.1.4.1/8.1.4.2: login failure handling, session limits, no-store, passwords."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from liaison import settings as project_settings
from liaison.models import AuditLog, Role
from tests.base import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["django.contrib.sessions.backends.db", "liaison.session_store"])
def session_engine(request, settings):
    """The session limits hold with the database engine and with the cache-backed one that
    production uses when REDIS_URL is set."""
    settings.SESSION_ENGINE = request.param
    return request.param


def _fail(client, username, ip="10.1.1.1"):
    return client.post(reverse("login"), {"username": username, "password": "wrong-password-123"}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_username_for_thirty_minutes_with_a_chinese_page(world, client):
    for _ in range(4):
        assert _fail(client, "liaison").status_code == 200
    response = _fail(client, "liaison")
    assert response.status_code == 429
    body = response.content.decode()
    assert "登录已暂时锁定" in body and "30" in body and "安全管理员" in body
    # The right password from another address is refused too: the username is locked.
    response = client.post(reverse("login"), {"username": "liaison", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    # After the cool-off the right password works again.
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.post(reverse("login"), {"username": "liaison", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302


def test_five_failures_from_one_address_lock_that_address_for_every_username(world, client):
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        _fail(client, name, ip="10.2.2.2")
    response = client.post(reverse("login"), {"username": "liaison", "password": PASSWORD}, REMOTE_ADDR="10.2.2.2")
    assert response.status_code == 429
    response = client.post(reverse("login"), {"username": "liaison", "password": PASSWORD}, REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 302


def test_every_login_attempt_is_in_the_audit_log(world, client):
    _fail(client, "liaison")
    client.post(reverse("login"), {"username": "liaison", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    client.post(reverse("logout"))
    actions = list(AuditLog.objects.order_by("id").values_list("action", "actor_repr", "ip", "outcome"))
    assert actions == [
        ("login_failed", "liaison", "10.1.1.1", "failed"),
        ("login", "联络员 陈", "10.1.1.1", "ok"),
        ("logout", "联络员 陈", "127.0.0.1", "ok"),
    ]


def test_locked_attempts_and_the_lockout_are_audited(world, client):
    for _ in range(6):
        _fail(client, "liaison")
    outcomes = list(AuditLog.objects.filter(action__startswith="login").values_list("action", "outcome"))
    assert ("login_locked_out", "locked") in outcomes
    assert ("login_failed", "locked") in outcomes


def test_security_admin_unlocks_a_locked_account_from_the_admin(world, client):
    secadmin = make_user("secadmin", Role.SECADMIN)
    for _ in range(5):
        _fail(client, "liaison")
    assert AccessAttempt.objects.filter(username="liaison").exists()
    client.force_login(secadmin)
    url = reverse("admin:liaison_roleassignment_changelist")
    response = client.post(url, {"action": "unlock_login", "_selected_action": [world.liaison.pk]})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="liaison").exists()
    assert AuditLog.objects.filter(action="login_unlocked", object_id=str(world.liaison.pk), actor=secadmin).exists()
    client.logout()
    response = client.post(reverse("login"), {"username": "liaison", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302


def test_system_admin_cannot_unlock(world, client):
    sysadmin = make_user("sysadmin", Role.SYSADMIN)
    client.force_login(sysadmin)
    assert client.get(reverse("admin:liaison_roleassignment_changelist")).status_code == 403
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def _login(client, username="liaison"):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_session_ends_after_thirty_idle_minutes(world, client, session_engine):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _login(client)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert AuditLog.objects.filter(action="session_expired", detail__reason="idle").exists()
    # The session is gone, not just hidden (`/` is now the public front door: ask a signed-in page).
    assert client.get(reverse("notices")).status_code == 302


def test_session_ends_twelve_hours_after_login_even_when_active(world, client, session_engine):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _login(client)
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("notices")).status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=5), tick=False):
        response = client.get(reverse("notices"))
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="session_expired", detail__reason="absolute").exists()


def test_logout_destroys_the_session(world, client, session_engine):
    _login(client)
    key = client.session.session_key
    client.post(reverse("logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("notices")).status_code == 302
    # The old cookie is worth nothing, in the cache as in the database.
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    assert client.get(reverse("notices")).status_code == 302


def test_sessions_live_in_redis_when_it_is_configured_and_a_page_reads_no_session_row(world, client, settings):
    """Issue 10: with REDIS_URL set, sessions use the cache-backed engine (written through to the
    database), so a signed-in page does not read the session table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert (getattr(project_settings, "SESSION_ENGINE", "") == "liaison.session_store") == bool(
        project_settings.REDIS_URL
    )
    settings.SESSION_ENGINE = "liaison.session_store"
    _login(client)
    client.get(reverse("notices"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("notices")).status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"]], ctx.captured_queries


def test_with_redis_unreachable_pages_work_from_the_database_and_logout_never_leaves_a_cached_session(
    world, client, settings, monkeypatch
):
    """Django's cached_db deleted the database row first: a logout while Redis was unreachable
    left the cached copy, which the old cookie could use again once Redis answered. The cached
    copy now goes first, so a failed logout leaves the session whole and a completed one leaves
    nothing."""
    from django.contrib.sessions.models import Session
    from django.core.cache import caches

    settings.SESSION_ENGINE = "liaison.session_store"
    _login(client)
    key = client.session.session_key
    cache = caches["default"]

    def unreachable(*args, **kwargs):
        raise ConnectionError("redis unreachable")

    for method in ("get", "set", "read_through_pointer"):
        if hasattr(cache, method):
            monkeypatch.setattr(cache, method, unreachable)
    assert client.get(reverse("notices")).status_code == 200  # read from the database
    monkeypatch.setattr(cache, "delete", unreachable)
    monkeypatch.setattr(cache, "delete_many", unreachable)
    client.raise_request_exception = False
    assert client.post(reverse("logout")).status_code == 500
    assert Session.objects.filter(session_key=key).exists()  # nothing half-deleted
    monkeypatch.undo()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert cache.get("django.contrib.sessions.cached_db" + key) is None
    assert client.get(reverse("notices")).status_code == 302


def test_a_signed_in_page_reads_neither_the_session_nor_the_account_from_the_database(world, client, settings):
    """Issue 10: with the sessions in Redis, the signed-in account comes from the cache too
    (liaison.security.accounts): the benchmarks' hello-world page, on the whole middleware stack,
    makes no query at all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SESSION_ENGINE = "liaison.session_store"
    _login(client)
    assert client.get(reverse("hello")).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("hello"))
    assert response.status_code == 200 and response.content == b"hello"
    assert response.wsgi_request.user == world.liaison
    assert ctx.captured_queries == []
    # The password hash is not cached with the account: read when something needs it.
    user = response.wsgi_request.user
    assert "password" in user.get_deferred_fields() and user.has_usable_password()
    assert user.check_password(PASSWORD)
    client.logout()
    assert client.get(reverse("hello")).status_code == 302


@pytest.mark.parametrize("change", ["deactivate", "password", "delete"])
def test_the_cached_account_ends_its_sessions_at_the_next_request_002(world, client, settings, change):
    """The cached account is retired by every save and delete of it: a deactivated account, a
    password changed elsewhere (the session's hash no longer verifies) and a deleted account are
    signed out at their next request, as when the row was read from the database."""
    settings.SESSION_ENGINE = "liaison.session_store"
    user = make_user("cached_account", Role.LIAISON)
    _login(client, "cached_account")
    assert client.get(reverse("notices")).status_code == 200
    assert client.get(reverse("notices")).status_code == 200  # from the cache
    if change == "deactivate":
        user.is_active = False
        user.save(update_fields=["is_active"])
    elif change == "password":
        user.set_password("another-long-password-2026")
        user.save()
    else:
        user.delete()
    response = client.get(reverse("notices"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_cached_account_shows_a_change_at_the_next_request(world, client, settings):
    settings.SESSION_ENGINE = "liaison.session_store"
    _login(client)
    assert client.get(reverse("hello")).wsgi_request.user.name == world.liaison.name
    world.liaison.name = "改名"
    world.liaison.save(update_fields=["name"])
    assert client.get(reverse("hello")).wsgi_request.user.name == "改名"


def test_signed_in_pages_are_sent_with_no_store(world, client):
    client.force_login(world.liaison)
    response = client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_no_store_decorator_marks_public_personal_data_pages():
    from django.http import HttpResponse
    from django.test import RequestFactory

    from liaison.lib.http import no_store

    response = no_store(lambda request: HttpResponse("x"))(RequestFactory().get("/"))
    assert "no-store" in response["Cache-Control"]


def test_no_store_fast_path_sends_what_djangos_helpers_send():
    """mark_no_store sets the header directly on a response without one: the same header as
    Django's add_never_cache_headers plus patch_cache_control(no_store, private)."""
    from django.http import HttpResponse
    from django.utils.cache import add_never_cache_headers, patch_cache_control

    from liaison.lib.http import mark_no_store

    django_way = HttpResponse("x")
    add_never_cache_headers(django_way)
    patch_cache_control(django_way, no_store=True, private=True)
    ours = mark_no_store(HttpResponse("x"))
    assert ours["Cache-Control"] == django_way["Cache-Control"]
    assert ours.has_header("Expires")
    # A response with a Cache-Control of its own has it merged, not replaced.
    merged = HttpResponse("x")
    merged["Cache-Control"] = "max-age=300, public"
    assert "public" not in mark_no_store(merged)["Cache-Control"]
    assert "no-store" in merged["Cache-Control"] and "max-age=0" in merged["Cache-Control"]


def test_passwords_are_hashed_with_argon2id():
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = Argon2PasswordHasher().encode("Some-long-pass-2026", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")


@pytest.mark.parametrize(
    "password, code",
    [("Short-1a", "password_too_short"), ("password1234", "password_too_common"), ("839201746519", "password_entirely_numeric"), ("liaison-person", "password_too_similar")],
)
def test_password_rules_refuse_short_common_numeric_and_similar(world, password, code):
    world.liaison.username = "liaison-person"
    with pytest.raises(ValidationError) as exc:
        validate_password(password, world.liaison)
    assert code in [e.code for e in exc.value.error_list]


def test_the_last_five_passwords_cannot_be_reused(world):
    user = world.liaison
    passwords = [f"Fresh-pass-number-{i}x" for i in range(6)]
    for p in passwords:
        validate_password(p, user)
        user.set_password(p)
        user.save()
    # The five most recent are refused, the sixth-most-recent is allowed again.
    for p in passwords[1:]:
        with pytest.raises(ValidationError) as exc:
            validate_password(p, user)
        assert exc.value.error_list[0].code == "password_reused"
    validate_password(passwords[0], user)
    assert user.password_history.count() == 5


def test_password_change_page_refuses_a_recent_password(world, client):
    client.force_login(world.liaison)
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert response.status_code == 200
    assert "最近" in response.content.decode()


def test_staff_password_expires_after_ninety_days(world, client):
    client.force_login(world.city_staff)
    assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        client.force_login(world.city_staff)
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
        # Non-staff passwords do not expire.
        client.force_login(world.liaison)
        assert client.get(reverse("home")).status_code == 200
        client.force_login(world.city_staff)
        new = "Brand-new-pass-2027"
        response = client.post(
            reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
        )
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200
    assert settings.STAFF_PASSWORD_MAX_AGE_DAYS == 90


def test_account_created_by_an_administrator_must_change_password_at_first_login(world, client):
    sysadmin = make_user("sysadmin", Role.SYSADMIN)
    client.force_login(sysadmin)
    response = client.post(
        reverse("admin:liaison_user_add"),
        {"username": "newcomer", "name": "新人", "mobile": "", "usable_password": "true", "password1": "Initial-pass-2026", "password2": "Initial-pass-2026"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from liaison.models import User

    newcomer = User.objects.get(username="newcomer")
    assert newcomer.must_change_password
    assert AuditLog.objects.filter(action="user_created", object_id=str(newcomer.pk)).exists()
    client.force_login(newcomer)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("password_change")
    new = "My-own-pass-2026x"
    client.post(reverse("password_change"), {"old_password": "Initial-pass-2026", "new_password1": new, "new_password2": new})
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password
    assert client.get(reverse("home")).status_code == 200
    assert AuditLog.objects.filter(action="password_changed", object_id=str(newcomer.pk)).exists()
