"""What each app contributes to the portal's frame: navigation entries and home-page panels.

Each local app may have a `portal.py` with

    NAV = [NavItem("cases:queue", _("My cases"), roles={Role.DEPUTY}, order=20), ...]
    PANELS = [Panel(roles={Role.DEPUTY}, order=20, render=callable(request) -> html or "")]

so that apps grow the navigation and the home pages without editing each other's files.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import ADMIN_ROLES, Role

# Menus that gather related entries when a role has too many to show side by side.
RECEPTIONS = _("Receptions")
CASES = _("Cases and proposals")
POINTS = _("Points")
REPORTS = _("Reports")
# Up to this many entries the bar lists them all; beyond, grouped entries fold into their menus.
FLAT_NAV_LIMIT = 10


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: frozenset = field(default_factory=frozenset)
    order: int = 50
    group: str = ""


@dataclass(frozen=True)
class Panel:
    roles: frozenset
    render: Callable
    order: int = 50


@cache
def _collect(attr):
    items = []
    for app in settings.PORTAL_APPS:
        try:
            module = import_module(f"{app}.portal")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.portal":
                raise
            continue
        items.extend(getattr(module, attr, []))
    return sorted(items, key=lambda i: i.order)


def nav_for(user):
    if not user.is_authenticated:
        return []
    result = []
    for item in _collect("NAV"):
        if user.role in item.roles or (user.is_superuser and not item.roles):
            try:
                result.append(
                    {"url": reverse(item.url_name), "label": item.label, "name": item.url_name, "group": item.group}
                )
            except NoReverseMatch:
                continue
    return result


# The bar depends only on the role (and the URL configuration): built once per process for each
# (the labels stay lazy, translated when shown), instead of reversing every entry on every page.
_menus = {}


def nav_menu_for(user):
    """The navigation bar: the user's entries in order, where grouped entries become one menu
    (at the place of its first entry) once there are more than FLAT_NAV_LIMIT of them, so a
    staff member's bar fits a laptop screen and a deputy's stays one tap per page."""
    if not user.is_authenticated:
        return []
    key = (user.role, user.is_superuser, get_urlconf(), get_script_prefix())
    menu = _menus.get(key)
    if menu is None:
        menu = _menus[key] = _menu(nav_for(user))
    return menu


def _menu(items):
    if len(items) <= FLAT_NAV_LIMIT:
        return items
    menus, result = {}, []
    for item in items:
        if not item["group"]:
            result.append(item)
            continue
        menu = menus.get(item["group"])
        if menu is None:
            menu = menus[item["group"]] = {"label": item["group"], "children": []}
            result.append(menu)
        menu["children"].append(item)
    # A menu of one is just a link.
    return [m["children"][0] if "children" in m and len(m["children"]) == 1 else m for m in result]


def _forget_menus(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _menus.clear()


setting_changed.connect(_forget_menus, dispatch_uid="portal-nav-menus")


def panels_for(request):
    html = []
    for panel in _collect("PANELS"):
        if request.user.role in panel.roles:
            out = panel.render(request)
            if out:
                html.append(out)
    return html


NAV = [
    NavItem("home", _("Home"), roles=frozenset(Role.values), order=0),
    NavItem("audit_log", _("Audit log"), roles=frozenset({Role.AUDITOR}), order=80),
    # Every background export the user asked for (the pages that export link to its progress).
    NavItem("exports:list", _("My exports"), order=79, group=REPORTS, roles=frozenset(
        {Role.ORG_STAFF, Role.LIAISON, Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})),
    NavItem("admin:index", pgettext_lazy("navigation", "Administration"), roles=frozenset(ADMIN_ROLES), order=90),
]
