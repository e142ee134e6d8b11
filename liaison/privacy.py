"""The personal-information notice shown on every public form (PIPL, 个人信息保护法 arts. 14 and 17).

One place for the notice: its text is templates/includes/privacy_notice.html and its version is
NOTICE_VERSION. Every public submission stores the version the resident acknowledged, so a later
change of wording never rewrites what someone agreed to. Change the version whenever the text
changes in substance.
"""

from django.utils.translation import gettext_lazy as _

NOTICE_VERSION = "2026-11-v1"
NOTICE_TEMPLATE = "includes/privacy_notice.html"

# How long a resident's personal information is kept once their case is archived; retention
# anonymization (security work) reads this number.
RETENTION_YEARS_AFTER_ARCHIVE = 3

ACKNOWLEDGE_LABEL = _("I have read the personal information notice above and agree to its terms.")
ACKNOWLEDGE_REQUIRED = _("Please read the personal information notice and tick the box to agree.")
