"""Accounts, roles and the system-wide records every app writes to: in-portal notices, the SMS
outbox and the audit log."""

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..lib.append_only import AppendOnlyError, AppendOnlyModel
from ..lib.validators import mask_mobile


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


class User(AbstractUser):
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
        return self.name or self.username

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


class Notice(models.Model):
    """An in-portal notice shown on the user's home page and in the navigation bell."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField(_("text"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]
        # Serves the unread count in the navigation bar.
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]

    def __str__(self):
        return self.text


class SmsMessage(models.Model):
    """One SMS to one phone number: the outbox row and its delivery record for every backend."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    phone = models.CharField(_("phone"), max_length=20)
    # Whose business the message is, for scoping the outbox: the recipient deputy's district or the
    # case's. Empty for messages to residents (one-time codes): only city staff see those.
    district = models.ForeignKey(
        "offices.Jurisdiction",
        verbose_name=_("district"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    template = models.CharField(_("template"), max_length=50, help_text=_("Our template name, e.g. reception_reminder."))
    # Secret parameters (a one-time code) are shown as ****** here and in the text; their real
    # values live sealed in `secret` until delivery blanks it (liaison.lib.sms.secrets).
    params = models.JSONField(_("template parameters"), default=dict, blank=True)
    text = models.TextField(_("text"))
    secret = models.TextField(_("sealed secret parameters"), blank=True, editable=False)
    # Not sent after this time (a one-time code that has run out); empty: no limit.
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    backend = models.CharField(_("backend"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    template_id = models.CharField(
        _("provider template id"), max_length=50, blank=True, help_text=_("The provider's id of the approved template.")
    )
    provider_message_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    provider_code = models.CharField(
        _("provider status code"), max_length=100, blank=True, help_text=_("The provider's answer, e.g. Ok or an error code.")
    )
    error = models.TextField(_("last error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Not before this time: quiet hours and retry back-off move it forward.
    scheduled_at = models.DateTimeField(_("send after"), default=timezone.now)
    # Set while one run is delivering the row; a lease that expires if that worker dies.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        ordering = ["-created_at"]
        indexes = [
            # Serves the outbox's status filter, newest first.
            models.Index(fields=["status", "created_at"], name="sms_status_created"),
            # Serves the delivery job's claim of due queued rows.
            models.Index(fields=["status", "scheduled_at"], name="sms_status_due"),
            # Serves a district staff member's outbox, newest first.
            models.Index(fields=["district", "created_at"], name="sms_district_created"),
        ]

    def __str__(self):
        return f"{mask_mobile(self.phone)}: {self.text[:30]}"


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


class AuditLogReadOnly(AppendOnlyError):
    pass


class AuditAction(models.TextChoices):
    """Every action the audit log records, with the label the auditor reads. The column keeps no
    `choices`: a row written under an action that is no longer (or not yet) listed here still
    renders, under its code. tests/security/test_audit_log_page.py fails for a code written
    anywhere in the code base and missing here."""

    # Sign-in and accounts
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGIN_LOCKED_OUT = "login_locked_out", _("Sign-in locked after repeated failures")
    LOGOUT = "logout", _("Signed out")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    TWO_FACTOR_ENROLLED = "2fa_enrolled", _("Two-factor authentication set up")
    TWO_FACTOR_ENROL_FAILED = "2fa_enrol_failed", _("Two-factor set-up failed")
    TWO_FACTOR_VERIFIED = "2fa_verified", _("Second factor accepted")
    TWO_FACTOR_FAILED = "2fa_failed", _("Second factor refused")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    STAFF_NETWORK_REFUSED = "staff_network_refused", _("Staff page refused outside the allowed networks")
    # Account administration
    USER_CREATED = "user_created", _("Account created")
    USER_ACCESS_CHANGED = "user_access_changed", _("Role, scope or active status changed")
    LOGIN_UNLOCKED = "login_unlocked", _("Sign-in lock lifted")
    TWO_FACTOR_RESET = "2fa_reset", _("Two-factor authentication reset")
    EMERGENCY_SUPERUSER_CREATED = "emergency_superuser_created", _("Emergency superuser created")
    EMERGENCY_SUPERUSER_REVOKED = "emergency_superuser_revoked", _("Emergency superuser revoked")
    # Residents' personal data
    CASE_PERSONAL_DATA_VIEWED = "case_personal_data_viewed", _("Resident's contact details viewed on a case")
    CASE_ATTACHMENT_VIEWED = "case_attachment_viewed", _("Case attachment opened")
    PRIVACY_REQUEST_STARTED = "privacy_request_started", _("Resident asked to see their personal information")
    PRIVACY_CODE_FAILED = "privacy_code_failed", _("Resident entered a wrong verification code")
    PRIVACY_VERIFIED = "privacy_verified", _("Resident's mobile number verified")
    PRIVACY_DATA_VIEWED = "privacy_data_viewed", _("Resident viewed their personal information")
    PRIVACY_CORRECTION_CODE_SENT = "privacy_correction_code_sent", _("Verification code sent to a resident's new mobile number")
    PRIVACY_CORRECTED = "privacy_corrected", _("Resident corrected their personal information")
    PRIVACY_DELETED = "privacy_deleted", _("Resident deleted their personal information")
    RESIDENT_DATA_ANONYMIZED = "resident_data_anonymized", _("Resident's personal information anonymized after the retention period")
    # Exports, downloads and imports
    CASE_LIST_EXPORT_REQUESTED = "case_list_export_requested", _("Case list export requested")
    CASE_LIST_EXPORTED = "case_list_exported", _("Case list export downloaded")
    CASE_REVIEW_EXPORTED = "case_review_exported", _("Unit review exported")
    REVIEW_BULLETIN_PUBLISHED = "review_bulletin_published", _("Unit review bulletin published")
    ATTENDANCE_SHEET_EXPORTED = "attendance_sheet_exported", _("Attendance sheet exported")
    BIMONTHLY_REPORT_EXPORTED = "bimonthly_report_exported", _("Bi-monthly report exported")
    PERFORMANCE_FILE_EXPORTED = "performance_file_exported", _("Performance file exported")
    EXPLANATION_FILE_DOWNLOADED = "explanation_file_downloaded", _("Written explanation downloaded")
    POINTS_EXPORT_DOWNLOADED = "points_export_downloaded", _("Points export downloaded")
    ADMIN_EXPORT = "admin_export", _("Admin list exported to Excel")
    EXPORT_DOWNLOADED = "export_downloaded", _("Background export downloaded")
    ROSTER_IMPORT = "roster_import", _("Roster imported")
    # The system and the audit log itself
    AUDIT_LOG_VIEWED = "audit_log_viewed", _("Audit log viewed")
    AUDIT_LOG_EXPORTED = "audit_log_exported", _("Audit log exported")
    AUDIT_PURGED = "audit_purged", _("Audit entries past retention purged")
    CALENDAR_TOKEN_REGENERATED = "calendar_token_regenerated", _("Calendar feed link renewed")
    # The SMS outbox: every look at messages sent to residents and deputies
    SMS_OUTBOX_VIEWED = "sms_outbox_viewed", _("SMS outbox viewed")
    SMS_MESSAGE_VIEWED = "sms_message_viewed", _("SMS message viewed")
    SMS_REQUEUED = "sms_requeued", _("SMS messages requeued")


# actor_repr of entries without an account: the nightly jobs, manage.py, and residents on the
# public privacy pages ("resident 138****0000"). Translated only under the actions that write
# them, so that a failed login typed as "system" still shows as typed.
SYSTEM_ACTORS = {
    "system": (pgettext_lazy("audit actor", "system"), ("resident_data_anonymized",)),
    "manage.py": (pgettext_lazy("audit actor", "server command line"), ("emergency_superuser_",)),
    "resident": (pgettext_lazy("audit actor", "resident"), ("privacy_",)),
}


# Models that moved to another app (issue 13): entries written before the move keep the old label
# (the log is append-only), and are shown with the model's name all the same.
MOVED_MODEL_LABELS = {
    "liaison.privacyrequest": "cases.privacyrequest",
}


class AuditOutcome(models.TextChoices):
    OK = "ok", pgettext_lazy("audit outcome", "Succeeded")
    FAILED = "failed", pgettext_lazy("audit outcome", "Failed")
    LOCKED = "locked", pgettext_lazy("audit outcome", "Locked")
    REFUSED = "refused", pgettext_lazy("audit outcome", "Refused")


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value


class AuditLog(AppendOnlyModel):
    """Who did what to which object, from where, and how it ended. Append-only, in bulk too; the
    retention purge goes through liaison.services.audit_purge, which the PostgreSQL trigger also
    recognizes."""

    append_only_error = AuditLogReadOnly
    changed_message = _("Audit log entries cannot be changed.")
    deleted_message = _("Audit log entries cannot be deleted.")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # No database constraint and no cascade: deleting an account must neither delete nor rewrite
    # its history (the PostgreSQL trigger would refuse the SET NULL update anyway); actor_repr
    # keeps the name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_repr = models.CharField(_("actor name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=50, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(pgettext_lazy("audit log", "object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, default="ok")
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        permissions = [("export_auditlog", _("Can export the audit log"))]
        indexes = [
            # The auditor's filter by actor over a date range.
            models.Index(fields=["actor", "at"], name="auditlog_actor_at"),
            # Everything that happened to one object.
            models.Index(fields=["object_type", "object_id"], name="auditlog_object"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"

    @property
    def action_label(self):
        """The action in the reader's language; an unknown (older or newer) code as it is."""
        return _label(AuditAction, self.action)

    @property
    def outcome_label(self):
        return _label(AuditOutcome, self.outcome)

    @property
    def object_type_label(self):
        """The model's verbose name ("case", "user" …) from the app registry: no query. A type
        whose model is gone stays as its `app.model` code; one that moved to another app is found
        under its new label (MOVED_MODEL_LABELS)."""
        if not self.object_type:
            return ""
        try:
            return apps.get_model(MOVED_MODEL_LABELS.get(self.object_type, self.object_type))._meta.verbose_name
        except (LookupError, ValueError):
            return self.object_type

    @property
    def actor_label(self):
        """The name kept with the entry; the words the code writes for non-users, translated."""
        name = self.actor_repr
        word, _sep, rest = name.partition(" ")
        if self.actor_id is None and word in SYSTEM_ACTORS:
            label, actions = SYSTEM_ACTORS[word]
            if self.action.startswith(actions):
                return f"{label} {rest}" if rest else str(label)
        return name


# --- Background exports --------------------------------------------------------------------------


def export_upload_to(instance, filename):
    return f"{instance.upload_dir}/{filename}"


class ExportJobBase(models.Model):
    """What every background export job is: a row per request, claimed once by a worker
    (liaison.lib.exporters.export_job_run), with progress for the page that polls it, and a file
    only its requester may download. The case list and points exports keep their own tables
    (their filters are typed fields); every other export is a BackgroundExport."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    upload_dir = "exports"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done_rows = models.PositiveIntegerField(_("rows written"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to=export_upload_to, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.done_rows / self.total_rows))


class BackgroundExport(ExportJobBase):
    """One background export of any list: `exporter` names its builder in
    liaison.export_services.EXPORTERS, `params` holds the list's filters as the page read them.
    The requester's scope is not stored: the builder applies it again when the job runs."""

    exporter = models.CharField(_("export"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("filters"), default=dict, blank=True)

    class Meta(ExportJobBase.Meta):
        verbose_name = _("background export")
        verbose_name_plural = _("background exports")
        indexes = [
            # "My exports": the requester's jobs, newest first.
            models.Index(fields=["requested_by", "-created_at"], name="liaison_export_mine_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.title
