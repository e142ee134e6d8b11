"""One home per rule (issue 13): each app's numbers are declared once — deployment settings in
liaison/settings.py, read through the app's rules module — and nothing reads a setting with a
fallback of its own."""

import ast
import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from liaison import rules
from liaison.lib.sms.quiet import in_quiet_hours, outside_quiet_hours

ROOT = Path(__file__).resolve().parents[2]
APPS = ("liaison", "offices", "scoring", "reception", "cases", "reports")


def _getattr_defaults(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) == 3 and isinstance(node.args[0], ast.Name) and node.args[0].id == "settings"
        ):
            yield f"{path.relative_to(ROOT)}:{node.lineno}"


def test_no_app_reads_a_setting_with_a_getattr_default():
    """A default belongs with the setting's declaration in liaison/settings.py, not at each reader,
    where two readers can disagree (CASE_FORWARD_DAYS and RATE_LIMITS did)."""
    found = [
        hit for app in APPS if (ROOT / app).is_dir()
        for path in sorted((ROOT / app).rglob("*.py")) if "migrations" not in path.parts
        for hit in _getattr_defaults(path)
    ]
    assert found == []


def test_no_sms_between_22_00_and_08_00_by_default_spec_2():
    assert rules.sms_quiet_hours() == (22, 8)
    tz = timezone.get_current_timezone()
    assert in_quiet_hours(datetime.datetime(2026, 3, 2, 22, 0, tzinfo=tz))
    assert in_quiet_hours(datetime.datetime(2026, 3, 3, 7, 59, tzinfo=tz))
    assert not in_quiet_hours(datetime.datetime(2026, 3, 3, 8, 0, tzinfo=tz))
    assert outside_quiet_hours(datetime.datetime(2026, 3, 2, 23, 30, tzinfo=tz)) == datetime.datetime(
        2026, 3, 3, 8, 0, tzinfo=tz
    )


def test_rule_settings_are_declared_with_the_seeds_defaults():
    # [001 第五篇 三(二)] forwarded 在3日内; audit kept a year; resident data three years after archiving.
    assert settings.CASE_FORWARD_DAYS == 3
    assert rules.audit_retention() == datetime.timedelta(days=365)
    assert rules.resident_data_retention_years() == 3
    assert settings.RATE_LIMITS == {}
