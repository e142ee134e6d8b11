"""SMS backends and the outbox delivery job. The Tencent backend runs the official SDK against a
local server that answers like Tencent's API (tests/liaison/fake_tencent.py)."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from liaison.lib import sms
from liaison.lib.sms.tencent import TencentSmsBackend
from liaison.models import SmsMessage
from tests.liaison.fake_tencent import SECRET_ID, SECRET_KEY, FakeTencentSms

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PARAMS = {"name": "张三", "start": "1月4日", "end": "1月17日"}


@pytest.fixture
def fake_tencent(settings):
    fake = FakeTencentSms().start()
    settings.SMS_TENCENT_SECRET_ID = SECRET_ID
    settings.SMS_TENCENT_SECRET_KEY = SECRET_KEY
    settings.SMS_TENCENT_SDK_APP_ID = "1400000001"
    settings.SMS_TENCENT_ENDPOINT = fake.endpoint
    settings.SMS_TENCENT_PROTOCOL = "http"
    settings.SMS_TENCENT_TIMEOUT = 5
    settings.SMS_TEMPLATE_IDS = {"reception_reminder": "2100001"}
    settings.SMS_SIGN_NAME = "盐田党代表"
    settings.SMS_BACKEND = "liaison.lib.sms.tencent.TencentSmsBackend"
    yield fake
    fake.stop()


def queue(phone="13800138000", **extra):
    message = sms.sms_build(phone=phone, template="reception_reminder", params=PARAMS)
    for key, value in extra.items():
        setattr(message, key, value)
    message.save()
    return message


def at(hour, minute=0, day=4):
    return dt.datetime(2027, 1, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_tencent_sends_template_id_sign_and_ordered_params_and_records_delivery(fake_tencent):
    message = queue()
    sms.sms_deliver(message, backend=TencentSmsBackend())
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT
    assert message.provider_code == "Ok"
    assert message.template_id == "2100001"
    assert message.provider_message_id.startswith("2645:")
    assert message.backend == "liaison.lib.sms.tencent.TencentSmsBackend"
    body = fake_tencent.requests[0]["body"]
    assert body["SmsSdkAppId"] == "1400000001"
    assert body["SignName"] == "盐田党代表"
    assert body["TemplateId"] == "2100001"
    assert body["TemplateParamSet"] == ["张三", "1月4日", "1月17日"]
    assert body["PhoneNumberSet"] == ["+8613800138000"]
    assert fake_tencent.requests[0]["headers"]["X-TC-Action"] == "SendSms"


@pytest.mark.django_db
def test_tencent_per_number_bad_number_is_a_permanent_failure(fake_tencent):
    fake_tencent.per_number["+8613800000001"] = "InvalidParameterValue.IncorrectPhoneNumber"
    message = queue("13800000001")
    sms.sms_deliver(message, backend=TencentSmsBackend())  # permanent: recorded, not raised
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED
    assert message.provider_code == "InvalidParameterValue.IncorrectPhoneNumber"
    assert message.attempts == 1


@pytest.mark.django_db
def test_tencent_rate_limit_is_temporary_and_raises_for_a_retry(fake_tencent):
    fake_tencent.per_number["+8613800000002"] = "LimitExceeded.PhoneNumberOneHourLimit"
    message = queue("13800000002")
    with pytest.raises(sms.SmsError) as info:
        sms.sms_deliver(message, backend=TencentSmsBackend())
    assert info.value.permanent is False
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.QUEUED
    assert message.provider_code == "LimitExceeded.PhoneNumberOneHourLimit"


@pytest.mark.django_db
def test_tencent_error_responses_map_to_permanent_or_temporary(fake_tencent, settings):
    fake_tencent.errors["+8613800000003"] = ("InternalError.Timeout", "request timed out")
    fake_tencent.errors["+8613800000004"] = ("FailedOperation.TemplateIncorrectOrUnapproved", "template not approved")
    fake_tencent.http_500.add("+8613800000005")
    backend = TencentSmsBackend()
    temporary, permanent, http_500 = queue("13800000003"), queue("13800000004"), queue("13800000005")
    outcomes = sms.sms_deliver_many([temporary, permanent, http_500], backend=backend)
    assert outcomes[temporary.pk].code == "InternalError.Timeout" and not outcomes[temporary.pk].permanent
    assert outcomes[permanent.pk].permanent
    assert outcomes[http_500.pk].code == "ServerNetworkError" and not outcomes[http_500.pk].permanent
    # A wrong secret is refused by the server's signature check: permanent until staff fix it.
    settings.SMS_TENCENT_SECRET_KEY = "wrong"
    wrong_key = queue()
    sms.sms_deliver(wrong_key, backend=TencentSmsBackend())
    wrong_key.refresh_from_db()
    assert wrong_key.status == SmsMessage.Status.FAILED
    assert wrong_key.provider_code == "AuthFailure.SignatureFailure"


@pytest.mark.django_db
def test_a_template_without_provider_id_fails_permanently(fake_tencent, settings):
    settings.SMS_TEMPLATE_IDS = {}
    message = queue()
    sms.sms_deliver(message, backend=TencentSmsBackend())
    assert message.status == SmsMessage.Status.FAILED
    assert fake_tencent.requests == []


@pytest.mark.django_db
def test_temporary_failures_are_retried_with_exponential_back_off_then_given_up(fake_tencent, settings):
    settings.SMS_RETRY_BASE_SECONDS = 60
    settings.SMS_MAX_ATTEMPTS = 3
    fake_tencent.per_number["+8613800000002"] = "LimitExceeded.PhoneNumberThirtySecondLimit"
    message = queue("13800000002", scheduled_at=at(9))
    now = at(9)
    delays = []
    for _ in range(3):
        summary = sms.sms_send_due(now=now)
        message.refresh_from_db()
        if message.status == SmsMessage.Status.FAILED:
            break
        assert summary.retrying == 1
        delays.append((message.scheduled_at - now).total_seconds())
        assert sms.sms_send_due(now=now).sent == 0  # not due before its back-off
        now = message.scheduled_at
    assert delays == [60, 120]
    assert message.status == SmsMessage.Status.FAILED and message.attempts == 3
    assert len(fake_tencent.requests) == 3


@pytest.mark.django_db
def test_permanent_failures_are_not_retried(fake_tencent):
    fake_tencent.per_number["+8613800000001"] = "FailedOperation.PhoneNumberInBlacklist"
    queue("13800000001", scheduled_at=at(9))
    assert sms.sms_send_due(now=at(9)).failed == 1
    assert sms.sms_send_due(now=at(12)).failed == 0
    assert len(fake_tencent.requests) == 1


@pytest.mark.django_db
def test_no_sms_between_22_and_8_shanghai_time_000(settings):
    settings.SMS_BACKEND = "liaison.lib.sms.outbox.OutboxBackend"
    late = sms.sms_build(phone="13800138000", template="reception_reminder", params=PARAMS, now=at(23))
    assert late.scheduled_at == at(8, day=5)
    early = sms.sms_build(phone="13800138000", template="reception_reminder", params=PARAMS, now=at(7, 59))
    assert early.scheduled_at == at(8)
    late.save()
    summary = sms.sms_send_due(now=at(23, 30))
    assert summary.deferred_by_quiet_hours and summary.sent == 0
    assert sms.sms_send_due(now=at(7, 59, day=5)).sent == 0
    assert sms.sms_send_due(now=at(8, day=5)).sent == 1


@pytest.mark.django_db
def test_a_claimed_row_is_left_to_its_worker_until_the_lease_expires(settings):
    settings.SMS_CLAIM_LEASE_SECONDS = 300
    message = queue(scheduled_at=at(9), claimed_at=at(9))  # another worker holds it
    summary = sms.sms_send_due(now=at(9, 1))
    assert summary.sent == 0 and summary.next_due == at(9, 5)
    assert sms.sms_send_due(now=at(9, 6)).sent == 1
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT and message.claimed_at is None


@pytest.mark.django_db
def test_delivery_batches_cost_a_constant_number_of_queries(django_assert_max_num_queries, settings):
    settings.SMS_BACKEND = "liaison.lib.sms.outbox.OutboxBackend"
    SmsMessage.objects.bulk_create(
        [sms.sms_build(phone=f"138{i:08d}", template="reception_reminder", params=PARAMS, now=at(9)) for i in range(120)]
    )
    # 3 batches of 50: per batch claim (select + update, in a transaction) and one bulk update.
    with django_assert_max_num_queries(3 * 6 + 6):
        summary = sms.sms_send_due(now=at(9), batch_size=50)
    assert summary.sent == 120
    assert SmsMessage.objects.filter(status=SmsMessage.Status.SENT).count() == 120


@pytest.mark.django_db
def test_outbox_admin_lists_filters_and_searches_with_masked_phones(world, client, settings):
    queue("13812345678")
    failed = queue("13900001111", status=SmsMessage.Status.FAILED, provider_code="FailedOperation.PhoneNumberInBlacklist")
    world.city_staff.is_superuser = False
    client.force_login(world.city_staff)
    url = reverse("admin:liaison_smsmessage_changelist")
    response = client.get(url, {"status__exact": "failed"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "139****1111" in body and "13900001111" not in body
    assert "138****5678" not in body
    assert [m.phone for m in client.get(url, {"q": "13812345678"}).context["cl"].result_list] == ["13812345678"]
    assert client.get(reverse("admin:liaison_smsmessage_change", args=[failed.pk])).status_code == 200


@pytest.mark.django_db
def test_outbox_admin_is_refused_to_deputies_and_outsiders(world, client):
    url = reverse("admin:liaison_smsmessage_changelist")
    for user in (world.deputy_a_user, world.outsider, world.liaison):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_staff_requeue_failed_messages_from_the_outbox(world, client):
    failed = queue(status=SmsMessage.Status.FAILED, attempts=3, error="blacklist")
    sent = queue(status=SmsMessage.Status.SENT)
    client.force_login(world.city_staff)
    url = reverse("admin:liaison_smsmessage_changelist")
    response = client.post(url, {"action": "requeue", "_selected_action": [failed.pk, sent.pk]}, follow=True)
    assert response.status_code == 200
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (SmsMessage.Status.QUEUED, 0, "")
    assert sent.status == SmsMessage.Status.SENT
