"""The portal's own `manage.py check --deploy` warnings: production settings that Django's
security checks cannot know about. Registered only for deploy checks, so the demo and
`runserver` stay quiet; CI runs `check --deploy --fail-level WARNING` with production values."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

W001 = "liaison.W001"
W002 = "liaison.W002"


@register(Tags.security, deploy=True)
def check_staff_two_factor(app_configs, **kwargs):
    # MLPS 8.1.4.1 d asks for two authentication techniques for administrators; without TOTP the
    # admin site (and the residents' data behind it) rests on a password alone.
    if settings.REQUIRE_STAFF_2FA:
        return []
    return [
        Warning(
            "Staff two-factor authentication is off (REQUIRE_STAFF_2FA is false): admin-site users "
            "(organization staff, system and security administrators, auditors) log in with a password only.",
            hint="Set REQUIRE_STAFF_2FA=true in production (it is the default when DEBUG and DEMO_MODE are "
            "off). Only the demo install started by run.sh should run without it.",
            id=W001,
        )
    ]


@register(Tags.security, deploy=True)
def check_demo_mode(app_configs, **kwargs):
    # DEMO_MODE belongs to run.sh's local demo, whose logins and passwords are public in the
    # README; with DEBUG off it means a production-like server was started with demo settings.
    if not settings.DEMO_MODE or settings.DEBUG:
        return []
    return [
        Warning(
            "DEMO_MODE is on while DEBUG is off: this looks like a production server running with the "
            "demo's settings (staff two-factor authentication then defaults to off).",
            hint="Remove DEMO_MODE (or set DEMO_MODE=false) from the production environment; it is meant "
            "only for the local demo started by run.sh.",
            id=W002,
        )
    ]


W004 = "liaison.W004"


@register(Tags.security, deploy=True)
def check_public_base_url(app_configs, **kwargs):
    # Residents' SMS carry links (the rating link) and the QR posters encode the public address;
    # without PUBLIC_BASE_URL they point at the local demo or at the intranet address a poster was
    # printed from, which a resident's phone cannot open.
    if settings.PUBLIC_BASE_URL:
        return []
    return [
        Warning(
            "PUBLIC_BASE_URL is not set: links in residents' SMS point at the local demo address and QR posters "
            "encode whatever address they are printed from.",
            hint="Set PUBLIC_BASE_URL to the address residents reach from the internet, e.g. "
            "https://dbgzs.example.gov.cn.",
            id=W004,
        )
    ]
