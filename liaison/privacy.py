"""The personal-information notice shown on every public form (PIPL, 个人信息保护法 arts. 14 and 17).

One place for the notice: its text is templates/includes/privacy_notice.html and its version is
NOTICE_VERSION. Every public submission stores the version the resident acknowledged, so a later
change of wording never rewrites what someone agreed to. Change the version whenever the text
changes in substance.
"""

from django.utils.translation import gettext_lazy as _

from liaison import rules

NOTICE_VERSION = "2026-11-v2"
NOTICE_TEMPLATE = "includes/privacy_notice.html"


def __getattr__(name):
    # How long a resident's personal information is kept once their case is archived: the
    # RESIDENT_DATA_RETENTION_YEARS setting, read at use so the notice and the nightly
    # anonymization (liaison.privacy_services) always state and apply the same number.
    if name == "RETENTION_YEARS_AFTER_ARCHIVE":
        return rules.resident_data_retention_years()
    raise AttributeError(name)


ACKNOWLEDGE_LABEL = _("I have read the personal information notice above and agree to its terms.")
ACKNOWLEDGE_REQUIRED = _("Please read the personal information notice and tick the box to agree.")
