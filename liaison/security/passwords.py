"""Password rules beyond Django's validators: no reuse of recent passwords, expiry for staff."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.models import PasswordHistory


class PasswordHistoryValidator:
    """Refuses any of the account's last PASSWORD_HISTORY_COUNT passwords, and records each new
    password's hash (password_changed() runs after every save that set a password)."""

    def __init__(self, count=None):
        self.count = count

    def _count(self):
        return self.count or settings.PASSWORD_HISTORY_COUNT

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        hashes = list(user.password_history.values_list("password", flat=True)[: self._count()])
        if user.password and user.password not in hashes:
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("This password was used recently. Choose one that differs from your last %(count)d passwords.")
                % {"count": self._count()},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = list(user.password_history.values_list("pk", flat=True)[: self._count()])
        user.password_history.exclude(pk__in=keep).delete()

    def get_help_text(self):
        return _("Your password cannot be one of your last %(count)d passwords.") % {"count": self._count()}


def password_expired(user, now=None):
    """Staff (admin-site roles) must change their password every STAFF_PASSWORD_MAX_AGE_DAYS."""
    if not user.is_staff or not settings.STAFF_PASSWORD_MAX_AGE_DAYS:
        return False
    changed = user.password_changed_at or user.date_joined
    return (now or timezone.now()) - changed > timedelta(days=settings.STAFF_PASSWORD_MAX_AGE_DAYS)
