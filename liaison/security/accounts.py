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
"""

from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.db.models.signals import post_delete, post_save
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from liaison.lib.versions import cached_result, version_bump

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ACCOUNT_MAX_AGE = 60


def account_version(user_id):
    return f"account:{user_id}"


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


def _account(user_id):
    """(account, session hash) as ModelBackend.get_user reads it (None if gone), through the cache."""
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except Exception:
        return None
    return cached_result(
        names=(account_version(pk),), parts=("account", pk),
        compute=lambda: _read_account(model, pk), timeout=ACCOUNT_MAX_AGE,
    )


def get_user(request):
    """Django's auth.get_user, with the account row from the cache when the session verifies
    against it."""
    session = request.session
    user_id, backend_path = session.get(SESSION_KEY), session.get(BACKEND_SESSION_KEY)
    if user_id is None or backend_path != MODEL_BACKEND:
        return auth.get_user(request)
    account = _account(user_id)
    session_hash = session.get(HASH_SESSION_KEY)
    if account is not None:
        user, account_hash = account
        # ModelBackend.user_can_authenticate, then Django's session check against the hash the
        # row gave when it was read (the same SECRET_KEY; a rotated key goes the database way).
        if user.is_active and session_hash and constant_time_compare(session_hash, account_hash):
            return user
    return auth.get_user(request)


class CachedAccountAuthenticationMiddleware(AuthenticationMiddleware):
    """AuthenticationMiddleware whose request.user comes from `get_user` above."""

    def process_request(self, request):
        super().process_request(request)

        def load():
            if not hasattr(request, "_cached_user"):
                request._cached_user = get_user(request)
            return request._cached_user

        request.user = SimpleLazyObject(load)


def _account_changed(sender, instance, **kwargs):
    version_bump(account_version(instance.pk))


def connect():
    model = get_user_model()
    post_save.connect(_account_changed, sender=model, dispatch_uid="account-version-save")
    post_delete.connect(_account_changed, sender=model, dispatch_uid="account-version-delete")
