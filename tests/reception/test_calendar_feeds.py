"""iCalendar feeds per deputy and per office at a secret-token URL (SPEC §6, issue 3 item 8), read
back with a real iCalendar parser."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from liaison.models import AuditLog
from offices.models import Deputy, Office
from reception.models import Activity, ActivityParticipant, ReceptionPeriod

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def calendar_world(world):
    world.period = ReceptionPeriod.objects.create(
        district=world.district_a, key="2027-01", start=dt.date(2027, 1, 4), end=dt.date(2027, 1, 17),
        overlaps_holiday=True, holiday_names="元旦",
    )
    world.period_b = ReceptionPeriod.objects.create(
        district=world.district_b, key="2027-01", start=dt.date(2027, 1, 4), end=dt.date(2027, 1, 17)
    )
    world.reception = Activity.objects.create(
        office=world.office_a1, kind=Activity.Kind.RECEPTION, title="集中接待", date=dt.date(2027, 1, 6),
        slot=Activity.Slot.AFTERNOON, status=Activity.Status.ANNOUNCED, created_by=world.liaison,
    )
    ActivityParticipant.objects.create(activity=world.reception, deputy=world.deputy_a)
    world.visit = Activity.objects.create(
        office=world.office_a1, kind=Activity.Kind.HOUSEHOLD_VISIT, title="入户走访", date=dt.date(2027, 1, 8),
        slot=Activity.Slot.MORNING, place="东和村3巷", created_by=world.liaison,
    )
    ActivityParticipant.objects.create(activity=world.visit, deputy=world.deputy_b)
    return world


def parse(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(b"".join(response.streaming_content) if response.streaming else response.content)


def events(cal):
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


@pytest.mark.django_db
def test_a_deputys_feed_has_the_districts_periods_and_the_deputys_activities(calendar_world, client):
    w = calendar_world
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)):
        cal = parse(client.get(reverse("reception:deputy_calendar", args=[w.deputy_a.calendar_token])))
    found = events(cal)
    assert set(found) == {f"reception-period-{w.period.pk}@liaison-portal", f"activity-{w.reception.pk}@liaison-portal"}
    period = found[f"reception-period-{w.period.pk}@liaison-portal"]
    # An all-day event over the whole period; DTEND is exclusive.
    assert period.decoded("dtstart") == dt.date(2027, 1, 4)
    assert period.decoded("dtend") == dt.date(2027, 1, 18)
    assert "元旦" in str(period["description"])
    reception = found[f"activity-{w.reception.pk}@liaison-portal"]
    start, end = reception.decoded("dtstart"), reception.decoded("dtend")
    # The afternoon slot in Shanghai time, at the office's address.
    assert start == dt.datetime(2027, 1, 6, 14, 30, tzinfo=SHANGHAI)
    assert end == dt.datetime(2027, 1, 6, 17, 30, tzinfo=SHANGHAI)
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert str(reception["location"]) == "东和路1号"
    assert "集中接待" in str(reception["summary"])
    assert str(reception["status"]) == "CONFIRMED"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]


@pytest.mark.django_db
def test_an_offices_feed_has_its_districts_periods_and_all_its_activities(calendar_world, client):
    w = calendar_world
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)):
        cal = parse(client.get(reverse("reception:office_calendar", args=[w.office_a1.calendar_token])))
    found = events(cal)
    assert set(found) == {
        f"reception-period-{w.period.pk}@liaison-portal",
        f"activity-{w.reception.pk}@liaison-portal",
        f"activity-{w.visit.pk}@liaison-portal",
    }
    visit = found[f"activity-{w.visit.pk}@liaison-portal"]
    assert visit.decoded("dtstart") == dt.datetime(2027, 1, 8, 9, 0, tzinfo=SHANGHAI)
    assert visit.decoded("dtend") == dt.datetime(2027, 1, 8, 12, 0, tzinfo=SHANGHAI)
    assert str(visit["location"]) == "东和村3巷"  # the activity's own place wins over the address
    assert str(visit["status"]) == "TENTATIVE"  # planned, not yet announced
    assert w.office_a1.name in str(cal["x-wr-calname"])


@pytest.mark.django_db
def test_a_cancelled_activity_stays_in_the_feed_marked_cancelled_so_calendars_drop_it(calendar_world, client):
    w = calendar_world
    Activity.objects.filter(pk=w.reception.pk).update(status=Activity.Status.CANCELLED)
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)):
        found = events(parse(client.get(reverse("reception:deputy_calendar", args=[w.deputy_a.calendar_token]))))
    assert str(found[f"activity-{w.reception.pk}@liaison-portal"]["status"]) == "CANCELLED"


@pytest.mark.django_db
def test_a_wrong_token_a_resigned_deputy_or_a_closed_office_gets_404(calendar_world, client):
    w = calendar_world
    assert client.get(reverse("reception:deputy_calendar", args=["x" * 43])).status_code == 404
    assert client.get(reverse("reception:office_calendar", args=[w.deputy_a.calendar_token])).status_code == 404
    assert client.get(reverse("reception:deputy_calendar", args=[w.office_a1.calendar_token])).status_code == 404
    Deputy.objects.filter(pk=w.deputy_a.pk).update(status=Deputy.Status.RESIGNED)
    assert client.get(reverse("reception:deputy_calendar", args=[w.deputy_a.calendar_token])).status_code == 404
    Office.objects.filter(pk=w.office_a1.pk).update(is_active=False)
    assert client.get(reverse("reception:office_calendar", args=[w.office_a1.calendar_token])).status_code == 404


@pytest.mark.django_db
def test_tokens_are_random_and_distinct_for_every_deputy_and_office(world):
    tokens = list(Deputy.objects.values_list("calendar_token", flat=True)) + list(
        Office.objects.values_list("calendar_token", flat=True)
    )
    assert len(set(tokens)) == len(tokens)
    assert all(len(t) >= 40 for t in tokens)


@pytest.mark.django_db
def test_the_deputy_sees_the_feed_url_on_the_home_page_and_renews_it_after_a_confirmation(calendar_world, client):
    w = calendar_world
    old = w.deputy_a.calendar_token
    client.force_login(w.deputy_a_user)
    home = client.get(reverse("home")).content.decode()
    assert f"/org/calendar/deputy/{old}.ics" in home and "webcal://" in home
    # Another deputy's home never shows this token.
    client.force_login(w.deputy_b_user)
    assert old not in client.get(reverse("home")).content.decode()
    client.force_login(w.deputy_a_user)
    url = reverse("reception:deputy_calendar_renew")
    assert client.get(url).status_code == 200  # the confirmation
    w.deputy_a.refresh_from_db()
    assert w.deputy_a.calendar_token == old
    assert client.post(url).status_code == 302
    w.deputy_a.refresh_from_db()
    assert w.deputy_a.calendar_token != old
    assert client.get(reverse("reception:deputy_calendar", args=[old])).status_code == 404
    assert client.get(reverse("reception:deputy_calendar", args=[w.deputy_a.calendar_token])).status_code == 200
    assert AuditLog.objects.filter(action="calendar_token_regenerated", object_id=str(w.deputy_a.pk)).exists()


@pytest.mark.django_db
def test_the_liaison_sees_their_offices_feed_and_renews_it_but_not_another_offices(calendar_world, client):
    w = calendar_world
    client.force_login(w.liaison)
    home = client.get(reverse("home")).content.decode()
    assert f"/org/calendar/office/{w.office_a1.calendar_token}.ics" in home
    assert w.office_b1.calendar_token not in home
    old = w.office_a1.calendar_token
    assert client.post(reverse("reception:office_calendar_renew", args=[w.office_a1.pk])).status_code == 302
    w.office_a1.refresh_from_db()
    assert w.office_a1.calendar_token != old
    # The other office is not theirs: not found, token unchanged.
    other = w.office_b1.calendar_token
    assert client.post(reverse("reception:office_calendar_renew", args=[w.office_b1.pk])).status_code == 404
    w.office_b1.refresh_from_db()
    assert w.office_b1.calendar_token == other


@pytest.mark.django_db
def test_renewal_pages_refuse_the_wrong_roles(calendar_world, client):
    w = calendar_world
    office_url = reverse("reception:office_calendar_renew", args=[w.office_a1.pk])
    mine_url = reverse("reception:deputy_calendar_renew")
    assert client.get(mine_url).status_code == 302  # anonymous → login
    for user in (w.deputy_a_user, w.outsider, w.handler):
        client.force_login(user)
        assert client.post(office_url).status_code == 403
    for user in (w.liaison, w.outsider, w.city_staff):
        client.force_login(user)
        assert client.post(mine_url).status_code == 403
    client.force_login(w.other_staff)  # staff of district B: office A1 is outside their scope
    assert client.post(office_url).status_code == 404


@pytest.mark.django_db
def test_staff_issue_new_feed_links_from_the_admin(calendar_world, client):
    w = calendar_world
    old = w.office_a1.calendar_token
    client.force_login(w.district_staff)
    response = client.post(
        reverse("admin:offices_office_changelist"),
        {"action": "regenerate_calendar_tokens", "_selected_action": [w.office_a1.pk]},
    )
    assert response.status_code == 302
    w.office_a1.refresh_from_db()
    assert w.office_a1.calendar_token != old


@pytest.mark.django_db
def test_a_feed_costs_a_bounded_number_of_queries_whatever_the_number_of_activities(
    calendar_world, client, django_assert_max_num_queries
):
    w = calendar_world
    Activity.objects.bulk_create(
        [
            Activity(office=w.office_a1, district=w.district_a, title=f"走访{i}", date=dt.date(2027, 2, 1) + dt.timedelta(days=i),
                     created_by=w.liaison)
            for i in range(60)
        ]
    )
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)):
        with django_assert_max_num_queries(6):
            response = client.get(reverse("reception:office_calendar", args=[w.office_a1.calendar_token]))
    assert len(events(parse(response))) == 1 + 2 + 60
