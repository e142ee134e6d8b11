"""The signed-in account, read from the cache (Redis in production) instead of the database on
every request (issue 10: the user row was the one query left before any view ran).

The cached row is kept under the account's cache version (liaison.lib.versions), which every save
and delete of the account bumps (the receivers below: a password change, a deactivation, a role
change, the login's last_login), in the transaction and again on commit; so a deactivated account
or a changed password ends its sessions at the next request, as with the database read. Django's
session check is unchanged: the cached row is used only when the session's hash verifies against
it (the hash is cached with the row, the password hash itself is not: a deferred field); anything else (a hash that does not verify, a rotated secret key, another backend, the cache
unreachable) goes through Django's own `get_user`, which reads the database and flushes the session
as before. A bump lost to a cache outage heals within ACCOUNT_MAX_AGE seconds.

The session and the account come from Redis in one round trip: a session's key points to its
account's id (SESSION_POINTER, written the first time the account is read for that session), and
the session store reads the session, the pointer, the cached account row and its versions
together (`prefetch_plan`, liaison/session_store.py). The pointer only says where to look: the row
is used when the session's own user id and hash verify against it, as above.

`AccountMiddleware` is Django's AuthenticationMiddleware and django-otp's OTPMiddleware in one:
`request.user` is the account itself, read once, instead of a lazy object wrapped in another
(every attribute read of the user went through both).
"""

import logging

from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.middleware import AuthenticationMiddleware, auser
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models.signals import post_delete, post_save
from django.utils.crypto import constant_time_compare
from django_otp.middleware import OTPMiddleware

from liaison.lib.versions import EVERYTHING, RESULT_PREFIX, cached_result, version_bump, version_key

logger = logging.getLogger(__name__)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ACCOUNT_MAX_AGE = 60
# + a session key: the id of the account that session belongs to (fixed for the key's lifetime:
# a login as someone else gets a new key).
SESSION_POINTER = "session-account:"
_ACCOUNT = "account:"


def account_version(user_id):
    return f"{_ACCOUNT}{user_id}"


def prefetch_plan(session_key):
    """(pointer key, other keys, prefixes) for the cache's `read_through_pointer`: what the session
    store reads with the session so that `get_user` needs no round trip of its own. The prefixes
    + the account id are the keys `cached_result` reads for `_account` (tested)."""
    return SESSION_POINTER + session_key, [version_key(EVERYTHING)], [RESULT_PREFIX + _ACCOUNT, version_key(_ACCOUNT)]


def _read_account(model, pk):
    """(the account row without its password hash, the session hash it verifies) or None. The
    password hash stays out of the cache: it is a deferred field of the cached row, read from
    the database only by the code that needs it (a password check or change)."""
    user = model._default_manager.filter(pk=pk).first()
    if user is None:
        return None
    session_hash = user.get_session_auth_hash()
    user._cached_usable_password = user.has_usable_password()
    del user.__dict__["password"]
    return user, session_hash


def _account(model, pk, prefetched):
    """(account, session hash) as ModelBackend.get_user reads it (None if gone), through the cache."""
    return cached_result(
        names=(account_version(pk),), key=account_version(pk),
        compute=lambda: _read_account(model, pk), timeout=ACCOUNT_MAX_AGE, prefetched=prefetched,
    )


def _point(session, pk, prefetched):
    """Write the session's pointer to its account when the session store read without finding it
    (the first request of a session); only integer ids, which the pointer read can follow."""
    if prefetched is None or type(pk) is not int or session.session_key is None:
        return
    pointer = SESSION_POINTER + session.session_key
    if prefetched.get(pointer) != pk:
        try:
            cache.set(pointer, pk, timeout=session.get_expiry_age())
        except Exception:
            # The next request reads the account in a round trip of its own, as before.
            logger.exception("Could not write the session's pointer to its account")


def get_user(request):
    """Django's auth.get_user, with the account row from the cache when the session verifies
    against it."""
    session = request.session
    user_id, backend_path = session.get(SESSION_KEY), session.get(BACKEND_SESSION_KEY)
    if user_id is None or backend_path != MODEL_BACKEND:
        return auth.get_user(request)
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except Exception:
        return auth.get_user(request)
    prefetched = getattr(session, "prefetched", None)
    account = _account(model, pk, prefetched)
    _point(session, pk, prefetched)
    session_hash = session.get(HASH_SESSION_KEY)
    if account is not None:
        user, account_hash = account
        # ModelBackend.user_can_authenticate, then Django's session check against the hash the
        # row gave when it was read (the same SECRET_KEY; a rotated key goes the database way).
        if user.is_active and session_hash and constant_time_compare(session_hash, account_hash):
            return user
    return auth.get_user(request)


class AccountMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, with request.user from `get_user` above, and django-otp's
    OTPMiddleware (the device that verified the user, `user.is_verified()`) in one step."""

    sync_capable, async_capable = True, False

    def __init__(self, get_response):
        super().__init__(get_response)
        self._otp = OTPMiddleware(get_response)

    def process_request(self, request):
        if not hasattr(request, "session"):
            raise ImproperlyConfigured("AccountMiddleware needs SessionMiddleware before it.")
        # Read at once, not lazily: SessionLimitsMiddleware asks every request whether it is
        # signed in, and a lazy object costs a proxy call on each of the user's attribute reads
        # (some seventy on a signed-in page; issue 10's floor).
        request.user = self._load(request)
        request.auser = lambda: self._otp._verify_user_async_via_auser(request, lambda: auser(request))

    def _load(self, request):
        if not hasattr(request, "_cached_user"):
            request._cached_user = get_user(request)
        return self._otp._verify_user_sync(request, request._cached_user)


def _account_changed(sender, instance, **kwargs):
    version_bump(account_version(instance.pk))


def connect():
    model = get_user_model()
    post_save.connect(_account_changed, sender=model, dispatch_uid="account-version-save")
    post_delete.connect(_account_changed, sender=model, dispatch_uid="account-version-delete")
