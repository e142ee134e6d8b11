"""The admin is the organization department's workplace: district staff see, open, change and
pick only their own district's deputies, offices and teams (change lists, change and history
pages, foreign-key choices, autocomplete, filters, search); liaisons, deputies and unit handlers do
not enter it; the rules of SPEC §1 are refused there too; history shows who changed what."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from offices.models import Deputy, FixedCommunity, TeamMembership
from tests.base import make_deputy
from tests.offices.admin_forms import form_data

pytestmark = pytest.mark.django_db

FOREIGN = {  # objects of district B (福田区) and a word that only they show
    "deputy": ("deputy_c", "王五"),
    "office": ("office_b1", "田面社区党代表工作室"),
    "team": ("team_b1", "田面社区党代表团队"),
}


def admin_url(model, view, *args):
    return reverse(f"admin:offices_{model}_{view}", args=args)


@pytest.fixture
def staff(world, login_as):
    return login_as(world.district_staff)


@pytest.mark.parametrize("model", ["deputy", "office", "team"])
def test_district_staff_change_list_shows_only_their_district(world, staff, model):
    response = staff.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    objects = list(response.context["cl"].result_list)
    assert objects and all(o.district_id == world.district_a.pk for o in objects)
    assert FOREIGN[model][1] not in response.content.decode()
    assert "福田区" not in response.content.decode(), "the district filter offers another district"


@pytest.mark.parametrize("model", ["deputy", "office", "team"])
def test_district_staff_cannot_open_change_delete_or_read_history_of_another_district(world, staff, model):
    obj = getattr(world, FOREIGN[model][0])
    for view in ("change", "delete"):
        response = staff.get(admin_url(model, view, obj.pk))
        assert response.status_code == 302 and response["Location"] == reverse("admin:index"), view
    assert staff.get(admin_url(model, "history", obj.pk)).status_code == 404
    version = obj.history.latest("history_date")
    response = staff.get(reverse(f"admin:offices_{model}_simple_history", args=[obj.pk, version.history_id]))
    assert response.status_code == 404


def test_district_staff_cannot_change_or_delete_another_districts_deputy_by_post(world, staff):
    url = admin_url("deputy", "change", world.deputy_c.pk)
    staff.post(url, {"name": "改名", "_save": "Save"})
    staff.post(admin_url("deputy", "delete", world.deputy_c.pk), {"post": "yes"})
    world.deputy_c.refresh_from_db()
    assert world.deputy_c.name == "王五"


def test_history_of_own_district_is_readable(world, staff):
    response = staff.get(admin_url("deputy", "history", world.deputy_b.pk))
    assert response.status_code == 200


def test_foreign_key_choices_are_limited_to_the_district(world, staff):
    form = staff.get(admin_url("team", "add")).context["adminform"].form
    assert set(form.fields["office"].queryset) == {world.office_a1, world.office_a2}
    response = staff.get(admin_url("team", "change", world.team_a1.pk))
    [members] = [i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is TeamMembership]
    assert set(members.forms[0].fields["deputy"].queryset) == {world.deputy_a, world.deputy_b}
    response = staff.get(admin_url("deputy", "add"))
    form = response.context["adminform"].form
    assert set(form.fields["district"].queryset) == {world.district_a}
    assert set(form.fields["user"].queryset) == {world.deputy_a_user, world.deputy_b_user}
    [fixed] = [i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is FixedCommunity]
    assert world.community_b1 not in set(fixed.forms[0].fields["community"].queryset)
    form = staff.get(admin_url("office", "add")).context["adminform"].form
    assert world.community_b1 not in set(form.fields["jurisdiction"].queryset)
    response = staff.get(admin_url("office", "change", world.office_a1.pk))
    [liaisons] = [i.formset for i in response.context["inline_admin_formsets"]]
    assert set(liaisons.forms[0].fields["user"].queryset) == {world.liaison}


def test_a_foreign_id_posted_into_a_form_is_refused(world, staff):
    response = staff.get(admin_url("team", "change", world.team_a1.pk))
    data = form_data(response)
    data["memberships-2-deputy"] = world.deputy_c.pk
    data["memberships-TOTAL_FORMS"] = 3
    response = staff.post(admin_url("team", "change", world.team_a1.pk), data)
    assert response.status_code == 200 and response.context["errors"]
    assert not TeamMembership.objects.filter(deputy=world.deputy_c, team=world.team_a1).exists()
    # The refused row's select does not label another district's deputy.
    assert f'<option value="{world.deputy_c.pk}"' not in response.content.decode()
    assert str(world.deputy_c) not in response.content.decode()


def _selected_options(response, prefix):
    body = response.content.decode()
    return sorted(re.findall(rf'<select name="{prefix}-\d+-deputy"[^>]*>\s*(<option[^>]*selected[^>]*>[^<]*</option>)', body))


def test_team_page_labels_every_members_deputy_with_one_query_for_all_rows(world, staff, django_assert_max_num_queries):
    """Issue 10: the selected deputies' labels of the inline rows are read once for the formset,
    not once per row; each row still shows its deputy, selected."""
    url = admin_url("team", "change", world.team_a1.pk)
    with CaptureQueriesContext(connection) as before:
        response = staff.get(url)
    options = _selected_options(response, "memberships")
    assert options == sorted(f'<option value="{d.pk}" selected>{d}</option>' for d in (world.deputy_a, world.deputy_b))
    more = [make_deputy(f"成员{i}", district=world.district_a, community=world.community_a1) for i in range(4)]
    for deputy in more:
        TeamMembership.objects.create(team=world.team_a1, deputy=deputy)
    with django_assert_max_num_queries(len(before)):
        response = staff.get(url)
    assert len(_selected_options(response, "memberships")) == 6
    assert f'<option value="{more[3].pk}" selected>{more[3]}</option>' in response.content.decode()


@pytest.mark.parametrize(
    "model_name, field_name, own, foreign",
    [
        ("team", "office", "东和社区党代表工作室", "田面社区党代表工作室"),
        ("teammembership", "deputy", "李四", "王五"),
        ("deputy", "district", "盐田区", "福田区"),
        ("fixedcommunity", "community", "东和社区", "田面社区"),
    ],
)
def test_autocomplete_offers_only_the_district(world, staff, model_name, field_name, own, foreign):
    response = staff.get(
        reverse("admin:autocomplete"),
        {"app_label": "offices", "model_name": model_name, "field_name": field_name, "term": ""},
    )
    assert response.status_code == 200
    texts = [r["text"] for r in response.json()["results"]]
    assert own in texts and foreign not in texts


def test_autocomplete_and_search_find_deputies_by_pinyin_initials(world, staff):
    response = staff.get(
        reverse("admin:autocomplete"),
        {"app_label": "offices", "model_name": "teammembership", "field_name": "deputy", "term": "ls"},
    )
    assert [r["text"] for r in response.json()["results"]] == ["李四"]
    response = staff.get(
        reverse("admin:autocomplete"),
        {"app_label": "offices", "model_name": "teammembership", "field_name": "deputy", "term": "ww"},
    )
    assert response.json()["results"] == []


def test_search_and_filters_do_not_reach_another_district(world, staff):
    url = admin_url("deputy", "changelist")
    assert list(staff.get(url, {"q": "王五"}).context["cl"].result_list) == []
    assert list(staff.get(url, {"q": "13700137000"}).context["cl"].result_list) == []
    response = staff.get(url, {"district__id__exact": world.district_b.pk})
    assert world.deputy_c not in list(response.context["cl"].result_list)
    response = staff.get(admin_url("office", "changelist"), {"q": "田面"})
    assert list(response.context["cl"].result_list) == []


def test_city_staff_see_every_district(world, login_as):
    client = login_as(world.city_staff)
    response = client.get(admin_url("deputy", "changelist"))
    assert {d.name for d in response.context["cl"].result_list} >= {"张三", "李四", "王五"}


@pytest.mark.parametrize("persona", ["liaison", "deputy_a_user", "handler", "outsider"])
def test_liaisons_deputies_and_handlers_cannot_enter_the_admin(world, login_as, persona):
    client = login_as(getattr(world, persona))
    for url in (
        reverse("admin:index"),
        admin_url("deputy", "changelist"),
        admin_url("deputy", "change", world.deputy_a.pk),
        admin_url("office", "changelist"),
        admin_url("team", "changelist"),
        reverse("admin:liaison_user_changelist"),
        reverse("admin:autocomplete") + "?app_label=offices&model_name=team&field_name=office",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_org_staff_cannot_enter_the_accounts_and_security_parts(world, staff):
    for name in ("admin:liaison_user_changelist", "admin:liaison_roleassignment_changelist", "admin:liaison_auditlog_changelist"):
        assert staff.get(reverse(name)).status_code == 403, name


def test_team_members_are_inline_and_foreign_keys_use_autocomplete(world, staff):
    response = staff.get(admin_url("team", "change", world.team_a1.pk))
    [members] = [i for i in response.context["inline_admin_formsets"] if i.formset.model is TeamMembership]
    assert {f.instance.deputy_id for f in members.formset.initial_forms} == {world.deputy_a.pk, world.deputy_b.pk}
    body = response.content.decode()
    assert "admin-autocomplete" in body


def test_admin_refuses_a_second_fixed_community_for_a_district_deputy_000_1(world, staff):
    url = admin_url("deputy", "change", world.deputy_b.pk)
    data = form_data(staff.get(url))
    data["fixed_links-TOTAL_FORMS"] = int(data["fixed_links-TOTAL_FORMS"]) + 1
    n = data["fixed_links-TOTAL_FORMS"] - 1
    data[f"fixed_links-{n}-community"] = world.community_a2.pk
    data[f"fixed_links-{n}-deputy"] = world.deputy_b.pk
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "一个社区" in response.content.decode() or "exactly one community" in response.content.decode()
    assert FixedCommunity.objects.filter(deputy=world.deputy_b).count() == 1


def test_admin_refuses_a_deputy_without_fixed_community_000_1(world, staff):
    data = form_data(staff.get(admin_url("deputy", "add")))
    data.update(name="赵九", gender="M", mobile="13812345678", level="district", term="第七届", work_unit="某单位",
                district=world.district_a.pk, status="serving")
    response = staff.post(admin_url("deputy", "add"), data)
    assert response.status_code == 200
    assert not Deputy.objects.filter(name="赵九").exists()


def test_admin_saves_a_new_deputy_with_one_fixed_community(world, staff):
    data = form_data(staff.get(admin_url("deputy", "add")))
    data.update(name="赵九", gender="M", mobile="13812345678", level="district", term="第七届", work_unit="某单位",
                district=world.district_a.pk, status="serving")
    data["fixed_links-0-community"] = world.community_a2.pk
    response = staff.post(admin_url("deputy", "add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Deputy.objects.get(name="赵九").fixed_communities.get() == world.community_a2


def test_admin_refuses_two_leaders_and_a_silent_leader_swap_000_2(world, staff):
    url = admin_url("team", "change", world.team_a1.pk)
    data = form_data(staff.get(url))
    b_row = next(k.split("-")[1] for k, v in data.items() if k.endswith("-deputy") and v == world.deputy_b.pk)
    a_row = next(k.split("-")[1] for k, v in data.items() if k.endswith("-deputy") and v == world.deputy_a.pk)
    data[f"memberships-{b_row}-is_leader"] = "on"
    response = staff.post(url, data)
    assert response.status_code == 200 and "one leader" in str(response.context["errors"]) or "牵头人" in str(
        response.context["errors"]
    ) or "召集人" in str(response.context["errors"])
    del data[f"memberships-{a_row}-is_leader"]
    response = staff.post(url, data)
    assert response.status_code == 200 and response.context["errors"]
    assert TeamMembership.objects.get(team=world.team_a1, is_leader=True).deputy == world.deputy_a


def test_admin_refuses_a_team_member_fixed_elsewhere(world, staff):
    other = make_deputy("钱七", district=world.district_a, community=world.community_a2)
    url = admin_url("team", "change", world.team_a1.pk)
    data = form_data(staff.get(url))
    n = int(data["memberships-TOTAL_FORMS"])
    data["memberships-TOTAL_FORMS"] = n + 1
    data[f"memberships-{n}-deputy"] = other.pk
    data[f"memberships-{n}-team"] = world.team_a1.pk
    response = staff.post(url, data)
    assert response.status_code == 200 and response.context["errors"]
    assert not TeamMembership.objects.filter(deputy=other).exists()


def test_history_shows_who_changed_what(world, staff):
    url = admin_url("deputy", "change", world.deputy_b.pk)
    data = form_data(staff.get(url))
    data["position"] = "副主任"
    response = staff.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    body = staff.get(admin_url("deputy", "history", world.deputy_b.pk)).content.decode()
    assert world.district_staff.name in body or world.district_staff.username in body
    assert "副主任" in body and "主任" in body


def test_admin_leader_change_goes_through_the_service_000_2(world, staff):
    from offices.models import LeaderChange

    url = reverse("admin:offices_leaderchange_add")
    base = {"team": world.team_a1.pk, "date": "2026-11-01", "new_leader": world.deputy_b.pk, "reason": "工作调动", "_save": "Save"}
    response = staff.post(url, base)  # the members' agreement is missing
    assert response.status_code == 200 and response.context["errors"]
    assert TeamMembership.objects.get(team=world.team_a1, is_leader=True).deputy == world.deputy_a
    assert not LeaderChange.objects.exists()
    response = staff.post(url, {**base, "all_members_agreed": "on"})
    assert response.status_code == 302, response.context and response.context["errors"]
    assert TeamMembership.objects.get(team=world.team_a1, is_leader=True).deputy == world.deputy_b
    record = LeaderChange.objects.get()
    assert (record.old_leader, record.new_leader, record.filed_by) == (world.deputy_a, world.deputy_b, world.district_staff)


def test_admin_leader_change_cannot_pick_another_districts_team(world, staff):
    url = reverse("admin:offices_leaderchange_add")
    response = staff.post(url, {"team": world.team_b1.pk, "date": "2026-11-01", "new_leader": world.deputy_c.pk,
                                "reason": "x", "all_members_agreed": "on", "_save": "Save"})
    assert response.status_code == 200 and response.context["errors"]
    assert TeamMembership.objects.get(team=world.team_b1, is_leader=True).deputy == world.deputy_c


def test_district_staff_add_only_streets_and_communities(world, staff):
    form = staff.get(reverse("admin:offices_jurisdiction_add")).context["adminform"].form
    assert {c for c, _l in form.fields["level"].choices if c} == {"street", "community"}
    assert set(form.fields["parent"].queryset) == set(world.district_a.__class__.objects.filter(district=world.district_a))


def test_team_list_shows_leader_and_member_count_and_finds_teams_by_member(world, staff, django_assert_max_num_queries):
    url = admin_url("team", "changelist")
    with django_assert_max_num_queries(12):
        response = staff.get(url)
    [team] = response.context["cl"].result_list
    assert (team.leader_name, team.n_members) == ("张三", 2)
    assert [t.pk for t in staff.get(url, {"q": "ls"}).context["cl"].result_list] == [world.team_a1.pk]


def test_history_of_a_model_without_historical_records_falls_back_to_the_admin_log(world, staff):
    from offices.models import Contact

    contact = Contact.objects.create(deputy=world.deputy_b, name="居民甲")
    assert staff.get(admin_url("contact", "history", contact.pk)).status_code == 200
    other = Contact.objects.create(deputy=world.deputy_c, name="居民乙")
    assert staff.get(admin_url("contact", "history", other.pk)).status_code == 404


def test_deputy_list_shows_fixed_community_and_team_without_per_row_queries(world, login_as, django_assert_max_num_queries):
    client = login_as(world.city_staff)
    for i in range(10):
        make_deputy(f"测试{i}", district=world.district_a, community=world.community_a2)
    with django_assert_max_num_queries(16):
        response = client.get(admin_url("deputy", "changelist"))
    body = response.content.decode()
    assert "东和社区党代表团队（牵头人）" in body
    row = next(d for d in response.context["cl"].result_list if d.name == "测试0")
    assert response.context["cl"].model_admin.communities(row) == "中英街社区"


def test_office_page_reads_the_liaison_accounts_once_whatever_the_rows(world, staff):
    """The liaison rows' account selects share one read of the accounts (ChoicesReadOnce, issue
    10: one query per row before); each row still shows its own account selected."""
    from django.utils.html import escape

    from liaison.models import Role
    from offices.models import OfficeLiaison
    from tests.base import make_user

    def page():
        with CaptureQueriesContext(connection) as ctx:
            html = staff.get(admin_url("office", "change", world.office_a1.pk)).content.decode()
        ctx_more[:] = ctx.captured_queries
        return html, len(ctx.captured_queries)

    ctx_more = []
    page()  # warm: the content types and the permissions the page reads once per process
    _html, few = page()
    extra = [make_user(f"liaison_more_{i}", Role.LIAISON) for i in range(3)]
    for user in extra:
        OfficeLiaison.objects.create(office=world.office_a1, user=user, kind=OfficeLiaison.Kind.PART_TIME)
    html, more = page()
    assert more == few, "\n".join(q["sql"][:200] for q in ctx_more)
    rows = OfficeLiaison.objects.filter(office=world.office_a1).order_by("pk")
    for index, row in enumerate(rows):
        select = re.search(rf'<select[^>]*name="liaison_links-{index}-user"[^>]*>(.*?)</select>', html, re.S)
        assert select, f"no select for row {index}"
        assert re.findall(r'<option value="([^"]*)" selected>', select.group(1)) == [str(row.user_id)]
        # Labelled as the account's own str() (its name, else its username), read without instances.
        assert f'<option value="{row.user_id}" selected>{escape(str(row.user))}</option>' in select.group(1)
