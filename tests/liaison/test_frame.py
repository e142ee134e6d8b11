import pytest
from django.urls import reverse

from liaison.roles import role_has_perm

pytestmark = pytest.mark.django_db


def test_home_is_the_public_front_door_for_anonymous_visitors_with_a_staff_login_link(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="front-door"' in html and reverse("login") in html
    assert 'data-testid="home-panels"' not in html


@pytest.mark.parametrize("persona", ["city_staff", "liaison", "deputy_a_user", "handler"])
def test_each_role_reaches_its_home_page(world, client, persona):
    client.force_login(getattr(world, persona))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"


def test_interface_defaults_to_chinese_and_switches_to_english(world, client):
    client.force_login(world.liaison)
    assert "通知" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Notices" in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("persona", ["liaison", "deputy_a_user", "handler", "outsider"])
def test_non_staff_cannot_enter_the_admin(world, client, persona):
    client.force_login(getattr(world, persona))
    response = client.get("/admin/offices/deputy/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_access_follows_role(world):
    assert world.city_staff.is_staff and world.district_staff.is_staff
    assert not world.liaison.is_staff and not world.deputy_a_user.is_staff and not world.handler.is_staff


def test_roles_hold_only_their_permissions():
    assert role_has_perm("staff", "offices.change_deputy")
    assert not role_has_perm("staff", "liaison.view_auditlog")
    assert role_has_perm("auditor", "liaison.view_auditlog")
    assert not role_has_perm("auditor", "offices.view_deputy")
    assert not role_has_perm("liaison", "offices.view_deputy")


def test_contact_shortfalls_page_is_refused_to_deputies_and_outsiders(world, client):
    for persona in ("deputy_a_user", "handler", "outsider"):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("offices:contact_shortfalls")).status_code == 403


def test_contact_shortfalls_lists_only_the_liaisons_deputies(world, client, django_assert_max_num_queries):
    client.force_login(world.liaison)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("offices:contact_shortfalls"))
    names = [row["deputy"].name for row in response.context["page"]]
    assert sorted(names) == ["张三", "李四"]


def test_every_string_is_translated_and_no_english_string_two_ways():
    """Django merges the apps' catalogues (the first app wins), so one English string translated
    two ways would show the wrong one somewhere: "Mobile" as an office kind (流动) and as a phone."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "po_check.py"
    spec = importlib.util.spec_from_file_location("po_check", path)
    po_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(po_check)
    catalogues = list(po_check.catalogues())
    assert len(catalogues) >= 5
    assert [m for po in catalogues for m in po_check.problems(po)] == []
    assert po_check.conflicts(catalogues) == {}


def test_staff_navigation_folds_into_menus_and_keeps_every_entry(world, client):
    from liaison.portal import nav_for, nav_menu_for

    menu = nav_menu_for(world.city_staff)
    assert len(menu) <= 8
    assert any("children" in entry for entry in menu)
    flat = [c["url"] for entry in menu for c in entry.get("children", [entry])]
    assert sorted(flat) == sorted(item["url"] for item in nav_for(world.city_staff))
    client.force_login(world.city_staff)
    body = client.get(reverse("home")).content.decode()
    assert 'class="nav-link dropdown-toggle"' in body and "社情民意与提议" in body
    assert all(f'href="{url}"' in body for url in flat)


def test_a_deputy_navigation_stays_flat(world):
    from liaison.portal import nav_for, nav_menu_for

    assert nav_menu_for(world.deputy_a_user) == nav_for(world.deputy_a_user)


def test_our_translations_are_the_ones_shown_not_an_earlier_apps():
    """Django merges catalogues with LOCALE_PATHS first, then the apps in INSTALLED_APPS order,
    so django.contrib.admin, simple_history or django_celery_beat translate a bare "Name", "Close"
    or "Filter" before ours: a resident's name headed 任务名, a case's "Close" shown as 关闭. Strings
    whose meaning is ours carry a context; this holds every entry to what our catalogue says."""
    import importlib.util
    from pathlib import Path

    import polib
    from django.utils import translation

    path = Path(__file__).resolve().parents[2] / "scripts" / "po_check.py"
    spec = importlib.util.spec_from_file_location("po_check", path)
    po_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(po_check)
    shadowed = []
    with translation.override("zh-hans"):
        for catalogue in po_check.catalogues():
            for e in polib.pofile(str(catalogue)).translated_entries():
                if e.msgid_plural:
                    continue
                shown = translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt else translation.gettext(e.msgid)
                if shown != e.msgstr:
                    shadowed.append((e.msgid, e.msgstr, shown))
    assert shadowed == [], "\n".join(map(str, shadowed))


def test_the_frame_counts_only_the_users_own_unread_notices(world, client):
    """Every signed-in page shows the number of the user's unread notices (one fixed statement,
    issue 10): another user's notices and read ones are not counted; marking read clears it."""
    import re

    from liaison.services import notice_send, notices_send

    notices_send(users=[world.liaison, world.liaison], text="新通知")
    notice_send(user=world.city_staff, text="别人的通知")
    client.force_login(world.liaison)
    badge = re.search(r'data-testid="unread-count">(\d+)<', client.get(reverse("home")).content.decode())
    assert badge and badge.group(1) == "2"
    client.post(reverse("notices_mark_read"))
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()


def test_the_navigation_bar_is_built_once_per_role_and_stays_per_role(world, client):
    """The bar is kept per role and process (liaison.portal.nav_menu_for): a deputy after a staff
    member in the same process still gets the deputy's bar."""
    from liaison.portal import nav_menu_for

    staff_bar = nav_menu_for(world.city_staff)
    deputy_bar = nav_menu_for(world.deputy_a_user)
    assert staff_bar != deputy_bar
    assert nav_menu_for(world.city_staff) is staff_bar
    names = {item.get("name") for item in deputy_bar}
    assert "cases:queue" in names and "admin:index" not in names
