"""Ship the two rule sets of SPEC §4: the Yantian standard [002 附件2] as the default, and the
Shenzhen 2013 set [000 十三]."""

from django.db import migrations
from django.utils import timezone

# (category, number, variant, name, points per unit, cap per year, record event or "" if claimed)
YANTIAN = [
    ("service", 1, "", "到挂点党代表工作室值班接访、开展活动", 5, None, "reception_attended"),
    ("service", 2, "", "代理群众诉求", 5, None, "case_taken"),
    ("service", 3, "非常满意", "协助解决群众诉求", 6, None, "case_satisfied_very"),
    ("service", 3, "基本满意", "协助解决群众诉求", 5, None, "case_satisfied_basic"),
    ("service", 4, "", "到社区、学校、企业等挂点联系片区宣传党的路线方针政策", 3, None, ""),
    ("service", 5, "", "积极参与构建和谐社区活动", 5, None, ""),
    ("deliberation", 6, "", "参加党代表集中视察调研活动", 10, None, ""),
    ("deliberation", 7, "", "提出代表提议", 3, None, "proposal"),
    ("deliberation", 8, "", "领衔提出区党代会提案", 10, None, "motion_lead"),
    ("deliberation", 9, "", "参与联署区党代会提案", 3, 9, "motion_cosign"),
    ("supervision", 10, "", "参加党代表询问、质询活动", 5, None, "inquiry"),
    ("supervision", 11, "", "对改进党代会监督评议工作、发挥代表民主监督职能提出书面意见建议", 10, None, ""),
    ("example", 12, "", "热心公益，参加服务基层活动、义务劳动或志愿活动", 5, None, ""),
    ("example", 13, "", "“党建带团建”，带领党员、团员开展活动（传帮带）", 5, None, ""),
    ("example", 14, "", "参与抢险救灾、见义勇为，完成组织交办的急难险重工作任务", 20, None, ""),
]

# [000 十三] names what is counted (community visits, households visited, cases received,
# proposals, team activities, party meetings attended as a non-voting delegate 列席) but gives no
# numbers: the points below are a choice, kept in proportion with the Yantian standard (an office
# visit like a duty day, one point per household, a case received like a proposal).
SHENZHEN_2013 = [
    ("service", 1, "", "进社区（到党代表工作室接访、开展活动）", 5, None, "reception_attended"),
    ("service", 2, "", "入户走访（每户）", 1, None, "household_visit"),
    ("service", 3, "", "受理社情民意", 3, None, "case_received"),
    ("deliberation", 4, "", "提交党代表提议", 3, None, "proposal"),
    ("example", 5, "", "参加代表团组活动", 3, None, "team_activity"),
    ("supervision", 6, "", "列席党内会议", 3, None, ""),
]


def ship(apps, schema_editor):
    RuleSet = apps.get_model("scoring", "RuleSet")
    RuleItem = apps.get_model("scoring", "RuleItem")
    now = timezone.now()
    for code, name, source, is_default, rows in (
        ("yantian", "盐田区党代表履职积分标准", "盐田区党代表履职积分办法（试行）附件2", True, YANTIAN),
        ("shenzhen2013", "深圳市党代表履职情况积分（2013）", "深组通〔2013〕106号 第十三条", False, SHENZHEN_2013),
    ):
        rule_set = RuleSet.objects.create(
            code=code, version=1, name=name, source=source, is_default=is_default, published_at=now
        )
        RuleItem.objects.bulk_create(
            [
                RuleItem(
                    rule_set=rule_set, category=c, number=n, variant=v, name=label, points=p,
                    cap_per_year=cap, event=event,
                )
                for c, n, v, label, p, cap, event in rows
            ]
        )


def unship(apps, schema_editor):
    RuleSet = apps.get_model("scoring", "RuleSet")
    apps.get_model("scoring", "RuleItem").objects.filter(rule_set__code__in=["yantian", "shenzhen2013"]).delete()
    RuleSet.objects.filter(code__in=["yantian", "shenzhen2013"]).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(ship, unship)]
