"""The case search (cases.search.case_search_q; issue 10): a word anywhere in the title, whatever
its letter case, or a tracking code. On PostgreSQL the title's character pairs are matched through
the index case_title_bigrams too; that condition must never change what is found."""

import pytest
from django.db import connection

from cases.models import Case
from cases.search import case_search_q

from . import journey

pytestmark = pytest.mark.django_db

TITLES = ("老旧小区加装电梯", "LED路灯不亮", "路灯灯路", "二次供水水箱清洗", "噪")


@pytest.fixture
def cases(world):
    return {title: journey.register(world, title=title) for title in TITLES}


def found(q, **kwargs):
    return set(Case.objects.filter(case_search_q(q, **kwargs)).values_list("title", flat=True))


@pytest.mark.parametrize(
    "q, titles",
    [
        ("电梯", {"老旧小区加装电梯"}),  # a two-character word, the most common kind
        ("加装电梯", {"老旧小区加装电梯"}),
        ("路灯", {"LED路灯不亮", "路灯灯路"}),
        ("led", {"LED路灯不亮"}),  # letter case is ignored, as title__icontains ignores it
        ("  Led路 ", {"LED路灯不亮"}),  # surrounding spaces are not part of the word
        ("噪", {"噪"}),  # one character: no pair, the LIKE alone
        ("水", {"二次供水水箱清洗"}),
        # Every pair of the word (灯路, 路灯) is a pair of 路灯灯路, yet the word is not in it.
        ("灯路灯", set()),
        ("电梯加装", set()),
        ("100%", set()),
        ("_", set()),
    ],
)
def test_a_title_search_finds_exactly_the_titles_holding_the_word(cases, q, titles):
    assert found(q) == titles


def test_a_tracking_code_is_found_in_any_letter_case_and_a_near_miss_is_not(cases):
    case = cases["噪"]
    assert found(case.tracking_code.lower()) == {"噪"}
    assert found(f" {case.tracking_code} ") == {"噪"}
    assert found(case.tracking_code[:-1]) == set()


def test_content_is_searched_only_where_asked(cases):
    assert found("老人夜里") == set()
    assert found("老人夜里", content=True) == set(TITLES)


def test_a_search_through_a_relation_follows_the_path(world, cases):
    from cases.models import CaseDispatch

    case = journey.dispatch(world, journey.through(world, cases["LED路灯不亮"], "forwarded"))
    shares = CaseDispatch.objects.filter(case_search_q("led路灯", path="case__"))
    assert list(shares.values_list("case_id", flat=True)) == [case.pk]


def test_a_search_longer_than_the_bound_is_cut_to_it(cases):
    assert found("电梯" + " " * 200 + "x") == {"老旧小区加装电梯"}


@pytest.mark.postgres
def test_a_rare_title_word_is_read_through_the_pairs_index(cases):
    """PostgreSQL: a title word of two or more characters is looked up in case_title_bigrams
    (migration cases 0023), not by reading every case's title."""
    sql, params = Case.objects.filter(case_search_q("二次供水")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "case_title_bigrams" in plan, plan
