"""The portal's own request middleware, written as plain callables (Django's MiddlewareMixin and
context managers cost every request a few calls more: issue 10's floor)."""

from django.conf import settings
from django.utils import translation
from simple_history.models import HistoricalRecords


class LanguageMiddleware:
    """Chinese unless the user picked English with the language switch (stored in the language
    cookie). The browser's Accept-Language is deliberately ignored: offices share machines whose
    browsers are often set to English, and the portal's working language is Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code  # what get_language() answers now: LANGUAGES' codes are normalized
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class HistoryRequestMiddleware:
    """django-simple-history's middleware (the request, for the user a history record names),
    without its context manager."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = HistoricalRecords.context
        context.request = request
        try:
            return self.get_response(request)
        finally:
            try:
                del context.request
            except AttributeError:
                pass


class SessionReadAheadMiddleware:
    """Sends the signed-in session's read to Redis as soon as the session cookie is known (right
    after SessionMiddleware); the session store collects the answer when the account is first
    needed, and the middleware in between run while Redis answers (issue 10's floor)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = getattr(request.session, "start_read", None)
        if start is not None:
            start()
        return self.get_response(request)
