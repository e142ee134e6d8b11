"""Building blocks for case tests, reusable by other test modules (the end-to-end journey that
starts with a resident's online booking uses them too)."""

import datetime

from django.utils import timezone

from cases import services
from cases.models import Category, Channel, Satisfaction


def category(name="住房"):
    return Category.objects.get(name=name)


def register(world, *, actor=None, office=None, received_by=None, **extra):
    """A case registered at office A1's reception by its liaison, received by deputies A and B."""
    fields = {
        "office": office or world.office_a1,
        "channel": Channel.RECEPTION,
        "category": category(),
        "title": "楼道灯坏了",
        "content": "3栋2单元楼道灯坏了一个月，老人夜里出行不便。",
        "reporter_name": "刘阿姨",
        "reporter_mobile": "13612345678",
        "reporter_address": "东和路8号3栋201",
        "received_by": [world.deputy_a, world.deputy_b] if received_by is None else received_by,
        "actor": actor or world.liaison,
    }
    fields.update(extra)
    return services.case_register(**fields)


def assign(world, case, owner=None):
    owner = owner or world.deputy_b
    services.team_meeting_record(
        team=world.team_a1, date=timezone.localdate(), attendees=[world.deputy_a, world.deputy_b],
        notes="逐件商议", assignments=[(case, owner)], actor=world.deputy_a_user,
    )
    case.refresh_from_db()
    return case


def forward(world, case):
    return services.case_forward(case=case, actor=world.liaison)


def dispatch(world, case, *, units=None, days=10, actor=None):
    return services.case_dispatch(
        case=case, units=units or [world.unit_a], deadline=timezone.localdate() + datetime.timedelta(days=days),
        actor=actor or world.district_staff,
    )


def reply(world, case, *, actor=None, result="solved"):
    return services.case_reply(case=case, result=result, reply="已更换灯泡", actor=actor or world.handler)


def rate(case, satisfaction=Satisfaction.VERY, *, comment=""):
    """The resident rates the answer through the link of their SMS."""
    from cases.models import CaseRating
    from cases.resident_services import case_rate, rating_token

    rating = CaseRating.objects.get(case=case, round=case.dispatch_round)
    return case_rate(token=rating_token(rating), satisfaction=satisfaction, comment=comment)


def feedback(world, case, *, satisfaction=Satisfaction.VERY, actor=None):
    """The resident rates the answer (`satisfaction`; None: not yet), then the owner (or liaison)
    tells them the result."""
    from cases.models import Status

    owner_user = case.owner.user if case.owner_id else None
    actor = actor or owner_user or world.liaison
    if case.status == Status.ANSWERED:
        # Answered on the spot: the rating link goes out with the feedback.
        case = services.case_feedback(case=case, note="已当面告知", actor=actor)
        if satisfaction:
            rate(case, satisfaction)
            case.refresh_from_db()
        return case
    if satisfaction:
        rate(case, satisfaction)
    return services.case_feedback(case=case, note="已电话告知结果", actor=actor)


def archive(world, case, *, actor=None):
    return services.case_archive(case=case, actor=actor or world.district_staff)


def through(world, case, step):
    """Walk a case forward to the named status."""
    steps = [("assigned", assign), ("forwarded", forward), ("dispatched", dispatch), ("replied", reply),
             ("fed_back", feedback), ("archived", archive)]
    for status, func in steps:
        case = func(world, case)
        if status == step:
            break
    return case
