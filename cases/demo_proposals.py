"""Demo proposals, motions with co-signers and inquiry events, built through the services so the
timelines and points are the real thing. cases.demo.seed calls seed(org=..., scale=..., rng=...)."""

import datetime

from django.utils import timezone

from offices.models import Deputy

from . import proposal_services as services
from .models import Evaluation, Inquiry, ProposalKind

TOPICS = [
    ("关于加快老旧小区加装电梯的提议", "多个小区居民反映老人上下楼困难，建议简化加装电梯审批流程并给予补贴。"),
    ("关于增设社区公共停车位的提议", "社区停车难问题突出，建议利用边角地块建设立体停车场。"),
    ("关于改善学校周边交通秩序的提案", "上下学高峰拥堵严重，建议增设护学岗和临时停车区。"),
    ("关于加强社区养老服务的提案", "建议在每个社区设立日间照料中心，提供助餐、助浴服务。"),
    ("关于治理河道黑臭水体的提议", "河道夏季异味明显，建议加快截污管网建设。"),
    ("关于完善垃圾分类设施的提议", "部分小区分类投放点不足，建议增设并定时清运。"),
]
INQUIRY_TOPICS = ["学位供给紧张问题", "城中村消防安全隐患整治", "公交线路优化调整", "农贸市场环境整治"]


def seed(*, org, scale, rng):
    staff = org["staff"][0]  # city staff: every unit and deputy is in scope
    by_user = {d.user_id: d for d in Deputy.objects.filter(user__in=org["deputy_users"]).select_related("district")}
    leads = [by_user[u.pk] for u in org["deputy_users"] if u.pk in by_user][:8]
    handler_of = {h.unit_id: h for h in org["handlers"]}
    units = [u for u in org["units"] if u.pk in handler_of]
    if not leads or not units:
        return
    today = timezone.localdate()
    for i, lead in enumerate(leads):
        title, content = TOPICS[i % len(TOPICS)]
        peers = list(Deputy.objects.filter(district=lead.district, status=Deputy.Status.SERVING).exclude(pk=lead.pk)[:3])
        is_motion = i % 2 == 1 and peers
        p = services.proposal_file(
            lead=lead, kind=ProposalKind.MOTION if is_motion else ProposalKind.PROPOSAL, title=title, content=content,
            cosigners=peers if is_motion else (), actor=lead.user,
        )
        if is_motion:
            for j, peer in enumerate(peers):
                if peer.user_id and j < 2:
                    services.cosign_respond(proposal=p, deputy=peer, confirm=True, actor=peer.user)
            if i % 4 == 3:
                continue  # left collecting co-signatures: the co-sign request shows on the peers' pages
            services.motion_submit(proposal=p, actor=lead.user)
        if i % 3 == 2:
            continue  # filed, waiting for dispatch
        unit = units[i % len(units)]
        # Every other dispatched one also goes to demo_handler's unit (units[0]): several units
        # answer one proposal, and demo_handler has proposals to reply to.
        extra = [units[0]] if i % 2 == 0 and unit.pk != units[0].pk else []
        services.proposal_dispatch(
            proposal=p, units=[unit, *extra], deadline=today + datetime.timedelta(days=rng.randint(10, 40)), actor=staff
        )
        if i % 3 == 1:
            continue
        for u in (unit, *extra):
            services.proposal_reply(proposal=p, result="will_solve", reply="已列入年度工作计划，预计年底前完成。",
                                    actor=handler_of[u.pk])
        services.proposal_evaluate(proposal=p, evaluation=rng.choice([Evaluation.SATISFIED, Evaluation.BASIC]), note="", actor=lead.user)
    for k, topic in enumerate(INQUIRY_TOPICS[: 2 if scale == "demo" else 4]):
        unit = units[(k * 3) % len(units)]
        participants = [d for d in leads if unit.district_id in (None, d.district_id)][:4] or leads[:3]
        services.inquiry_record(
            actor=staff, date=today - datetime.timedelta(days=30 * (k + 1)),
            kind=Inquiry.Kind.INQUIRY if k % 2 == 0 else Inquiry.Kind.INTERPELLATION,
            topic=topic, target_unit=unit, participants=participants, questions="请说明目前进展和下一步计划。",
            outcome="单位承诺三个月内提出整改方案并向代表反馈。",
        )
