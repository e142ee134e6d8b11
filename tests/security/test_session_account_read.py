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


def _two_signed_in(client, prefix):
    """`client` signed in as {prefix}_a and a second client as {prefix}_b (returned), each past its
    first request (the session's pointer to its account written)."""
    make_user(f"{prefix}_a", Role.LIAISON)
    make_user(f"{prefix}_b", Role.ORG_STAFF)
    other = client.__class__()
    _login(client, f"{prefix}_a")
    _login(other, f"{prefix}_b")
    client.get(reverse("hello"))
    other.get(reverse("hello"))
    return other


class _WorkerTimeout(BaseException):
    """What gunicorn's worker timeout raises in a request (SystemExit): not an Exception."""


@needs_redis
def test_a_read_cut_short_never_hands_its_answer_to_the_next_request(client, settings, monkeypatch):
    """The session read runs on a connection of the thread's own, outside redis-py's pool (which
    polled each connection for stray data before lending it). A read interrupted after its
    command was sent (here between sending and reading) would leave the answer, someone's session
    and account, on that connection for the next request to take as its own: the connection is
    dropped instead, and the next request reads its own session."""
    from redis.connection import AbstractConnection

    settings.SESSION_ENGINE = "liaison.session_store"
    other = _two_signed_in(client, "cut_short")

    real = AbstractConnection.read_response
    calls = []

    def interrupted(self, *args, **kwargs):
        if not calls:
            calls.append(self)
            raise _WorkerTimeout
        return real(self, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "read_response", interrupted)
    with pytest.raises(_WorkerTimeout):
        client.get(reverse("hello"))
    assert calls  # the read was sent and then cut short
    response = other.get(reverse("hello"))
    assert response.status_code == 200 and response.wsgi_request.user.username == "cut_short_b"
    assert client.get(reverse("hello")).wsgi_request.user.username == "cut_short_a"


@needs_redis
def test_a_forked_process_opens_a_connection_of_its_own(client, settings):
    """A worker forked after the parent read (gunicorn --preload) must not share the parent's
    socket: the connection is made again in a process that did not make it."""
    settings.SESSION_ENGINE = "liaison.session_store"
    make_user("forked", Role.LIAISON)
    _login(client, "forked")
    client.get(reverse("hello"))
    own = cache._cache._own
    parent = own.connection
    own.pid = -1  # as if this process were a child of the one that connected
    assert client.get(reverse("hello")).wsgi_request.user.username == "forked"
    assert own.connection is not parent and own.connection._sock is not None
    parent.disconnect()


@needs_redis
def test_a_read_sent_ahead_and_never_collected_is_not_taken_by_the_next_request(client, settings):
    """SessionReadAheadMiddleware sends the session's read at the start of the request, and the
    account middleware collects it. A request that ends before that (here a forged Host header,
    refused by CommonMiddleware) leaves the answer unread: the next request on the connection
    discards it and reads its own session."""
    settings.SESSION_ENGINE = "liaison.session_store"
    other = _two_signed_in(client, "ahead")
    client.raise_request_exception = False
    assert client.get(reverse("hello"), HTTP_HOST="forged.example").status_code == 400
    assert cache._cache._own.pending is not None  # sent, not collected
    response = other.get(reverse("hello"))
    assert response.status_code == 200 and response.wsgi_request.user.username == "ahead_b"
    assert client.get(reverse("hello")).wsgi_request.user.username == "ahead_a"


@needs_redis
def test_a_store_reads_its_own_session_whatever_another_sent_ahead(client, settings):
    """The answer sent ahead belongs to the store that sent it (its ticket): another store on the
    same thread reads afresh, and the first, its answer discarded, reads afresh too."""
    from django.contrib.auth import SESSION_KEY

    from liaison.session_store import SessionStore

    settings.SESSION_ENGINE = "liaison.session_store"
    other = _two_signed_in(client, "ticket")
    first = SessionStore(client.session.session_key)
    second = SessionStore(other.session.session_key)
    first.start_read()
    assert second[SESSION_KEY] == str(other.session[SESSION_KEY])
    assert first[SESSION_KEY] == str(client.session[SESSION_KEY])
    assert first[SESSION_KEY] != second[SESSION_KEY]
