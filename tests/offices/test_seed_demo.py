"""manage.py seed_demo: a believable city whose data obeys the organization rules, with a demo
login per role that reaches its own home page, and app hooks whose failures are not hidden."""

import io
import sys
import types

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from liaison.models import Role, User
from offices.management.commands.seed_demo import DEMO_PASSWORD
from offices.models import Deputy, Jurisdiction, Office, Team
from offices.services import fixed_communities_validate, team_members_validate

pytestmark = pytest.mark.django_db


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_builds_a_city_that_obeys_the_rules_000():
    output = seed()
    assert Jurisdiction.objects.filter(level__in=["district", "new_district"]).count() == 3
    assert Office.objects.filter(kind="community").count() == 12
    assert Deputy.objects.count() == 60
    # Exactly one leader in every team [000 二].
    assert not Team.objects.annotate(n=Count("memberships", filter=Q(memberships__is_leader=True))).exclude(n=1).exists()
    for team in Team.objects.select_related("office__jurisdiction"):
        team_members_validate(
            team_community=team.office.jurisdiction,
            members=[(m.deputy, m.is_leader) for m in team.memberships.select_related("deputy")],
        )
    # Fixed-community rules [000 一], including a city deputy with several in the new district.
    several = 0
    for d in Deputy.objects.select_related("district"):
        communities = list(d.fixed_communities.all())
        fixed_communities_validate(
            level=d.level, district=d.district, is_leadership_member=d.is_leadership_member, communities=communities
        )
        several += len(communities) > 1
    assert several >= 1
    for username in ("demo_city", "demo_district", "demo_liaison", "demo_leader", "demo_deputy", "demo_handler"):
        assert username in output
    assert DEMO_PASSWORD in output


@pytest.mark.parametrize(
    "username,role,admin_ok",
    [
        ("demo_city", Role.ORG_STAFF, True),
        ("demo_district", Role.ORG_STAFF, True),
        ("demo_liaison", Role.LIAISON, False),
        ("demo_leader", Role.DEPUTY, False),
        ("demo_deputy", Role.DEPUTY, False),
        ("demo_handler", Role.UNIT_HANDLER, False),
        ("demo_sysadmin", Role.SYSADMIN, True),
        ("demo_auditor", Role.AUDITOR, True),
    ],
)
def test_each_demo_login_reaches_its_home_page(client, username, role, admin_ok):
    seed()
    user = User.objects.get(username=username)
    assert user.role == role
    assert client.login(username=username, password=DEMO_PASSWORD)
    assert client.get("/").status_code == 200
    admin = client.get("/admin/")
    assert (admin.status_code == 200) is admin_ok


def test_seed_demo_if_empty_skips_and_refuses_to_seed_twice():
    seed()
    n = Deputy.objects.count()
    assert "nothing to do" in seed("--if-empty")
    with pytest.raises(CommandError):
        seed()
    assert Deputy.objects.count() == n


def test_a_failing_app_demo_is_not_swallowed_and_leaves_nothing(monkeypatch):
    module = types.ModuleType("scoring.demo")
    received = {}

    def broken(*, org, scale, rng):
        received.update(org)
        raise RuntimeError("scoring demo broke")

    module.seed = broken
    monkeypatch.setitem(sys.modules, "scoring.demo", module)
    with pytest.raises(RuntimeError, match="scoring demo broke"):
        seed()
    assert set(received) == {
        "city", "districts", "communities", "offices", "teams", "deputies", "units",
        "staff", "liaisons", "handlers", "deputy_users", "year",
    }
    assert not Deputy.objects.exists()


def _printed_logins(output):
    lines = output.split("Demo logins", 1)[1].splitlines()[2:]
    return [line.split()[0] for line in lines if line.strip()]


def test_every_printed_demo_login_signs_in_through_the_form_to_its_own_home(client):
    from django.utils.html import escape

    from liaison.portal import nav_for

    output = seed()
    usernames = _printed_logins(output)
    assert {"demo_city", "demo_district", "demo_liaison", "demo_leader", "demo_deputy", "demo_handler"} <= set(usernames)
    assert "牵头人" in output and "组长" not in output
    for username in usernames:
        client.logout()
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True)
        assert response.status_code == 200, username
        assert response.request["PATH_INFO"] == "/", (username, response.redirect_chain)
        user = User.objects.get(username=username)
        body = response.content.decode()
        assert escape(str(user)) in body and escape(user.get_role_display()) in body, username
        for item in nav_for(user):
            assert f'href="{item["url"]}"' in body, (username, item)


def test_run_sh_shows_the_demo_logins_again_on_later_starts():
    seed()
    again = seed("--if-empty")
    assert "nothing to do" in again
    assert {"demo_city", "demo_district", "demo_liaison", "demo_leader", "demo_deputy", "demo_handler"} <= set(
        _printed_logins(again)
    )
