"""MLPS 8.1.3/8.1.4: response headers, staff network allow-list, uploads."""

import functools
import io
import struct
import subprocess
import sys
import tracemalloc
import zlib
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


def picture(width, height, fmt="PNG"):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buf, format=fmt)
    return buf.getvalue()


JPEG = picture(4, 4, "JPEG")


@functools.cache
def bomb_png(width=20_000, height=20_000):
    """A valid PNG of width × height black pixels in well under 400 KB (1-bit grey, rows of zeros):
    the outside probe's decompression bomb."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _i in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def bomb():
    return SimpleUploadedFile("bomb.png", bomb_png(), content_type="image/png")


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
    # The validator sees the upload itself on a form field and a FieldFile wrapping it on a model.
    from offices.models import Deputy

    with pytest.raises(ValidationError):
        UploadValidator(IMAGE_TYPES)(upload)
    deputy = Deputy(photo=upload)
    with pytest.raises(ValidationError):
        UploadValidator(IMAGE_TYPES)(deputy.photo)


def test_an_oversized_upload_is_refused(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        validate_upload(SimpleUploadedFile("photo.jpg", JPEG + b"\x00" * 2048, content_type="image/jpeg"))
    assert exc.value.code == "too_large"
    assert validate_upload(SimpleUploadedFile("photo.jpg", JPEG, content_type="image/jpeg")) == "image/jpeg"


def test_a_decompression_bomb_picture_is_refused_before_any_pixel_is_decoded():
    """Issue 11 item 7: a small PNG declaring 20,000 × 20,000 pixels was accepted and served."""
    assert len(bomb_png()) < 400_000 and struct.unpack(">II", bomb_png()[16:24]) == (20_000, 20_000)
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError) as exc:
            validate_upload(bomb())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert exc.value.code == "too_many_pixels"
    assert peak < 20 * 1024 * 1024  # decoding would take 400 MB at the least
    assert "像素" in exc.value.messages[0]  # a clear Chinese message (zh-hans is the default)


def test_the_pixel_cap_is_a_setting_and_ordinary_photos_pass(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 10_000
    for fmt, content_type in (("PNG", "image/png"), ("JPEG", "image/jpeg")):
        assert validate_upload(SimpleUploadedFile("ok", picture(100, 100, fmt))) == content_type
        with pytest.raises(ValidationError) as exc:
            validate_upload(SimpleUploadedFile("big", picture(101, 100, fmt)))
        assert exc.value.code == "too_many_pixels"


def test_a_picture_that_does_not_open_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_upload(SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64))
    assert exc.value.code == "bad_image"


def test_every_upload_path_refuses_the_decompression_bomb(world, client, settings, tmp_path, rf):
    """Case attachments (intake page), activity photos (page and service), deputy photos (admin
    form), written explanations (page and service), points evidence (service): one check."""
    import datetime

    from django.contrib import admin
    from django.utils import timezone

    from cases.models import Case, Category
    from offices.models import Deputy
    from reception import activity_services as activities
    from reception.models import Activity, ActivityPhoto, Escalation, ReceptionPeriod
    from scoring.services import claim_submit
    from tests.scoring.helpers import DAY, yantian_item

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.liaison)
    r = client.post(reverse("cases:register"), {
        "office": world.office_a1.pk, "channel": "visit", "received_on": timezone.localdate().isoformat(),
        "category": Category.objects.filter(is_active=True).first().pk, "title": "楼道灯坏了", "content": "一个月了",
        "attachments": [bomb()],
    })
    assert r.status_code == 200 and "像素" in str(r.context["form"].errors["attachments"]) and not Case.objects.exists()

    activity = activities.activity_plan(
        office=world.office_a1, kind=Activity.Kind.RECEPTION, title="集中接待日",
        date=timezone.localdate() + datetime.timedelta(days=10), slot=Activity.Slot.AFTERNOON,
        deputies=[world.deputy_a], actor=world.liaison,
    )
    r = client.post(reverse("reception:activity_photo_add", args=[activity.pk]), {"photo": bomb()}, follow=True)
    assert "像素" in r.content.decode() and not ActivityPhoto.objects.exists()
    with pytest.raises(ValidationError):
        activities.activity_photo_add(activity=activity, image=bomb(), actor=world.liaison)

    request = rf.get("/")
    request.user = world.city_staff
    deputy_admin = admin.site._registry[Deputy]
    photo_field = deputy_admin.get_form(request, world.deputy_a)().fields["photo"]
    with pytest.raises(ValidationError) as exc:
        photo_field.clean(bomb(), None)
    assert exc.value.code == "too_many_pixels"

    period = ReceptionPeriod.objects.create(
        district=world.district_a, key="x-1", start=timezone.localdate() - datetime.timedelta(days=40),
        end=timezone.localdate() - datetime.timedelta(days=30), closed_at=timezone.now(),
    )
    escalation = Escalation.objects.create(deputy=world.deputy_b, period=period, district=world.district_a, step=2, streak=2)
    client.force_login(world.deputy_b_user)
    r = client.post(reverse("reception:escalation_explain", args=[escalation.pk]), {"text": "", "file": bomb()})
    assert r.status_code == 200 and "像素" in r.content.decode()
    with pytest.raises(ValidationError):
        activities.escalation_explain(escalation=escalation, actor=world.deputy_b_user, file=bomb())
    escalation.refresh_from_db()
    assert not escalation.explanation_file

    with pytest.raises(ValidationError) as exc:
        claim_submit(deputy=world.deputy_a, rule_item=yantian_item(12), occurred_on=DAY, description="义务劳动",
                     actor=world.deputy_a_user, evidence=bomb())
    assert exc.value.code == "too_many_pixels"


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
        "PUBLIC_BASE_URL": "https://portal.example.gov.cn",
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


def test_no_public_address_is_a_deploy_warning(settings):
    from liaison.security.checks import check_public_base_url

    settings.PUBLIC_BASE_URL = "https://dbgzs.example.gov.cn"
    assert check_public_base_url(None) == []
    settings.PUBLIC_BASE_URL = ""
    [warning] = check_public_base_url(None)
    assert warning.id == "liaison.W004" and "PUBLIC_BASE_URL" in warning.msg


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
