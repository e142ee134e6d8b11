"""Demo public-opinion cases for seed_demo, walked through the real services so that the
timelines, the team meetings, the units' replies and the points are the real thing: every
community office gets a handful of cases spread over the workflow (some late), and the demo
logins (demo_liaison, demo_leader, demo_deputy, demo_handler, demo_district) all find work waiting; a
case signed for by demo_handler's unit, one with an extension request and one returned show the
unit's side.
Proposals, motions and inquiries come from cases.demo_proposals."""

import datetime

from django.utils import timezone

from offices.models import TeamMembership

from . import dispatch_services, services
from .bulletin_services import bulletin_publish
from .demo_proposals import seed as seed_proposals
from .models import CaseRating, Category, Channel, ReplyResult, Satisfaction, Status
from .resident_services import case_rate, rating_token

ISSUES = [
    ("城市管理", "小区门口占道经营", "早晚高峰小区门口摊贩占道，行人只能走机动车道，存在安全隐患。"),
    ("住房", "老旧小区加装电梯", "楼里老人多，上下楼困难，希望协调加装电梯的审批和补贴。"),
    ("交通", "公交站台缺少遮雨棚", "社区主干道公交站没有遮雨棚，雨天候车很不方便。"),
    ("环境", "河道夏季有异味", "社区旁排洪渠夏季异味明显，希望排查截污管网。"),
    ("教育", "学校周边接送拥堵", "放学时段学校门口车辆乱停，孩子过马路危险。"),
    ("医疗卫生", "社康中心周末不开门", "社区健康服务中心周末不开诊，上班族看病不便。"),
    ("社会保障", "高龄津贴办理咨询", "父亲满八十岁，想了解高龄津贴如何申请。"),
    ("治安", "楼道监控损坏", "3栋楼道监控坏了两个月，晚上有陌生人出入。"),
    ("劳动就业", "零工市场信息不透明", "希望社区定期发布附近用工信息。"),
    ("其他", "社区活动室开放时间", "活动室晚上七点就关门，希望延长开放时间。"),
]
NAMES = ["刘阿姨", "陈先生", "黄女士", "林伯", "吴女士", "周先生", "郑阿姨", "何先生"]

# How far each demo case goes: the workflow's states, with more cases in the early ones.
STAGES = ["registered", "registered", "assigned", "forwarded", "dispatched", "replied", "fed_back", "archived",
          "answered", "dissatisfied"]


def seed(*, org, scale, rng):
    seed_proposals(org=org, scale=scale, rng=rng)
    categories = {c.name: c for c in Category.objects.all()}
    if not categories:
        return
    today = timezone.localdate()
    staff = org["staff"][0]  # city staff: every district and unit is in scope
    handler_of = {h.unit_id: h for h in org["handlers"]}
    liaison_of = dict(zip([o.pk for o in org["offices"]], org["liaisons"], strict=False))
    teams = org["teams"] if scale == "demo" else org["teams"][:40]
    per_team = 6 if scale == "demo" else 3
    for t_index, team in enumerate(teams):
        office = team.office
        liaison = liaison_of.get(office.pk)
        members = list(
            TeamMembership.objects.filter(team=team).select_related("deputy", "deputy__user").order_by("-is_leader", "pk")
        )
        leader = next((m.deputy for m in members if m.is_leader), None)
        if liaison is None or leader is None or leader.user_id is None:
            continue
        units = [u for u in org["units"] if u.pk in handler_of and u.district_id in (None, office.district_id)]
        for k in range(per_team):
            stage = STAGES[(t_index + k) % len(STAGES)] if k else STAGES[k]
            category_name, title, content = ISSUES[(t_index * per_team + k) % len(ISSUES)]
            receivers = [m.deputy for m in members[: 1 + k % 2]]
            days_ago = rng.randint(0, 2) if stage == "registered" and k % 3 else rng.randint(4, 40)
            case = services.case_register(
                office=office, channel=rng.choice([Channel.RECEPTION, Channel.HOUSEHOLD_VISIT, Channel.PHONE, Channel.LETTER]),
                category=categories.get(category_name) or next(iter(categories.values())),
                title=title, content=content, reporter_name=rng.choice(NAMES),
                reporter_mobile=f"13{rng.randint(100000000, 999999999)}", reporter_address=f"{office.name[:4]}{rng.randint(1, 30)}栋",
                received_by=receivers, received_on=today - datetime.timedelta(days=days_ago), actor=liaison,
                spot_answer="已当场解释政策并告知办理地点。" if stage == "answered" else "",
            )
            _walk(case, stage, org=org, rng=rng, staff=staff, liaison=liaison, leader=leader, members=members,
                  units=units, handler_of=handler_of, today=today)
    _unit_side(org=org, staff=staff, handler_of=handler_of, liaison_of=liaison_of, categories=categories, today=today)
    if scale == "demo":
        _publish_bulletin(staff, today.year)


def _unit_side(*, org, staff, handler_of, liaison_of, categories, today):
    """A unit's side of dispatched cases for demo_handler (the first unit's handler) and
    demo_district (the first district's staff): a case signed for, one with an extension request
    waiting for staff, and one returned as wrongly dispatched."""
    unit = org["units"][0]
    handler = handler_of.get(unit.pk)
    district = org["districts"][0]
    team = next((t for t in org["teams"] if t.office.district_id == district.pk and t.office_id in liaison_of), None)
    if handler is None or team is None:
        return
    members = list(TeamMembership.objects.filter(team=team).select_related("deputy__user").order_by("-is_leader", "pk"))
    leader = next((m.deputy for m in members if m.is_leader and m.deputy.user_id), None)
    if leader is None:
        return
    liaison = liaison_of[team.office_id]
    category = categories.get("城市管理") or next(iter(categories.values()))
    stories = [
        ("signed", "人行道地砖松动", "社区主路人行道多处地砖松动，雨天踩上去溅水，老人易摔倒。"),
        ("extension", "小区排水管网老化", "小区雨污管网老化，暴雨时地下车库进水，需要整体改造。"),
        ("returned", "菜市场周边违章搭建", "菜市场门口有商户违章搭建雨棚，占用消防通道。"),
    ]
    for stage, title, content in stories:
        case = services.case_register(
            office=team.office, channel=Channel.RECEPTION, category=category, title=title, content=content,
            reporter_name="黄女士", reporter_mobile="13800000000", received_by=[leader],
            received_on=today - datetime.timedelta(days=6), actor=liaison,
        )
        services.team_meeting_record(team=team, date=today, attendees=[m.deputy for m in members],
                                     notes="接待后集体商议，逐件确定领办人。", assignments=[(case, leader)], actor=leader.user)
        services.case_forward(case=case, actor=liaison, comment="请组织部交办。")
        services.case_dispatch(case=case, units=[unit], deadline=today + datetime.timedelta(days=7), actor=staff,
                               instructions="请核实情况并按期答复。")
        share = case.dispatches.get()
        if stage == "returned":
            dispatch_services.dispatch_return(dispatch=share, reason="该事项属区城管和消防部门职责，不属本单位，请改派。",
                                              actor=handler)
            continue
        dispatch_services.dispatch_sign(dispatch=share, actor=handler)
        if stage == "extension":
            dispatch_services.extension_request(
                dispatch=share, new_deadline=today + datetime.timedelta(days=30), actor=handler,
                reason="管网改造需先做管道检测并报区水务部门审批，预计需要一个月。",
            )


def _publish_bulletin(staff, year):
    """The year's review as a city-wide bulletin, so every demo login has one to read."""
    from django.core.exceptions import ValidationError

    try:
        bulletin_publish(user=staff, year=year, district=None,
                         title=f"{year}年度社情民意办理“回头看”情况通报",
                         foreword="请各承办单位对照通报数据，逐件核查未按时答复和群众不满意的事项，限期整改。")
    except ValidationError:
        pass  # early January: nothing dispatched yet this year


def _walk(case, stage, *, org, rng, staff, liaison, leader, members, units, handler_of, today):
    if stage in ("registered", "answered"):
        if stage == "answered" and case.pk % 2:  # half answered on the spot still wait for feedback
            services.case_feedback(case=case, note="已当面告知政策依据和办理地点。", actor=liaison)
            _resident_rates(case, Satisfaction.VERY, rng)
        return
    owner = members[rng.randrange(len(members))].deputy
    services.team_meeting_record(
        team=members[0].team, date=today, attendees=[m.deputy for m in members], notes="接待后集体商议，逐件确定领办人。",
        assignments=[(case, owner)], actor=leader.user,
    )
    if stage == "assigned":
        return
    services.case_forward(case=case, actor=liaison, comment="请组织部交办。")
    if stage == "forwarded" or not units:
        return
    unit = units[rng.randrange(len(units))]
    services.case_dispatch(case=case, units=[unit], deadline=today + datetime.timedelta(days=rng.randint(5, 20)),
                           actor=staff, instructions="请核实情况并按期答复。")
    if stage == "dispatched":
        return
    result = rng.choice([ReplyResult.SOLVED, ReplyResult.SOLVED, ReplyResult.WILL_SOLVE])
    services.case_reply(
        case=case, result=result, reply="已现场核查并安排整改。", actor=handler_of[unit.pk],
        will_solve_by=today + datetime.timedelta(days=30) if result == ReplyResult.WILL_SOLVE else None,
    )
    if stage == "replied":
        return
    # The resident rates the answer through the link of the reply SMS; "fed_back" cases still wait.
    if stage != "fed_back":
        satisfaction = Satisfaction.DISSATISFIED if stage == "dissatisfied" else rng.choice(
            [Satisfaction.VERY, Satisfaction.BASIC]
        )
        _resident_rates(case, satisfaction, rng)
    feedback_actor = owner.user if owner.user_id else liaison
    services.case_feedback(case=case, note="已电话告知办理结果。", actor=feedback_actor)
    if stage == "archived" and case.status == Status.FED_BACK:
        services.case_archive(case=case, actor=liaison)


def _resident_rates(case, satisfaction, rng):
    """What the resident does with the link of their SMS (cases.resident_services)."""
    rating = CaseRating.objects.filter(case=case, round=case.dispatch_round).first()
    if rating is not None:
        comment = rng.choice(["", "办得很快，谢谢。", "希望以后多来社区听听意见。"])
        case_rate(token=rating_token(rating), satisfaction=satisfaction,
                  comment="还是没有解决。" if satisfaction == Satisfaction.DISSATISFIED else comment)
        case.refresh_from_db()
