"""The audit log: who did what to which object, from where, and how it ended."""

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..lib.append_only import AppendOnlyError, AppendOnlyModel


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
            # The auditor's page (liaison.security.views.audit_log), newest first: a page read in
            # this order instead of sorting the whole log, which grows with every recorded look.
            models.Index(fields=["-at", "-id"], name="auditlog_at"),
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
