"""django-csp's middleware with the policy header built once instead of on every response.

django-csp 4 rebuilds both headers (enforced and report-only) from the settings on every response:
a dataclass turned into a dict and every directive joined again, about a tenth of the signed-in
hello-world's time (issue 10: the floor every page starts from). Our policy is the same for every
response unless a view asks for a nonce or changes the policy with csp's decorators, so the header
text is worked out once per process and per settings (a `setting_changed` receiver forgets it, for
tests that override the policy); those other responses go through django-csp unchanged.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed

_OVERRIDES = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_SETTINGS = {"CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"}

# (header, value, excluded prefixes) for the enforced and the report-only policy; None: not built yet.
_built = None


def _headers():
    global _built
    if _built is None:
        parts = []
        for header, name, report_only in (
            (HEADER, "CONTENT_SECURITY_POLICY", False),
            (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
        ):
            value = build_policy(report_only=report_only)
            if value:
                prefixes = tuple((getattr(settings, name) or {}).get("EXCLUDE_URL_PREFIXES") or ())
                parts.append((header, value, prefixes))
        _built = tuple(parts)
    return _built


def _forget(*, setting, **kwargs):
    global _built
    if setting in _SETTINGS:
        _built = None


setting_changed.connect(_forget, dispatch_uid="csp-header-cache")


class CSPMiddleware(CSPMiddleware):
    async_capable = False

    def __init__(self, get_response):
        super().__init__(get_response)
        # As django-csp does: a nonce asked for after the header is written is an error. The lazy
        # object never holds a value (it raises), so one serves every request.
        self._nonce_too_late = CheckableLazyObject(self._csp_nonce_post_response)

    def __call__(self, request):
        # MiddlewareMixin's __call__ for a sync middleware whose process_request returns nothing.
        self.process_request(request)
        return self.process_response(request, self.get_response(request))

    def process_response(self, request, response):
        custom = getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _OVERRIDES
        )
        if custom or (settings.DEBUG and response.status_code in (404, 500)):
            return super().process_response(request, response)
        for header, value, prefixes in _headers():
            exempt = getattr(response, "_csp_exempt_ro" if header == HEADER_REPORT_ONLY else "_csp_exempt", False)
            if header not in response and exempt is False and not request.path_info.startswith(prefixes):
                response[header] = value
        request.csp_nonce = self._nonce_too_late
        return response
