"""Response helpers for pages that show personal data."""

from functools import wraps

from django.utils.cache import add_never_cache_headers, patch_cache_control


def mark_no_store(response):
    """Forbid every cache (browser, proxy, back button) from keeping the page."""
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
