"""Build a believable demo city, or a Shenzhen-sized one for benchmarks.

    manage.py seed_demo                 a small city: 3 districts, ~12 community offices, ~60 deputies
    manage.py seed_demo --if-empty      do nothing when the organization already has data (run.sh)
    manage.py seed_demo --scale city    Shenzhen scale: 2,007 deputies (463 city + 1,544 district),
                                        637 community offices and teams; bulk inserts, well under a minute

Every demo login uses the one password DEMO_PASSWORD (see README); the command ends by printing
username / password / role for each role.

Other apps add their own demo content. After the organization is built, for each app in
DEMO_APPS that has a `demo.py` module, the command calls

    <app>.demo.seed(org=org, scale=scale, rng=rng)

where `scale` is "demo" or "city", `rng` is a seeded `random.Random` (the same data on every run),
and `org` is a dict:

    {
        "city": Jurisdiction,                 # the city
        "districts": [Jurisdiction, ...],     # districts and the new district
        "communities": [Jurisdiction, ...],   # every community
        "offices": [Office, ...],             # every office (community offices first, then others)
        "teams": [Team, ...],                 # one per community office
        "deputies": [Deputy, ...],            # every deputy
        "units": [Unit, ...],                 # responsible units (city and district level)
        "staff": [User, ...],                 # org staff, city staff first
        "liaisons": [User, ...],              # office liaisons, in the order of "offices"
        "handlers": [User, ...],              # unit handlers, one per unit, in the order of "units"
        "deputy_users": [User, ...],          # logins of deputies (deputy.user), demo team leaders first
        "year": int,                          # the current year
    }

An exception in an app's seed is not caught: the whole command runs in one transaction and fails
with the app's traceback, so broken demo data is never half-written.
"""

import datetime
import random
import time
from importlib import import_module

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from liaison.lib.pinyin import pinyin_initials
from liaison.models import Role, User
from offices.models import (
    Contact,
    ContactVisit,
    Deputy,
    FixedCommunity,
    Jurisdiction,
    Office,
    OfficeLiaison,
    Team,
    TeamMembership,
    Unit,
)
from offices.roster_version import roster_changed

DEMO_PASSWORD = "Demo-pass-2026"
DEMO_APPS = ("reception", "cases", "scoring")

J = Jurisdiction.Level

# The small demo city: district -> streets -> communities.
DEMO_MAP = {
    ("福田区", J.DISTRICT): {
        "华富街道": ["田面社区", "莲花北社区"],
        "沙头街道": ["上沙社区", "下沙社区"],
    },
    ("南山区", J.DISTRICT): {
        "粤海街道": ["科技园社区", "海珠社区"],
        "南头街道": ["南联社区", "星海名城社区"],
    },
    ("大鹏新区", J.NEW_DISTRICT): {
        "葵涌街道": ["葵新社区", "三溪社区"],
        "大鹏街道": ["鹏城社区", "王母社区"],
    },
}

# Shenzhen: nine districts and one new district; communities are spread over them (637 in all).
CITY_DISTRICTS = [
    ("福田区", J.DISTRICT, 92),
    ("罗湖区", J.DISTRICT, 83),
    ("盐田区", J.DISTRICT, 23),
    ("南山区", J.DISTRICT, 105),
    ("宝安区", J.DISTRICT, 110),
    ("龙岗区", J.DISTRICT, 95),
    ("龙华区", J.DISTRICT, 50),
    ("坪山区", J.DISTRICT, 23),
    ("光明区", J.DISTRICT, 31),
    ("大鹏新区", J.NEW_DISTRICT, 25),
]
CITY_COMMUNITIES = 637
CITY_DEPUTIES_CITY = 463
CITY_DEPUTIES_DISTRICT = 1544

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆汪范廖石金贾夏韦付方邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅文海燕鹏辉晓东雪婷宇浩然欣怡嘉俊子涵思源立新永春德胜佳琪家豪秋月振华淑珍"
WORK_UNITS = [
    ("街道办事处", "副主任"),
    ("社区党委", "书记"),
    ("社区工作站", "站长"),
    ("人民医院", "副院长"),
    ("第一中学", "校长"),
    ("供电局", "部门经理"),
    ("公安分局", "派出所所长"),
    ("科技有限公司", "党委书记"),
    ("建设集团", "项目经理"),
    ("律师事务所", "主任"),
    ("社区股份合作公司", "董事长"),
    ("物业服务中心", "党支部书记"),
]
UNIT_KINDS = ["住房和建设局", "城市管理和综合执法局", "交通运输局", "教育局", "卫生健康局", "民政局"]
STREET_SUFFIXES = "东南西北中新华兴安康宁和平福田园湖海山河桥"
COMMUNITY_WORDS = "景华鹏城海滨翠竹莲花梅林香蜜园岭沙河新村福民岗厦水围皇岗石厦渔农益田彩田上步南园园岭八卦"


class Command(BaseCommand):
    help = "Build the demo organization (and each app's demo data); --scale city for a Shenzhen-sized one."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["demo", "city"], default="demo")
        parser.add_argument("--if-empty", action="store_true", help="Skip when the organization already has data.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (the same data on every run).")

    def handle(self, *args, scale, if_empty, seed, **options):
        if Jurisdiction.objects.exists() or Deputy.objects.exists():
            if if_empty:
                self.stdout.write("Demo data already present; nothing to do.")
                self.print_existing_logins()
                return
            raise CommandError("The database already has an organization; seed_demo only fills an empty one.")
        started = time.monotonic()
        rng = random.Random(seed)
        with transaction.atomic():
            builder = OrgBuilder(rng=rng, scale=scale)
            org = builder.build()
            for app in DEMO_APPS:
                try:
                    module = import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                self.stdout.write(f"Seeding {app} demo data...")
                module.seed(org=org, scale=scale, rng=rng)
            # Deputies, teams and memberships were bulk-created (no signals): read models cached
            # over the roster (liaison.lib.versions) must not survive.
            roster_changed()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {len(org['districts'])} districts, {len(org['communities'])} communities, "
                f"{len(org['offices'])} offices, {len(org['teams'])} teams, {len(org['deputies'])} deputies "
                f"in {elapsed:.1f} s."
            )
        )
        self.print_logins(builder.logins)

    def print_existing_logins(self):
        """The demo accounts of an earlier run, so that ./run.sh always shows how to log in."""
        users = User.objects.filter(username__startswith="demo_").select_related("jurisdiction", "unit")
        logins = []
        for u in users:
            scope = u.jurisdiction or u.unit or (u.office_links.first().office if u.office_links.exists() else None)
            label = str(Role(u.role).label) if u.role else ""
            logins.append((u.username, f"{label} ({scope})" if scope else label))
        if logins:
            self.print_logins(logins)

    def print_logins(self, logins):
        width = max(len(u) for u, _r in logins) + 2
        self.stdout.write("")
        self.stdout.write("Demo logins (every account uses the same password):")
        self.stdout.write(f"  {'username'.ljust(width)}{'password'.ljust(18)}role")
        order = ["demo_city", "demo_district", "demo_liaison", "demo_leader", "demo_deputy", "demo_handler"]
        logins = sorted(logins, key=lambda row: order.index(row[0]) if row[0] in order else len(order))
        for username, role in logins:
            self.stdout.write(f"  {username.ljust(width)}{DEMO_PASSWORD.ljust(18)}{role}")


class OrgBuilder:
    """Builds the organization with bulk inserts: the city scale has thousands of rows, and
    per-row saves (with their history rows) would take minutes."""

    def __init__(self, *, rng, scale):
        self.rng = rng
        self.scale = scale
        self.password = make_password(DEMO_PASSWORD)  # hashed once, shared by every demo login
        self.logins = []
        self.used_names = set()
        self.used_mobiles = set()

    # -- helpers -------------------------------------------------------------------------------

    def person_name(self):
        for _attempt in range(50):
            name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
            if name not in self.used_names:
                break
        else:
            name = name + str(len(self.used_names))
        self.used_names.add(name)
        return name

    def mobile(self):
        while True:
            m = self.rng.choice(("13", "15", "18", "17")) + "".join(self.rng.choice("0123456789") for _ in range(9))
            if m not in self.used_mobiles:
                self.used_mobiles.add(m)
                return m

    def users(self, specs):
        """specs: (username, name, role, extra-dict). One bulk insert; same pre-hashed password."""
        objs = [
            User(
                username=username,
                name=name,
                role=role,
                password=self.password,
                is_staff=role in (Role.ORG_STAFF, Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR),
                **extra,
            )
            for username, name, role, extra in specs
        ]
        return User.objects.bulk_create(objs)

    # -- the city --------------------------------------------------------------------------------

    def build(self):
        city = Jurisdiction.objects.create(name="深圳市", level=J.CITY, code="4403")
        if self.scale == "city":
            layout = self.city_layout()
        else:
            layout = {key: streets for key, streets in DEMO_MAP.items()}
        districts, communities = [], []
        for (district_name, level), streets in layout.items():
            district = Jurisdiction.objects.create(name=district_name, level=level, parent=city)
            districts.append(district)
            street_objs = Jurisdiction.objects.bulk_create(
                [
                    Jurisdiction(name=s, level=J.STREET, parent=district, district_id=district.pk)
                    for s in streets
                ]
            )
            communities.extend(
                Jurisdiction.objects.bulk_create(
                    [
                        Jurisdiction(name=c, level=J.COMMUNITY, parent=street, district_id=district.pk)
                        for street in street_objs
                        for c in streets[street.name]
                    ]
                )
            )
        # bulk_create does not fill in cached parents; reload what later steps read.
        communities = list(Jurisdiction.objects.filter(level=J.COMMUNITY).select_related("district").order_by("pk"))
        by_district = {}
        for c in communities:
            by_district.setdefault(c.district_id, []).append(c)

        offices = self.build_offices(communities, districts)
        community_offices = offices[: len(communities)]
        teams = Team.objects.bulk_create(
            [
                Team(name=o.name.replace("党代表工作室", "党代表团队"), office=o, district_id=o.district_id)
                for o in community_offices
            ]
        )
        units, handlers = self.build_units(city, districts)
        staff = self.build_staff(city, districts)
        liaisons = self.build_liaisons(offices)
        deputies, deputy_users = self.build_deputies(districts, communities, teams, by_district)
        self.build_contacts(deputies)
        for extra_role, username, name in (
            (Role.SYSADMIN, "demo_sysadmin", "系统管理员"),
            (Role.SECADMIN, "demo_secadmin", "安全管理员"),
            (Role.AUDITOR, "demo_auditor", "安全审计员"),
        ):
            self.users([(username, name, extra_role, {})])
            self.logins.append((username, str(extra_role.label)))
        return {
            "city": city,
            "districts": districts,
            "communities": communities,
            "offices": offices,
            "teams": teams,
            "deputies": deputies,
            "units": units,
            "staff": staff,
            "liaisons": liaisons,
            "handlers": handlers,
            "deputy_users": deputy_users,
            "year": timezone.localdate().year,
        }

    def city_layout(self):
        assert sum(n for _name, _level, n in CITY_DISTRICTS) == CITY_COMMUNITIES
        layout = {}
        for name, level, n_communities in CITY_DISTRICTS:
            n_streets = max(2, n_communities // 9)
            street_names = [f"{name[:2]}{STREET_SUFFIXES[k]}街道" for k in range(n_streets)]
            streets = {s: [] for s in street_names}
            for i in range(n_communities):
                street = street_names[i % n_streets]
                words = self.rng.choice(COMMUNITY_WORDS) + self.rng.choice(COMMUNITY_WORDS)
                streets[street].append(f"{words}{len(streets[street]) + 1}社区")
            layout[(name, level)] = streets
        return layout

    def build_offices(self, communities, districts):
        rng = self.rng
        objs = []
        for c in communities:
            objs.append(
                Office(
                    name=f"{c.name}党代表工作室",
                    kind=Office.Kind.COMMUNITY,
                    jurisdiction_id=c.pk,
                    district_id=c.district_id,
                    address=f"{c.name}党群服务中心{rng.randint(1, 3)}楼",
                    # A few offices fall short of the 20 m² and one-half-day standards [004].
                    area_m2=rng.choice((15, 25, 30, 40, 60, 80)),
                    open_hours=rng.choice(("每周三下午", "每周二、周四下午", "每周五上午", "每月第一个周六上午")),
                    open_half_days_per_week=rng.choice((0, 1, 1, 2, 2)),
                    public_phone=f"0755-{rng.randint(20000000, 89999999)}",
                )
            )
        for d in districts:
            objs.append(
                Office(
                    name=f"{d.name}产业园区党代表工作室",
                    kind=Office.Kind.PARK,
                    jurisdiction_id=d.pk,
                    district_id=d.pk,
                    address=f"{d.name}科技园管理服务中心",
                    area_m2=50,
                    open_hours="每周四下午",
                    open_half_days_per_week=1,
                )
            )
        return Office.objects.bulk_create(objs)

    def build_units(self, city, districts):
        specs = [(f"深圳市{k}", city) for k in UNIT_KINDS[:3]]
        for d in districts:
            specs.extend((f"{d.name}{k}", d) for k in UNIT_KINDS[:4])
        units = Unit.objects.bulk_create(
            [
                Unit(
                    name=name,
                    jurisdiction_id=j.pk,
                    district_id=j.district_id,
                    contact_phone=f"0755-{self.rng.randint(20000000, 89999999)}",
                )
                for name, j in specs
            ]
        )
        handlers = self.users(
            [
                ("demo_handler" if i == 0 else f"handler{i:03d}", f"{u.name}经办人{self.person_name()}", Role.UNIT_HANDLER, {"unit_id": u.pk})
                for i, u in enumerate(units)
            ]
        )
        self.logins.append(("demo_handler", f"{Role.UNIT_HANDLER.label} ({units[0].name})"))
        return units, handlers

    def build_staff(self, city, districts):
        specs = [("demo_city", f"市委组织部 {self.person_name()}", Role.ORG_STAFF, {"jurisdiction_id": city.pk})]
        for i, d in enumerate(districts):
            username = "demo_district" if i == 0 else f"staff_d{i + 1:02d}"
            specs.append((username, f"{d.name}委组织部 {self.person_name()}", Role.ORG_STAFF, {"jurisdiction_id": d.pk}))
        staff = self.users(specs)
        self.logins.append(("demo_city", f"{Role.ORG_STAFF.label} ({city.name})"))
        self.logins.append(("demo_district", f"{Role.ORG_STAFF.label} ({districts[0].name})"))
        return staff

    def build_liaisons(self, offices):
        liaisons = self.users(
            [
                ("demo_liaison" if i == 0 else f"liaison{i:04d}", f"联络员 {self.person_name()}", Role.LIAISON, {"mobile": self.mobile()})
                for i, _o in enumerate(offices)
            ]
        )
        links = [
            OfficeLiaison(office_id=o.pk, user_id=u.pk, kind=OfficeLiaison.Kind.FULL_TIME)
            for o, u in zip(offices, liaisons, strict=True)
        ]
        # A part-time liaison helps at the first office too.
        links.append(OfficeLiaison(office_id=offices[0].pk, user_id=liaisons[1].pk, kind=OfficeLiaison.Kind.PART_TIME))
        OfficeLiaison.objects.bulk_create(links)
        self.logins.append(("demo_liaison", f"{Role.LIAISON.label} ({offices[0].name})"))
        return liaisons

    def build_deputies(self, districts, communities, teams, by_district):
        rng = self.rng
        team_by_community = {t.office.jurisdiction_id: t for t in teams}
        if self.scale == "city":
            n_city, n_district = CITY_DEPUTIES_CITY, CITY_DEPUTIES_DISTRICT
        else:
            n_city, n_district = 15, 45
        total = n_city + n_district
        # Every community team gets at least two members; the rest are spread at random.
        slots = [c for c in communities for _ in range(2)]
        slots += [rng.choice(communities) for _ in range(total - len(slots))]
        rng.shuffle(slots)
        levels = [Deputy.Level.CITY] * n_city + [Deputy.Level.DISTRICT] * n_district
        rng.shuffle(levels)
        district_by_pk = {d.pk: d for d in districts}
        deputies = []
        for i, (community, level) in enumerate(zip(slots, levels, strict=True)):
            district = district_by_pk[community.district_id]
            if level == Deputy.Level.DISTRICT and district.level == J.NEW_DISTRICT:
                level = Deputy.Level.NEW_DISTRICT
            name = self.person_name()
            work_unit, position = rng.choice(WORK_UNITS)
            deputies.append(
                Deputy(
                    name=name,
                    name_initials=pinyin_initials(name),
                    gender=rng.choice((Deputy.Gender.MALE, Deputy.Gender.FEMALE)),
                    mobile=self.mobile(),
                    level=level,
                    term="第七届",
                    work_unit=f"{district.name}{work_unit}",
                    position=position,
                    is_leadership_member=(i % 40 == 7),
                    district_id=district.pk,
                )
            )
        deputies = Deputy.objects.bulk_create(deputies)
        fixed, memberships = [], []
        leaders = set()
        extra_fixed = 0
        for deputy, community in zip(deputies, slots, strict=True):
            fixed.append(FixedCommunity(deputy_id=deputy.pk, community_id=community.pk))
            team = team_by_community[community.pk]
            is_leader = team.pk not in leaders
            leaders.add(team.pk)
            memberships.append(TeamMembership(team_id=team.pk, deputy_id=deputy.pk, is_leader=is_leader))
            # In a new district a city deputy may keep several fixed communities [000 一].
            if (
                deputy.level == Deputy.Level.CITY
                and not deputy.is_leadership_member
                and extra_fixed < 3
                and district_by_pk[deputy.district_id].level == J.NEW_DISTRICT
            ):
                others = [c for c in by_district[deputy.district_id] if c.pk != community.pk]
                if others:
                    fixed.append(FixedCommunity(deputy_id=deputy.pk, community_id=rng.choice(others).pk))
                    extra_fixed += 1
        FixedCommunity.objects.bulk_create(fixed)
        TeamMembership.objects.bulk_create(memberships)

        # Logins: every deputy can sign in; the demo ones are a team leader and a plain member of
        # the first team.
        first_team = teams[0]
        first_members = [m for m in memberships if m.team_id == first_team.pk]
        leader_pk = next(m.deputy_id for m in first_members if m.is_leader)
        member_pk = next(m.deputy_id for m in first_members if not m.is_leader)
        ordered = sorted(deputies, key=lambda d: (d.pk != leader_pk, d.pk != member_pk, d.pk))
        specs = []
        for i, d in enumerate(ordered):
            username = {leader_pk: "demo_leader", member_pk: "demo_deputy"}.get(d.pk, f"deputy{i:04d}")
            specs.append((username, d.name, Role.DEPUTY, {"mobile": d.mobile}))
        users = self.users(specs)
        for d, u in zip(ordered, users, strict=True):
            d.user_id = u.pk
        Deputy.objects.bulk_update(ordered, ["user"], batch_size=500)
        self.logins.append(("demo_leader", f"{Role.DEPUTY.label} ({first_team.name} 牵头人)"))
        self.logins.append(("demo_deputy", f"{Role.DEPUTY.label} ({first_team.name})"))
        return deputies, users

    def build_contacts(self, deputies):
        rng = self.rng
        year = timezone.localdate().year
        contacts = []
        for i, d in enumerate(deputies):
            # Most deputies meet the minimum of five; some fall short so the shortfall list has rows.
            n = 5 if i % 6 else rng.choice((2, 3, 4))
            for j in range(n):
                contacts.append(
                    Contact(
                        deputy_id=d.pk,
                        name=self.person_name() if self.scale == "demo" else rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                        kind=Contact.Kind.PARTY_MEMBER if j % 2 else Contact.Kind.RESIDENT,
                        phone=self.mobile() if self.scale == "demo" else "",
                        is_pairing_household=(j == 0 and i % 5 != 0),
                    )
                )
        contacts = Contact.objects.bulk_create(contacts, batch_size=2000)
        visits = []
        for k, c in enumerate(contacts):
            for v in range(2 if k % 7 else 1):
                visits.append(
                    ContactVisit(
                        contact_id=c.pk,
                        date=datetime.date(year, 1 + (k + v * 5) % 10, 1 + k % 27),
                        notes="走访了解近况",
                    )
                )
        ContactVisit.objects.bulk_create(visits, batch_size=5000)
