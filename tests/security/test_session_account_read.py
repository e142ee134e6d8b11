"""Issue 10, the hello-world floor: with Redis, a signed-in request reads its session and its
account in one round trip (liaison.session_store, liaison.security.accounts), and the pointer from
session to account only says where to look: the account is used when the session verifies."""

import pytest
from django.conf import settings as project_settings
from django.core.cache import cache
from django.urls import reverse

from liaison.lib.versions import result_keys
from liaison.models import Role
from liaison.security.accounts import SESSION_POINTER, account_version, prefetch_plan
from tests.base import PASSWORD, make_user

pytestmark = pytest.mark.django_db

needs_redis = pytest.mark.skipif(not project_settings.REDIS_URL, reason="needs REDIS_URL (the CI's second run)")


def test_the_prefetched_keys_are_the_ones_the_account_cache_reads():
    pointer, keys, prefixes = prefetch_plan("abc")
    assert pointer == SESSION_POINTER + "abc"
    wanted = result_keys(names=(account_version(42),), key=account_version(42))
    assert sorted(wanted) == sorted([*keys, *(prefix + "42" for prefix in prefixes)])


def _login(client, username):
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302


@pytest.fixture
def redis_commands(monkeypatch):
    """The commands the portal sends to Redis, by name (on the connection: what goes through
    redis-py's command layer and what the session read sends on a connection of its own)."""
    from redis.connection import AbstractConnection

    sent = []
    real = AbstractConnection.send_command

    def counting(self, *args, **options):
        sent.append(args[0])
        return real(self, *args, **options)

    monkeypatch.setattr(AbstractConnection, "send_command", counting)
    return sent


@needs_redis
def test_a_signed_in_request_reads_session_and_account_in_one_redis_round_trip(client, settings, redis_commands):
    settings.SESSION_ENGINE = "liaison.session_store"
    make_user("one_trip", Role.LIAISON)
    _login(client, "one_trip")
    client.get(reverse("hello"))  # the first request writes the session's pointer to its account
    redis_commands.clear()
    response = client.get(reverse("hello"))
    assert response.status_code == 200 and response.wsgi_request.user.username == "one_trip"
    assert redis_commands == ["EVALSHA"], redis_commands


@needs_redis
def test_a_pointer_to_another_account_signs_no_one_in_as_that_account(client, settings):
    """The pointer is only where to look: a session whose pointer names someone else (it cannot
    happen through the portal; forged here) still gets its own account, from the database."""
    settings.SESSION_ENGINE = "liaison.session_store"
    make_user("pointer_owner", Role.LIAISON)
    other = make_user("pointer_other", Role.ORG_STAFF)
    _login(client, "pointer_owner")
    client.get(reverse("hello"))
    key = client.session.session_key
    other_client = client.__class__()
    _login(other_client, "pointer_other")
    other_client.get(reverse("hello"))  # the other account is cached too
    cache.set(SESSION_POINTER + key, other.pk)
    response = client.get(reverse("hello"))
    assert response.wsgi_request.user.username == "pointer_owner"
    # ... and the pointer is put right.
    assert cache.get(SESSION_POINTER + key) == response.wsgi_request.user.pk


@needs_redis
def test_logout_removes_the_pointer_with_the_session(client, settings):
    settings.SESSION_ENGINE = "liaison.session_store"
    make_user("pointer_logout", Role.LIAISON)
    _login(client, "pointer_logout")
    client.get(reverse("hello"))
    key = client.session.session_key
    assert cache.get(SESSION_POINTER + key) is not None
    client.post(reverse("logout"))
    assert cache.get(SESSION_POINTER + key) is None


def test_two_factor_state_is_on_the_signed_in_user(client, settings):
    """AccountMiddleware replaces django-otp's OTPMiddleware: request.user carries otp_device and
    is_verified() as before, on the account itself (read at once, not lazily)."""
    make_user("otp_fields", Role.LIAISON)
    _login(client, "otp_fields")
    user = client.get(reverse("hello")).wsgi_request.user
    assert user.otp_device is None and user.is_verified() is False
    assert "django_otp.middleware.OTPMiddleware" not in settings.MIDDLEWARE


@needs_redis
def test_the_read_survives_a_redis_that_lost_its_scripts(client, settings):
    """The script is sent by its hash; a Redis restarted or flushed of scripts gets it in full."""
    settings.SESSION_ENGINE = "liaison.session_store"
    make_user("script_flush", Role.LIAISON)
    _login(client, "script_flush")
    assert client.get(reverse("hello")).wsgi_request.user.username == "script_flush"
    cache._cache.get_client().script_flush()
    assert client.get(reverse("hello")).wsgi_request.user.username == "script_flush"
    assert client.get(reverse("hello")).wsgi_request.user.username == "script_flush"
