"""Reminders a week before each reception period [000 十一]: dates, quiet hours, exactly once,
only serving deputies, the in-portal notice, provider back-off, the beat entry and the command.
The same job under a real Celery worker is in test_reminder_worker.py."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from liaison.lib import sms
from liaison.models import Notice, Role, SmsMessage
from offices.models import Deputy
from reception.models import ReceptionPeriod, ReceptionReminder
from reception.reminder_services import reception_reminders_send
from reception.tasks import reception_reminders_task
from tests.base import make_user
from tests.liaison.test_sms import fake_tencent  # noqa: F401 (fixture)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.date(2027, 1, 4)  # the first Monday of January 2027
END = dt.date(2027, 1, 17)


def local(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def period(world):
    return ReceptionPeriod.objects.create(district=world.district_a, key="2027-01", start=START, end=END)


def reminded_phones():
    return sorted(SmsMessage.objects.filter(template="reception_reminder").values_list("phone", flat=True))


@pytest.mark.django_db
def test_reminder_goes_out_a_week_before_the_period_000_11(world, period):
    assert reception_reminders_send(today=START - dt.timedelta(days=8), now=local(START - dt.timedelta(days=8), 9)) == 0
    assert reminded_phones() == []
    assert reception_reminders_send(today=START - dt.timedelta(days=7), now=local(START - dt.timedelta(days=7), 9)) == 2
    # deputy_a and deputy_b serve in district A; deputy_c (district B) has no period starting then.
    assert reminded_phones() == ["13800138000", "13900139000"]
    message = SmsMessage.objects.get(phone="13900139000")
    assert message.params == {"name": "李四", "start": "1月4日", "end": "1月17日"}
    assert "1月4日" in message.text and "1月17日" in message.text
    assert message.status == SmsMessage.Status.QUEUED
    # The deputy's district is the message's, so that only that district's staff see it.
    assert message.district_id == world.district_a.pk
    reminder = ReceptionReminder.objects.get(deputy=world.deputy_b)
    assert (reminder.period, reminder.sms) == (period, message)


@pytest.mark.django_db
def test_a_missed_day_is_caught_up_late_but_never_after_the_period_has_started_000_11(world, period):
    assert reception_reminders_send(today=START, now=local(START, 9)) == 0
    assert reception_reminders_send(today=START - dt.timedelta(days=3), now=local(START - dt.timedelta(days=3), 9)) == 2


@pytest.mark.django_db
def test_only_serving_deputies_of_the_periods_district_are_reminded_000_11(world, period):
    Deputy.objects.filter(pk=world.deputy_b.pk).update(status=Deputy.Status.ON_LEAVE)
    ReceptionPeriod.objects.create(district=world.district_b, key="2027-03", start=START, end=END)
    Deputy.objects.filter(pk=world.deputy_c.pk).update(status=Deputy.Status.RESIGNED)
    reception_reminders_send(today=START - dt.timedelta(days=7), now=local(START - dt.timedelta(days=7), 9))
    assert list(ReceptionReminder.objects.values_list("deputy__name", flat=True)) == ["张三"]


@pytest.mark.django_db
def test_each_deputy_gets_one_sms_and_one_notice_per_period_however_often_the_job_runs_000_11(
    world, period, django_capture_on_commit_callbacks
):
    day = (START - dt.timedelta(days=7)).isoformat()
    with time_machine.travel(local(START - dt.timedelta(days=7), 9), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert reception_reminders_task.delay(day).get() == {"created": 2}
        with django_capture_on_commit_callbacks(execute=True):
            assert reception_reminders_task.delay(day).get() == {"created": 0}
        call_command("send_reception_reminders", "--date", day, stdout=open("/dev/null", "w"))
        assert reception_reminders_send(today=START - dt.timedelta(days=5)) == 0
    assert SmsMessage.objects.filter(template="reception_reminder").count() == 2
    assert Notice.objects.filter(user=world.deputy_a_user).count() == 1
    # Delivered by the outbox run the task starts after committing.
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {SmsMessage.Status.SENT}


@pytest.mark.django_db
def test_the_database_refuses_a_second_reminder_for_the_same_deputy_and_period_000_11(world, period):
    ReceptionReminder.objects.create(period=period, deputy=world.deputy_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceptionReminder.objects.create(period=period, deputy=world.deputy_a)


@pytest.mark.django_db
def test_a_run_that_loses_the_race_rolls_back_its_sms_and_notices_000_11(world, period, monkeypatch):
    """Between reading which deputies are done and writing, another run reminds deputy_a: the
    unique key refuses this run's batch, which is rolled back whole and looked at again."""
    from reception import reminder_services as services

    # The other run's reminder (with its own SMS), committed just after this run looked.
    other = sms.sms_build(phone=world.deputy_a.mobile, template="reception_reminder", params={})
    other.save()
    ReceptionReminder.objects.create(period=period, deputy=world.deputy_a, sms=other)
    real_filter = ReceptionReminder.objects.filter
    calls = {"n": 0}

    def racing_filter(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:  # the stale look: nothing done yet
            return real_filter(pk__in=[])
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(ReceptionReminder.objects, "filter", racing_filter)
    created = services._remind_batch(
        period=period, deputies=[world.deputy_a, world.deputy_b], now=local(START - dt.timedelta(days=7), 9)
    )
    assert created == 1 and calls["n"] == 2
    assert SmsMessage.objects.filter(phone=world.deputy_a.mobile).count() == 1
    assert SmsMessage.objects.filter(phone=world.deputy_b.mobile).count() == 1
    assert Notice.objects.filter(user=world.deputy_a_user).count() == 0  # the other run's notice is its own
    assert Notice.objects.filter(user=world.deputy_b_user).count() == 1


@pytest.mark.django_db
def test_reminders_written_in_quiet_hours_wait_until_8_000_11(world, period):
    evening = local(START - dt.timedelta(days=7), 23, 30)
    reception_reminders_send(today=evening.date(), now=evening)
    morning = local(START - dt.timedelta(days=6), 8)
    assert set(SmsMessage.objects.values_list("scheduled_at", flat=True)) == {morning}
    assert sms.sms_send_due(now=evening).sent == 0
    assert sms.sms_send_due(now=local(START - dt.timedelta(days=6), 7, 59)).sent == 0
    assert sms.sms_send_due(now=morning).sent == 2


@pytest.mark.django_db
def test_the_command_in_quiet_hours_queues_and_sends_nothing_before_8_000_11(world, period, capsys):
    with time_machine.travel(local(START - dt.timedelta(days=7), 6), tick=False):
        call_command("send_reception_reminders")
    out = capsys.readouterr().out
    assert "2 reminder(s) queued." in out and "0 sent" in out
    assert not SmsMessage.objects.filter(status=SmsMessage.Status.SENT).exists()
    with time_machine.travel(local(START - dt.timedelta(days=7), 8, 1), tick=False):
        call_command("send_reception_reminders")
    out = capsys.readouterr().out
    assert "0 reminder(s) queued." in out and "2 sent" in out


def test_the_command_refuses_a_malformed_date():
    with pytest.raises(CommandError):
        call_command("send_reception_reminders", "--date", "4 Jan 2027")


@pytest.mark.django_db
def test_the_deputy_sees_the_reminder_as_an_in_portal_notice_000_11(world, period, client):
    reception_reminders_send(today=START - dt.timedelta(days=7), now=local(START - dt.timedelta(days=7), 9))
    notice = Notice.objects.get(user=world.deputy_b_user)
    assert "2027-01-04" in notice.text and "2027-01-17" in notice.text
    client.force_login(world.deputy_b_user)
    assert "2027-01-04" in client.get(reverse("notices")).content.decode()
    assert not Notice.objects.filter(user=world.deputy_c_user).exists()


@pytest.mark.django_db
def test_provider_errors_are_retried_with_back_off_until_the_reminder_is_delivered_000_11(
    world, period, fake_tencent, settings  # noqa: F811
):
    settings.SMS_RETRY_BASE_SECONDS = 60
    fake_tencent.per_number["+8613900139000"] = "LimitExceeded.PhoneNumberOneHourLimit"
    nine = local(START - dt.timedelta(days=7), 9)
    reception_reminders_send(today=nine.date(), now=nine)
    summary = sms.sms_send_due(now=nine)
    assert (summary.sent, summary.retrying) == (1, 1)
    retrying = SmsMessage.objects.get(phone="13900139000")
    assert retrying.status == SmsMessage.Status.QUEUED and retrying.attempts == 1
    assert retrying.scheduled_at == nine + dt.timedelta(seconds=60)
    assert retrying.provider_code == "LimitExceeded.PhoneNumberOneHourLimit"
    fake_tencent.errors["+8613900139000"] = ("InternalError.Timeout", "request timed out")
    del fake_tencent.per_number["+8613900139000"]
    assert sms.sms_send_due(now=nine + dt.timedelta(seconds=59)).retrying == 0  # not before its back-off
    assert sms.sms_send_due(now=nine + dt.timedelta(seconds=60)).retrying == 1
    retrying.refresh_from_db()
    assert retrying.scheduled_at == nine + dt.timedelta(seconds=60 + 120)
    del fake_tencent.errors["+8613900139000"]
    assert sms.sms_send_due(now=nine + dt.timedelta(seconds=180)).sent == 1
    retrying.refresh_from_db()
    assert (retrying.status, retrying.attempts, retrying.provider_code) == (SmsMessage.Status.SENT, 3, "Ok")
    # Three requests for deputy_b, one for deputy_a; the reminder itself was written once.
    assert [r["body"]["PhoneNumberSet"] for r in fake_tencent.requests].count(["+8613900139000"]) == 3
    assert ReceptionReminder.objects.count() == 2


@pytest.mark.django_db
def test_reminding_costs_a_bounded_number_of_queries_whatever_the_number_of_deputies(
    world, period, django_assert_max_num_queries
):
    Deputy.objects.bulk_create(
        [
            Deputy(name=f"代表{i}", gender="F", mobile=f"137{i:08d}", level="district", term="第七届", work_unit="单位",
                   district=world.district_a)
            for i in range(90)
        ]
    )
    # 92 deputies in 4 batches of 25: per batch the page of deputies, the done set, 2 inserts, the
    # notices and a savepoint pair; plus the periods query.
    with django_assert_max_num_queries(1 + 5 * 8):
        assert reception_reminders_send(
            today=START - dt.timedelta(days=7), now=local(START - dt.timedelta(days=7), 9), batch_size=25
        ) == 92


@pytest.mark.django_db
def test_the_daily_job_is_in_the_beat_schedule_and_staff_edits_in_the_admin_survive_a_restart(
    client, settings, monkeypatch
):
    from django_celery_beat import schedulers
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    from liaison.beat import SeedingDatabaseScheduler
    from liaison.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["reception-reminders"]["task"] == "reception.tasks.reception_reminders_task"
    # Beat runs in its own process and drops stale connections; here that would close the test's
    # transaction (PostgreSQL), so it is left alone.
    monkeypatch.setattr(schedulers, "close_old_connections", lambda: None)
    SeedingDatabaseScheduler(app=app)
    task = PeriodicTask.objects.get(name="reception-reminders")
    assert task.task == "reception.tasks.reception_reminders_task" and task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("9", "0")
    # Staff move it to 10:30 in the admin; beat restarts; the edit stays.
    later, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="10", timezone="Asia/Shanghai")
    PeriodicTask.objects.filter(pk=task.pk).update(crontab=later)
    SeedingDatabaseScheduler(app=app)
    task.refresh_from_db()
    assert (task.crontab.hour, task.crontab.minute) == ("10", "30")
    client.force_login(make_user("sysadmin", Role.SYSADMIN))
    response = client.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert response.status_code == 200 and "reception-reminders" in response.content.decode()
    assert client.get(reverse("admin:django_celery_beat_periodictask_change", args=[task.pk])).status_code == 200


@pytest.mark.django_db
def test_staff_see_reminders_of_their_district_only_in_the_admin(world, period, client):
    reception_reminders_send(today=START - dt.timedelta(days=7), now=local(START - dt.timedelta(days=7), 9))
    url = reverse("admin:reception_receptionreminder_changelist")
    client.force_login(world.district_staff)
    body = client.get(url).content.decode()
    assert "张三" in body and "李四" in body
    client.force_login(world.other_staff)
    body = client.get(url).content.decode()
    assert "张三" not in body
    client.force_login(world.deputy_a_user)
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_in_process_delivery_leaves_a_waiting_retry_to_the_next_sweep_instead_of_recursing(world, period, settings):
    """Without a worker (tasks eager) the follow-up chain must not run its countdown at once."""
    from liaison.tasks import sms_send_due

    settings.SMS_BACKEND = "liaison.lib.sms.outbox.OutboxBackend"
    nine = local(START - dt.timedelta(days=7), 9)
    with time_machine.travel(nine, tick=False):
        reception_reminders_send()
        SmsMessage.objects.filter(phone="13800138000").update(claimed_at=nine)  # another worker's lease
        assert sms_send_due.delay(follow_up=True).get() == {"sent": 1, "failed": 0, "retrying": 0}
    assert SmsMessage.objects.get(phone="13800138000").status == SmsMessage.Status.QUEUED


def moved_messages():
    return SmsMessage.objects.filter(template="reception_period_moved").order_by("phone")


@pytest.mark.django_db
def test_moving_a_period_after_its_reminders_tells_each_reminded_deputy_the_new_dates_000_11(world, period):
    from reception.period_services import reception_period_move

    reception_reminders_send(today=START - dt.timedelta(days=7), now=local(START - dt.timedelta(days=7), 9))
    # On leave since the reminder: still told, since they were told the old dates.
    Deputy.objects.filter(pk=world.deputy_b.pk).update(status=Deputy.Status.ON_LEAVE)
    moved = reception_period_move(period=period, start=START + dt.timedelta(days=7), end=END + dt.timedelta(days=7),
                                  actor=world.district_staff, now=local(START - dt.timedelta(days=5), 23))
    assert moved.deputies_told == 2
    messages = list(moved_messages())
    assert [m.phone for m in messages] == ["13800138000", "13900139000"]
    assert messages[1].params == {"name": "李四", "start": "1月11日", "end": "1月24日", "old_start": "1月4日", "old_end": "1月17日"}
    assert "1月4日" in messages[1].text and "1月11日" in messages[1].text
    assert {m.district_id for m in messages} == {world.district_a.pk}
    # Moved at 23:00: the SMS wait for 08:00 like every other.
    assert all(m.scheduled_at == local(START - dt.timedelta(days=4), 8) for m in messages)
    notice = Notice.objects.get(user=world.deputy_b_user, text__contains="2027-01-11")
    assert "2027-01-04" in notice.text
    # The daily job still sends no second reminder for the period.
    assert reception_reminders_send(today=START, now=local(START, 9)) == 0
    assert SmsMessage.objects.filter(template="reception_reminder").count() == 2


@pytest.mark.django_db
def test_moving_a_period_nobody_was_reminded_of_or_only_changing_its_note_sends_nothing(world, period):
    from reception.period_services import reception_period_move

    moved = reception_period_move(period=period, start=START + dt.timedelta(days=1), end=END, actor=world.district_staff)
    assert moved.deputies_told == 0 and not moved_messages().exists()
    reception_reminders_send(today=START - dt.timedelta(days=6), now=local(START - dt.timedelta(days=6), 9))
    moved = reception_period_move(period=period, start=moved.start, end=moved.end, actor=world.district_staff, note="改在活动室")
    assert moved.deputies_told == 0 and not moved_messages().exists()
    # The reminder itself carried the dates as moved.
    assert SmsMessage.objects.filter(template="reception_reminder", params__start="1月5日").count() == 2


@pytest.mark.django_db
def test_staff_moving_a_reminded_period_in_the_admin_are_told_how_many_deputies_were_informed(world, period, client):
    reception_reminders_send(today=START - dt.timedelta(days=7), now=local(START - dt.timedelta(days=7), 9))
    client.force_login(world.district_staff)
    url = reverse("admin:reception_receptionperiod_change", args=[period.pk])
    response = client.post(url, {"start": "2027-01-11", "end": "2027-01-24", "note": ""}, follow=True)
    assert response.status_code == 200
    assert "2" in " ".join(str(m) for m in response.context["messages"])
    assert moved_messages().count() == 2
    period.refresh_from_db()
    assert period.start == dt.date(2027, 1, 11)
