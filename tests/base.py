"""Personas and a small organization every test can stand on.

    city staff · district staff (district A) · staff of district B
    a liaison of office A1 · deputies A (team leader) and B in team A1 · a deputy in district B
    a unit handler of a district-A unit · another unit's handler · an outsider with no role
"""

import re
import threading
from types import SimpleNamespace

from liaison.models import Role, User
from offices.models import Deputy, FixedCommunity, Jurisdiction, Office, OfficeLiaison, Team, TeamMembership, Unit

PASSWORD = "Persona-pass-2026"

# A real 2 × 2 PNG: uploads must open as pictures (liaison.lib.uploads).
PNG = b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x02\x08\x02\x00\x00\x00\xfd\xd4\x9as\x00\x00\x00\x16IDATx\x9cc\xfc\xcf\xc0\xc0\xc0\xc0\xc0\xc4\xc0\xc0\xc0\xc0\xc0\x00\x00\r\x1d\x01\x03j\xc2\x9b\xe9\x00\x00\x00\x00IEND\xaeB`\x82'


def make_user(username, role="", **extra):
    user = User(username=username, name=extra.pop("name", username), role=role, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_deputy(name, *, district, community, level=Deputy.Level.DISTRICT, user=None, **extra):
    deputy = Deputy.objects.create(
        name=name,
        gender=extra.pop("gender", Deputy.Gender.FEMALE),
        mobile=extra.pop("mobile", "13800138000"),
        level=level,
        term="第七届",
        work_unit=extra.pop("work_unit", "某街道办事处"),
        position=extra.pop("position", "主任"),
        district=district,
        user=user,
        **extra,
    )
    FixedCommunity.objects.create(deputy=deputy, community=community)
    return deputy


def build_world():
    J = Jurisdiction.Level
    city = Jurisdiction.objects.create(name="深圳市", level=J.CITY)
    district_a = Jurisdiction.objects.create(name="盐田区", level=J.DISTRICT, parent=city)
    street_a = Jurisdiction.objects.create(name="沙头角街道", level=J.STREET, parent=district_a)
    community_a1 = Jurisdiction.objects.create(name="东和社区", level=J.COMMUNITY, parent=street_a)
    community_a2 = Jurisdiction.objects.create(name="中英街社区", level=J.COMMUNITY, parent=street_a)
    district_b = Jurisdiction.objects.create(name="福田区", level=J.DISTRICT, parent=city)
    street_b = Jurisdiction.objects.create(name="华富街道", level=J.STREET, parent=district_b)
    community_b1 = Jurisdiction.objects.create(name="田面社区", level=J.COMMUNITY, parent=street_b)
    new_district = Jurisdiction.objects.create(name="大鹏新区", level=J.NEW_DISTRICT, parent=city)
    street_n = Jurisdiction.objects.create(name="葵涌街道", level=J.STREET, parent=new_district)
    community_n1 = Jurisdiction.objects.create(name="葵新社区", level=J.COMMUNITY, parent=street_n)
    community_n2 = Jurisdiction.objects.create(name="三溪社区", level=J.COMMUNITY, parent=street_n)

    office_a1 = Office.objects.create(name="东和社区党代表工作室", jurisdiction=community_a1, area_m2=40, address="东和路1号")
    office_a2 = Office.objects.create(name="中英街社区党代表工作室", jurisdiction=community_a2, area_m2=15)
    office_b1 = Office.objects.create(name="田面社区党代表工作室", jurisdiction=community_b1, area_m2=30)

    unit_a = Unit.objects.create(name="盐田区住房和建设局", jurisdiction=district_a)
    unit_b = Unit.objects.create(name="福田区城市管理局", jurisdiction=district_b)

    city_staff = make_user("city_staff", Role.ORG_STAFF, jurisdiction=city, name="市委组织部 王")
    district_staff = make_user("district_staff", Role.ORG_STAFF, jurisdiction=district_a, name="盐田区组织部 李")
    other_staff = make_user("other_staff", Role.ORG_STAFF, jurisdiction=district_b, name="福田区组织部 赵")
    liaison = make_user("liaison", Role.LIAISON, name="联络员 陈")
    OfficeLiaison.objects.create(office=office_a1, user=liaison, kind=OfficeLiaison.Kind.FULL_TIME)
    other_liaison = make_user("other_liaison", Role.LIAISON, name="联络员 周")
    OfficeLiaison.objects.create(office=office_b1, user=other_liaison, kind=OfficeLiaison.Kind.FULL_TIME)

    deputy_a_user = make_user("deputy_a", Role.DEPUTY, name="张三")
    deputy_b_user = make_user("deputy_b", Role.DEPUTY, name="李四")
    deputy_c_user = make_user("deputy_c", Role.DEPUTY, name="王五")
    deputy_a = make_deputy("张三", district=district_a, community=community_a1, level=Deputy.Level.CITY, user=deputy_a_user)
    deputy_b = make_deputy("李四", district=district_a, community=community_a1, user=deputy_b_user, mobile="13900139000")
    deputy_c = make_deputy("王五", district=district_b, community=community_b1, user=deputy_c_user, mobile="13700137000")
    team_a1 = Team.objects.create(name="东和社区党代表团队", office=office_a1)
    TeamMembership.objects.create(team=team_a1, deputy=deputy_a, is_leader=True)
    TeamMembership.objects.create(team=team_a1, deputy=deputy_b)
    team_b1 = Team.objects.create(name="田面社区党代表团队", office=office_b1)
    TeamMembership.objects.create(team=team_b1, deputy=deputy_c, is_leader=True)

    handler = make_user("handler", Role.UNIT_HANDLER, unit=unit_a, name="住建局 孙")
    other_handler = make_user("other_handler", Role.UNIT_HANDLER, unit=unit_b, name="城管局 钱")
    outsider = make_user("outsider", "", name="路人")

    return SimpleNamespace(**{k: v for k, v in locals().items() if k != "J"})


def run_at_once(*calls):
    """Run the callables in threads released together (a barrier), each on its own database
    connection, and return their outcomes in call order: the return value, or the exception it
    raised. For the tests that two concurrent writers cannot both succeed (PostgreSQL).

    Celery keeps "a task is running eagerly here, joining a result would block" in one process-wide
    flag (celery._state), set and restored around each eager task: two threads running eager
    tasks at once can leave it set when they finish in the wrong order, and every later
    `AsyncResult.get()` of the test process then raises "Never call result.get() within a task!"
    (the reminder worker tests failed so after the concurrent replies of test_unit_figures). The
    flag is put back as it was before the threads."""
    from celery._state import _set_task_join_will_block, task_join_will_block
    from django.db import connections

    join_will_block = task_join_will_block()
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _set_task_join_will_block(join_will_block)
    return outcomes


def sms_code_sent_to(phone):
    """The privacy code as the resident's phone receives it: the outbox row keeps only ******, so
    the test delivers the row the way the worker does, to an in-memory phone."""
    from liaison.lib import sms
    from liaison.lib.sms import locmem
    from liaison.models import SmsMessage

    message = SmsMessage.objects.filter(phone=phone, template="privacy_code").order_by("-id").first()
    assert message is not None, f"no code in the outbox for {phone}"
    assert re.search(r"\d{6}", message.text) is None and message.params["code"] == "******"
    if message.status == SmsMessage.Status.QUEUED:
        sms.sms_deliver(message, backend=locmem.LocmemBackend())
    [delivery] = [d for d in locmem.sent if d.pk == message.pk]
    return delivery.params["code"]


def wait_for_export(client, status_url, worker, *, seconds=180):
    """Poll an export job's status page while a real worker runs it; the finished state."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = client.get(status_url).json()
        if state["status"] in ("done", "failed"):
            break
        assert worker.poll() is None, worker.output()
        time.sleep(0.5)
    assert state["status"] == "done", (state, worker.output())
    return state


def page_statements(ctx):
    """The statements of a request captured by CaptureQueriesContext, as bench/pages.py counts
    them in the sweep (transaction control included), less the session's read: the tests keep
    sessions in the database, a deployment in Redis (REDIS_URL), where reading one is no SQL."""
    return [q["sql"] for q in ctx.captured_queries if '"django_session"' not in q["sql"]]


def admin_changelist_urls():
    """The change list of every model registered on the admin site, sorted."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    urls = []
    for model in admin.site._registry:
        try:
            urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
        except NoReverseMatch:
            continue
    return sorted(urls)
