"""QR posters 码上见代表 (issue 12 item 6): a printable poster per office and per deputy whose code
opens the office's public page with the deputy preselected; who may open which."""

import base64
import re

import pytest
from django.urls import reverse

from liaison.models import Role
from offices.models import Deputy
from tests.base import make_user

pytestmark = pytest.mark.django_db


def office_poster(office):
    return reverse("reception:office_poster", args=[office.pk])


def deputy_poster(office, deputy):
    return reverse("reception:deputy_poster", args=[office.pk, deputy.pk])


def encoded_url(response):
    """The URL the poster's QR code encodes: the embedded SVG is exactly the code drawn for the URL
    printed under it (the drawing is deterministic)."""
    from liaison.lib.qr import qr_svg

    html = response.content.decode()
    svg = base64.b64decode(re.search(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html).group(1))
    url = re.search(r'data-testid="poster-url">([^<]+)<', html).group(1).replace("&amp;", "&")
    assert svg == qr_svg(url)
    return url


def test_office_poster_encodes_the_public_office_page(world, client, settings):
    settings.PUBLIC_BASE_URL = "https://dbgzs.example.gov.cn"
    client.force_login(world.liaison)
    r = client.get(office_poster(world.office_a1))
    assert r.status_code == 200
    assert encoded_url(r) == "https://dbgzs.example.gov.cn" + reverse("public:office", args=[world.office_a1.pk])
    html = r.content.decode()
    assert 'data-testid="poster-qr"' in html and "东和社区党代表工作室" in html
    assert 'data-testid="base-url-warning"' not in html
    # One poster per deputy, linked from the office's.
    assert deputy_poster(world.office_a1, world.deputy_a) in html and deputy_poster(world.office_a1, world.deputy_b) in html


def test_deputy_poster_preselects_the_deputy_on_the_public_page(world, client):
    client.force_login(world.deputy_b_user)
    r = client.get(deputy_poster(world.office_a1, world.deputy_b))
    assert r.status_code == 200
    url = encoded_url(r)
    assert url == f"http://testserver{reverse('public:office', args=[world.office_a1.pk])}?deputy={world.deputy_b.pk}"
    assert 'data-testid="base-url-warning"' in r.content.decode()  # no PUBLIC_BASE_URL set
    client.logout()
    page = client.get(url.replace("http://testserver", ""))
    assert page.context["chosen"]["pk"] == world.deputy_b.pk


def test_qr_code_is_a_real_svg_qr_of_the_url():
    from liaison.lib.qr import qr_svg

    svg = qr_svg("https://dbgzs.example.gov.cn/office/1/?deputy=2")
    assert b"<svg" in svg and b"<path" in svg and b"<script" not in svg
    assert qr_svg("a") != qr_svg("b")


@pytest.mark.parametrize("persona", ["liaison", "city_staff", "district_staff"])
def test_liaisons_and_staff_in_scope_open_office_and_deputy_posters(world, client, persona):
    client.force_login(getattr(world, persona))
    assert client.get(office_poster(world.office_a1)).status_code == 200
    assert client.get(deputy_poster(world.office_a1, world.deputy_a)).status_code == 200


@pytest.mark.parametrize("persona", ["handler", "outsider", "sysadmin", "secadmin", "auditor"])
def test_other_roles_are_refused_posters(world, client, persona):
    if not hasattr(world, persona):
        role = {"sysadmin": Role.SYSADMIN, "secadmin": Role.SECADMIN, "auditor": Role.AUDITOR}[persona]
        setattr(world, persona, make_user(persona, role))
    client.force_login(getattr(world, persona))
    assert client.get(office_poster(world.office_a1)).status_code == 403
    assert client.get(deputy_poster(world.office_a1, world.deputy_a)).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(world, client):
    r = client.get(office_poster(world.office_a1))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_a_deputy_opens_only_their_own_poster(world, client):
    client.force_login(world.deputy_a_user)
    assert client.get(deputy_poster(world.office_a1, world.deputy_a)).status_code == 200
    assert client.get(deputy_poster(world.office_a1, world.deputy_b)).status_code == 404  # a team mate's
    assert client.get(deputy_poster(world.office_b1, world.deputy_c)).status_code == 404  # another office
    assert client.get(office_poster(world.office_a1)).status_code == 403  # the office's is the liaison's


def test_wrong_office_or_deputy_is_not_found(world, client):
    client.force_login(world.liaison)
    assert client.get(office_poster(world.office_b1)).status_code == 404
    assert client.get(deputy_poster(world.office_b1, world.deputy_c)).status_code == 404
    assert client.get(deputy_poster(world.office_a1, world.deputy_c)).status_code == 404  # not at this office
    client.force_login(world.district_staff)
    assert client.get(office_poster(world.office_b1)).status_code == 404
    assert client.get(office_poster(world.office_a2)).status_code == 200
    # A resigned deputy has no poster: the public page would not preselect them.
    Deputy.objects.filter(pk=world.deputy_b.pk).update(status=Deputy.Status.RESIGNED)
    client.force_login(world.city_staff)
    assert client.get(deputy_poster(world.office_a1, world.deputy_b)).status_code == 404
    # A closed office has no poster.
    world.office_a2.is_active = False
    world.office_a2.save()
    assert client.get(office_poster(world.office_a2)).status_code == 404


def test_posters_are_linked_where_their_users_see_offices_and_deputies(world, client):
    client.force_login(world.liaison)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-posters"' in home and office_poster(world.office_a1) in home
    files = client.get(reverse("reports:performance_file_list")).content.decode()
    assert deputy_poster(world.office_a1, world.deputy_a) in files
    client.force_login(world.deputy_b_user)
    home = client.get(reverse("home")).content.decode()
    assert deputy_poster(world.office_a1, world.deputy_b) in home and office_poster(world.office_a1) not in home
    client.force_login(world.district_staff)
    status = client.get(reverse("reception:work_plan_status")).content.decode()
    assert office_poster(world.office_a1) in status and office_poster(world.office_b1) not in status
    admin = client.get(reverse("admin:offices_office_changelist")).content.decode()
    assert office_poster(world.office_a1) in admin
    client.force_login(world.handler)
    assert 'data-testid="panel-posters"' not in client.get(reverse("home")).content.decode()


def test_poster_pages_are_chinese_first_with_english_complete(world, client):
    client.force_login(world.liaison)
    assert "码上见代表" in client.get(office_poster(world.office_a1)).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(office_poster(world.office_a1)).content.decode()
    assert "Scan to reach your deputies" in html and "Print" in html


def test_poster_queries_are_bounded(world, client, django_assert_max_num_queries):
    client.force_login(world.city_staff)
    with django_assert_max_num_queries(8):
        assert client.get(office_poster(world.office_a1)).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(deputy_poster(world.office_a1, world.deputy_a)).status_code == 200
