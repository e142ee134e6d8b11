"""The public online office and case tracking: CAPTCHA, rate limits, PIPL notice, no enumeration
(SPEC §3, issue 4 item 6, [000 十七])."""

import datetime
import io
import os
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, Category, PublicSubmission
from cases.privacy_notice import NOTICE_VERSION
from liaison.lib import captcha
from liaison.lib.ratelimit import parse_rate, rate_hit

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def form_data(client, office, kind="write", **over):
    """Open the form (which starts a CAPTCHA) and build a valid POST, solving the CAPTCHA with the
    answer the server keeps in the session — the CAPTCHA itself is not weakened for tests."""
    page = client.get(reverse(f"public:{kind}", args=[office.pk]))
    assert page.status_code == 200
    data = {
        "name": "刘女士", "mobile": MOBILE, "address": "东和路8号", "category": Category.objects.filter(is_active=True).first().pk,
        "title": "小区路灯不亮", "content": "东和路8号附近路灯坏了一个月", "captcha": client.session[captcha.SESSION_KEY]["a"],
        "acknowledge": "on",
    }
    slots = page.context["form"].fields.get("preferred_slot")
    if slots is not None and len(slots.widget.choices) > 1:
        data["preferred_slot"] = slots.widget.choices[1][0]  # [0] is the "choose" prompt
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, office, kind="write", **over):
    return client.post(reverse(f"public:{kind}", args=[office.pk]), form_data(client, office, kind, **over))


def test_resident_leaves_an_opinion_and_gets_a_tracking_code_000_17(world, client):
    r = submit(client, world.office_a1)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    case = Case.objects.get()
    assert case.channel == "online" and case.reporter_mobile == MOBILE and case.office == world.office_a1
    done = client.get(r["Location"])
    assert case.tracking_code in done.content.decode()
    assert len(case.tracking_code) >= 12
    # The code is shown once.
    assert client.get(reverse("public:done")).status_code == 302


def test_pipl_acknowledgement_is_required_and_its_version_stored(world, client):
    page = client.get(reverse("public:write", args=[world.office_a1.pk])).content.decode()
    assert f'data-notice-version="{NOTICE_VERSION}"' in page and 'name="acknowledge"' in page
    r = submit(client, world.office_a1, acknowledge=None)
    assert r.status_code == 200 and "acknowledge" in r.context["form"].errors
    assert not Case.objects.exists()
    assert r.context["form"]["title"].value() == "小区路灯不亮"  # nothing typed is lost
    assert submit(client, world.office_a1).status_code == 302
    assert PublicSubmission.objects.get().notice_version == NOTICE_VERSION


def test_captcha_is_required_and_single_use(world, client):
    r = submit(client, world.office_a1, captcha="999")
    assert r.status_code == 200 and "captcha" in r.context["form"].errors
    assert r.context["form"]["content"].value() == "东和路8号附近路灯坏了一个月"
    assert not Case.objects.exists()
    data = form_data(client, world.office_a1)
    url = reverse("public:write", args=[world.office_a1.pk])
    assert client.post(url, data).status_code == 302
    # Replaying the same solved POST fails: the challenge was consumed.
    again = client.post(url, data)
    assert again.status_code == 200 and "captcha" in again.context["form"].errors
    assert Case.objects.count() == 1
    # No CAPTCHA in the session at all (a scripted client that never loaded the form).
    fresh = type(client)()
    r = fresh.post(url, {**data})
    assert r.status_code == 200 and Case.objects.count() == 1


def test_captcha_is_distorted_characters_not_a_sum(world, client):
    """Issue 11 item 9: a script solved the old "a + b" picture; the challenge is now five characters
    of an alphabet without look-alikes, drawn warped on noise by our own view."""
    from PIL import Image

    answers = set()
    for _i in range(20):
        client.get(reverse("public:write", args=[world.office_a1.pk]))
        answers.add(client.session[captcha.SESSION_KEY]["a"])
    assert all(len(a) == captcha.LENGTH and set(a) <= set(captcha.ALPHABET) for a in answers)
    assert any(not a.isdigit() for a in answers) and len(answers) > 15
    assert not set("0O1IL2Z5S8B") & set(captcha.ALPHABET)
    page = client.get(reverse("public:write", args=[world.office_a1.pk])).content.decode()
    answer = client.session[captcha.SESSION_KEY]["a"]
    assert answer not in page and f'src="{reverse("public:captcha")}"' in page
    r = client.get(reverse("public:captcha"))
    assert r["Content-Type"] == "image/png" and "no-cache" in r["Cache-Control"]
    picture = Image.open(io.BytesIO(r.content))
    assert picture.size == (captcha.WIDTH, captcha.HEIGHT)
    assert len(picture.convert("RGB").getcolors(maxcolors=100_000)) > 100  # noise and warping, not flat text


def test_captcha_picture_is_drawn_once_per_challenge(world, client):
    """Fetching the picture again gives the same bytes, so a script cannot average many renderings
    of one answer; ?new=1 (the "New picture" link) starts another challenge."""
    client.get(reverse("public:write", args=[world.office_a1.pk]))
    answer = client.session[captcha.SESSION_KEY]["a"]
    first = client.get(reverse("public:captcha")).content
    assert client.get(reverse("public:captcha")).content == first
    assert client.session[captcha.SESSION_KEY]["a"] == answer
    fresh = client.get(reverse("public:captcha") + "?new=1").content
    assert fresh != first and client.session[captcha.SESSION_KEY]["a"] != answer
    assert captcha.captcha_check(client.session, answer) is False


def test_captcha_answer_ignores_case_spaces_and_full_width_letters(world, client):
    """Typed on a phone: lower case, a stray space or a Chinese input method's full-width letters."""
    for typed in (str.lower, lambda a: f" {a[:2]} {a[2:]} ", lambda a: a.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})):
        client.get(reverse("public:write", args=[world.office_a1.pk]))
        answer = client.session[captcha.SESSION_KEY]["a"]
        assert captcha.captcha_check(client.session, typed(answer)) is True


def test_captcha_expires_after_ten_minutes(world, client):
    import time_machine

    with time_machine.travel("2026-11-20 10:00 +0800", tick=False) as traveller:
        data = form_data(client, world.office_a1)
        traveller.shift(datetime.timedelta(minutes=11))
        r = client.post(reverse("public:write", args=[world.office_a1.pk]), data)
    assert r.status_code == 200 and "captcha" in r.context["form"].errors and not Case.objects.exists()
    assert r.context["form"]["content"].value() == "东和路8号附近路灯坏了一个月"


def test_new_picture_works_without_javascript_and_keeps_what_was_typed(world, client):
    """"New picture" is a submit button: without JavaScript it posts the form, which comes back
    with what was typed, no error, no case, and a new challenge (static/js/captcha.js swaps only
    the picture when scripts run)."""
    url = reverse("public:write", args=[world.office_a1.pk])
    data = form_data(client, world.office_a1)
    old = data["captcha"]
    r = client.post(url, {**data, "captcha_refresh": "1"})
    assert r.status_code == 200 and not Case.objects.exists()
    form = r.context["form"]
    assert not form.is_bound and form["title"].value() == "小区路灯不亮" and form["mobile"].value() == MOBILE
    html = r.content.decode()
    assert "东和路8号附近路灯坏了一个月" in html and 'name="captcha_refresh"' in html and "js/captcha" in html
    assert "is-invalid" not in html
    assert client.session[captcha.SESSION_KEY]["a"] != old
    # The new challenge is solvable at once.
    assert client.post(url, {**data, "captcha": client.session[captcha.SESSION_KEY]["a"]}).status_code == 302


def test_office_page_shows_next_reception_and_deputies_without_phones(world, client):
    import datetime

    from django.utils import timezone

    from reception.models import ReceptionPeriod

    today = timezone.localdate()
    period = ReceptionPeriod.objects.create(
        district=world.district_a, key="t", start=today + datetime.timedelta(days=3), end=today + datetime.timedelta(days=9)
    )
    page = client.get(reverse("public:office", args=[world.office_a1.pk])).content.decode()
    assert period.start.strftime("%Y-%m-%d") in page and "张三" in page
    assert "13800138000" not in page  # deputies' phones are not public


def _track(client, code, mobile, ip="10.0.0.1"):
    return client.post(reverse("public:track"), {"code": code, "mobile": mobile}, REMOTE_ADDR=ip)


def _strip_csrf(html):
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_tracking_with_wrong_phone_or_code_reveals_nothing_and_answers_identically(world, client):
    submit(client, world.office_a1)
    case = Case.objects.get()
    with CaptureQueriesContext(connection) as q_phone:
        wrong_phone = _track(client, case.tracking_code, "13700000000")
    with CaptureQueriesContext(connection) as q_code:
        wrong_code = _track(client, "ZZZZZZZZZZZZ", MOBILE)
    assert wrong_phone.status_code == wrong_code.status_code == 200
    # Same page (the typed values aside), same message, same database work.
    a = _strip_csrf(wrong_phone.content.decode()).replace(case.tracking_code, "X").replace("13700000000", "P")
    b = _strip_csrf(wrong_code.content.decode()).replace("ZZZZZZZZZZZZ", "X").replace(MOBILE, "P")
    assert a == b
    assert len(q_phone.captured_queries) == len(q_code.captured_queries)
    assert case.title not in a
    ok = _track(client, case.tracking_code.lower(), "139 1234 5678")
    html = ok.content.decode()
    assert case.title in html and "139****5678" in html and MOBILE not in html
    assert "刘女士" not in html and "东和路8号" not in html  # the page repeats no personal data


def test_tracking_shows_public_progress_only(world, client):
    from cases.models import CaseEvent

    submit(client, world.office_a1, title="<script>alert(1)</script>", content="=HYPERLINK(\"http://x\")")
    case = Case.objects.get()
    html = _track(client, case.tracking_code, MOBILE).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    for e in CaseEvent.objects.filter(case=case):
        if e.comment:
            assert e.comment not in html
        if e.actor_repr:
            assert e.actor_repr not in html


def test_tracking_is_rate_limited_per_ip_with_a_clear_message(world, client, settings):
    settings.RATE_LIMITS = {"public_track_ip": "3/h"}
    for _i in range(3):
        assert _track(client, "AAAAAAAAAAAA", MOBILE).status_code == 200
    r = _track(client, "AAAAAAAAAAAA", MOBILE)
    assert r.status_code == 429 and r.context["form"]["code"].value() == "AAAAAAAAAAAA"
    assert r.context["form"].non_field_errors()
    assert _track(client, "AAAAAAAAAAAA", MOBILE, ip="10.0.0.2").status_code == 200  # other IPs unaffected


def test_tracking_is_rate_limited_per_phone_across_ips(world, client, settings):
    settings.RATE_LIMITS = {"public_track_phone": "2/h"}
    assert _track(client, "AAAAAAAAAAAA", MOBILE, ip="10.0.0.1").status_code == 200
    assert _track(client, "BBBBBBBBBBBB", MOBILE, ip="10.0.0.2").status_code == 200
    assert _track(client, "CCCCCCCCCCCC", MOBILE, ip="10.0.0.3").status_code == 429
    assert _track(client, "CCCCCCCCCCCC", "13600000000", ip="10.0.0.3").status_code == 200


def test_tracking_limit_per_phone_counts_every_way_of_writing_the_number(world, client, settings):
    """Issue 11 item 3: the lookup normalizes the number, so the counter must too — otherwise
    +86…, spaces, an 86 prefix or full-width digits each got ten fresh tries."""
    settings.RATE_LIMITS = {"public_track_phone": "3/h"}
    spellings = ["+8613912345678", "139 1234 5678", "86 13912345678", "１３９１２３４５６７８", "0086-139-1234-5678"]
    answers = [_track(client, f"AAAAAAAAAAA{i}", phone, ip=f"10.0.0.{i}").status_code for i, phone in enumerate(spellings)]
    assert answers == [200, 200, 200, 429, 429]
    assert _track(client, "AAAAAAAAAAA9", "13600000000", ip="10.0.0.9").status_code == 200


def test_a_tracking_code_is_limited_across_phones_and_addresses(world, client, settings):
    """Issue 11 item 3: a leaked code may not be tried with phone after phone from address after
    address; the count is per code (however it is typed), whatever the phone and the address."""
    submit(client, world.office_a1)
    case = Case.objects.get()
    settings.RATE_LIMITS = {"public_track_code": "3/h"}
    code = case.tracking_code
    for i, (typed, phone) in enumerate([(code, "13700000001"), (code.lower(), "13700000002"), (f" {code} ", "13700000003")]):
        r = _track(client, typed, phone, ip=f"10.1.0.{i}")
        assert r.status_code == 200 and case.title not in r.content.decode()
    r = _track(client, code, MOBILE, ip="10.1.0.9")  # even the right phone, once the code is used up
    assert r.status_code == 429 and case.title not in r.content.decode() and r.context["form"].non_field_errors()
    assert _track(client, "BBBBBBBBBBBB", MOBILE, ip="10.1.0.9").status_code == 200  # other codes unaffected


def test_submissions_per_phone_count_every_way_of_writing_the_number(world, client, settings):
    settings.RATE_LIMITS = {"public_submit_phone": "1/d"}
    assert submit(client, world.office_a1, mobile="13912345678").status_code == 302
    for spelling in ("+86 139 1234 5678", "86 13912345678", "13９12345678"):
        r = submit(client, world.office_a1, mobile=spelling)
        assert r.status_code == 429, spelling
    assert Case.objects.count() == 1


def test_submissions_are_rate_limited_per_ip_and_per_phone(world, client, settings):
    settings.RATE_LIMITS = {"public_submit_ip": "2/h", "public_submit_phone": "1/d"}
    assert submit(client, world.office_a1).status_code == 302
    r = submit(client, world.office_a1)  # same phone again
    assert r.status_code == 429 and Case.objects.count() == 1
    assert r.context["form"]["title"].value() == "小区路灯不亮"
    r = submit(client, world.office_a1, mobile="13600000000")  # third POST from this IP
    assert r.status_code == 429 and Case.objects.count() == 1


def test_rate_limiter_counts_per_window():
    assert parse_rate("5/h") == (5, 3600) and parse_rate("30/10m") == (30, 600)
    results = [rate_hit(scope="t", ident="a", rate="2/m", now=120.0).allowed for _i in range(3)]
    assert results == [True, True, False]
    assert rate_hit(scope="t", ident="a", rate="2/m", now=180.0).allowed  # next window
    assert rate_hit(scope="t", ident="b", rate="2/m", now=120.0).allowed  # another identity


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_rate_limiter_works_on_redis(settings):
    # Overriding CACHES resets Django's cache handler, so the limiter's `cache` is Redis here.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
    from django.core.cache import caches

    assert "Redis" in type(caches["default"]).__name__
    ident = uuid.uuid4().hex
    results = [rate_hit(scope="redis-test", ident=ident, rate="1/m", now=60.0).allowed for _i in range(2)]
    assert results == [True, False]


def test_public_pages_need_no_login_and_search_offices(world, client):
    r = client.get(reverse("public:offices"), {"q": "东和"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "东和社区党代表工作室" in html and "田面社区党代表工作室" not in html
    assert client.get(reverse("public:offices"), {"q": "盐田"}).content.decode().count('data-testid="office-card"') == 2
    assert client.get(reverse("public:office", args=[99999])).status_code == 404


def test_office_list_queries_are_bounded(world, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get(reverse("public:offices"))


def _png():
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (30, 40), "red").save(buf, format="PNG")
    return buf.getvalue()


def test_office_page_shows_deputies_photos_and_serves_no_other(world, client, settings, tmp_path):
    """Photo, unit and position are public fields of the deputies at an office (SPEC §1, §5)."""
    from django.core.files.base import ContentFile

    from offices.models import Deputy

    settings.MEDIA_ROOT = tmp_path
    world.deputy_a.photo.save("a.png", ContentFile(_png()))
    world.deputy_c.photo.save("c.png", ContentFile(_png()))
    url = reverse("public:deputy_photo", args=[world.office_a1.pk, world.deputy_a.pk])
    page = client.get(reverse("public:office", args=[world.office_a1.pk])).content.decode()
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    # Deputy C serves at another office; deputy B has no photo; a resigned deputy is not public.
    assert client.get(reverse("public:deputy_photo", args=[world.office_a1.pk, world.deputy_c.pk])).status_code == 404
    assert client.get(reverse("public:deputy_photo", args=[world.office_a1.pk, world.deputy_b.pk])).status_code == 404
    Deputy.objects.filter(pk=world.deputy_a.pk).update(status=Deputy.Status.RESIGNED)
    assert client.get(url).status_code == 404
