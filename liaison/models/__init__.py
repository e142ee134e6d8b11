"""Accounts, roles and the system-wide records every app writes to: in-portal notices, the SMS
outbox, the audit log and background exports. Each lives in its own module; this package
re-exports them so Django finds them and `from liaison.models import X` keeps working (the
migrations name `liaison.models.export_upload_to`)."""

from .accounts import ADMIN_ROLES, PasswordHistory, Role, RoleAssignment, User  # noqa: F401
from .audit import (  # noqa: F401
    MOVED_MODEL_LABELS,
    SYSTEM_ACTORS,
    AuditAction,
    AuditLog,
    AuditLogReadOnly,
    AuditOutcome,
)
from .exports import BackgroundExport, ExportJobBase, export_upload_to  # noqa: F401
from .notices import Notice  # noqa: F401
from .sms import SmsMessage  # noqa: F401
