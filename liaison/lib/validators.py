import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_SEPARATORS = re.compile(r"[\s\-().\u2010-\u2015]")


def normalize_mobile(value):
    """The one spelling of a Chinese mobile number: full-width characters (a Chinese input method)
    made ASCII, spaces, dashes, dots and brackets dropped, and a +86 / 0086 / 86 country prefix
    removed.

    Everything that matches a number (case tracking, residents' privacy requests) and everything
    that counts attempts per number (rate limits) goes through here, so no way of writing one
    number gets a counter of its own."""
    value = _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(value or "")))
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix):]
    if len(value) == 13 and value.startswith("861"):
        value = value[2:]
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
