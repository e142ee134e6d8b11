"""The team, deputy and office change pages write their inputs, labels and error lists in Python
(PythonWidgetRenderer, issue 10), and their tabular inlines' rows too (admin_tabular_rows), and show the same tags, attributes and text as through Django's
own widget templates and tabular.html, on the page as opened and on an invalid post; the deputy page's queries do
not grow with its rows (the team and office pages' guards are in test_admin_scope)."""

import pytest
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offices.admin import scoping
from offices.models import FixedCommunity, Jurisdiction
from tests.base import make_deputy
from tests.offices.admin_forms import form_data
from tests.reception.test_work_plan_render import tokens

pytestmark = pytest.mark.django_db

PAGES = {  # model: (the world's object, the inline row field a post breaks)
    "team": ("team_a1", "memberships-0-deputy"),
    "deputy": ("deputy_a", "fixed_links-0-community"),
    "office": ("office_a1", "liaison_links-0-user"),
}


def _url(world, model):
    return reverse(f"admin:offices_{model}_change", args=[getattr(world, PAGES[model][0]).pk])


def _invalid(staff, url, field):
    data = form_data(staff.get(url))
    assert field in data, sorted(data)
    data["name"] = ""  # the main form's error
    data[field] = "999999"  # an inline row's error: no such choice
    response = staff.post(url, data)
    assert response.status_code == 200 and response.context["errors"]
    return response


@pytest.mark.parametrize("model", sorted(PAGES))
@pytest.mark.parametrize("post", [False, True], ids=["get", "invalid-post"])
def test_change_page_is_the_same_as_through_djangos_templates(world, login_as, monkeypatch, model, post):
    staff = login_as(world.district_staff)
    url = _url(world, model)

    def page(used, unused):
        response = _invalid(staff, url, PAGES[model][1]) if post else staff.get(url)
        assert response.status_code == 200
        names = {t.name for t in response.templates}
        assert used in names and unused not in names
        return response.content.decode()

    python = page("offices/admin/tabular_inline.html", "admin/includes/fieldset.html")
    monkeypatch.setattr(scoping, "WIDGET_RENDERER", DjangoTemplates())
    monkeypatch.setattr(scoping, "TABULAR_TEMPLATE", "admin/edit_inline/tabular.html")
    monkeypatch.setattr(scoping.PythonRenderedFormMixin, "change_form_template", None)
    django = page("admin/includes/fieldset.html", "offices/admin/tabular_inline.html")
    assert python != django  # two renderings (whitespace differs), compared by their content
    assert python.count("<input") > 5 and "<select" in python
    if post:
        assert 'class="errorlist' in python
    assert tokens(python) == tokens(django)


def test_deputy_page_makes_the_same_queries_with_three_times_the_fixed_communities(world, login_as):
    staff = login_as(world.district_staff)
    deputy = make_deputy("孙八", district=world.district_a, community=world.community_a1)
    url = reverse("admin:offices_deputy_change", args=[deputy.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = staff.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode()

    count()  # warm: the content types and permissions read once per process
    few, _html = count()
    # Rows written straight to the table: the page draws (and labels) each of them.
    parent = world.community_a1.parent
    communities = [
        world.community_a1,
        world.community_a2,
        Jurisdiction.objects.create(name="海山社区", level=Jurisdiction.Level.COMMUNITY, parent=parent),
    ]
    assert FixedCommunity.objects.filter(deputy=deputy).count() == 1
    few, _html = count()
    for community in communities[1:]:
        FixedCommunity.objects.create(deputy=deputy, community=community)
    many, html = count()
    assert many == few
    for index, community in enumerate(communities):
        assert f'<option value="{community.pk}" selected>' in html, index
