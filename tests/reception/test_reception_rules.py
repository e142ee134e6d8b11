"""reception/rules.py holds the reception numbers as the seeds give them; the models and services
read them from there (issue 13). The behaviour behind each number is tested with its feature
(test_activities, test_reception_periods, test_work_plan, test_reception_reminders)."""

import datetime

from reception import rules
from reception.calendar_rules import rule_slots
from reception.models import Escalation, ReceptionRule
from reception.models.work_plans import publication_deadline


def test_leave_is_filed_5_days_ahead_and_activities_announced_3_days_ahead_seed_000_003():
    assert rules.LEAVE_DAYS_AHEAD == 5
    assert rules.INVITATION_DAYS_AHEAD == 5
    assert rules.ANNOUNCE_DAYS_AHEAD == 3


def test_reception_periods_are_the_first_two_weeks_of_odd_months_by_default_seed_000():
    assert (rules.DEFAULT_RULE_KIND, rules.DEFAULT_PERIOD_LENGTH_DAYS) == ("odd_months", 14)
    default = ReceptionRule()
    assert (default.kind, default.length_days) == (ReceptionRule.Kind.ODD_MONTHS, 14)
    slots = rule_slots(kind=default.kind, year=2027)
    assert [start.month for _key, start, _end in slots] == [1, 3, 5, 7, 9, 11]
    assert all((end - start).days == 13 for _key, start, end in slots)


def test_three_absences_in_a_row_are_the_last_escalation_step_seed_000():
    assert list(Escalation.Step.values) == [1, 2, 3]
    assert rules.ESCALATION_LOOKBACK == Escalation.Step.RESIGNATION


def test_the_work_plan_is_published_a_week_before_the_year_seed_004():
    assert publication_deadline(2027) == datetime.date(2026, 12, 24)
