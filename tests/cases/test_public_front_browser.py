"""The resident's journey in a real (phone-sized) browser (issue 12 items 1 and 5): open `/`, find
the office, leave an opinion with a photo and get the tracking code; then book a visit on one of
the office's open half-days. A deputy's QR poster leads to the same office with the deputy chosen."""

import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, PublicSubmission
from reception.work_plan_services import work_plan_create, work_plan_publish
from tests.cases.test_browser import MOBILE, pending_captcha_answer


@pytest.fixture
def photo_file(tmp_path):
    from PIL import Image

    path = tmp_path / "路灯.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), "orange").save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return path


def watch_csp(page):
    """Collect the page's CSP violations: the pages use no inline script or style."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def fill_resident(page, title):
    page.fill("input[name=name]", "刘女士")
    page.fill("input[name=mobile]", MOBILE)
    page.fill("input[name=title]", title)
    page.fill("textarea[name=content]", "东和路8号附近路灯坏了一个月，晚上很黑。")
    page.fill("input[name=captcha]", pending_captcha_answer(page))
    page.check("input[name=acknowledge]")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_resident_finds_the_office_from_the_front_door_and_leaves_an_opinion_with_a_photo(
    world, person, live_server, settings, tmp_path, photo_file
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_STAGING_ROOT = tmp_path / "staging"
    resident = person()  # 390 × 844, zh-CN
    csp = watch_csp(resident)
    resident.goto(f"{live_server.url}/")
    expect(resident.get_by_test_id("front-door")).to_be_visible()
    expect(resident.get_by_test_id("front-staff-login")).to_be_visible()
    assert fits_the_phone(resident)

    # 我要反映 → find the office by a deputy's name.
    resident.get_by_test_id("front-write").click()
    resident.fill("input[name=q]", "李四")
    resident.locator("[data-testid=office-search] button[type=submit]").click()
    card = resident.get_by_test_id("office-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("东和社区党代表工作室")
    expect(card.get_by_test_id("matched-deputies")).to_contain_text("李四")
    assert fits_the_phone(resident)
    card.get_by_role("link", name="在此留言反映").click()

    # The form: a wrong sum first — the text and the photo are kept.
    fill_resident(resident, "东和路路灯不亮")
    resident.fill("input[name=location]", "东和路8号路口")
    resident.set_input_files("input[name=photos]", str(photo_file))
    resident.fill("input[name=captcha]", "999")
    resident.get_by_test_id("submit").click()
    expect(resident.locator("input[name=title]")).to_have_value("东和路路灯不亮")
    expect(resident.get_by_test_id("kept-photos")).to_contain_text("路灯.jpg")
    resident.fill("input[name=captcha]", pending_captcha_answer(resident))
    resident.check("input[name=acknowledge]")
    resident.get_by_test_id("submit").click()

    code = resident.get_by_test_id("tracking-code").inner_text().strip()
    case = Case.objects.get(tracking_code=code)
    assert case.channel == "online" and case.reporter_mobile == MOBILE
    assert list(case.attachments.values_list("name", "content_type")) == [("路灯.jpg", "image/jpeg")]
    assert case.public_submission.location == "东和路8号路口"
    assert csp == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_resident_books_one_of_the_offices_open_half_days(world, person, live_server, settings, tmp_path):
    settings.PUBLIC_STAGING_ROOT = tmp_path / "staging"
    today = timezone.localdate()
    for year in {today.year, (today + datetime.timedelta(days=28)).year}:
        plan = work_plan_create(office=world.office_a1, year=year, goals="", opening=["2-pm", "4-am"],
                                opening_notes="", items=[{"month": 1, "kind": "reception", "title": "集中接待"}],
                                actor=world.liaison)
        work_plan_publish(plan=plan, actor=world.liaison)
    resident = person()
    csp = watch_csp(resident)
    resident.goto(f"{live_server.url}/")
    resident.get_by_test_id("front-book").click()
    resident.fill("input[name=q]", "东和")
    resident.locator("[data-testid=office-search] button[type=submit]").click()
    resident.get_by_test_id("office-card").get_by_role("link", name="工作室主页").click()
    expect(resident.get_by_test_id("office-hours")).to_contain_text("星期二 下午")
    resident.get_by_test_id("office-book").click()

    options = resident.locator("select[name=preferred_slot] option")
    labels = [t for t in options.all_inner_texts() if "—" not in t]
    assert labels and all(("星期二 下午" in t) or ("星期四 上午" in t) for t in labels)
    fill_resident(resident, "想当面反映加装电梯")
    resident.select_option("select[name=preferred_slot]", index=1)
    resident.get_by_test_id("submit").click()
    expect(resident.get_by_test_id("booked-slot")).to_contain_text(labels[0].split(" · ")[0])
    sub = PublicSubmission.objects.get()
    assert sub.kind == "appointment" and sub.preferred_date.isoweekday() in (2, 4)
    assert sub.preferred_half == ("pm" if sub.preferred_date.isoweekday() == 2 else "am")
    assert resident.get_by_test_id("tracking-code").inner_text().strip() == sub.case.tracking_code
    assert csp == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_deputys_poster_leads_the_resident_to_the_office_with_the_deputy_chosen(world, person, live_server):
    deputy = person("deputy_b")
    deputy.goto(f"{live_server.url}/")
    deputy.get_by_test_id("panel-posters").get_by_role("link").first.click()
    expect(deputy.get_by_test_id("poster-qr")).to_be_visible()
    url = deputy.get_by_test_id("poster-url").inner_text().strip()

    resident = person()
    resident.goto(url)
    expect(resident.get_by_test_id("chosen-deputy")).to_contain_text("李四")
    resident.get_by_test_id("office-write").click()
    expect(resident.locator("select[name=deputy]")).to_have_value(str(world.deputy_b.pk))
