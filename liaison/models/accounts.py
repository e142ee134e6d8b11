"""Accounts and roles: who signs in, in which role and scope, and their recent password hashes."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.lib.choices import ChoiceDisplayMixin


class Role(models.TextChoices):
    ORG_STAFF = "staff", _("Organization department staff")
    LIAISON = "liaison", _("Office liaison")
    DEPUTY = "deputy", _("Party congress deputy")
    UNIT_HANDLER = "unit", _("Unit handler")
    SYSADMIN = "sysadmin", _("System administrator")
    SECADMIN = "secadmin", _("Security administrator")
    AUDITOR = "auditor", _("Auditor")


# Roles that work in the admin site.
ADMIN_ROLES = frozenset({Role.ORG_STAFF, Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})


class User(ChoiceDisplayMixin, AbstractUser):
    name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, blank=True, db_index=True)
    # Org staff: the city (sees everything) or one district / new district (sees only that).
    jurisdiction = models.ForeignKey(
        "offices.Jurisdiction",
        verbose_name=_("jurisdiction scope"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_users",
        help_text=_("For organization staff: the city, or the district whose data they manage."),
    )
    # Unit handlers: the responsible unit whose dispatched cases they handle.
    unit = models.ForeignKey(
        "offices.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handlers",
    )
    mobile = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # Accounts created by an import or by an administrator carry a password someone else knows:
    # the owner must replace it at the first login.
    must_change_password = models.BooleanField(_("must change password at next login"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.label(self.name, self.username)

    @staticmethod
    def label(name, username):
        """How an account is named in the interface (str() of it), from its two columns: for a
        list of accounts read without building each (offices.admin.scoping.ChoicesReadOnce)."""
        return name or username

    def save(self, *args, **kwargs):
        # Admin-site access follows the role; it is never granted by hand.
        self.is_staff = self.is_superuser or self.role in ADMIN_ROLES
        # set_password() leaves the raw password in _password until the save; a hash upgrade at
        # login clears it first, so only real changes restart the expiry clock.
        if self._password is not None:
            self.password_changed_at = timezone.now()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "password_changed_at"}
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.name or self.username

    def has_usable_password(self):
        # The account cached for the request (liaison.security.accounts) leaves its password hash
        # out and keeps the answer here, which the admin asks on every page.
        if "password" not in self.__dict__ and hasattr(self, "_cached_usable_password"):
            return self._cached_usable_password
        return super().has_usable_password()

    @property
    def is_org_staff(self):
        return self.role == Role.ORG_STAFF

    @property
    def is_city_staff(self):
        return self.is_superuser or (
            self.role == Role.ORG_STAFF and self.jurisdiction_id is not None and self.jurisdiction.is_city
        )

    @property
    def staff_district_id(self):
        """The district an org staff member is limited to, or None for city-wide staff."""
        if self.role != Role.ORG_STAFF or self.jurisdiction_id is None or self.jurisdiction.is_city:
            return None
        return self.jurisdiction.district_id


class RoleAssignment(User):
    """The security administrator's view of an account: role, scope and active flag only. A proxy
    so that its permissions differ from the system administrator's account permissions."""

    class Meta:
        proxy = True
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        permissions = [
            ("unlock_login", _("Can unlock a login locked after failed attempts")),
            ("reset_two_factor", _("Can reset an account's two-factor authentication")),
        ]


class PasswordHistory(models.Model):
    """Hashes of an account's recent passwords, so that the last few cannot be reused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("password history entry")
        verbose_name_plural = _("password history")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
