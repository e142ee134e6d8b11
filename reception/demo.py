"""Demo activities and attendance for seed_demo, walked through the real services so that the
attendance outcomes, the points, the leave and invitation queues and the escalation list are the
real thing. Each community office gets: the last ended reception period's reception logged with
attendance (absentees get their make-up reminder when the period is closed), a household visit,
and an announced upcoming reception with a pending leave request and a pending invitation. Every
community office but the last gets a yearly work plan for the current year, published on time
[004 第十条]; the last one has none, so the staff status list shows a gap."""

import datetime

from django.utils import timezone

from . import activity_services as svc
from . import work_plan_services
from .models import Activity, ReceptionPeriod
from .period_services import reception_periods_generate

# At city scale only this many offices get demo activities: enough to browse, quick to build.
CITY_SCALE_OFFICES = 30


def seed(*, org, scale, rng):
    today = timezone.localdate()
    reception_periods_generate(year=org["year"], districts=org["districts"])
    # A year ahead, as the monthly job keeps it, so homes show the next reception week.
    reception_periods_generate(year=org["year"] + 1, districts=org["districts"])
    liaisons = dict(zip([o.pk for o in org["offices"]], org["liaisons"], strict=False))
    teams = org["teams"] if scale == "demo" else org["teams"][:CITY_SCALE_OFFICES]
    closed = set()
    for team in teams:
        office = team.office
        liaison = liaisons.get(office.pk)
        members = list(team.members.all())
        if liaison is None or not members:
            continue
        _seed_office(office, liaison, members, today, rng, closed)
    _seed_work_plans(org, liaisons, teams)


def _seed_office(office, liaison, members, today, rng, closed):
    past = (
        ReceptionPeriod.objects.filter(district_id=office.district_id, end__lt=today).order_by("-start").first()
    )
    if past is not None:
        reception = svc.activity_plan(
            office=office, kind=Activity.Kind.RECEPTION, title="接待周集中接待", date=past.start + datetime.timedelta(days=2),
            slot=Activity.Slot.MORNING, deputies=members, actor=liaison, plan_notes="驻点接待群众，收集社情民意。",
        )
        present = [d for d in members if rng.random() < 0.8]
        svc.activity_log(
            activity=reception, attended={d.pk: d in present for d in members}, actor=liaison,
            notes=f"接待群众{rng.randint(5, 30)}人次，收集意见{rng.randint(1, 8)}条。", today=today,
        )
        if past.pk not in closed:
            closed.add(past.pk)
            svc.period_close(period=past)

    visit_day = today - datetime.timedelta(days=rng.randint(3, 20))
    visitor = rng.choice(members)
    households = rng.randint(2, 8)
    visit = svc.activity_plan(
        office=office, kind=Activity.Kind.HOUSEHOLD_VISIT, title="走访困难家庭", date=visit_day,
        slot=Activity.Slot.AFTERNOON, deputies=[visitor], actor=liaison, households=households,
    )
    svc.activity_log(
        activity=visit, attended={visitor.pk: True}, households=households, actor=liaison,
        notes="了解住房和就业困难，登记诉求。", today=today,
    )

    upcoming = svc.activity_plan(
        office=office, kind=Activity.Kind.RECEPTION, title="党代表集中接待日", date=today + datetime.timedelta(days=10),
        slot=Activity.Slot.AFTERNOON, deputies=members, actor=liaison,
    )
    svc.activity_announce(activity=upcoming, actor=liaison, today=today)
    if len(members) > 1:
        absent = members[-1]
        if absent.user_id:
            svc.leave_request_file(
                deputy=absent, activity=upcoming, reason="单位安排外出学习，无法参加。", actor=absent.user, today=today
            )
    leader = members[0]
    if leader.user_id:
        svc.invitation_request(
            deputy=leader, activity=upcoming, department="区住房和建设局", problem="老旧小区加装电梯审批进度慢，居民反映强烈。",
            actor=leader.user, today=today,
        )
    svc.activity_plan(
        office=office, kind=Activity.Kind.PARTY_LECTURE, title="社区党课", date=today + datetime.timedelta(days=20),
        slot=Activity.Slot.MORNING, deputies=members[:1], actor=liaison,
    )


PLAN_ITEMS = [
    (Activity.Kind.RECEPTION, "接待周集中接待", "每月接待周安排党代表驻点接待群众"),
    (Activity.Kind.HOUSEHOLD_VISIT, "走访困难家庭", ""),
    (Activity.Kind.PARTY_LECTURE, "社区党课", ""),
    (Activity.Kind.COUNCIL, "社区议事会", "围绕老旧小区改造听取居民意见"),
    (Activity.Kind.VISIT_ENTERPRISE, "走访辖区企业", ""),
]


def _seed_work_plans(org, liaisons, teams):
    year = org["year"]
    # Published in time for the year: the Monday of the week before 24 December of the year before.
    published = timezone.make_aware(datetime.datetime(year - 1, 12, 18, 10, 0))
    for team in teams[:-1]:
        office = team.office
        liaison = liaisons.get(office.pk)
        if liaison is None:
            continue
        members = [d.pk for d in team.members.all()]
        items = []
        for month in range(1, 13):
            kind, title, notes = PLAN_ITEMS[month % len(PLAN_ITEMS)]
            items.append({"month": month, "kind": Activity.Kind.RECEPTION, "title": "接待周集中接待", "place": office.address,
                          "deputies": members, "participants": "", "notes": "每月接待周安排党代表驻点接待群众"})
            if kind != Activity.Kind.RECEPTION:
                items.append({"month": month, "kind": kind, "title": title, "place": "", "deputies": members[:1],
                              "participants": "社区居民代表", "notes": notes})
        plan = work_plan_services.work_plan_create(
            office=office, year=year, goals="落实党代表进社区联系群众制度，每月至少开展一次集中接待。", opening=["3-pm", "6-am"],
            opening_notes="14:30–17:30；周六 9:00–12:00", items=items, actor=liaison,
        )
        work_plan_services.work_plan_publish(plan=plan, actor=liaison, now=published)
