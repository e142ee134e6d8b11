"""The admin's navigation sidebar writes its app list in Python (admin_sidebar_app_list in
templates/admin/nav_sidebar.html, issue 10) with the same tags, attributes and text as Django's
nav_sidebar.html and app_list.html, for each staff role, on the page of a model and elsewhere."""

from pathlib import Path

import django.contrib.admin
import pytest
from django.contrib import admin
from django.template import RequestContext, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from tests.reception.test_work_plan_render import tokens

pytestmark = pytest.mark.django_db

DJANGOS = Path(django.contrib.admin.__file__).parent / "templates" / "admin"


def djangos_sidebar(request, context):
    # Django's two templates, the include pointed at Django's own app_list.html.
    source = (DJANGOS / "nav_sidebar.html").read_text().replace(
        "{% include 'admin/app_list.html' with app_list=available_apps show_changelinks=False %}",
        (DJANGOS / "app_list.html").read_text().replace("{% load i18n %}", "")
        .replace("app_list", "available_apps").replace("show_changelinks", "False"),
    )
    return Template(source).render(RequestContext(request, context))


@pytest.mark.parametrize("staff", ["city_staff", "district_staff"])
@pytest.mark.parametrize("path", ["/admin/reception/workplan/", "/admin/offices/team/1/change/", "/admin/password_change/"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_sidebar_is_djangos(world, staff, path, language):
    request = RequestFactory().get(path)
    request.user = getattr(world, staff)
    with translation.override(language):
        context = admin.site.each_context(request)
        assert context["available_apps"]
        ours = render_to_string("admin/nav_sidebar.html", context, request=request)
        theirs = djangos_sidebar(request, context)
    assert "admin_sidebar_app_list" not in ours and ours != theirs
    assert tokens(ours) == tokens(theirs)
    assert ('aria-current="page"' in ours) == (path != "/admin/password_change/")  # the model of the page


def test_without_apps_the_sidebar_says_so(world):
    request = RequestFactory().get("/admin/")
    request.user = world.city_staff
    context = admin.site.each_context(request) | {"available_apps": []}
    with translation.override("en"):
        ours = render_to_string("admin/nav_sidebar.html", context, request=request)
        assert tokens(ours) == tokens(djangos_sidebar(request, context))
    assert "You don’t have permission to view or edit anything." in ours
