import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()]")


def normalize_mobile(value):
    """Strip spaces, dashes and a +86 / 0086 prefix from a Chinese mobile number."""
    value = _SEPARATORS.sub("", str(value or ""))
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix):]
    return value


def is_cn_mobile(value):
    return bool(_MOBILE_RE.match(normalize_mobile(value)))


def validate_cn_mobile(value):
    if not _MOBILE_RE.match(normalize_mobile(value)):
        raise ValidationError(
            _("Enter a valid mainland China mobile number (11 digits starting with 13–19)."), code="invalid_mobile"
        )


def mask_mobile(value):
    """138****5678: enough to recognise a number, not enough to call it."""
    value = normalize_mobile(value)
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"
