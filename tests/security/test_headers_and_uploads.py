"""MLPS 8.1.3/8.1.4: response headers, staff network allow-list, uploads."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse

from liaison.lib.uploads import IMAGE_TYPES, UploadValidator, validate_upload
from liaison.models import AuditLog

pytestmark = pytest.mark.django_db

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def test_security_headers_are_sent(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_hsts_is_sent_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("content, name", [(ELF, "photo.jpg"), (MZ, "photo.jpg"), (MZ, "report.pdf")])
def test_a_renamed_executable_is_refused_as_an_upload(content, name):
    upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload)
    assert exc.value.code == "bad_type"
    with pytest.raises(ValidationError):
        UploadValidator(IMAGE_TYPES)(type("FieldFile", (), {"file": upload})())


def test_an_oversized_upload_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        validate_upload(SimpleUploadedFile("photo.jpg", JPEG + b"\x00" * 2048, content_type="image/jpeg"))
    assert exc.value.code == "too_large"
    assert validate_upload(SimpleUploadedFile("photo.jpg", JPEG, content_type="image/jpeg")) == "image/jpeg"


def test_uploaded_files_live_outside_static_files_and_have_no_url():
    media = Path(settings.MEDIA_ROOT).resolve()
    for static in [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]:
        static = static.resolve()
        assert static not in media.parents and media != static and media not in static.parents
    with pytest.raises(Resolver404):
        resolve(settings.MEDIA_URL + "cases/photo.jpg")


# Files the server writes itself (exports), never uploaded by a person.
SERVER_WRITTEN = {"scoring.ExportJob.file", "cases.CaseExportJob.file", "liaison.BackgroundExport.file"}


def test_every_file_field_checks_the_content_type():
    from django.apps import apps
    from django.db.models import FileField

    fields = [f for m in apps.get_models() for f in m._meta.get_fields() if isinstance(f, FileField)]
    for field in fields:
        if f"{field.model._meta.label}.{field.name}" in SERVER_WRITTEN:
            continue
        assert any(isinstance(v, UploadValidator) for v in field.validators), f"{field.model.__name__}.{field.name}"


def test_staff_pages_only_from_allowed_networks(world, client, settings):
    settings.ADMIN_ALLOWED_NETWORKS = ["10.0.0.0/8", "192.168.1.0/24"]
    client.force_login(world.city_staff)
    assert client.get(reverse("home"), REMOTE_ADDR="10.2.3.4").status_code == 200
    assert client.get(reverse("home"), REMOTE_ADDR="172.16.0.9").status_code == 403
    assert AuditLog.objects.filter(action="staff_network_refused", ip="172.16.0.9").exists()
    client.logout()
    assert client.get(reverse("admin:login"), REMOTE_ADDR="172.16.0.9").status_code == 403
    # Non-staff users keep working from anywhere.
    client.force_login(world.liaison)
    assert client.get(reverse("home"), REMOTE_ADDR="172.16.0.9").status_code == 200


def _deploy_check(tmp_path, **extra):
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-deploy-check-0123456789",
        "ALLOWED_HOSTS": "portal.example.gov.cn",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    # The defaults with DEBUG off are production's: staff two-factor on, no demo mode.
    result = _deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_warns_when_a_server_runs_with_the_demo_settings(tmp_path):
    result = _deploy_check(tmp_path, DEMO_MODE="true")
    output = result.stdout + result.stderr
    # DEMO_MODE also switches the two-factor default off: both warnings, and the check fails.
    assert result.returncode != 0 and "liaison.W001" in output and "liaison.W002" in output, output


def test_staff_two_factor_off_is_a_deploy_warning(settings):
    from django.core.checks import Warning

    from liaison.security.checks import check_staff_two_factor

    settings.REQUIRE_STAFF_2FA = True
    assert check_staff_two_factor(None) == []
    settings.REQUIRE_STAFF_2FA = False
    [warning] = check_staff_two_factor(None)
    assert isinstance(warning, Warning) and warning.id == "liaison.W001"
    assert "REQUIRE_STAFF_2FA" in warning.msg and "REQUIRE_STAFF_2FA=true" in warning.hint


@pytest.mark.parametrize("demo, debug, warned", [(True, False, True), (True, True, False), (False, False, False)])
def test_demo_mode_without_debug_is_a_deploy_warning(settings, demo, debug, warned):
    from liaison.security.checks import check_demo_mode

    settings.DEMO_MODE, settings.DEBUG = demo, debug
    warnings = check_demo_mode(None)
    assert [w.id for w in warnings] == (["liaison.W002"] if warned else [])
    if warned:
        assert "DEMO_MODE" in warnings[0].msg and "run.sh" in warnings[0].hint


def test_the_portal_checks_run_only_with_deploy():
    from django.core.checks import registry

    deploy_only = registry.registry.deployment_checks - registry.registry.registered_checks
    names = {check.__name__ for check in deploy_only}
    assert {"check_staff_two_factor", "check_demo_mode"} <= names
