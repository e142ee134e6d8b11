"""The project-wide rules of the liaison app — SMS quiet hours and the audit log's retention —
each in one place with its source (the residents' privacy rules live in cases.rules).

Deployment settings are declared with their defaults (read from the environment) in
liaison/settings.py and read here, at call time, so that a test or a deployment that changes one
changes the rule everywhere.
"""

from datetime import timedelta

from django.conf import settings


def sms_quiet_hours():
    """(start hour, end hour): no SMS from 22:00 to 08:00 Asia/Shanghai by default (SPEC §2
    Reminders; the seed [000 十一] asks for the SMS, the quiet night is the product's). The
    SMS_QUIET_START and SMS_QUIET_END settings; equal values mean no quiet hours."""
    return settings.SMS_QUIET_START, settings.SMS_QUIET_END


def audit_retention():
    """How long audit entries are kept: the AUDIT_RETENTION_DAYS setting, a year by default
    (MLPS asks for at least six months; the Cybersecurity Law art. 21 for six months, the issue for
    one year). On PostgreSQL the purge function keeps a year whatever the setting (migration 0008)."""
    return timedelta(days=settings.AUDIT_RETENTION_DAYS)
