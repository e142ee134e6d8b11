"""The daily overdue scan: forwarding within 3 days of receipt [001 第五篇], units' reply deadlines."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from cases.models import CaseReminder
from cases.tasks import case_overdue_scan_task
from liaison.models import Notice, SmsMessage

from . import journey

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
DAY0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday, 10:00 Asia/Shanghai


def at(days, hour=10):
    return DAY0 + datetime.timedelta(days=days, hours=hour - 10)


def test_case_not_forwarded_within_three_days_is_flagged_by_the_daily_task_001(world):
    with time_machine.travel(DAY0, tick=False):
        case = journey.register(world)
    assert case.forward_due == DAY0.date() + datetime.timedelta(days=3)
    with time_machine.travel(at(3), tick=False):
        assert case_overdue_scan_task.delay().get() == {}
    assert not CaseReminder.objects.exists()
    with time_machine.travel(at(4), tick=False):
        summary = case_overdue_scan_task.delay().get()
    assert summary == {"forward": 1}
    reminder = CaseReminder.objects.get()
    assert (reminder.case, reminder.kind, reminder.due_on) == (case, "forward", case.forward_due)
    # No owner yet: the team leader (who runs the assignment meeting), the liaison and the district's staff.
    texts = dict(Notice.objects.values_list("user__username", "text"))
    assert set(texts) == {"deputy_a", "liaison", "district_staff"}
    assert case.tracking_code in texts["liaison"]


def test_owner_is_reminded_instead_of_the_leader_once_the_case_has_one_001(world):
    with time_machine.travel(DAY0, tick=False):
        case = journey.assign(world, journey.register(world))
    with time_machine.travel(at(5), tick=False):
        case_overdue_scan_task.delay()
    assert set(Notice.objects.filter(text__contains=case.tracking_code).values_list("user__username", flat=True)) == {
        "deputy_b", "liaison", "district_staff"
    }
    assert list(SmsMessage.objects.filter(template="case_overdue").values_list("phone", flat=True)) == [
        world.deputy_b.mobile
    ]


def test_forward_deadline_follows_the_setting(world, settings):
    settings.CASE_FORWARD_DAYS = 5
    with time_machine.travel(DAY0, tick=False):
        journey.register(world)
    with time_machine.travel(at(5), tick=False):
        case_overdue_scan_task.delay()
    assert not CaseReminder.objects.exists()
    with time_machine.travel(at(6), tick=False):
        case_overdue_scan_task.delay()
    assert CaseReminder.objects.filter(kind="forward").count() == 1


def test_forwarded_case_is_not_flagged_for_forwarding(world):
    with time_machine.travel(DAY0, tick=False):
        journey.forward(world, journey.assign(world, journey.register(world)))
    with time_machine.travel(at(10), tick=False):
        assert case_overdue_scan_task.delay().get() == {}


def test_unit_past_the_dispatch_deadline_is_flagged_and_reminded(world):
    world.handler.mobile = "13511112222"
    world.handler.save(update_fields=["mobile"])
    with time_machine.travel(DAY0, tick=False):
        journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))), days=2)
        Notice.objects.all().delete()
    with time_machine.travel(at(2), tick=False):
        assert case_overdue_scan_task.delay().get() == {}
    with time_machine.travel(at(3), tick=False):
        assert case_overdue_scan_task.delay().get() == {"reply": 1}
    reminder = CaseReminder.objects.get()
    assert reminder.kind == "reply" and reminder.dispatch.unit == world.unit_a
    assert reminder.due_on == DAY0.date() + datetime.timedelta(days=2)
    recipients = set(Notice.objects.values_list("user__username", flat=True))
    assert recipients == {"handler", "deputy_b", "district_staff"}
    assert world.unit_a.name in Notice.objects.get(user=world.handler).text


def test_sms_lands_in_the_outbox_only_for_people_with_a_phone(world):
    world.handler.mobile = "13511112222"
    world.handler.save(update_fields=["mobile"])
    with time_machine.travel(DAY0, tick=False):
        journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))), days=1)
        before = Notice.objects.filter(user=world.district_staff).count()
    with time_machine.travel(at(3), tick=False):
        case_overdue_scan_task.delay()
    # The owner deputy and the handler have mobiles; the district staff member has none: a notice only.
    phones = sorted(SmsMessage.objects.filter(template="case_overdue").values_list("phone", flat=True))
    assert phones == sorted([world.deputy_b.mobile, "13511112222"])
    assert Notice.objects.filter(user=world.district_staff).count() == before + 1
    message = SmsMessage.objects.get(phone="13511112222")
    assert message.template == "case_overdue" and message.status == SmsMessage.Status.QUEUED
    # The case's district is the message's, so that only that district's staff see it.
    assert message.district_id == world.district_a.pk
    # The resident's words stay out of text messages.
    assert "楼道灯" not in message.text


def test_sms_found_in_quiet_hours_waits_for_the_morning(world):
    with time_machine.travel(DAY0, tick=False):
        journey.register(world)
    with time_machine.travel(at(4, hour=23), tick=False):
        case_overdue_scan_task.delay()
    message = SmsMessage.objects.get(template="case_overdue")
    assert timezone.localtime(message.scheduled_at).hour == settings.SMS_QUIET_END


def test_running_the_task_twice_reminds_once(world):
    with time_machine.travel(DAY0, tick=False):
        journey.register(world)
        journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))), days=1)
    with time_machine.travel(at(4), tick=False):
        first = case_overdue_scan_task.delay().get()
        counts = CaseReminder.objects.count(), Notice.objects.count(), SmsMessage.objects.count()
        second = case_overdue_scan_task.delay().get()
    with time_machine.travel(at(5), tick=False):
        third = case_overdue_scan_task.delay().get()
    assert first == {"forward": 1, "reply": 1}
    assert second == third == {"already": 2}
    assert (CaseReminder.objects.count(), Notice.objects.count(), SmsMessage.objects.count()) == counts


def test_a_new_dispatch_round_gets_its_own_reminder(world):
    with time_machine.travel(DAY0, tick=False):
        case = journey.reply(world, journey.dispatch(
            world, journey.forward(world, journey.assign(world, journey.register(world))), days=1))
        case = journey.feedback(world, case, satisfaction="dissatisfied")
        journey.dispatch(world, case, days=3)
    with time_machine.travel(at(5), tick=False):
        assert case_overdue_scan_task.delay().get() == {"reply": 1}
    assert CaseReminder.objects.get().dispatch.round == 2


def test_management_command_runs_the_same_scan(world, capsys):
    with time_machine.travel(DAY0, tick=False):
        journey.register(world)
    with time_machine.travel(at(4), tick=False):
        call_command("cases_overdue_scan")
        call_command("cases_overdue_scan")
    assert CaseReminder.objects.count() == 1
    assert Notice.objects.filter(user=world.liaison).count() == 1


def test_scan_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["cases-overdue-scan"]
    assert entry["task"] == "cases.tasks.case_overdue_scan_task"
    assert entry["schedule"].hour == {8}

