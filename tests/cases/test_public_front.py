"""The resident's side of the online office (issue 12 items 1 and 5): the front door at `/`, finding
an office or a deputy, photos and a location on the form, and booking only the office's real open
half-days [004 第十条] (SPEC §3, §5, [003] 公布, [000 十七])."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, CaseAttachment, PublicSubmission
from cases.public_services import public_submit
from offices.models import Deputy, TeamMembership
from reception.models import StatutoryHoliday
from reception.work_plan_services import work_plan_create, work_plan_publish
from tests.base import make_deputy
from tests.cases import journey
from tests.cases.test_public import MOBILE, form_data

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 1 March 2027: the booking window runs from Tuesday 2 to Monday 29 March.
MONDAY = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _clear_cache_and_staging(settings, tmp_path):
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_STAGING_ROOT = tmp_path / "staging"
    yield
    cache.clear()


def publish_opening(world, office, year, opening, notes=""):
    plan = work_plan_create(
        office=office, year=year, goals="", opening=opening, opening_notes=notes,
        items=[{"month": 3, "kind": "reception", "title": "集中接待"}], actor=world.liaison,
    )
    work_plan_publish(plan=plan, actor=world.liaison)
    return plan


def png(name="photo.png", size=(30, 40)):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


# ---------------------------------------------------------------- 1. the front door


def test_front_door_at_root_offers_the_three_errands_and_the_search_to_anonymous_visitors(world, client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="front-door"' in html
    for testid in ("front-write", "front-book", "front-track", "office-search", "front-staff-login"):
        assert f'data-testid="{testid}"' in html
    assert reverse("login") in html and reverse("public:track") in html
    assert "我要反映" in html and "我要预约" in html and "查询办理进度" in html
    assert "盐田区" in html  # the district filter


@pytest.mark.parametrize("persona", ["city_staff", "liaison", "deputy_a_user", "handler"])
def test_signed_in_users_keep_their_role_home_at_root(world, client, persona):
    client.force_login(getattr(world, persona))
    html = client.get("/").content.decode()
    assert 'data-testid="home-panels"' in html and 'data-testid="front-door"' not in html


def test_front_door_is_complete_in_english(world, client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "I want to raise something" in html and "Find my office or deputy" in html and "Staff login" in html


def test_front_door_queries_are_bounded(world, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get("/").status_code == 200


# ---------------------------------------------------------------- finding an office or a deputy


def test_offices_are_found_by_deputy_name_and_pinyin_initials(world, client):
    html = client.get(reverse("public:offices"), {"q": "李四"}).content.decode()
    assert "东和社区党代表工作室" in html and "田面社区党代表工作室" not in html
    assert 'data-testid="matched-deputies"' in html
    html = client.get(reverse("public:offices"), {"q": "ww"}).content.decode()  # 王五
    assert "田面社区党代表工作室" in html and "东和社区党代表工作室" not in html
    # A resigned deputy no longer leads residents to the office.
    Deputy.objects.filter(pk=world.deputy_c.pk).update(status=Deputy.Status.RESIGNED)
    assert "田面社区党代表工作室" not in client.get(reverse("public:offices"), {"q": "王五"}).content.decode()


def test_offices_are_found_by_street_and_narrowed_to_a_district(world, client):
    html = client.get(reverse("public:offices"), {"q": "沙头角"}).content.decode()
    assert html.count('data-testid="office-card"') == 2
    html = client.get(reverse("public:offices"), {"district": world.district_b.pk}).content.decode()
    assert html.count('data-testid="office-card"') == 1 and "田面社区党代表工作室" in html
    assert client.get(reverse("public:offices"), {"district": "x"}).status_code == 200  # ignored


def test_office_search_intent_links_straight_to_the_form(world, client):
    html = client.get(reverse("public:offices"), {"q": "东和", "intent": "write"}).content.decode()
    assert reverse("public:write", args=[world.office_a1.pk]) in html
    html = client.get(reverse("public:offices"), {"q": "东和", "intent": "book"}).content.decode()
    assert reverse("public:book", args=[world.office_a1.pk]) in html
    html = client.get(reverse("public:offices"), {"q": "东和", "intent": "<x>"}).content.decode()
    assert reverse("public:write", args=[world.office_a1.pk]) not in html


def test_office_search_is_paginated_with_bounded_queries(world, client, django_assert_max_num_queries):
    from offices.models import Office, Team

    for i in range(25):
        office = Office.objects.create(name=f"测试工作室{i:02d}", jurisdiction=world.community_a1)
        deputy = make_deputy(f"测试代表{i:02d}", district=world.district_a, community=world.community_a1)
        TeamMembership.objects.create(team=Team.objects.create(name=f"团队{i}", office=office), deputy=deputy)
    with django_assert_max_num_queries(6):
        r = client.get(reverse("public:offices"), {"q": "测试"})
    assert r.context["page"].paginator.count == 25 and len(r.context["rows"]) == 20
    assert all(row["deputies"] for row in r.context["rows"])
    assert 'page=2' in r.content.decode() and "q=%E6%B5%8B%E8%AF%95" in r.content.decode()


# ---------------------------------------------------------------- the office page


def test_office_page_states_hours_once_with_a_tappable_phone(world, client):
    office = world.office_a1
    office.public_phone = "0755 2555 1234"
    office.open_hours = "每周三下午"
    office.save()
    html = client.get(reverse("public:office", args=[office.pk])).content.decode()
    assert 'href="tel:075525551234"' in html
    assert html.count("每周三下午") == 1  # the office's own text while no plan fixes the opening
    publish_opening(world, office, datetime.date.today().year, ["3-pm", "6-am"], notes="14:30–17:30")
    html = client.get(reverse("public:office", args=[office.pk])).content.decode()
    hours = html.split('data-testid="office-hours"')[1].split("</li>")[0]
    assert "星期三 下午" in hours and "星期六 上午" in hours and "14:30–17:30" in hours
    assert html.count("星期三 下午") == 1 and "每周三下午" not in html


def test_office_page_without_hours_asks_for_a_call_only_when_it_gives_a_phone(world, client):
    office = world.office_a1
    html = client.get(reverse("public:office", args=[office.pk])).content.decode()
    hours = html.split('data-testid="office-hours"')[1].split("</li>")[0]
    assert "尚未公布" in hours and "致电" not in hours and 'href="tel:' not in html
    office.public_phone = "0755-2555 1234"
    office.save()
    html = client.get(reverse("public:office", args=[office.pk])).content.decode()
    hours = html.split('data-testid="office-hours"')[1].split("</li>")[0]
    assert "请致电工作室" in hours and 'href="tel:0755-25551234"' in html


def test_office_page_preselects_a_deputy_of_that_office_only(world, client):
    url = reverse("public:office", args=[world.office_a1.pk])
    r = client.get(url, {"deputy": world.deputy_b.pk})
    assert r.context["chosen"]["pk"] == world.deputy_b.pk
    html = r.content.decode()
    assert f"{reverse('public:write', args=[world.office_a1.pk])}?deputy={world.deputy_b.pk}" in html
    # Another office's deputy, a resigned one or nonsense: the office page without a choice.
    for value in (world.deputy_c.pk, "abc", "", 99999):
        r = client.get(url, {"deputy": value})
        assert r.status_code == 200 and r.context["chosen"] is None
    Deputy.objects.filter(pk=world.deputy_b.pk).update(status=Deputy.Status.RESIGNED)
    assert client.get(url, {"deputy": world.deputy_b.pk}).context["chosen"] is None


def test_office_page_queries_are_bounded(world, client, django_assert_max_num_queries):
    publish_opening(world, world.office_a1, datetime.date.today().year, ["3-pm"])
    with django_assert_max_num_queries(9):
        assert client.get(reverse("public:office", args=[world.office_a1.pk]), {"deputy": world.deputy_a.pk}).status_code == 200


# ---------------------------------------------------------------- the deputy addressed


def test_form_preselects_the_deputy_from_the_query_and_records_them(world, client):
    url = reverse("public:write", args=[world.office_a1.pk])
    form = client.get(url, {"deputy": world.deputy_b.pk}).context["form"]
    assert form["deputy"].value() == world.deputy_b.pk
    assert client.get(url, {"deputy": world.deputy_c.pk}).context["form"]["deputy"].value() is None
    data = form_data(client, world.office_a1, deputy=world.deputy_b.pk)
    assert client.post(url, data).status_code == 302
    assert PublicSubmission.objects.get().deputy == world.deputy_b


def test_a_deputy_of_another_office_is_refused_and_nothing_typed_is_lost(world, client):
    url = reverse("public:write", args=[world.office_a1.pk])
    r = client.post(url, form_data(client, world.office_a1, deputy=world.deputy_c.pk))
    assert r.status_code == 200 and "deputy" in r.context["form"].errors
    assert r.context["form"]["title"].value() == "小区路灯不亮" and not Case.objects.exists()
    with pytest.raises(Exception, match="does not serve|不在"):
        public_submit(office=world.office_a1, kind="opinion", category=journey.category(), title="t", content="c",
                      mobile=MOBILE, deputy=world.deputy_c)


# ---------------------------------------------------------------- photos and location


def test_opinion_takes_several_photos_and_a_location(world, client):
    url = reverse("public:write", args=[world.office_a1.pk])
    data = form_data(client, world.office_a1, location="东和路8号路口")
    data["photos"] = [png("a.png"), png("b.png")]
    r = client.post(url, data)
    assert r.status_code == 302, r.context["form"].errors
    case = Case.objects.get()
    assert sorted(case.attachments.values_list("name", flat=True)) == ["a.png", "b.png"]
    assert set(case.attachments.values_list("content_type", flat=True)) == {"image/png"}
    assert PublicSubmission.objects.get().location == "东和路8号路口"
    assert "2" in client.get(r["Location"]).content.decode()
    # Staff handling the case see where and whom.
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 302  # residents: not there
    client.force_login(world.liaison)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "东和路8号路口" in html


def test_a_file_that_is_not_a_photo_is_refused_by_its_content_with_its_name(world, client):
    url = reverse("public:write", args=[world.office_a1.pk])
    data = form_data(client, world.office_a1)
    data["photos"] = [SimpleUploadedFile("fake.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg"),
                      SimpleUploadedFile("doc.pdf", b"%PDF-1.4 a pdf", content_type="application/pdf")]
    r = client.post(url, data)
    assert r.status_code == 200 and not Case.objects.exists()
    errors = " ".join(r.context["form"].errors["photos"])
    assert "fake.jpg" in errors and "doc.pdf" in errors
    assert r.context["form"]["content"].value() == "东和路8号附近路灯坏了一个月"


def test_too_many_or_too_large_photos_get_a_clear_message(world, client, settings):
    settings.PUBLIC_PHOTOS_MAX = 2
    settings.PUBLIC_PHOTO_MAX_BYTES = 2000
    url = reverse("public:write", args=[world.office_a1.pk])
    data = form_data(client, world.office_a1)
    data["photos"] = [png("a.png"), png("b.png"), png("c.png")]
    r = client.post(url, data)
    assert r.status_code == 200 and not Case.objects.exists()
    message = " ".join(r.context["form"].errors["photos"])
    assert "2" in message and "c.png" in message
    # The two that fit are kept for the next try.
    assert [i["name"] for i in r.context["form"].staged] == ["a.png", "b.png"]
    data = form_data(client, world.office_a1)
    data["photos"] = [png("big.png", size=(600, 600))]
    r = client.post(url, data)
    message = " ".join(r.context["form"].errors["photos"])
    assert "big.png" in message and "MB" in message


def test_photos_survive_a_wrong_captcha_and_can_be_left_out(world, client):
    url = reverse("public:write", args=[world.office_a1.pk])
    data = form_data(client, world.office_a1, captcha="999")
    data["photos"] = [png("a.png"), png("b.png")]
    r = client.post(url, data)
    assert r.status_code == 200 and "captcha" in r.context["form"].errors
    html = r.content.decode()
    assert 'data-testid="kept-photos"' in html and "a.png" in html and "b.png" in html
    staged = r.context["form"].staged
    assert [i["name"] for i in staged] == ["a.png", "b.png"]
    # Next try, with the new picture's answer: the resident unticks b.png and adds c.png.
    data["captcha"] = client.session["captcha"]["a"]
    data["keep_photos"] = [staged[0]["token"]]
    data["photos"] = [png("c.png")]
    assert client.post(url, data).status_code == 302
    assert sorted(CaseAttachment.objects.values_list("name", flat=True)) == ["a.png", "c.png"]
    assert "public_photos" not in client.session


def test_staged_photos_belong_to_one_session_and_a_forged_token_is_ignored(world, client, settings):
    import os

    url = reverse("public:write", args=[world.office_a1.pk])
    data = form_data(client, world.office_a1, captcha="999")
    data["photos"] = [png("mine.png")]
    token = client.post(url, data).context["form"].staged[0]["token"]
    assert os.path.exists(settings.PUBLIC_STAGING_ROOT / token)
    other = type(client)()
    data = form_data(other, world.office_a1)
    data["keep_photos"] = [token]
    r = other.post(url, data)
    assert r.status_code == 302 and not CaseAttachment.objects.exists()
    # Opening a fresh form forgets (and deletes) the first session's photos.
    client.get(url)
    assert not os.path.exists(settings.PUBLIC_STAGING_ROOT / token)


def test_service_refuses_photos_beyond_the_limit_or_not_images(world, settings):
    from django.core.exceptions import ValidationError

    settings.PUBLIC_PHOTOS_MAX = 1
    kwargs = {"office": world.office_a1, "kind": "opinion", "category": journey.category(), "title": "t",
              "content": "c", "mobile": MOBILE}
    with pytest.raises(ValidationError):
        public_submit(photos=[png("a.png"), png("b.png")], **kwargs)
    with pytest.raises(ValidationError):
        public_submit(photos=[SimpleUploadedFile("x.png", b"GIF89a", content_type="image/png")], **kwargs)
    assert not Case.objects.exists()


# ---------------------------------------------------------------- booking an open half-day [004 第十条]


def slot_values(client, office):
    form = client.get(reverse("public:book", args=[office.pk])).context["form"]
    return [v for v, _label in form.fields["preferred_slot"].widget.choices if v]


def test_booking_offers_only_the_offices_open_half_days_skipping_holidays_004_10(world, client):
    with time_machine.travel(MONDAY, tick=False):
        publish_opening(world, world.office_a1, 2027, ["3-pm", "6-am"])
        StatutoryHoliday.objects.create(date=datetime.date(2027, 3, 10), name="测试假日")
        values = slot_values(client, world.office_a1)
    assert values == [
        "2027-03-03-pm", "2027-03-06-am", "2027-03-13-am", "2027-03-17-pm", "2027-03-20-am", "2027-03-24-pm",
        "2027-03-27-am",
    ]
    # No Sunday, no Monday, nothing today, nothing after four weeks.
    assert not any(datetime.date.fromisoformat(v[:10]).isoweekday() in (1, 7) for v in values)


def test_booking_excludes_today_and_past_half_days(world, client):
    with time_machine.travel(MONDAY, tick=False):
        publish_opening(world, world.office_a1, 2027, ["1-pm", "2-am"])
        values = slot_values(client, world.office_a1)
    assert values[0] == "2027-03-02-am" and "2027-03-01-pm" not in values
    assert values[-1] == "2027-03-29-pm"


def test_last_years_opening_stays_in_force_until_the_new_plan(world, client):
    with time_machine.travel(datetime.datetime(2026, 12, 28, 9, tzinfo=SHANGHAI), tick=False):
        publish_opening(world, world.office_a1, 2026, ["5-am"])
        values = slot_values(client, world.office_a1)
    assert "2027-01-08-am" in values and "2027-01-01-am" in values


def test_booking_an_offered_half_day_records_it_and_the_reception_week(world, client):
    from reception.models import ReceptionPeriod

    with time_machine.travel(MONDAY, tick=False):
        publish_opening(world, world.office_a1, 2027, ["3-pm", "6-am"])
        period = ReceptionPeriod.objects.create(district=world.district_a, key="t", start=datetime.date(2027, 3, 15),
                                                end=datetime.date(2027, 3, 28))
        page = client.get(reverse("public:book", args=[world.office_a1.pk]))
        labels = dict(page.context["form"].fields["preferred_slot"].widget.choices)
        assert "接待周" in str(labels["2027-03-17-pm"]) and "接待周" not in str(labels["2027-03-03-pm"])
        r = client.post(reverse("public:book", args=[world.office_a1.pk]),
                        form_data(client, world.office_a1, kind="book", preferred_slot="2027-03-17-pm"))
        assert r.status_code == 302
        done = client.get(r["Location"]).content.decode()
    sub = PublicSubmission.objects.get()
    assert (sub.preferred_date, sub.preferred_half, sub.reception_period) == (datetime.date(2027, 3, 17), "pm", period)
    assert "2027-03-17" in done


@pytest.mark.parametrize(
    "value, reason",
    [
        ("2027-03-04-pm", "不开放"),  # a Thursday: not in the weekly opening
        ("2027-03-07-am", "不开放"),  # a Sunday
        ("2027-03-10-pm", "测试假日"),  # a Wednesday, but a statutory holiday
        ("2027-03-01-pm", "太近"),  # today
        ("2027-02-24-pm", "太近"),  # past
        ("2027-04-28-pm", "太远"),  # beyond the window
        ("nonsense", "请从列出的"),
    ],
)
def test_a_booking_for_a_half_day_the_office_is_not_open_is_refused_with_a_clear_message(world, client, value, reason):
    with time_machine.travel(MONDAY, tick=False):
        publish_opening(world, world.office_a1, 2027, ["3-pm", "6-am"])
        StatutoryHoliday.objects.create(date=datetime.date(2027, 3, 10), name="测试假日")
        r = client.post(reverse("public:book", args=[world.office_a1.pk]),
                        form_data(client, world.office_a1, kind="book", preferred_slot=value))
    assert r.status_code == 200 and not Case.objects.exists()
    message = " ".join(r.context["form"].errors["preferred_slot"])
    assert reason in message, message
    assert r.context["form"]["title"].value() == "小区路灯不亮"


def test_service_refuses_a_closed_half_day_whatever_the_form_offered(world):
    from django.core.exceptions import ValidationError

    kwargs = {"office": world.office_a1, "kind": "appointment", "category": journey.category(), "title": "t",
              "content": "c", "mobile": MOBILE}
    with time_machine.travel(MONDAY, tick=False):
        publish_opening(world, world.office_a1, 2027, ["3-pm"])
        with pytest.raises(ValidationError, match="不开放|not open"):
            public_submit(preferred_date=datetime.date(2027, 3, 4), preferred_half="pm", **kwargs)
        with pytest.raises(ValidationError):  # a day is required once the office offers some
            public_submit(**kwargs)
        case = public_submit(preferred_date=datetime.date(2027, 3, 3), preferred_half="pm", **kwargs)
    assert case.public_submission.preferred_half == "pm"


def test_without_a_published_opening_a_booking_asks_for_a_call_back(world, client):
    page = client.get(reverse("public:book", args=[world.office_a1.pk]))
    assert "preferred_slot" not in page.context["form"].fields
    assert 'data-testid="booking-help"' in page.content.decode()
    assert client.post(reverse("public:book", args=[world.office_a1.pk]),
                       form_data(client, world.office_a1, kind="book")).status_code == 302
    assert PublicSubmission.objects.get().preferred_date is None


def test_booking_form_queries_are_bounded(world, client, django_assert_max_num_queries):
    publish_opening(world, world.office_a1, datetime.date.today().year, ["1-am", "3-pm", "5-pm"])
    with django_assert_max_num_queries(11):
        assert client.get(reverse("public:book", args=[world.office_a1.pk])).status_code == 200



def test_a_closed_office_has_no_public_pages(world, client):
    world.office_a2.is_active = False
    world.office_a2.save()
    for name in ("public:office", "public:write", "public:book"):
        assert client.get(reverse(name, args=[world.office_a2.pk])).status_code == 404
    assert "中英街社区党代表工作室" not in client.get(reverse("public:offices"), {"q": "中英街"}).content.decode()


def test_submitting_with_photos_does_a_bounded_amount_of_work(world, client, django_assert_max_num_queries):
    url = reverse("public:write", args=[world.office_a1.pk])
    data = form_data(client, world.office_a1)
    data["photos"] = [png("a.png"), png("b.png"), png("c.png")]
    # One insert per photo, and photos are capped (PUBLIC_PHOTOS_MAX): 16 + 3 here, plus the
    # intake SMS with the tracking code (its outbox row and the resident-message row, in a savepoint).
    with django_assert_max_num_queries(23):
        assert client.post(url, data).status_code == 302
