"""Demo points work for seed_demo, through the real services: in each community office's team a
claim verified by staff, one confirmed by the liaison and waiting for staff, and one a deputy has
just submitted; a review request waiting for the review group; and the standings of the last
complete quarter published, so that the score pages, the standings, the staff queues and the
dashboard all show something real."""

import datetime

from django.utils import timezone

from . import services
from .models import Entry, RuleItem

CITY_SCALE_TEAMS = 30
CLAIMS = [
    (12, "参加社区“周末义务清扫”志愿服务活动"),
    (4, "到挂点社区宣讲党的二十届全会精神"),
    (5, "参与社区邻里节，协调化解邻里纠纷"),
]


def _claimable_item(deputy, number, year):
    rule_set = services.rule_set_for(district_id=deputy.district_id, year=year)
    if rule_set is None:
        return None
    return RuleItem.objects.filter(rule_set=rule_set, number=number, event="").first()


def seed(*, org, scale, rng):
    today = timezone.localdate()
    year = org["year"]
    staff = org["staff"][0]
    quarter_done = (today.month - 1) // 3
    # Verified work dated inside the last complete quarter shows in its published standings.
    verified_day = services.quarter_end(year, quarter_done) - datetime.timedelta(days=20) if quarter_done else today
    liaison_of = dict(zip([o.pk for o in org["offices"]], org["liaisons"], strict=False))
    teams = org["teams"] if scale == "demo" else org["teams"][:CITY_SCALE_TEAMS]
    for team in teams:
        liaison = liaison_of.get(team.office_id)
        members = list(team.members.select_related("user").order_by("pk"))
        if liaison is None or not members:
            continue
        for stage, deputy in enumerate(members[:3]):
            number, text = CLAIMS[stage]
            item = _claimable_item(deputy, number, year)
            if item is None:
                continue
            if stage == 0:
                claim = services.claim_submit(
                    deputy=deputy, rule_item=item, occurred_on=verified_day, description=text, actor=liaison
                )
                services.claim_verify(claim=claim, actor=staff)
            elif stage == 1:
                services.claim_submit(
                    deputy=deputy, rule_item=item, occurred_on=today - datetime.timedelta(days=6), description=text,
                    actor=liaison,
                )
            elif deputy.user is not None:
                services.claim_submit(
                    deputy=deputy, rule_item=item, occurred_on=today - datetime.timedelta(days=2), description=text,
                    actor=deputy.user,
                )
    leader_user = org["deputy_users"][0] if org["deputy_users"] else None
    entry = Entry.objects.filter(deputy__user=leader_user, kind=Entry.Kind.AWARD).order_by("pk").first()
    if entry is not None:
        services.review_request(
            entry=entry, reason="该次活动实际走访了两户困难家庭，请核对分值。", actor=leader_user
        )
    if quarter_done:
        services.snapshot_publish(year=year, quarter=quarter_done, actor=staff)
