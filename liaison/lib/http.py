"""Response helpers for pages that show personal data."""

import time
from functools import wraps

from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import http_date

# What add_never_cache_headers and patch_cache_control(no_store, private) leave on a response that
# had no Cache-Control of its own (tests/security/test_login_and_sessions.py checks the two agree).
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


# (second, its HTTP date): every signed-in response within a second carries the same Expires.
_now = (None, None)


def _http_date_now():
    global _now
    second = int(time.time())
    if _now[0] != second:
        _now = (second, http_date(second))
    return _now[1]


def mark_no_store(response):
    """Forbid every cache (browser, proxy, back button) from keeping the page."""
    if "Cache-Control" not in response.headers:
        # Every signed-in page comes this way: set the header instead of parsing and merging it
        # (Django's patch_cache_control, a tenth of the hello-world's time; issue 10), with the
        # date formatted once a second.
        if "Expires" not in response.headers:
            response.headers["Expires"] = _http_date_now()
        response.headers["Cache-Control"] = NO_STORE
        return response
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


def no_store(view):
    """Decorator for views that show a person's data, signed in or not (e.g. a resident's own
    submissions). Signed-in pages get the same header from SessionLimitsMiddleware."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return mark_no_store(view(request, *args, **kwargs))

    return wrapped


class NoStoreMixin:
    def dispatch(self, request, *args, **kwargs):
        return mark_no_store(super().dispatch(request, *args, **kwargs))
