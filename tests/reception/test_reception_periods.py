import datetime

import pytest
from django.core.management import call_command

from reception.models import ReceptionPeriod, ReceptionRule, StatutoryHoliday
from reception.period_services import reception_period_move, reception_periods_generate

D = datetime.date


def periods_of(district, year):
    return [(p.start, p.end) for p in ReceptionPeriod.objects.filter(district=district, start__year=year).order_by("start")]


def test_reception_period_starts_first_monday_of_odd_months_for_14_days_000_4(world):
    reception_periods_generate(year=2027, districts=[world.district_a])
    assert periods_of(world.district_a, 2027) == [
        (D(2027, 1, 4), D(2027, 1, 17)),
        (D(2027, 3, 1), D(2027, 3, 14)),
        (D(2027, 5, 3), D(2027, 5, 16)),
        (D(2027, 7, 5), D(2027, 7, 18)),
        (D(2027, 9, 6), D(2027, 9, 19)),
        (D(2027, 11, 1), D(2027, 11, 14)),
    ]
    for start, _end in periods_of(world.district_a, 2027):
        assert start.weekday() == 0 and start.day <= 7 and start.month % 2 == 1


def test_generate_periods_command_covers_every_district_and_is_idempotent(world, capsys):
    call_command("generate_periods", "--year", "2027")
    first = ReceptionPeriod.objects.count()
    assert first == 6 * 3  # district A, district B and the new district
    call_command("generate_periods", "--year", "2027")
    assert ReceptionPeriod.objects.count() == first
    out = capsys.readouterr().out
    assert "0 created" in out
    # The package has no 2027 data: the command says so instead of silently flagging nothing.
    assert "State Council" in out


def test_monthly_rule_gives_twelve_periods_002(world):
    ReceptionRule.objects.create(jurisdiction=world.district_a, kind=ReceptionRule.Kind.MONTHLY, length_days=7)
    reception_periods_generate(year=2027, districts=[world.district_a, world.district_b])
    assert len(periods_of(world.district_a, 2027)) == 12
    assert periods_of(world.district_a, 2027)[1] == (D(2027, 2, 1), D(2027, 2, 7))
    assert len(periods_of(world.district_b, 2027)) == 6  # B keeps the default


def test_fixed_days_rule_receives_on_the_10th_and_20th_001(world):
    ReceptionRule.objects.create(
        jurisdiction=world.district_a, kind=ReceptionRule.Kind.FIXED_DAYS, length_days=1, fixed_days="10,20"
    )
    reception_periods_generate(year=2027, districts=[world.district_a])
    got = periods_of(world.district_a, 2027)
    assert len(got) == 24
    assert got[:2] == [(D(2027, 1, 10), D(2027, 1, 10)), (D(2027, 1, 20), D(2027, 1, 20))]


def test_city_rule_is_the_default_for_districts_without_their_own(world):
    ReceptionRule.objects.create(jurisdiction=world.city, kind=ReceptionRule.Kind.MONTHLY)
    reception_periods_generate(year=2027, districts=[world.district_b])
    assert len(periods_of(world.district_b, 2027)) == 12


def test_period_overlapping_a_statutory_holiday_is_flagged_from_the_library_000_4(world):
    # 2026 is in the chinesecalendar package: Labour Day runs 1–5 May, the May period starts Monday 4 May.
    reception_periods_generate(year=2026, districts=[world.district_a])
    may = ReceptionPeriod.objects.get(district=world.district_a, key="2026-05")
    assert may.start == D(2026, 5, 4)
    assert may.overlaps_holiday
    assert "Labour Day" in may.holiday_names
    march = ReceptionPeriod.objects.get(district=world.district_a, key="2026-03")
    assert not march.overlaps_holiday
    assert StatutoryHoliday.objects.filter(date=D(2026, 10, 1), source="library").exists()


def test_period_overlapping_a_staff_entered_2027_holiday_is_flagged_000_4(world):
    # The package has no 2027 data yet; staff enter the State Council's list.
    StatutoryHoliday.objects.create(date=D(2027, 9, 15), name="中秋节", source="staff")
    reception_periods_generate(year=2027, districts=[world.district_a])
    sept = ReceptionPeriod.objects.get(district=world.district_a, key="2027-09")
    assert sept.overlaps_holiday and sept.holiday_names == "中秋节"
    assert not ReceptionPeriod.objects.get(district=world.district_a, key="2027-07").overlaps_holiday


def test_staff_edits_survive_regeneration_000_4(world):
    reception_periods_generate(year=2027, districts=[world.district_a])
    sept = ReceptionPeriod.objects.get(district=world.district_a, key="2027-09")
    reception_period_move(period=sept, start=D(2027, 9, 20), end=D(2027, 10, 3), actor=world.district_staff)
    stats = reception_periods_generate(year=2027, districts=[world.district_a])
    sept.refresh_from_db()
    assert (sept.start, sept.end) == (D(2027, 9, 20), D(2027, 10, 3))
    assert sept.edited_by_staff and sept.edited_by == world.district_staff
    assert stats["created"] == 0 and stats["updated"] == 0
    # An unedited row that drifted from the rule is put back.
    jan = ReceptionPeriod.objects.get(district=world.district_a, key="2027-01")
    ReceptionPeriod.objects.filter(pk=jan.pk).update(start=D(2027, 1, 11))
    reception_periods_generate(year=2027, districts=[world.district_a])
    jan.refresh_from_db()
    assert jan.start == D(2027, 1, 4)


def test_moving_a_period_refuses_an_end_before_its_start(world):
    reception_periods_generate(year=2027, districts=[world.district_a])
    p = ReceptionPeriod.objects.get(district=world.district_a, key="2027-01")
    with pytest.raises(Exception) as exc:
        reception_period_move(period=p, start=D(2027, 1, 10), end=D(2027, 1, 5), actor=world.district_staff)
    assert exc.value.code == "end_before_start"


def test_monthly_job_keeps_a_year_of_periods_laid_out_ahead_000_4(world, settings):
    """Periods are generated a year ahead [SPEC §2] by a scheduled job, never over staff edits."""
    from reception.tasks import reception_periods_ahead

    assert "reception.tasks.reception_periods_ahead" in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    reception_periods_generate(year=2027, districts=[world.district_a])
    sept = ReceptionPeriod.objects.get(district=world.district_a, key="2027-09")
    reception_period_move(period=sept, start=D(2027, 9, 20), end=D(2027, 10, 3), actor=world.district_staff)

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 11, 23, 12, 0), tick=False):
        result = reception_periods_ahead.delay().get()
    assert set(result) == {"2026", "2027"}
    # Every district has next year's six odd-month periods now, district A's moved one kept.
    for district in (world.district_a, world.district_b, world.new_district):
        assert len(periods_of(district, 2027)) == 6
    sept.refresh_from_db()
    assert (sept.start, sept.end) == (D(2027, 9, 20), D(2027, 10, 3))
