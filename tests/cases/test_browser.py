"""Issue 4 "Done when": one case in a real browser, from a resident's online booking to the archive
(SPEC §3, the six steps of [003], the 领办 meeting of [000 九]). Each step is made by the role that
owns it, in its own browser context and its own login; the resident then sees 已归档 on the
tracking page with the code and the phone."""

import datetime
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, MeetingAssignment, Status
from liaison.lib import captcha
from reception.models import ReceptionPeriod

MOBILE = "13912345678"



def pending_captcha_answer(page):
    """The answer the server keeps in the resident's session — read the way tests/cases/
    test_public.py does, so the CAPTCHA itself is not weakened for the test."""
    cookie = next(c for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME)
    store = import_module(django_settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    return store[captcha.SESSION_KEY]["a"]


def open_case(page, url, case):
    page.goto(f"{url}/cases/{case.pk}/")
    expect(page.get_by_test_id("status")).to_be_visible()


def make_move(page, action):
    page.locator(f"[data-testid=moves] a[data-move={action}]").click()
    page.wait_for_load_state()


def submit(page):
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_residents_booking_walks_to_the_archive_each_step_by_its_own_role_003(
    world, person, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.PUBLIC_BASE_URL = live_server.url  # the links in the resident's SMS
    today = timezone.localdate()
    ReceptionPeriod.objects.create(district=world.district_a, key="test", start=today, end=today + datetime.timedelta(days=13))
    url = live_server.url

    # 0. The resident books a visit at the office's next reception, on the public page.
    resident = person()
    resident.goto(f"{url}/office/{world.office_a1.pk}/book/")
    resident.fill("input[name=name]", "刘女士")
    resident.fill("input[name=mobile]", MOBILE)
    resident.fill("input[name=address]", "东和路8号3栋201")
    resident.fill("input[name=title]", "小区加装电梯")
    resident.fill("textarea[name=content]", "3栋老人多，希望加装电梯，想当面反映。")
    resident.fill("input[name=captcha]", pending_captcha_answer(resident))
    resident.check("input[name=acknowledge]")
    resident.get_by_test_id("submit").click()
    code = resident.get_by_test_id("tracking-code").inner_text().strip()
    case = Case.objects.get(tracking_code=code)
    assert case.status == Status.REGISTERED and case.reporter_mobile == MOBILE

    # 1. Reception: the liaison finds the booking on the office desk and records who received it.
    liaison = person("liaison")
    liaison.goto(f"{url}/cases/desk/")
    liaison.get_by_role("link", name="小区加装电梯").click()
    expect(liaison.get_by_test_id("mobile")).to_have_text(MOBILE)  # the liaison handles it: unmasked
    liaison.get_by_role("link", name="记录接待").click()
    liaison.check(f"input[name=received_by][value='{world.deputy_a.pk}']")
    liaison.check(f"input[name=received_by][value='{world.deputy_b.pk}']")
    submit(liaison)
    expect(liaison.get_by_test_id("timeline")).to_contain_text("张三")

    # 2. The team meeting 领办: the leader gives the case one owner from the team.
    leader = person("deputy_a")
    leader.goto(f"{url}/cases/")
    leader.get_by_role("link", name="团队领办会议").first.click()
    expect(leader.get_by_test_id("meeting-cases")).to_contain_text("小区加装电梯")
    leader.select_option(f"select[name=owner_{case.pk}]", str(world.deputy_b.pk))
    leader.fill("textarea[name=notes]", "集体商议，李四领办")
    submit(leader)
    expect(leader.get_by_test_id("assignments")).to_contain_text("李四")
    assert MeetingAssignment.objects.get(case=case).owner == world.deputy_b

    # 3. The owner forwards it to the organization department.
    owner = person("deputy_b")
    owner.goto(f"{url}/cases/")
    owner.get_by_role("link", name="小区加装电梯").click()
    make_move(owner, "forward")
    owner.fill("textarea[name=comment]", "请组织部交办住建局")
    submit(owner)
    expect(owner.get_by_test_id("status")).to_have_text("已报送")

    # 4. Staff dispatch it to the housing bureau with a deadline.
    staff = person("district_staff")
    staff.goto(f"{url}/cases/to-dispatch/")
    staff.get_by_role("link", name="小区加装电梯").click()
    make_move(staff, "dispatch")
    staff.check(f"input[name=units][value='{world.unit_a.pk}']")
    staff.fill("input[name=deadline]", (today + datetime.timedelta(days=15)).isoformat())
    submit(staff)
    expect(staff.get_by_test_id("status")).to_have_text("已交办")

    # 5. The unit's handler replies from the inbox.
    unit = person("handler")
    unit.goto(f"{url}/cases/inbox/")
    unit.get_by_test_id("inbox").get_by_role("link", name="答复").click()
    unit.check("input[name=result][value=solved]")
    unit.fill("textarea[name=reply]", "已纳入加装电梯计划并完成审批。")
    submit(unit)
    expect(unit.get_by_test_id("status")).to_have_text("已答复")
    expect(unit.get_by_test_id("mobile")).to_have_text("139****5678")  # a unit sees it masked

    # 6. The resident rates the answer through the link of the reply SMS; the owner tells them the result.
    from liaison.models import SmsMessage

    resident.goto(SmsMessage.objects.get(phone=MOBILE, template="case_answer_rate").params["url"])
    resident.get_by_label("非常满意").check()
    resident.locator("main form button[type=submit]").click()
    expect(resident.get_by_test_id("rate-thanks")).to_contain_text("非常满意")
    open_case(owner, url, case)
    make_move(owner, "feedback")
    owner.fill("textarea[name=note]", "已电话告知刘女士审批结果，群众非常满意。")
    submit(owner)
    expect(owner.get_by_test_id("status")).to_have_text("已反馈")

    # 7. The liaison archives it.
    open_case(liaison, url, case)
    make_move(liaison, "archive")
    submit(liaison)
    expect(liaison.get_by_test_id("status")).to_have_text("已归档")

    case.refresh_from_db()
    assert case.status == Status.ARCHIVED and case.satisfaction == "very" and case.owner == world.deputy_b
    assert list(case.events.exclude(action="receive").values_list("to_status", flat=True)) == [
        "registered", "assigned", "forwarded", "dispatched", "replied", "replied", "fed_back", "archived"
    ]
    actors = dict(case.events.values_list("action", "actor__username"))
    assert actors == {
        "register": None, "receive": "liaison", "assign": "deputy_a", "forward": "deputy_b",
        "dispatch": "district_staff", "reply": "handler", "rate": None, "feedback": "deputy_b", "archive": "liaison",
    }

    # 8. The resident tracks it with the code and the phone: archived.
    resident.goto(f"{url}/office/track/")
    resident.fill("input[name=code]", code)
    resident.fill("input[name=mobile]", MOBILE)
    resident.locator("main form button[type=submit]").click()
    expect(resident.get_by_test_id("track-status")).to_have_text("已归档")
    # The unit's actual reply, never the deputy's own feedback note.
    expect(resident.get_by_test_id("track-result")).to_contain_text("已纳入加装电梯计划并完成审批")
    expect(resident.get_by_test_id("track-result")).not_to_contain_text("已电话告知刘女士审批结果")
