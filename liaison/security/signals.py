"""Authentication events into the audit log (every login, failure, lockout and logout) and the
session's login time for the absolute session limit."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from liaison.services import audit_record

SESSION_LOGIN_AT = "security_login_at"
SESSION_LAST_SEEN = "security_last_seen"


@receiver(user_logged_in, dispatch_uid="liaison_audit_login")
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_LOGIN_AT] = now
        request.session[SESSION_LAST_SEEN] = now
    audit_record(action="login", request=request, actor=user, obj=user)


@receiver(user_login_failed, dispatch_uid="liaison_audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in credentials; only the username is kept.
    username = str(credentials.get("username", ""))[:150]
    locked = bool(getattr(request, "axes_locked_out", False))
    audit_record(
        action="login_failed",
        request=request,
        outcome="locked" if locked else "failed",
        username=username,
        attempted_username=username,
    )


@receiver(user_locked_out, dispatch_uid="liaison_audit_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(action="login_locked_out", request=request, outcome="locked", username=username or "", ip_address=ip_address)


@receiver(user_logged_out, dispatch_uid="liaison_audit_logout")
def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "session_expired_reason", None)
    if reason:
        audit_record(action="session_expired", request=request, actor=user, obj=user, reason=reason)
    else:
        audit_record(action="logout", request=request, actor=user, obj=user)
