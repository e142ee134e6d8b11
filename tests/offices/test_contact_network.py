"""The contact-network shortfalls page [001]: who is below their district's minimums, computed
by the database a page at a time (issue 10: the list was built in Python for every deputy in
scope, 2 s for city staff at 20,000 deputies)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from offices.models import Contact, ContactVisit

pytestmark = pytest.mark.django_db


def contacts(deputy, n, *, pairing=0, visits=2, inactive=0, last_year_visits=0):
    today = timezone.localdate()
    made = []
    for i in range(n + inactive):
        c = Contact.objects.create(deputy=deputy, name=f"居民{i}", is_pairing_household=i < pairing, is_active=i < n)
        for _ in range(visits):
            ContactVisit.objects.create(contact=c, date=today.replace(month=1, day=1))
        for _ in range(last_year_visits):
            ContactVisit.objects.create(contact=c, date=today.replace(month=1, day=1) - datetime.timedelta(days=1))
        made.append(c)
    return made


def rows(client, user):
    client.force_login(user)
    response = client.get(reverse("offices:contact_shortfalls"))
    assert response.status_code == 200
    return {row["deputy"].name: row for row in response.context["page"]}


def test_shortfalls_count_active_contacts_pairings_and_this_years_visits_001(world, client):
    contacts(world.deputy_a, 5, pairing=1)  # meets every minimum
    # Deputy B: enough contacts but no pairing, one contact visited only last year, and
    # inactive contacts that count for nothing.
    contacts(world.deputy_b, 4, inactive=3)
    contacts(world.deputy_b, 1, visits=1, last_year_visits=3)
    # Deputy C has too few contacts, all paired and visited.
    contacts(world.deputy_c, 2, pairing=2)
    found = rows(client, world.city_staff)
    assert set(found) == {"李四", "王五"}
    b, c = found["李四"], found["王五"]
    assert (b["contacts"], b["minimum"], b["pairing"], b["under_visited"], b["visits_minimum"]) == (5, 5, 0, 1, 2)
    assert b["problems"] == ["pairing", "visits"]
    assert (c["contacts"], c["pairing"], c["under_visited"], c["problems"]) == (2, 2, 0, ["contacts"])


def test_shortfalls_follow_the_districts_own_minimums_001(world, client):
    world.district_a.contact_minimum = 1
    world.district_a.contact_visits_minimum = 3
    world.district_a.save()
    contacts(world.deputy_a, 1, pairing=1, visits=3)
    contacts(world.deputy_b, 1, pairing=1, visits=2)
    found = rows(client, world.district_staff)
    assert set(found) == {"李四"} and found["李四"]["problems"] == ["visits"]


def test_the_page_reads_one_page_of_deputies_in_a_bounded_number_of_queries(world, client,
                                                                             django_assert_max_num_queries):
    from tests.base import make_deputy

    for i in range(60):
        make_deputy(f"代表{i:02d}", district=world.district_a, community=world.community_a1)
    client.force_login(world.city_staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("offices:contact_shortfalls"))
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.count == 63
