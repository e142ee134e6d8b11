"""Uncounted pages (liaison.lib.pagination.BoundedPaginator(counted=False), issue 10): a searched
list is never counted; a page knows whether a next one exists from the one row it reads past its
own, within the bound's pages; a bad or stale page number gives a page, never an error."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from liaison.lib.pagination import BoundedPaginator
from liaison.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    User.objects.bulk_create([User(username=f"u{i:02d}") for i in range(7)])
    return User.objects.filter(username__startswith="u").order_by("username")


def names(page):
    return [u.username for u in page]


def test_an_uncounted_list_pages_through_every_row_without_counting(rows):
    paginator = BoundedPaginator(rows, 3, counted=False)
    with CaptureQueriesContext(connection) as ctx:
        pages = [paginator.get_page(n) for n in (1, 2, 3)]
    assert [names(p) for p in pages] == [["u00", "u01", "u02"], ["u03", "u04", "u05"], ["u06"]]
    assert [p.has_next() for p in pages] == [True, True, False]
    assert [p.has_previous() for p in pages] == [False, True, True]
    assert [(p.start_index(), p.end_index()) for p in pages] == [(1, 3), (4, 6), (7, 7)]
    assert pages[1].next_page_number() == 3 and pages[1].previous_page_number() == 1
    assert len(ctx.captured_queries) == 3
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"]]


def test_a_list_that_fills_its_last_page_exactly_offers_no_next_page(rows):
    page = BoundedPaginator(rows.exclude(username="u06"), 3, counted=False).get_page(2)
    assert names(page) == ["u03", "u04", "u05"] and not page.has_next()


@pytest.mark.parametrize("number", ["", "x", "0", "-2", "1.5", None, "99"])
def test_a_bad_or_stale_page_number_gives_the_first_page(rows, number):
    page = BoundedPaginator(rows, 3, counted=False).get_page(number)
    assert page.number == 1 and names(page) == ["u00", "u01", "u02"]


def test_pages_stop_at_the_bound(rows):
    paginator = BoundedPaginator(rows, 2, counted=False, count_limit=4)
    assert [names(paginator.get_page(n)) for n in (1, 2)] == [["u00", "u01"], ["u02", "u03"]]
    assert not paginator.get_page(2).has_next()
    assert paginator.get_page(3).number == 2  # past the bound: its last page


def test_an_empty_uncounted_list_has_one_empty_page(rows):
    page = BoundedPaginator(rows.none(), 3, counted=False).get_page(1)
    assert list(page) == [] and not page.has_other_pages() and page.start_index() == 0


def test_the_pagination_bar_names_the_page_without_a_total(rows):
    request = RequestFactory().get("/", {"q": "u", "page": "2"})
    page = BoundedPaginator(rows, 3, counted=False).get_page(2)
    html = render_to_string("includes/pagination.html", {"page": page, "request": request})
    assert "第 2 页" in html and "共" not in html
    assert "page=1" in html and "page=3" in html and "q=u" in html
    counted = BoundedPaginator(rows, 3).get_page(2)
    assert "第 2 页，共 3 页" in render_to_string("includes/pagination.html", {"page": counted, "request": request})
