"""docs/security.md names, for each control, the test that proves it: every test it names exists."""

import re
from pathlib import Path

from django.conf import settings

DOC = Path(settings.BASE_DIR) / "docs" / "security.md"


def test_every_test_named_in_the_security_page_exists():
    text = DOC.read_text(encoding="utf-8")
    current, checked, missing = None, 0, []
    # `tests/x/test_y.py::test_z`, or `::test_z` for another test of the file named just before.
    for match in re.finditer(r"`((?:tests/[\w/]+\.py)?)::(test_\w+)`", text):
        current = match.group(1) or current
        path = Path(settings.BASE_DIR) / current
        checked += 1
        if not path.exists() or not re.search(rf"^\s*def {match.group(2)}\(", path.read_text(encoding="utf-8"), re.M):
            missing.append(f"{current}::{match.group(2)}")
    assert checked > 50 and missing == []


def test_every_setting_named_in_the_security_page_exists():
    text = DOC.read_text(encoding="utf-8")
    names = set(re.findall(r"`([A-Z][A-Z0-9_]{5,})`", text))
    environment_only = {"SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS", "LOGIN_LOCKOUT_MINUTES", "BEHIND_PROXY", "DATABASE_URL"}
    optional = {"RATE_LIMITS"}  # read with a default by liaison.lib.ratelimit.configured_rate
    assert names - environment_only - optional - set(dir(settings)) == set()
    source = (Path(settings.BASE_DIR) / "liaison" / "settings.py").read_text(encoding="utf-8")
    assert all(f'"{name}"' in source for name in environment_only)
