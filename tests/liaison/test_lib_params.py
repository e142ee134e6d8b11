"""liaison.lib.params.year_param: a valid year or the default, never an error."""

import pytest
from django.test import RequestFactory

from liaison.lib.params import year_param


def _get(query):
    return RequestFactory().get("/", query)


def test_a_year_in_range_is_read_as_an_int():
    assert year_param(_get({"year": "2026"}), 2020) == 2026
    assert year_param(_get({"year": " 2026 "}), 2020) == 2026


@pytest.mark.parametrize("value", ["", "abc", "20x6", "-2026", "+2026", "2026.0", "２０２６", "9" * 50])
def test_anything_that_is_not_a_plain_number_gives_the_default(value):
    assert year_param(_get({"year": value}), 2020) == 2020


def test_a_missing_year_gives_the_default_which_is_none_unless_given():
    assert year_param(_get({})) is None
    assert year_param(_get({}), 2020) == 2020


def test_a_year_out_of_range_gives_the_default_not_the_nearest_bound():
    assert year_param(_get({"year": "1999"}), 2020) == 2020
    assert year_param(_get({"year": "2101"}), 2020) == 2020
    assert year_param(_get({"year": "2000"}), 2020) == 2000
    assert year_param(_get({"year": "2100"}), 2020) == 2100


def test_a_page_may_narrow_the_range():
    request = _get({"year": "2028"})
    assert year_param(request, 2026, max_year=2027) == 2026
    assert year_param(_get({"year": "2027"}), 2026, max_year=2027) == 2027
    assert year_param(_get({"year": "2010"}), 2026, min_year=2020) == 2026


def test_another_parameter_name_can_be_read():
    assert year_param(_get({"from_year": "2024"}), name="from_year") == 2024
