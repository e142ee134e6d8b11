"""PIPL: residents see, correct and delete their personal information, verified by an SMS code to
the phone they gave; archived cases are anonymized after the retention period (issue 6 item 7)."""

import datetime
import re
import subprocess
import sys

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cases import privacy_notice
from cases.models import PrivacyRequest, Status
from cases.privacy_services import resident_data_retention_run
from liaison.lib import captcha
from liaison.lib.sms import locmem
from liaison.models import AuditLog, Role, SmsMessage
from tests.base import sms_code_sent_to
from tests.cases import journey

pytestmark = pytest.mark.django_db

PHONE = "13612345678"
NEW_PHONE = "13798765432"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()




def _start(client, phone=PHONE):
    assert client.get(reverse("privacy:start")).status_code == 200
    answer = client.session[captcha.SESSION_KEY]["a"]
    return client.post(reverse("privacy:start"), {"mobile": phone, "captcha": answer})


def _verified(client, phone=PHONE):
    assert _start(client, phone)["Location"] == reverse("privacy:verify")
    response = client.post(reverse("privacy:verify"), {"code": sms_code_sent_to(phone)})
    assert response.status_code == 302 and response["Location"] == reverse("privacy:mine")
    return response


def test_resident_sees_corrects_and_deletes_their_data_with_an_sms_code(world, client):
    case = journey.register(world)
    other = journey.register(world, reporter_mobile="13900001111", reporter_name="王先生")

    response = _start(client)
    assert response.status_code == 302
    page = client.get(reverse("privacy:verify"))
    assert "136****5678" in page.content.decode()
    # A wrong code is refused and counted.
    wrong = "000000" if sms_code_sent_to(PHONE) != "000000" else "111111"
    refused = client.post(reverse("privacy:verify"), {"code": wrong})
    assert refused.status_code == 200 and "验证码错误或已过期" in refused.content.decode()
    assert client.get(reverse("privacy:mine"))["Location"] == reverse("privacy:start")
    assert client.post(reverse("privacy:verify"), {"code": sms_code_sent_to(PHONE)})["Location"] == reverse("privacy:mine")

    # See: the resident's own case with their data, nobody else's; no-store; audited.
    mine = client.get(reverse("privacy:mine"))
    body = mine.content.decode()
    assert mine.status_code == 200 and "no-store" in mine["Cache-Control"]
    assert case.tracking_code in body and "刘阿姨" in body and "东和路8号3栋201" in body
    assert other.tracking_code not in body and "王先生" not in body
    assert AuditLog.objects.filter(action="privacy_data_viewed", detail__cases=[case.tracking_code]).exists()
    # Another resident's case id is a 404.
    assert client.get(reverse("privacy:correct", args=[other.pk])).status_code == 404

    # Correct name and address: applied at once.
    url = reverse("privacy:correct", args=[case.pk])
    response = client.post(url, {"name": "刘桂芳", "mobile": PHONE, "address": "东和路8号3栋202"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.reporter_name, case.reporter_address) == ("刘桂芳", "东和路8号3栋202")
    correction = PrivacyRequest.objects.get(kind="correct")
    assert correction.status == "done" and correction.detail["fields"] == ["reporter_name", "reporter_address"]

    # Correct the phone: a code goes to the new phone, and nothing changes until it is entered.
    response = client.post(url, {"name": "刘桂芳", "mobile": NEW_PHONE, "address": "东和路8号3栋202"})
    assert response["Location"] == reverse("privacy:correct_confirm")
    case.refresh_from_db()
    assert case.reporter_mobile == PHONE
    confirm = reverse("privacy:correct_confirm")
    assert client.post(confirm, {"code": wrong if wrong != sms_code_sent_to(NEW_PHONE) else "222222"}).status_code == 200
    case.refresh_from_db()
    assert case.reporter_mobile == PHONE
    assert client.post(confirm, {"code": sms_code_sent_to(NEW_PHONE)})["Location"] == reverse("privacy:mine")
    case.refresh_from_db()
    assert case.reporter_mobile == NEW_PHONE
    assert AuditLog.objects.filter(action="privacy_corrected", object_id=str(case.pk), detail__fields=["reporter_mobile"]).exists()

    # Delete, as the holder of the new phone: a confirmation first, then anonymized, content kept.
    client.post(reverse("privacy:end"))
    _verified(client, NEW_PHONE)
    delete_url = reverse("privacy:delete") + f"?case={case.pk}"
    confirm_page = client.get(delete_url)
    assert confirm_page.status_code == 200 and case.tracking_code in confirm_page.content.decode()
    assert client.post(delete_url, {"case": case.pk}).status_code == 200  # not confirmed: nothing happens
    case.refresh_from_db()
    assert case.reporter_mobile == NEW_PHONE
    assert client.post(delete_url, {"case": case.pk, "confirm": "on"})["Location"] == reverse("privacy:mine")
    case.refresh_from_db()
    assert (case.reporter_name, case.reporter_mobile, case.reporter_address, case.is_anonymous) == ("", "", "", True)
    assert case.title == "楼道灯坏了" and "楼道灯" in case.content
    other.refresh_from_db()
    assert other.reporter_name == "王先生"
    assert "privacy-empty" in client.get(reverse("privacy:mine")).content.decode()
    deletion = PrivacyRequest.objects.get(kind="delete")
    assert deletion.status == "done" and deletion.case_count == 1 and deletion.detail["cases"] == [case.tracking_code]
    assert AuditLog.objects.filter(action="privacy_deleted", object_id=str(case.pk)).exists()
    # The record of requests never holds a phone in clear.
    assert not PrivacyRequest.objects.filter(phone_masked__contains=PHONE[3:7]).exists()
    assert not PrivacyRequest.objects.filter(detail__icontains=NEW_PHONE).exists()
    # Every request is recorded with its kind and outcome.
    kinds = sorted(PrivacyRequest.objects.values_list("kind", "status"))
    assert kinds == [("access", "done"), ("access", "done"), ("correct", "done"), ("correct", "done"), ("delete", "done")]


def test_a_phone_without_data_gets_the_same_answers_and_no_code(world, client):
    journey.register(world)
    unknown = "13511112222"
    known_page = client.get(_start(client, PHONE)["Location"]).content.decode()
    client.post(reverse("privacy:end"))
    response = _start(client, unknown)
    assert response.status_code == 302 and response["Location"] == reverse("privacy:verify")
    unknown_page = client.get(reverse("privacy:verify")).content.decode()
    def same(page, masked):
        return re.sub(r'value="[A-Za-z0-9]{64}"', "", page.replace(masked, "X"))

    assert same(unknown_page, "135****2222") == same(known_page, "136****5678")
    assert not SmsMessage.objects.filter(phone=unknown).exists()
    refused = client.post(reverse("privacy:verify"), {"code": "123456"})
    assert "验证码错误或已过期" in refused.content.decode()
    assert PrivacyRequest.objects.filter(phone_masked="135****2222", kind="access").exists()


def test_five_wrong_codes_end_the_request(world, client):
    journey.register(world)
    _start(client)
    right = sms_code_sent_to(PHONE)
    wrong = "000000" if right != "000000" else "111111"
    for _i in range(5):
        client.post(reverse("privacy:verify"), {"code": wrong})
    assert client.post(reverse("privacy:verify"), {"code": right}).status_code == 200
    request = PrivacyRequest.objects.get()
    assert request.status == "refused" and request.code_attempts == 5
    assert AuditLog.objects.filter(action="privacy_code_failed", outcome="refused").count() == 1


def test_an_expired_code_is_refused(world, client):
    journey.register(world)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _start(client)
        code = sms_code_sent_to(PHONE)
        traveller.shift(datetime.timedelta(minutes=11))
        response = client.post(reverse("privacy:verify"), {"code": code})
    assert response.status_code == 200 and "privacy-error" in response.content.decode()


def test_the_start_page_needs_the_captcha_and_is_rate_limited_per_phone(world, client, settings):
    journey.register(world)
    client.get(reverse("privacy:start"))
    response = client.post(reverse("privacy:start"), {"mobile": PHONE, "captcha": "9999"})
    assert response.status_code == 200 and "captcha" in response.context["form"].errors
    assert not PrivacyRequest.objects.exists()
    settings.RATE_LIMITS = {"privacy_code_phone": "2/d"}
    assert _start(client).status_code == 302
    assert _start(client).status_code == 302
    assert _start(client).status_code == 429
    assert SmsMessage.objects.filter(phone=PHONE, template="privacy_code").count() == 2


def test_the_code_limit_per_phone_counts_every_way_of_writing_the_number(world, client, settings):
    """Issue 11 item 3: +86, an 86 prefix, spaces, dashes or full-width digits name the same phone
    and share its counter, so they cannot buy more SMS codes to that phone."""
    journey.register(world)
    settings.RATE_LIMITS = {"privacy_code_phone": "2/d"}
    assert _start(client, PHONE).status_code == 302
    assert _start(client, "+86 136 1234 5678").status_code == 302
    for spelling in ("86 13612345678", "0086-136-1234-5678", "１３６１２３４５６７８", "136１２３４５６７８"):
        assert _start(client, spelling).status_code == 429, spelling
    assert SmsMessage.objects.filter(template="privacy_code").count() == 2


def test_the_start_page_is_rate_limited_per_address(world, client, settings):
    settings.RATE_LIMITS = {"privacy_start_ip": "1/h"}
    assert _start(client, "13511112222").status_code == 302
    assert _start(client, "13511113333").status_code == 429


def test_a_verified_visit_ends_after_fifteen_minutes(world, client):
    journey.register(world)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _verified(client)
        assert client.get(reverse("privacy:mine")).status_code == 200
        traveller.shift(datetime.timedelta(minutes=16))
        assert client.get(reverse("privacy:mine"))["Location"] == reverse("privacy:start")


def test_the_code_reaches_the_phone_at_once_even_in_quiet_hours(world, client, django_capture_on_commit_callbacks):
    journey.register(world)
    night = timezone.make_aware(datetime.datetime(2026, 11, 20, 23, 30))
    with time_machine.travel(night, tick=False), django_capture_on_commit_callbacks(execute=True):
        _start(client)
    message = SmsMessage.objects.get(template="privacy_code")
    assert message.status == SmsMessage.Status.SENT and message.scheduled_at == night


def test_a_delivered_code_leaves_only_a_masked_copy_in_the_outbox(world, client, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "liaison.lib.sms.locmem.LocmemBackend"
    journey.register(world)
    with django_capture_on_commit_callbacks(execute=True):
        _start(client)
    message = SmsMessage.objects.get(template="privacy_code")
    assert message.status == SmsMessage.Status.SENT
    [delivery] = locmem.sent
    assert re.fullmatch(r"\d{6}", delivery.params["code"]) and delivery.params["code"] in delivery.text
    assert "******" in message.text and not re.search(r"\d{6}", message.text)
    assert message.params["code"] == "******" and message.secret == ""


def test_the_notice_links_to_the_rights_page_and_states_the_retention_setting(world, client, settings):
    settings.RESIDENT_DATA_RETENTION_YEARS = 5
    assert privacy_notice.RETENTION_YEARS_AFTER_ARCHIVE == 5
    page = client.get(reverse("public:write", args=[world.office_a1.pk])).content.decode()
    assert reverse("privacy:start") in page and "5 年" in page


# ---------------------------------------------------------------- retention

def test_archived_cases_are_anonymized_after_the_retention_years_by_the_nightly_task(world, settings):
    settings.RESIDENT_DATA_RETENTION_YEARS = 3
    archived_at = timezone.make_aware(datetime.datetime(2026, 3, 10, 10, 0))
    with time_machine.travel(archived_at, tick=False):
        old = journey.through(world, journey.register(world), "archived")
        open_case = journey.through(world, journey.register(world, reporter_mobile="13900001111"), "replied")
    assert old.status == Status.ARCHIVED

    with time_machine.travel(archived_at.replace(year=2029) - datetime.timedelta(days=1), tick=False):
        assert resident_data_retention_run() == 0
    old.refresh_from_db()
    assert old.reporter_mobile == PHONE

    with time_machine.travel(archived_at.replace(year=2029) + datetime.timedelta(days=1), tick=False):
        from cases.tasks import resident_data_retention_task

        assert resident_data_retention_task.delay().get() == 1
        assert resident_data_retention_run() == 0  # idempotent: nothing left to do
    old.refresh_from_db()
    open_case.refresh_from_db()
    assert (old.reporter_name, old.reporter_mobile, old.reporter_address, old.is_anonymous) == ("", "", "", True)
    assert old.title == "楼道灯坏了" and old.content
    assert open_case.reporter_mobile == "13900001111"  # not closed: kept
    entry = AuditLog.objects.get(action="resident_data_anonymized")
    assert entry.object_id == str(old.pk) and entry.detail["reason"] == "retention"


def test_retention_is_a_scheduled_task_and_an_environment_setting(settings, tmp_path):
    entry = settings.CELERY_BEAT_SCHEDULE["resident-data-retention"]
    assert entry["task"] == "cases.tasks.resident_data_retention_task"
    env = {
        "PATH": "/usr/bin:/bin", "RESIDENT_DATA_RETENTION_YEARS": "7",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    code = "import django; django.setup(); from django.conf import settings; print(settings.RESIDENT_DATA_RETENTION_YEARS)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env={**env, "DJANGO_SETTINGS_MODULE": "liaison.settings"},
        capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.strip() == "7", result.stderr


def test_pages_refuse_without_a_verified_phone_and_refuse_other_residents_cases(world, client):
    mine_case = journey.register(world)
    other = journey.register(world, reporter_mobile="13900001111")
    for url in (reverse("privacy:mine"), reverse("privacy:correct", args=[mine_case.pk]), reverse("privacy:delete")):
        assert client.get(url)["Location"] == reverse("privacy:start")
    _verified(client)
    assert client.get(reverse("privacy:correct", args=[other.pk])).status_code == 404
    assert client.get(reverse("privacy:delete") + f"?case={other.pk}").status_code == 404
    assert client.post(reverse("privacy:delete"), {"case": other.pk, "confirm": "on"}).status_code == 404
    assert client.get(reverse("privacy:delete") + "?case=abc").status_code == 404
    other.refresh_from_db()
    assert other.reporter_mobile == "13900001111"


def test_only_organization_staff_read_the_record_of_requests_in_the_admin(world, client):
    from tests.base import make_user

    journey.register(world)
    _start(client)
    request = PrivacyRequest.objects.get()
    client.force_login(world.city_staff)
    url = reverse("admin:cases_privacyrequest_change", args=[request.pk])
    page = client.get(url)
    assert page.status_code == 200 and "136****5678" in page.content.decode() and request.phone_digest not in page.content.decode()
    assert client.post(url, {"outcome": "x"}).status_code == 403
    for role in (Role.SYSADMIN, Role.AUDITOR, Role.LIAISON):
        client.force_login(make_user(f"u_{role}", role))
        assert client.get(url).status_code in (302, 403)


def test_the_retention_scan_reads_an_index_not_the_whole_case_table():
    """The nightly retention run looks for archived cases by archive date; at city scale with years
    of history it must not scan every case. The planner is told to avoid sequential scans where it
    can (PostgreSQL), so the plan shows whether a usable index exists at all."""
    from django.db import connection

    from cases.privacy_selectors import retention_cutoff, retention_due

    qs = retention_due(retention_cutoff())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = qs.explain()
    else:
        plan = qs.explain()
    # On a big table PostgreSQL takes case_status_changed (status, status_changed_at); on the
    # test's few rows it may take another index led by status. Either way: an index on the
    # status, never the whole table.
    assert "Seq Scan on cases_case" not in plan, plan
    assert "Index Cond: ((status)::text = 'archived'::text)" in plan or "case_status_changed" in plan, plan
