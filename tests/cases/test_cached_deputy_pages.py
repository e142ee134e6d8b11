"""The deputy's case queue and home page are cached under versions (cases.reach_version,
reception.panel_version, offices.roster_version; issue 10). After every kind of write that can
change what they show, each deputy's cached page must equal the page computed without the cache:
the invalidation is exact, never "eventually"."""

import datetime
import re

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from cases import services
from cases.models import Case, CaseDispatch, Category, Channel, DispatchStatus, Status
from offices.models import Office, TeamMembership
from reception.models import Activity, ActivityParticipant, Attendance, Escalation, LeaveRequest, ReceptionPeriod
from reception.period_services import reception_periods_generate

PAGES = ("/cases/", "/cases/?overdue=1", "/")
# Per-response tokens: the CSRF token of the logout form, the CSP nonce.
_VOLATILE = re.compile(r'(csrfmiddlewaretoken" value="|nonce=")[^"]*"')


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return _VOLATILE.sub(r"\1", response.content.decode())


@pytest.fixture
def deputies(world):
    clients = {}
    for name in ("deputy_a_user", "deputy_b_user", "deputy_c_user"):
        client = Client()
        client.force_login(getattr(world, name))
        clients[name] = client
    return clients


def assert_fresh(deputies, *, warm=True):
    """Each deputy's cached pages are the pages computed now without the cache."""
    for name, client in deputies.items():
        for url in PAGES:
            cached = _page(client, url)
            with override_settings(VERSIONED_CACHE=False):
                live = _page(client, url)
            assert cached == live, f"{name} {url}: the cached page is stale"
            if warm:
                _page(client, url)


def _case(world, **extra):
    fields = {
        "office": world.office_a1, "channel": Channel.RECEPTION, "category": Category.objects.first(),
        "title": "路灯不亮", "content": "东和路路灯坏了", "received_on": timezone.localdate(),
        "forward_due": timezone.localdate() + datetime.timedelta(days=3), **extra,
    }
    return Case.objects.create(**fields)


def test_the_cached_pages_follow_every_case_write(world, deputies):
    assert_fresh(deputies)
    case = _case(world)  # the leader (deputy_a) sees a case without an owner
    assert_fresh(deputies)
    services.case_assign(case=case, owner=world.deputy_b, actor=world.deputy_a_user)
    assert_fresh(deputies)
    # A save of a case read from the database, moved to another owner (the admin's change form).
    loaded = Case.objects.get(pk=case.pk)
    loaded.owner = world.deputy_c
    loaded.status = Status.ASSIGNED
    loaded.save()
    assert_fresh(deputies)
    # A save of a case read with the owner deferred: the stored owner is read before the save.
    partial = Case.objects.only("pk", "title").get(pk=case.pk)
    partial.owner_id = world.deputy_a.pk
    partial.save()
    assert_fresh(deputies)
    # Queryset writes send no signal.
    Case.objects.filter(pk=case.pk).update(title="路灯修好了吗")
    assert_fresh(deputies)
    Case.objects.filter(pk=case.pk).update(owner=world.deputy_b)
    assert_fresh(deputies)
    other = _case(world, office=world.office_b1, title="井盖松动", owner=world.deputy_b, status=Status.ASSIGNED)
    assert_fresh(deputies)
    # Moved away from an owner who does not lead the office: that owner's pages lose it.
    Case.objects.filter(pk=other.pk).update(owner=world.deputy_c)
    assert_fresh(deputies)
    other.refresh_from_db()
    other.office = world.office_a2
    other.save()
    assert_fresh(deputies)
    Case.objects.bulk_create([Case(
        office=world.office_b1, channel=Channel.RECEPTION, category=Category.objects.first(), title="噪音扰民",
        content="夜间施工", received_on=timezone.localdate(), tracking_code="BULK0000001",
    )])
    assert_fresh(deputies)
    case.refresh_from_db()
    case.title = "路灯"
    Case.objects.bulk_update([case], ["title"])
    assert_fresh(deputies)
    # A case held in memory while another write moved it, refreshed, then moved again: the owner
    # it had after the refresh loses it.
    held = Case.objects.get(pk=other.pk)
    Case.objects.filter(pk=other.pk).update(owner=world.deputy_b, office=world.office_b1)
    assert_fresh(deputies)
    held.refresh_from_db()
    held.owner = world.deputy_c
    held.save()
    assert_fresh(deputies)
    other.delete()
    assert_fresh(deputies)


def test_the_cached_pages_follow_who_received_a_case(world, deputies):
    case = _case(world, office=world.office_b1)
    assert_fresh(deputies)
    case.received_by.add(world.deputy_b)
    assert_fresh(deputies)
    # A case deputy_b received, changed: its office's version retires deputy_b's pages.
    Case.objects.filter(pk=case.pk).update(status=Status.ASSIGNED, owner=world.deputy_c)
    assert_fresh(deputies)
    case.refresh_from_db()
    case.title = "改了标题"
    case.save()
    assert_fresh(deputies)
    world.deputy_a.received_cases.add(case)
    assert_fresh(deputies)
    case.received_by.remove(world.deputy_b)
    assert_fresh(deputies)
    case.received_by.clear()
    assert_fresh(deputies)


def test_the_cached_pages_follow_the_shares_and_the_day(world, deputies, time_machine):
    case = _case(world, owner=world.deputy_b, status=Status.DISPATCHED, dispatch_round=1)
    share = CaseDispatch.objects.create(
        case=case, unit=world.unit_a, round=1, deadline=timezone.localdate() + datetime.timedelta(days=2)
    )
    assert_fresh(deputies)
    # The deadline moved into the past (an extension's lapse, the admin): the case is overdue.
    share = CaseDispatch.objects.get(pk=share.pk)
    share.deadline = timezone.localdate() - datetime.timedelta(days=1)
    share.save()
    assert_fresh(deputies)
    CaseDispatch.objects.filter(pk=share.pk).update(status=DispatchStatus.REPLIED)
    assert_fresh(deputies)
    CaseDispatch.objects.filter(pk=share.pk).update(status=DispatchStatus.PENDING, deadline=timezone.localdate())
    assert_fresh(deputies)
    # Nothing written, a day later: the share's deadline has passed.
    time_machine.move_to(timezone.now() + datetime.timedelta(days=2))
    for name, client in deputies.items():  # the sessions have expired meanwhile
        client.force_login(getattr(world, name))
    assert_fresh(deputies)
    share.delete()
    assert_fresh(deputies)


def test_the_cached_pages_follow_names_and_memberships(world, deputies):
    _case(world, owner=world.deputy_b, status=Status.ASSIGNED)
    assert_fresh(deputies)
    world.office_a1.name = "东和党代表工作室"
    world.office_a1.save()
    assert_fresh(deputies)
    category = Category.objects.first()
    category.name = "城市管理"
    category.save()
    assert_fresh(deputies)
    world.deputy_b.name = "李四四"
    world.deputy_b.save()
    assert_fresh(deputies)
    # deputy_b leads the team now: the office's cases reach them, the meeting button shows.
    TeamMembership.objects.filter(deputy=world.deputy_a).update(is_leader=False)
    TeamMembership.objects.filter(deputy=world.deputy_b).update(is_leader=True)
    assert_fresh(deputies)
    TeamMembership.objects.filter(deputy=world.deputy_b).delete()
    assert_fresh(deputies)
    Office.objects.filter(pk=world.office_a1.pk).update(is_active=False)
    world.office_a1.refresh_from_db()
    world.office_a1.save()
    assert_fresh(deputies)


def test_the_cached_home_follows_the_receptions(world, deputies):
    today = timezone.localdate()
    reception_periods_generate(year=today.year, districts=[world.district_a, world.district_b])
    reception_periods_generate(year=today.year + 1, districts=[world.district_a, world.district_b])
    assert_fresh(deputies)
    period = ReceptionPeriod.objects.filter(district=world.district_a, end__gte=today).order_by("start").first()
    period.note = "x"
    period.end = period.end + datetime.timedelta(days=1)
    period.save()
    assert_fresh(deputies)
    ReceptionPeriod.objects.filter(pk=period.pk).update(holiday_names="元旦", overlaps_holiday=True)
    assert_fresh(deputies)
    activity = Activity.objects.create(
        office=world.office_a1, kind=Activity.Kind.RECEPTION, title="接待日", date=today + datetime.timedelta(days=9),
        slot=Activity.Slot.MORNING, created_by=world.liaison,
    )
    ActivityParticipant.objects.create(activity=activity, deputy=world.deputy_a)
    assert_fresh(deputies)
    ActivityParticipant.objects.bulk_create([ActivityParticipant(activity=activity, deputy=world.deputy_b)])
    assert_fresh(deputies)
    activity.title = "周末接待日"
    activity.save()
    assert_fresh(deputies)
    leave = LeaveRequest.objects.create(deputy=world.deputy_b, activity=activity, reason="出差", filed_by=world.deputy_b_user,
                                  district=world.district_a)
    assert_fresh(deputies)
    leave.status = LeaveRequest.Status.APPROVED
    leave.save()
    assert_fresh(deputies)
    past = ReceptionPeriod.objects.filter(district=world.district_a, end__lt=today).order_by("-start").first()
    if past is None:
        past = period
    Attendance.objects.create(deputy=world.deputy_a, period=past, outcome=Attendance.Outcome.ABSENT)
    assert_fresh(deputies)
    Escalation.objects.bulk_create([Escalation(
        deputy=world.deputy_a, period=past, district=world.district_a, step=Escalation.Step.MAKE_UP, streak=1
    )])
    assert_fresh(deputies)
    Escalation.objects.filter(deputy=world.deputy_a).update(status=Escalation.Status.RESOLVED)
    assert_fresh(deputies)
    Attendance.objects.filter(deputy=world.deputy_a).update(outcome=Attendance.Outcome.ATTENDED)
    assert_fresh(deputies)
    activity.delete()
    assert_fresh(deputies)


def test_a_cached_page_is_served_from_the_cache(world, deputies, django_assert_max_num_queries):
    """The point of the cache: a second look reads no case rows (the reach, the session's checks)."""
    _case(world, owner=world.deputy_b, status=Status.ASSIGNED)
    client = deputies["deputy_b_user"]
    first = _page(client, "/cases/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        again = _page(client, "/cases/")
    assert again == first
    assert not [q for q in ctx.captured_queries if "cases_case\"" in q["sql"] and "FROM \"cases_case\"" in q["sql"]]


@pytest.mark.parametrize(("query", "cached"), [
    ("", True), ("status=assigned&overdue=1&page=2", True), ("q=&status=", True),
    ("q=%E8%B7%AF%E7%81%AF", False), ("page=abc", False), ("page=1234", False), ("status=nope", False),
    ("category=999999", False), ("foo=1", False), ("status=assigned&status=replied", False),
])
def test_only_the_bounded_filters_of_the_queue_are_cached(world, rf, query, cached):
    """A made-up query string (a search, a page far out, an unknown parameter) is computed, not
    cached: no visitor can fill the cache with one entry per query string."""
    from cases.views import _cacheable_query

    assert (_cacheable_query(rf.get("/cases/?" + query)) is not None) is cached


def test_a_search_in_the_queue_is_answered_live(world, deputies):
    case = _case(world, owner=world.deputy_b, status=Status.ASSIGNED, title="井盖松动")
    client = deputies["deputy_b_user"]
    assert "井盖松动" in _page(client, "/cases/?q=井盖")
    Case.objects.filter(pk=case.pk).update(title="路面塌陷")
    assert "路面塌陷" in _page(client, "/cases/?q=路面")
