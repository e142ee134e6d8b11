"""The year-end review 回头看 published as a bulletin 通报 [000 七] (SPEC §3: "per responsible unit —
cases received, replied on time, solved, satisfaction rate — published as a bulletin and exported
to Excel")."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.bulletin_services import bulletin_publish
from cases.models import ReviewBulletin
from liaison.lib.append_only import AppendOnlyError
from liaison.models import AuditLog, Notice

from . import journey

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def dispatched_to_a(world, *, replied=True):
    case = journey.dispatch(world, journey.forward(world, journey.assign(world, journey.register(world))))
    return journey.reply(world, case) if replied else case


def dispatched_to_b(world, title="路灯不亮"):
    case = journey.register(world, actor=world.other_liaison, office=world.office_b1, received_by=[world.deputy_c],
                            title=title)
    services.case_assign(case=case, owner=world.deputy_c, actor=world.other_staff)
    case = services.case_forward(case=case, actor=world.other_liaison)
    return services.case_dispatch(case=case, units=[world.unit_b], deadline=timezone.localdate(), actor=world.other_staff)


@pytest.fixture
def figures(world):
    dispatched_to_a(world)
    dispatched_to_a(world, replied=False)
    dispatched_to_b(world)
    return world


def publish(world, user=None, district="a", **extra):
    districts = {"a": world.district_a, "b": world.district_b, None: None}
    return bulletin_publish(user=user or world.city_staff, year=YEAR, district=districts[district],
                            title=extra.pop("title", "回头看情况通报"), **extra)


def test_review_is_published_as_a_bulletin_with_the_year_figures_000_7(figures):
    world = figures
    bulletin = publish(world, user=world.district_staff, foreword="请各单位对照整改。")
    assert (bulletin.district, bulletin.scope, bulletin.revision) == (world.district_a, str(world.district_a.pk), 1)
    [row] = bulletin.rows  # district A's bulletin: unit A only
    assert (row["name"], row["received"], row["replied"], row["solved"]) == ("盐田区住房和建设局", 2, 1, 1)
    # The handler of the unit in the bulletin is told; the other unit's handler is not.
    assert Notice.objects.filter(user=world.handler, url=reverse("case_reports:bulletin_detail", args=[bulletin.pk])).exists()
    assert not Notice.objects.filter(user=world.other_handler).exists()
    assert AuditLog.objects.filter(action="review_bulletin_published", object_id=str(bulletin.pk)).exists()
    city = publish(world, district=None)
    assert sorted(r["name"] for r in city.rows) == ["盐田区住房和建设局", "福田区城市管理局"]


def test_a_published_bulletin_keeps_its_figures_when_cases_move_on_000_7(figures):
    world = figures
    bulletin = publish(world)
    dispatched_to_a(world)  # a later dispatch in the same year
    bulletin.refresh_from_db()
    assert bulletin.rows[0]["received"] == 2
    with pytest.raises(AppendOnlyError):
        bulletin.title = "改过的标题"
        bulletin.save()
    with pytest.raises(AppendOnlyError):
        ReviewBulletin.objects.filter(pk=bulletin.pk).update(title="x")
    with pytest.raises(AppendOnlyError):
        bulletin.delete()
    # A correction is the next revision of the same year and scope; the first stays as it was.
    revised = publish(world)
    assert (revised.revision, revised.rows[0]["received"]) == (2, 3)
    assert ReviewBulletin.objects.get(pk=bulletin.pk).rows[0]["received"] == 2


def test_district_staff_publish_only_for_their_district_and_others_not_at_all(figures):
    world = figures
    with pytest.raises(ValidationError):
        publish(world, user=world.district_staff, district="b")
    with pytest.raises(ValidationError):
        publish(world, user=world.district_staff, district=None)
    for user in (world.liaison, world.deputy_a_user, world.handler):
        with pytest.raises(ValidationError):
            publish(world, user=user)
    assert not ReviewBulletin.objects.exists()


def test_a_year_without_dispatches_has_nothing_to_publish(world):
    with pytest.raises(ValidationError, match="nothing to publish|没有可通报"):
        publish(world)


def test_readers_see_city_wide_bulletins_and_their_own_district_only(figures, client):
    world = figures
    a, b, city = publish(world, district="a"), publish(world, district="b"), publish(world, district=None)
    readable = {
        world.city_staff: {a, b, city},
        world.district_staff: {a, city},
        world.other_staff: {b, city},
        world.liaison: {a, city},
        world.other_liaison: {b, city},
        world.deputy_a_user: {a, city},
        world.deputy_c_user: {b, city},
        world.handler: {a, city},
        world.other_handler: {b, city},
    }
    for user, expected in readable.items():
        client.force_login(user)
        body = client.get(reverse("case_reports:bulletin_list")).content.decode()
        for bulletin in (a, b, city):
            url = reverse("case_reports:bulletin_detail", args=[bulletin.pk])
            status = client.get(url).status_code
            if bulletin in expected:
                assert status == 200 and f'data-bulletin="{bulletin.pk}"' in body, (user, bulletin.scope)
            else:
                assert status == 404 and f'data-bulletin="{bulletin.pk}"' not in body, (user, bulletin.scope)


def test_roles_outside_the_portal_work_cannot_read_or_publish_bulletins(figures, client):
    world = figures
    bulletin = publish(world, district=None)
    for user in (world.outsider,):
        client.force_login(user)
        assert client.get(reverse("case_reports:bulletin_list")).status_code == 403
        assert client.get(reverse("case_reports:bulletin_detail", args=[bulletin.pk])).status_code == 403
    for user in (world.liaison, world.deputy_a_user, world.handler):
        client.force_login(user)
        assert client.get(reverse("case_reports:bulletin_new")).status_code == 403
        assert client.post(reverse("case_reports:bulletin_new"), {"year": YEAR, "title": "x"}).status_code == 403
    client.logout()
    assert client.get(reverse("case_reports:bulletin_list")).status_code == 302


def test_publishing_from_the_page_previews_then_publishes(figures, client):
    world = figures
    client.force_login(world.district_staff)
    page = client.get(reverse("case_reports:bulletin_new") + f"?year={YEAR}")
    body = page.content.decode()
    assert "盐田区住房和建设局" in body and "福田区城市管理局" not in body
    response = client.post(reverse("case_reports:bulletin_new"), {
        "year": YEAR, "district": str(world.district_a.pk), "title": "<script>alert(1)</script>通报",
        "foreword": "<b>请整改</b>",
    })
    bulletin = ReviewBulletin.objects.get()
    assert response.status_code == 302 and response.url == reverse("case_reports:bulletin_detail", args=[bulletin.pk])
    body = client.get(response.url).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;通报" in body
    assert "<b>请整改</b>" not in body and "&lt;b&gt;请整改&lt;/b&gt;" in body


def test_bad_publish_input_gets_a_message_and_keeps_what_was_typed(figures, client):
    world = figures
    client.force_login(world.district_staff)
    response = client.post(reverse("case_reports:bulletin_new"), {
        "year": "1900", "district": str(world.district_b.pk), "title": "", "foreword": "我的前言",
    })
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"year", "district", "title"}
    assert "我的前言" in response.content.decode()
    assert not ReviewBulletin.objects.exists()
    # A year with nothing dispatched: the service's refusal comes back as a form message.
    response = client.post(reverse("case_reports:bulletin_new"), {
        "year": YEAR - 5, "district": str(world.district_a.pk), "title": "通报",
    })
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not ReviewBulletin.objects.exists()


def test_a_superseded_revision_points_to_the_latest(figures, client):
    world = figures
    first, second = publish(world), publish(world)
    client.force_login(world.handler)
    body = client.get(reverse("case_reports:bulletin_detail", args=[first.pk])).content.decode()
    assert reverse("case_reports:bulletin_detail", args=[second.pk]) in body
    body = client.get(reverse("case_reports:bulletin_detail", args=[second.pk])).content.decode()
    assert reverse("case_reports:bulletin_detail", args=[first.pk]) not in body


def test_bulletin_pages_keep_a_bounded_number_of_queries(figures, client, django_assert_max_num_queries):
    world = figures

    def measure(user):
        client.force_login(user)
        bulletin = ReviewBulletin.objects.latest("pk")
        with django_assert_max_num_queries(12):
            assert client.get(reverse("case_reports:bulletin_list")).status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get(reverse("case_reports:bulletin_detail", args=[bulletin.pk])).status_code == 200
        with django_assert_max_num_queries(14):
            if user.role == "staff":
                assert client.get(reverse("case_reports:bulletin_new")).status_code == 200

    publish(world, district=None)
    for user in (world.city_staff, world.deputy_a_user, world.handler):
        measure(user)
    # Many more cases, bulletins and units: the same bounds hold.
    from offices.models import Unit

    for i in range(15):
        unit = Unit.objects.create(name=f"单位{i}", jurisdiction=world.district_a)
        case = journey.forward(world, journey.assign(world, journey.register(world)))
        journey.dispatch(world, case, units=[unit])
        publish(world, district=None)
    for user in (world.city_staff, world.deputy_a_user, world.handler):
        measure(user)
