"""The project-wide rules of the liaison app — SMS quiet hours, retention periods, the privacy
self-service's code rules and its rate limits — each in one place with its source.

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


def resident_data_retention_years():
    """Residents' name, phone and address in an archived case are anonymized this many years after
    archiving (PIPL art. 19): the RESIDENT_DATA_RETENTION_YEARS setting, 3 by default. The public
    privacy notice states the same number (liaison.privacy.RETENTION_YEARS_AFTER_ARCHIVE)."""
    return settings.RESIDENT_DATA_RETENTION_YEARS


# The resident's privacy self-service (PIPL arts. 44-47): a one-time code by SMS, valid ten minutes,
# five wrong tries at most; a verified visit may see and change the data for fifteen minutes before
# the code must be asked again. No seed: short enough that a phone left unlocked is not an open door.
PRIVACY_CODE_TTL = timedelta(minutes=10)
PRIVACY_CODE_MAX_ATTEMPTS = 5
PRIVACY_VERIFIED_VISIT = timedelta(minutes=15)

# The privacy pages' rate limits ("count/period"; settings.RATE_LIMITS may override any scope).
# Phones are counted as PrivacyStartForm and CorrectionForm clean them
# (liaison.lib.validators.normalize_mobile), so every way of writing one number shares one counter.
PRIVACY_RATES = {
    "privacy_start_ip": "10/h",
    "privacy_code_phone": "5/d",
    "privacy_verify_ip": "30/h",
}
