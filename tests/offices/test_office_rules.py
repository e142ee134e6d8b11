"""offices/rules.py holds the org chart's numbers as the seeds give them; the models read them
from there (issue 13)."""

from offices import rules
from offices.models import OfficeEvaluation
from reports.bimonthly_selectors import bimester_bounds


def test_an_office_is_at_least_20_square_metres_and_open_a_half_day_a_week_seed_004():
    assert (rules.OFFICE_MIN_AREA_M2, rules.OFFICE_MIN_HALF_DAYS_PER_WEEK) == (20, 1)


def test_a_deputy_keeps_5_contacts_visited_twice_a_year_by_default_seed_001():
    assert (rules.CONTACT_MINIMUM, rules.CONTACT_VISITS_MINIMUM) == (5, 2)


def test_the_liaison_reports_every_two_months_six_times_a_year_seed_004():
    assert rules.LIAISON_REPORT_MONTHS == 2
    starts = [bimester_bounds(2026, b)[0].month for b in range(1, 7)]
    assert starts == [1, 3, 5, 7, 9, 11]


def test_each_five_good_standard_scores_at_most_20_seed_000():
    assert OfficeEvaluation.MAX_PER_STANDARD == rules.FIVE_GOOD_MAX_PER_STANDARD == 20
