"""The work plan pages drawn partly in Python (issue 10) show the same tags, attributes and text as
through the templates they replace: the portal item forms' deputy checkboxes (crispy's markup), the
admin plan page's item rows (Django's tabular inline) and its inputs (Django's widget
templates); and their queries do not grow with the plan's items and the office's deputies."""

import re
from html.parser import HTMLParser

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offices.admin import scoping
from offices.models import TeamMembership
from reception.admin import work_plans as plan_admin
from reception.templatetags.work_plan_forms import crispy_checkboxes
from reception.work_plan_forms import WorkPlanItemForm
from tests.base import make_deputy
from tests.reception.test_work_plan import _form_data, item, make_plan

pytestmark = pytest.mark.django_db


class _Tokens(HTMLParser):
    """Start tags with their attributes, end tags and text, whitespace collapsed."""

    def __init__(self):
        super().__init__()
        self.tokens = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("<", tag, sorted((k, " ".join((v or "").split())) for k, v in attrs)))

    def handle_endtag(self, tag):
        self.tokens.append(("</", tag))

    def handle_data(self, data):
        if data.split():
            self.tokens.append(("text", " ".join(data.split())))


def tokens(html):
    parser = _Tokens()
    parser.feed(re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html))
    return parser.tokens


CHOICES = [(1, "甲（某街道办事处）"), (2, "乙 <b>&"), (30, "丙")]


class Required(forms.Form):
    deputies = forms.TypedMultipleChoiceField(
        label="Who", coerce=int, choices=CHOICES, widget=forms.CheckboxSelectMultiple, help_text="Pick <i>one</i>."
    )


@pytest.mark.parametrize("form", [
    lambda: WorkPlanItemForm(deputy_choices=CHOICES, prefix="items-0"),
    lambda: WorkPlanItemForm(deputy_choices=CHOICES, initial={"deputies": [2, 30]}, prefix="items-__prefix__"),
    lambda: WorkPlanItemForm({"items-1-deputies": ["1", "30"]}, deputy_choices=CHOICES, prefix="items-1"),
    lambda: WorkPlanItemForm({"items-1-deputies": ["1", "99"]}, deputy_choices=CHOICES, prefix="items-1"),
    lambda: Required({}),
    lambda: Required({"deputies": ["2"]}),
], ids=["blank", "initial", "bound", "invalid-choice", "required-missing", "required-given"])
def test_deputy_checkboxes_are_crispys_markup(form):
    field = form()["deputies"]
    python = crispy_checkboxes(field)
    assert tokens(python) == tokens(as_crispy_field(field))
    assert python.count('type="checkbox"') == len(CHOICES) and "乙 &lt;b&gt;&amp;" in python


def test_the_portal_plan_form_offers_the_offices_deputies_in_every_item(world, login_as):
    plan = make_plan(world, items=[item(deputies=[world.deputy_a.pk]), item(month=4, deputies=[world.deputy_b.pk])])
    html = login_as(world.liaison).get(reverse("reception:work_plan_edit", args=[plan.pk])).content.decode()
    for index, checked in ((0, world.deputy_a), (1, world.deputy_b), (2, None)):
        boxes = re.findall(rf'<input type="checkbox"[^>]*name="items-{index}-deputies"[^>]*>', html)
        assert len(boxes) == 2
        assert [b for b in boxes if " checked" in b] == ([] if checked is None else
                                                          [b for b in boxes if f'value="{checked.pk}"' in b])
    assert 'name="items-__prefix__-deputies"' in html


@pytest.fixture
def djangos_own_admin(monkeypatch):
    """The admin plan page drawn by Django alone: its tabular inline and widget templates."""
    def switch():
        monkeypatch.setattr(plan_admin.WorkPlanItemInline, "template", "admin/edit_inline/tabular.html")
        monkeypatch.setattr(plan_admin.WorkPlanAdmin, "change_form_template", None)
        monkeypatch.setattr(scoping, "WIDGET_RENDERER", DjangoTemplates())
    return switch


def test_admin_plan_page_is_djangos_tabular_inline(world, login_as, djangos_own_admin):
    plan = make_plan(world, items=[item(deputies=[world.deputy_a.pk], notes="<b>x</b>"), item(month=4, place="")])
    client = login_as(world.district_staff)
    url = reverse("admin:reception_workplan_change", args=[plan.pk])
    items = list(plan.items.all())
    # An invalid post: errors on the plan and on an item.
    post = {"office": world.office_a1.pk, "year": plan.year, "goals": "", "opening": [], "opening_notes": "",
            "items-TOTAL_FORMS": 2, "items-INITIAL_FORMS": 2, "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000}
    for n, it in enumerate(items):
        post |= {f"items-{n}-id": it.pk, f"items-{n}-plan": plan.pk, f"items-{n}-month": it.month,
                 f"items-{n}-kind": it.kind, f"items-{n}-title": it.title if n else "", f"items-{n}-place": it.place}
    ours = [client.get(url).content.decode(), client.post(url, post).content.decode()]
    assert "errorlist" in ours[1] and 'name="items-1-title"' in ours[0]
    djangos_own_admin()
    djangos = [client.get(url).content.decode(), client.post(url, post).content.decode()]
    assert [tokens(page) for page in ours] == [tokens(page) for page in djangos]


def _grow(world, n):
    """n more deputies in office A1's team."""
    for i in range(n):
        deputy = make_deputy(f"代表{i}", district=world.district_a, community=world.community_a1)
        TeamMembership.objects.create(team=world.team_a1, deputy=deputy)
    return list(world.team_a1.memberships.values_list("deputy_id", flat=True))


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_plan_pages_make_the_same_queries_with_three_times_the_items_and_deputies(world):
    deputies = _grow(world, 2)
    plan = make_plan(world, items=[item(month=m, deputies=deputies[:2]) for m in (1, 2)])
    liaison, staff = _client(world.liaison), _client(world.district_staff)
    pages = [(liaison, reverse("reception:work_plan_edit", args=[plan.pk])),
             (liaison, reverse("reception:work_plan_create") + f"?office={world.office_a1.pk}"),
             (staff, reverse("admin:reception_workplan_change", args=[plan.pk]))]
    small = [_queries(c, u) for c, u in pages]
    deputies = _grow(world, 8)
    plan.items.all().delete()
    for month in range(1, 7):
        plan.items.create(month=month, kind="reception", title="t").deputies.set(deputies[:month + 3])
    large = [_queries(c, u) for c, u in pages]
    assert large == small and max(large) <= 12, (small, large)


def test_the_portal_form_keeps_its_checked_deputies_on_an_invalid_post(world, login_as):
    client = login_as(world.liaison)
    data = _form_data(world, opening=[], items=[item(deputies=[world.deputy_b.pk])])
    html = client.post(reverse("reception:work_plan_create"), data).content.decode()
    box = re.search(rf'<input[^>]*name="items-0-deputies"[^>]*value="{world.deputy_b.pk}"[^>]*>', html).group(0)
    assert " checked" in box


def test_a_valid_admin_post_saves_the_items_and_their_deputies(world, login_as):
    """The item forms share one deputies queryset (issue 10): each form still validates and saves
    its own picks, and a deputy outside the staff member's district is refused."""
    plan = make_plan(world, items=[item(deputies=[world.deputy_a.pk]), item(month=4)])
    client = login_as(world.district_staff)
    url = reverse("admin:reception_workplan_change", args=[plan.pk])
    items = list(plan.items.all())
    post = {"office": world.office_a1.pk, "year": plan.year, "goals": "联系群众", "opening": ["3-pm"],
            "opening_notes": "", "items-TOTAL_FORMS": 3, "items-INITIAL_FORMS": 2, "items-MIN_NUM_FORMS": 0,
            "items-MAX_NUM_FORMS": 1000}
    picks = [[world.deputy_b.pk], [world.deputy_a.pk, world.deputy_b.pk], [world.deputy_a.pk]]
    for n in range(3):
        it = items[n] if n < 2 else None
        post |= {f"items-{n}-id": it.pk if it else "", f"items-{n}-plan": plan.pk, f"items-{n}-month": 5 + n,
                 f"items-{n}-kind": it.kind if it else "reception", f"items-{n}-title": f"活动{n}",
                 f"items-{n}-place": "", f"items-{n}-participants": "", f"items-{n}-notes": "",
                 f"items-{n}-deputies": picks[n]}
    outsider = make_deputy("外区代表", district=world.district_b, community=world.community_b1)
    refused = client.post(url, post | {"items-2-deputies": [outsider.pk]})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert plan.items.count() == 2
    response = client.post(url, post)
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = [(i.month, i.title, sorted(i.deputies.values_list("pk", flat=True))) for i in plan.items.order_by("month")]
    assert saved == [(5 + n, f"活动{n}", sorted(picks[n])) for n in range(3)]
