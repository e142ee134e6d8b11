"""The office's yearly work plan [004 第十条] [004 第十二条(五)]: the weekly opening rule, publication a
week ahead (late plans are published and flagged), revisions of a published plan, who sees and
writes which plan, the staff status list, plan against what was held, the public office page and
the admin."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from offices.admin import scoping
from offices.models import Jurisdiction, Office, OfficeLiaison
from reception import activity_services as activity_svc
from reception import work_plan_services as svc
from reception.models import Activity, WorkPlan
from reception.models.work_plans import publication_deadline, validate_weekly_opening

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
PAYLOAD = "<script>alert(1)</script>"


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def item(month=3, **extra):
    return {"month": month, "kind": Activity.Kind.RECEPTION, "title": "集中接待日", "place": "东和路1号",
            "deputies": [], "participants": "", "notes": "", **extra}


def make_plan(world, *, office=None, actor=None, year=YEAR, items=None, published_at=None):
    plan = svc.work_plan_create(
        office=office or world.office_a1, year=year, goals="联系群众", opening=["3-pm"], opening_notes="",
        items=items if items is not None else [item(deputies=[world.deputy_a.pk])], actor=actor or world.liaison,
    )
    if published_at is not None:
        plan = svc.work_plan_publish(plan=plan, actor=actor or world.liaison, now=published_at)
    return plan


# --- Rules -----------------------------------------------------------------------------------------


def test_an_office_opens_at_least_once_a_week_for_half_a_day_004_art10(world):
    with pytest.raises(ValidationError):
        validate_weekly_opening([])
    with pytest.raises(ValidationError):
        validate_weekly_opening(["8-am"])
    validate_weekly_opening(["3-pm"])
    with pytest.raises(ValidationError):
        svc.work_plan_create(office=world.office_a1, year=YEAR, goals="", opening=[], opening_notes="", items=[],
                             actor=world.liaison)
    assert not WorkPlan.objects.exists()
    plan = make_plan(world)
    with pytest.raises(ValidationError):
        svc.work_plan_update(plan=plan, goals="", opening=[], opening_notes="", items=[], actor=world.liaison)


def test_the_plan_form_refuses_an_office_closed_every_week_004_art10(world, login_as):
    client = login_as(world.liaison)
    response = client.post(reverse("reception:work_plan_create"), _form_data(world, opening=[]))
    assert response.status_code == 200
    assert "至少开放一次" in response.content.decode()
    assert not WorkPlan.objects.exists()


def test_a_plan_published_by_24_december_is_on_time_and_later_is_published_but_flagged_late_004_art10(world):
    assert publication_deadline(2027) == datetime.date(2026, 12, 24)
    on_time = make_plan(world, year=2027, published_at=at(2026, 12, 24, 23))
    assert on_time.is_published and not on_time.published_late
    late = make_plan(world, office=world.office_b1, actor=world.other_liaison, year=2027,
                     items=[item(deputies=[world.deputy_c.pk])], published_at=at(2026, 12, 25, 0))
    assert late.is_published and late.published_late


def test_lateness_is_judged_on_the_first_publication_not_on_revisions_004_art10(world):
    plan = make_plan(world, year=2027, published_at=at(2026, 12, 1))
    plan = svc.work_plan_update(
        plan=plan, goals="", opening=["1-am", "3-pm"], opening_notes="", items=[item(month=6)], actor=world.liaison,
        revision_note="六月增加一次接待", now=at(2027, 5, 1),
    )
    assert plan.revision == 2 and not plan.published_late
    assert plan.first_published_at == at(2026, 12, 1) and plan.published_at == at(2027, 5, 1)


def test_revising_a_published_plan_needs_a_reason_stays_published_and_keeps_history(world):
    plan = make_plan(world, published_at=at(YEAR - 1, 12, 1))
    with pytest.raises(ValidationError):
        svc.work_plan_update(plan=plan, goals="", opening=["3-pm"], opening_notes="", items=[item()],
                             actor=world.liaison)
    plan = svc.work_plan_update(plan=plan, goals="新目标", opening=["3-pm"], opening_notes="", items=[item(month=9)],
                                actor=world.liaison, revision_note="调整到九月")
    assert plan.status == WorkPlan.Status.PUBLISHED and plan.revision == 2 and plan.revision_note == "调整到九月"
    assert [i.month for i in plan.items.all()] == [9]
    assert plan.history.count() >= 3 and plan.history.first().history_user == world.liaison
    assert plan.history.last().goals == "联系群众"


def test_publishing_needs_activities_and_happens_once(world):
    plan = make_plan(world, items=[])
    with pytest.raises(ValidationError):
        svc.work_plan_publish(plan=plan, actor=world.liaison)
    plan = make_plan(world, office=world.office_a2, items=[item()])
    svc.work_plan_publish(plan=plan, actor=world.liaison)
    with pytest.raises(ValidationError) as exc:
        svc.work_plan_publish(plan=plan, actor=world.liaison)
    assert exc.value.code == "illegal_transition"


def test_one_plan_per_office_and_year_and_only_the_offices_deputies_take_part(world):
    make_plan(world)
    with pytest.raises(ValidationError):
        make_plan(world)
    with pytest.raises(ValidationError):
        make_plan(world, year=YEAR + 1, items=[item(deputies=[world.deputy_c.pk])])


# --- Pages: who may do what ----------------------------------------------------------------------------


def _form_data(world, *, opening=("3-pm",), office=None, year=YEAR, items=None, **extra):
    items = items if items is not None else [item(deputies=[world.deputy_a.pk])]
    data = {
        "office": (office or world.office_a1).pk, "year": year, "goals": "联系群众", "opening": list(opening),
        "opening_notes": "", "items-TOTAL_FORMS": len(items) + 1, "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000, **extra,
    }
    for n, it in enumerate(items):
        for key, value in it.items():
            data[f"items-{n}-{key}"] = value
    return data


@pytest.fixture
def plans(world):
    """A published plan of office A1, a draft of office A2 (the liaison serves both), a published plan of B1."""
    OfficeLiaison.objects.create(office=world.office_a2, user=world.liaison)
    published = make_plan(world, published_at=at(YEAR - 1, 12, 1))
    draft = make_plan(world, office=world.office_a2, items=[item(title="草稿计划")])
    other = make_plan(world, office=world.office_b1, actor=world.other_liaison, items=[item(deputies=[world.deputy_c.pk])],
                      published_at=at(YEAR - 1, 12, 1))
    return {"published": published, "draft": draft, "other": other}


PERSONAS = ("liaison", "other_liaison", "district_staff", "other_staff", "city_staff", "deputy_a", "deputy_c",
            "handler", "outsider")


def _user(world, name):
    return getattr(world, name + "_user", None) or getattr(world, name)


# Who may open each page of office A1's plans (GET); everyone else is refused (403 or 404).
ALLOWED = {
    ("work_plan_list", None): {"liaison", "other_liaison", "deputy_a", "deputy_c"},
    ("work_plan_status", None): {"district_staff", "other_staff", "city_staff"},
    ("work_plan_create", None): {"liaison", "other_liaison"},
    ("work_plan_detail", "published"): {"liaison", "district_staff", "city_staff", "deputy_a"},
    ("work_plan_detail", "draft"): {"liaison", "district_staff", "city_staff"},
    ("work_plan_edit", "published"): {"liaison"},
    ("work_plan_edit", "draft"): {"liaison"},
    ("work_plan_publish", "draft"): {"liaison"},
}


@pytest.mark.parametrize(("view_name", "which"), ALLOWED)
@pytest.mark.parametrize("persona", PERSONAS)
def test_wrong_role_other_office_and_other_district_are_refused(world, plans, client, view_name, which, persona):
    args = [plans[which].pk] if which else []
    client.force_login(_user(world, persona))
    status = client.get(reverse(f"reception:{view_name}", args=args)).status_code
    if persona in ALLOWED[(view_name, which)]:
        assert status == 200, (view_name, which, persona)
    else:
        assert status in (403, 404), (view_name, which, persona, status)


def test_anonymous_visitors_go_to_the_login_page(world, plans, client):
    response = client.get(reverse("reception:work_plan_detail", args=[plans["published"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_liaison_cannot_publish_or_edit_another_offices_plan_by_post(world, plans, login_as):
    client = login_as(world.other_liaison)
    assert client.post(reverse("reception:work_plan_publish", args=[plans["draft"].pk])).status_code == 404
    plans["draft"].refresh_from_db()
    assert plans["draft"].status == WorkPlan.Status.DRAFT
    staff = login_as(world.district_staff)
    assert staff.post(reverse("reception:work_plan_publish", args=[plans["draft"].pk])).status_code == 403


def test_a_liaison_cannot_create_a_plan_for_another_office(world, login_as):
    client = login_as(world.liaison)
    response = client.post(reverse("reception:work_plan_create"), _form_data(world, office=world.office_b1, items=[item()]))
    assert response.status_code == 200 and not WorkPlan.objects.exists()


def test_lists_show_only_the_viewers_plans(world, plans, login_as):
    body = login_as(world.liaison).get(reverse("reception:work_plan_list")).content.decode()
    assert world.office_a1.name in body and world.office_b1.name not in body
    body = login_as(world.deputy_a_user).get(reverse("reception:work_plan_list")).content.decode()
    assert world.office_a1.name in body and world.office_a2.name not in body  # A2's plan is a draft


def test_a_liaison_writes_a_draft_with_items_and_publishes_it(world, login_as):
    client = login_as(world.liaison)
    items = [item(deputies=[world.deputy_a.pk, world.deputy_b.pk]), item(month=5, kind="household_visit", title="走访")]
    response = client.post(reverse("reception:work_plan_create"), _form_data(world, opening=["6-am", "3-pm"], items=items))
    plan = WorkPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.opening == ["3-pm", "6-am"] and plan.status == WorkPlan.Status.DRAFT
    assert [(i.month, i.kind) for i in plan.items.all()] == [(3, "reception"), (5, "household_visit")]
    assert set(plan.items.first().deputies.values_list("pk", flat=True)) == {world.deputy_a.pk, world.deputy_b.pk}
    client.post(reverse("reception:work_plan_publish", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.is_published and plan.published_by == world.liaison and plan.revision == 1


def test_editing_a_published_plan_through_the_page_publishes_a_revision(world, plans, login_as):
    client = login_as(world.liaison)
    plan = plans["published"]
    url = reverse("reception:work_plan_edit", args=[plan.pk])
    data = _form_data(world, items=[item(month=7)])
    response = client.post(url, data)
    assert response.status_code == 200 and "revision_note" in response.context["form"].errors
    response = client.post(url, {**data, "revision_note": "改到七月"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.is_published and plan.revision == 2 and [i.month for i in plan.items.all()] == [7]


def test_payloads_in_title_and_notes_are_escaped(world, login_as, client):
    plan = make_plan(world, items=[item(title=PAYLOAD, notes=PAYLOAD, participants=PAYLOAD)],
                     published_at=at(YEAR - 1, 12, 1))
    for page in (login_as(world.district_staff).get(plan.get_absolute_url()),
                 client.get(reverse("public:office", args=[world.office_a1.pk]))):
        body = page.content.decode()
        assert PAYLOAD not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- Plan against what was held -------------------------------------------------------------------------


def test_the_plan_page_sets_held_activities_next_to_planned_ones_and_shows_gaps(world, login_as):
    last_year = YEAR - 1
    plan = make_plan(world, year=last_year, items=[item(month=3, title="三月接待"), item(month=4, title="四月接待")],
                     published_at=at(last_year - 1, 12, 1))
    held = activity_svc.activity_plan(
        office=world.office_a1, kind=Activity.Kind.HOUSEHOLD_VISIT, title="三月走访", date=datetime.date(last_year, 3, 10),
        slot=Activity.Slot.MORNING, deputies=[world.deputy_a], actor=world.liaison,
    )
    Activity.objects.filter(pk=held.pk).update(status=Activity.Status.LOGGED)
    response = login_as(world.district_staff).get(plan.get_absolute_url())
    months = {m["month"]: m for m in response.context["months"]}
    assert [a.title for a in months[3]["held"]] == ["三月走访"] and not months[3]["gap"]
    assert months[4]["gap"] and not months[4]["held"]
    assert "三月走访" in response.content.decode()


# --- Staff status list ---------------------------------------------------------------------------------


def test_staff_see_every_office_state_in_their_district_with_filters_and_search(world, plans, login_as):
    late = make_plan(world, year=YEAR + 1, published_at=at(YEAR, 12, 30))
    client = login_as(world.district_staff)
    url = reverse("reception:work_plan_status")
    response = client.get(url, {"year": YEAR})
    rows = {o.name: o.plan_status for o in response.context["page"]}
    assert rows == {world.office_a1.name: "published", world.office_a2.name: "draft"}
    assert response.context["counts"] == {"none": 0, "draft": 1, "published": 1, "late": 0}
    response = client.get(url, {"year": YEAR + 1})
    assert response.context["counts"] == {"none": 1, "draft": 0, "published": 0, "late": 1}
    assert "逾期发布" in response.content.decode()
    assert [o.plan_id for o in client.get(url, {"year": YEAR + 1, "state": "late"}).context["page"]] == [late.pk]
    assert [o.name for o in client.get(url, {"year": YEAR, "state": "draft"}).context["page"]] == [world.office_a2.name]
    assert [o.name for o in client.get(url, {"year": YEAR, "q": "中英街"}).context["page"]] == [world.office_a2.name]
    # Another district's id in the filter does not open it.
    assert world.office_b1.name not in client.get(url, {"district": world.district_b.pk}).content.decode()
    city = login_as(world.city_staff).get(url, {"year": YEAR, "district": world.district_b.pk})
    assert [o.name for o in city.context["page"]] == [world.office_b1.name]


@pytest.mark.parametrize(("today", "shown"), [((2026, 9, 30), 2026), ((2026, 10, 1), 2027), ((2026, 12, 31), 2027)])
def test_staff_follow_next_years_plans_from_october_when_they_are_due_004_art10(world, login_as, today, shown):
    with time_machine.travel(datetime.datetime(*today, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))), tick=False):
        response = login_as(world.district_staff).get(reverse("reception:work_plan_status"))
    assert response.context["year"] == shown
    assert response.context["deadline"] == datetime.date(shown - 1, 12, 24)


def test_staff_status_list_queries_stay_bounded_with_more_offices(world, plans, login_as, django_assert_max_num_queries):
    client = login_as(world.city_staff)
    url = reverse("reception:work_plan_status")
    client.get(url)  # warm the cached reads (the signed-in account)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    n_few = len(few.captured_queries)
    street = Jurisdiction.objects.get(name="沙头角街道")
    for n in range(30):
        community = Jurisdiction.objects.create(name=f"新社区{n}", level=Jurisdiction.Level.COMMUNITY, parent=street)
        office = Office.objects.create(name=f"新社区{n}党代表工作室", jurisdiction=community)
        OfficeLiaison.objects.create(office=office, user=world.liaison)
        if n % 2:
            make_plan(world, office=office, items=[item()], published_at=at(YEAR, 1, 5))
    with django_assert_max_num_queries(n_few) as many:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert len(many.captured_queries) == n_few


# --- The public office page -----------------------------------------------------------------------------


def test_a_draft_is_never_public_and_the_published_plan_of_the_year_is(world, client):
    url = reverse("public:office", args=[world.office_a1.pk])
    plan = make_plan(world, items=[item(title="三月集中接待日")])
    assert "三月集中接待日" not in client.get(url).content.decode()
    svc.work_plan_publish(plan=plan, actor=world.liaison)
    body = client.get(url).content.decode()
    assert "三月集中接待日" in body and "星期三 下午" in body and world.deputy_a.name in body
    # Next year's published plan is not this year's.
    make_plan(world, office=world.office_a2, year=YEAR + 1, items=[item(title="明年计划")], published_at=at(YEAR, 12, 1))
    assert "明年计划" not in client.get(reverse("public:office", args=[world.office_a2.pk])).content.decode()


def test_the_public_office_page_queries_stay_bounded_with_a_bigger_plan(world, client, django_assert_max_num_queries):
    url = reverse("public:office", args=[world.office_a1.pk])
    plan = make_plan(world, items=[item()], published_at=at(YEAR - 1, 12, 1))
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    items = [item(month=m % 12 + 1, deputies=[world.deputy_a.pk, world.deputy_b.pk]) for m in range(30)]
    svc.work_plan_update(plan=plan, goals="", opening=["3-pm"], opening_notes="", items=items, actor=world.liaison,
                         revision_note="增加活动")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


# --- Admin ---------------------------------------------------------------------------------------------


def test_admin_shows_district_staff_only_their_districts_plans(world, plans, login_as):
    client = login_as(world.district_staff)
    response = client.get(reverse("admin:reception_workplan_changelist"))
    assert response.status_code == 200
    assert {p.office_id for p in response.context["cl"].result_list} == {world.office_a1.pk, world.office_a2.pk}
    response = client.get(reverse("admin:reception_workplan_change", args=[plans["other"].pk]))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:reception_workplan_history", args=[plans["other"].pk])).status_code == 404
    assert client.get(reverse("admin:reception_workplan_change", args=[plans["published"].pk])).status_code == 200


def test_admin_plan_page_labels_the_items_deputies_as_django_does_with_one_query(world, login_as, monkeypatch):
    """Issue 10: the deputies selected in the plan's items are labelled by one query for all items;
    the page is the same as with Django's widget reading them item by item."""
    plan = make_plan(world, items=[item(deputies=[world.deputy_a.pk]), item(month=4, deputies=[world.deputy_a.pk, world.deputy_b.pk]),
                                   item(month=5, deputies=[world.deputy_b.pk])])
    client = login_as(world.district_staff)
    url = reverse("admin:reception_workplan_change", args=[plan.pk])
    client.get(url)

    def page():
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body), len(queries)

    batched, batched_count = page()
    monkeypatch.setattr(scoping, "_batched_widget", lambda field: None)
    row_by_row, row_by_row_count = page()
    assert batched == row_by_row
    assert f'<option value="{world.deputy_b.pk}" selected>{world.deputy_b}</option>' in batched
    assert batched_count == row_by_row_count - 2


def test_admin_plan_page_marks_each_items_kind_in_its_select(world, plans, login_as):
    """The items' kind selects are written in Python (liaison.lib.widgets.LongSelect, issue 10):
    each item's own kind is the selected option, every kind is offered."""
    import re

    from reception.models import Activity

    plan = plans["published"]
    items = list(plan.items.all())
    assert items
    client = login_as(world.district_staff)
    html = client.get(reverse("admin:reception_workplan_change", args=[plan.pk])).content.decode()
    for index, item in enumerate(items):
        select = re.search(rf'<select[^>]*name="items-{index}-kind"[^>]*>(.*?)</select>', html, re.S).group(1)
        assert re.findall(r'<option value="([^"]*)" selected>', select) == [item.kind]
        assert all(f'value="{value}"' in select for value, _label in Activity.Kind.choices)
