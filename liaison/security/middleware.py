"""Request-level security policy. See docs/security.md for the control each class meets."""

import ipaddress
import time
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.lib.http import mark_no_store
from liaison.services import audit_record, client_ip

from .passwords import password_expired
from .signals import SESSION_LAST_SEEN, SESSION_LOGIN_AT

# Writing the session on every request would cost a database write per page; a minute of
# slack on a 30-minute idle limit is harmless.
LAST_SEEN_GRANULARITY = 60


@lru_cache(maxsize=8)
def _networks(spec):
    return tuple(ipaddress.ip_network(n.strip(), strict=False) for n in spec if n.strip())


def _is_staff_path(path):
    return path.startswith("/admin/")


class StaffNetworkMiddleware:
    """ADMIN_ALLOWED_NETWORKS (CIDR list): the admin site, and every page for a signed-in
    admin-site role, only from those networks. Empty = no restriction."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed = settings.ADMIN_ALLOWED_NETWORKS
        if allowed and (_is_staff_path(request.path_info) or request.user.is_staff):
            ip = client_ip(request)
            try:
                address = ipaddress.ip_address(ip)
            except ValueError:
                address = None
            if address is None or not any(address in net for net in _networks(tuple(allowed))):
                audit_record(action="staff_network_refused", request=request, outcome="refused", path=request.path[:200])
                raise PermissionDenied
        return self.get_response(request)


class SessionLimitsMiddleware:
    """Idle and absolute session limits, and no-store on every page a signed-in user gets."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            expired = self._check(request)
            if expired:
                request.session_expired_reason = expired
                logout(request)  # flushes the session; the logout receiver audits the expiry
                messages.info(request, _("Your session has ended for your security. Please log in again."))
                return redirect_to_login(request.get_full_path())
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if signed_in and not response.has_header("Cache-Control"):
            mark_no_store(response)
        return response

    def _check(self, request):
        now = time.time()
        session = request.session
        login_at = session.get(SESSION_LOGIN_AT)
        last_seen = session.get(SESSION_LAST_SEEN)
        if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
            return "idle"
        if login_at is not None and now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
            return "absolute"
        if login_at is None:
            # A session that began without the login signal (force_login): its clock starts now.
            session[SESSION_LOGIN_AT] = now
        if last_seen is None or now - last_seen >= LAST_SEEN_GRANULARITY:
            session[SESSION_LAST_SEEN] = now
        return None


# Pages a signed-in user may reach before finishing the second factor or a forced password change.
_TWO_FACTOR_EXEMPT = {"logout", "admin:logout", "two_factor_setup", "two_factor_verify", "set_language", "javascript-catalog"}
_PASSWORD_EXEMPT = _TWO_FACTOR_EXEMPT | {"password_change", "password_change_done"}


class AccountPolicyMiddleware:
    """Staff two-factor (REQUIRE_STAFF_2FA), then password expiry and forced change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if needs_second_factor(request) and view_name not in _TWO_FACTOR_EXEMPT:
            target = "two_factor_verify" if has_confirmed_device(user) else "two_factor_setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        if view_name not in _PASSWORD_EXEMPT and (user.must_change_password or password_expired(user)):
            if user.must_change_password:
                messages.warning(request, _("Please replace the password you were given with one of your own."))
            else:
                messages.warning(
                    request,
                    _("Your password is more than %(days)d days old. Please choose a new one.")
                    % {"days": settings.STAFF_PASSWORD_MAX_AGE_DAYS},
                )
            return redirect("password_change")
        return None


def needs_second_factor(request):
    user = request.user
    return bool(settings.REQUIRE_STAFF_2FA and user.is_authenticated and user.is_staff and not user.is_verified())


def has_confirmed_device(user):
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)
