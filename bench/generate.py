"""Build a city-scale data set for the benchmarks, with years of history.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench \\
        .venv/bin/python bench/generate.py --recreate [--deputies 10000] [--years 3]
    # issue 10's goal: 20,000 deputies, five years, ~500,000 cases with their timelines
    .venv/bin/python bench/generate.py --deputies 20000 --years 5 --cases-per-deputy 5 --timelines

1. (--recreate) drops and creates the database named in DATABASE_URL, then migrates it (without
   it, the database must be empty and migrated: `manage.py migrate`);
2. `seed_demo --scale city`: Shenzhen's 2,007 deputies in 637 community offices and teams, with
   their logins, liaisons, staff, units and contacts;
3. --deputies N > 2,007 adds deputies to the existing teams until there are N;
4. for each of the last --years years (the current one up to today): public-opinion cases owned
   by deputies, dispatched to responsible units that reply, and rated by the resident (with
   --timelines, each case's timeline); the points ledger that the records and claims feed
   (receptions, activities, cases, proposals, motions, co-signing above the cap, inquiries);
   claims in every state; review requests; every district's reception periods (the real
   `reception_periods_generate`) and, for each period that has ended, a logged reception at every
   office (most deputies attend, some on approved or refused leave, some absent, a few never
   scheduled), a team activity or household visit, the attendance outcomes; then, period by
   period in date order, its close (absences, escalation steps 1-3, notices) and its make-ups;
   the quarterly published standings (the real `snapshot_publish`);
5. checks the bulk attendance outcomes against `attendance_recompute` and the case timelines
   against the workflow services on samples, rebuilds the units' kept figures
   (`unit_figures_rebuild`) and the inbox's sort keys on the shares (`sort_keys_fill`), publishes the city-wide year-end review bulletin of the last full
   year (`bulletin_publish`), rebuilds the kept yearly points totals
   (`deputy_totals_rebuild`), runs VACUUM ANALYZE and prints the rows, seconds and rows per second
   of every phase.

The rows are written in bulk (COPY, bench/_copy.py): the data is the input of the benchmarks, not
the behaviour under test (the services that write these rows one by one are tested in tests/).
Each kind of bulk row is checked against the real service on a sample, and the run stops if the
service would have written anything else: attendance outcomes against `attendance_recompute`,
period closes against `period_close` and make-ups against `activity_plan` + `activity_log` (in a
rolled-back savepoint on the same state, just before the bulk write), timelines against a replay
through the case services. Record events whose source model is not part of this data set
(proposals, motions, inquiries) point at the deputy row as a stand-in source, with the award
counter `seq` keeping the ledger's unique key. The same --seed builds the same data.
"""

import argparse
import datetime
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _copy import copy_create, copy_rows  # noqa: E402
from _django import ROOT, machine, require_postgres, setup  # noqa: E402

BATCH = 5000
# Ledger rows are buffered and written with COPY this many at a time.
LEDGER_CHUNK = 50_000


class Phase:
    """Times one step and counts its rows; the totals per name are printed at the end."""

    def __init__(self, table, name):
        self.table, self.name, self.rows = table, name, 0

    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        seconds, rows = self.table.get(self.name, (0.0, 0))
        self.table[self.name] = (seconds + time.monotonic() - self.started, rows + (self.rows or 0))


def print_phases(table):
    print(f"{'phase':<40} {'rows':>10} {'seconds':>9} {'rows/s':>9}")
    for name, (seconds, rows) in table.items():
        rate = f"{rows / seconds:,.0f}" if rows and seconds > 0 else ""
        print(f"{name:<40} {rows:>10,} {seconds:>9.1f} {rate:>9}")


def recreate_database():
    import environ
    import psycopg2

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("--recreate needs DATABASE_URL=postgres://user@host:port/name")
    cfg = environ.Env.db_url_config(url)
    name = cfg["NAME"]
    conn = psycopg2.connect(
        dbname="postgres", user=cfg.get("USER") or None, password=cfg.get("PASSWORD") or None,
        host=cfg.get("HOST") or None, port=cfg.get("PORT") or None,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    print(f"Recreated database {name}.")


def add_deputies(target, rng):
    """Add deputies (no logins) to the existing community teams until there are `target`."""
    from liaison.lib.pinyin import pinyin_initials
    from offices.management.commands.seed_demo import GIVEN, SURNAMES, WORK_UNITS
    from offices.models import Deputy, FixedCommunity, Team, TeamMembership

    have = Deputy.objects.count()
    if target <= have:
        return 0
    teams = list(Team.objects.select_related("office"))
    new = []
    slots = []
    for i in range(target - have):
        team = rng.choice(teams)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        work_unit, position = rng.choice(WORK_UNITS)
        new.append(
            Deputy(
                name=name, name_initials=pinyin_initials(name), gender=rng.choice(("M", "F")),
                mobile=f"139{i:08d}", level=Deputy.Level.DISTRICT, term="第七届", work_unit=work_unit,
                position=position, district_id=team.office.district_id,
            )
        )
        slots.append(team)
    new = Deputy.objects.bulk_create(new, batch_size=BATCH)
    TeamMembership.objects.bulk_create(
        [TeamMembership(team_id=t.pk, deputy_id=d.pk) for d, t in zip(new, slots, strict=True)], batch_size=BATCH
    )
    FixedCommunity.objects.bulk_create(
        [FixedCommunity(deputy_id=d.pk, community_id=t.office.jurisdiction_id) for d, t in zip(new, slots, strict=True)],
        batch_size=BATCH,
    )
    return len(new)


# What residents raise, weighted as a Zipf law: a few topics fill most of the inbox, many are rare,
# so a search finds thousands of cases for a common word and a handful for a rare one, and the
# planner's statistics on titles look like a real city's, not one repeated title.
CASE_PLACES = ("小区", "老旧小区", "城中村", "学校周边", "菜市场", "公交站", "工业园", "社区公园", "主干道", "商业街")
CASE_TOPICS = (
    "路灯", "停车", "垃圾分类", "噪音", "积水", "电梯", "绿化", "充电桩", "井盖", "违建", "油烟", "排水管",
    "红绿灯", "人行道", "学位", "物业", "消防通道", "下水道", "健身器材", "外墙脱落", "共享单车", "燃气管道",
    "化粪池", "无障碍坡道", "古树", "公厕", "门禁系统", "雨棚", "信号塔", "二次供水",
)
CASE_TOPIC_WEIGHTS = tuple(1 / (rank + 1) ** 1.3 for rank in range(len(CASE_TOPICS)))
CASE_PROBLEMS = ("损坏影响出行", "长期未修", "存在安全隐患", "需要整治", "扰民严重", "数量不足", "管理混乱", "亟待改造")


def case_title(rng):
    topic = rng.choices(CASE_TOPICS, weights=CASE_TOPIC_WEIGHTS)[0]
    return f"{rng.choice(CASE_PLACES)}{topic}{rng.choice(CASE_PROBLEMS)}"


class CaseRow:
    """A generated case before and after it is written (copy_rows): a Case's columns without the
    cost of a model instance, for half a million of them."""

    __slots__ = ("pk", "tracking_code", "channel", "category_id", "title", "content", "reporter_name", "reporter_mobile",
                 "office_id", "district_id", "received_on", "status", "owner_id", "dispatch_round", "satisfaction",
                 "satisfaction_source", "forward_due", "reply_due", "created_at", "status_changed_at")

    def __init__(self, **values):
        self.pk = None
        for name, value in values.items():
            setattr(self, name, value)

    def values(self):
        return tuple(getattr(self, name) for name in self.__slots__[1:])


class History:
    def __init__(self, rng, today):
        from django.contrib.contenttypes.models import ContentType

        from liaison.models import Role, User
        from offices.models import Deputy, TeamMembership
        from scoring.models import Claim, RuleSet

        self.rng = rng
        self.today = today
        self.rule_set = RuleSet.objects.get(is_default=True)
        items = list(self.rule_set.items.all())
        self.by_event = {i.event: i for i in items if i.event}
        self.claimable = [i for i in items if not i.event]
        office_of = dict(TeamMembership.objects.values_list("deputy_id", "team__office_id"))
        self.deputies = [
            (pk, user_id, office_of.get(pk), district_id)
            for pk, user_id, district_id in Deputy.objects.filter(status=Deputy.Status.SERVING)
            .order_by("pk").values_list("pk", "user_id", "district_id")
        ]
        self.liaison_of = {}
        from offices.models import OfficeLiaison

        for office_id, user_id in OfficeLiaison.objects.order_by("-pk").values_list("office_id", "user_id"):
            self.liaison_of[office_id] = user_id
        self.staff = User.objects.filter(role=Role.ORG_STAFF).order_by("pk").first()
        self.staff_name = str(self.staff)
        self.deputy_ct = ContentType.objects.get_for_model(Deputy)
        self.claim_ct = ContentType.objects.get_for_model(Claim)
        self.seq = {}
        self.cases_per_deputy = None
        self.timelines = False
        self.pending = []
        self.counts = {"entries": 0, "claims": 0, "cases": 0, "reviews": 0}
        self.phases = {}
        self.mobiles = 0

    def phase(self, name):
        return Phase(self.phases, name)

    def day(self, year):
        last = self.today if year == self.today.year else datetime.date(year, 12, 31)
        start = datetime.date(year, 1, 1)
        return start + datetime.timedelta(days=self.rng.randint(0, (last - start).days))

    ENTRY_COLUMNS = ("deputy_id", "rule_item_id", "event", "source_type_id", "source_id", "seq", "year", "occurred_on",
                     "quantity", "points", "created_by_id")

    def entry(self, *, deputy_id, event, year, source_ct, source_id, item=None, quantity=1, occurred_on=None,
              created_by_id=None):
        """One award of the ledger (an award: kind, reason and reversal are the defaults)."""
        item = item or self.by_event.get(event)
        if item is None:
            return
        seq = 1
        if source_ct is self.deputy_ct:
            # The stand-in source (the deputy) is shared by all of a deputy's records of an event:
            # the award counter keeps them apart. Every other source awards an event once.
            key = (deputy_id, event)
            seq = self.seq.get(key, 0) + 1
            self.seq[key] = seq
        self.pending.append(
            (deputy_id, item.pk, event, source_ct.pk, source_id, seq, year, occurred_on or self.day(year), quantity,
             item.points * quantity, created_by_id)
        )
        if len(self.pending) >= LEDGER_CHUNK:
            self.flush()

    def flush(self):
        from scoring.models import Entry

        with self.phase("ledger entries") as ph:
            copy_rows(Entry, self.ENTRY_COLUMNS, self.pending)
            ph.rows = len(self.pending)
        self.counts["entries"] += len(self.pending)
        self.pending = []

    def cases(self, year):
        """Cases owned by deputies; fed-back ones carry the resident's satisfaction (rated through the
        SMS link: the reporter left a mobile number). Written with COPY (bench/_copy.py)."""
        from django.contrib.contenttypes.models import ContentType
        from django.utils import timezone

        from cases.models import Case, Category
        from cases.models.case import Satisfaction, SatisfactionSource, Status, new_tracking_code
        from cases.services import forward_days

        category_ids = list(Category.objects.values_list("pk", flat=True))
        if not category_ids:
            category_ids = [Category.objects.create(name="城市管理").pk]
        rng = self.rng
        rows = []
        for deputy_id, _user_id, office_id, district_id in self.deputies:
            if office_id is None:
                continue
            for _ in range(self._case_count()):
                status = rng.choice((Status.FED_BACK, Status.FED_BACK, Status.ARCHIVED, Status.DISPATCHED, Status.ASSIGNED))
                satisfied = status in (Status.FED_BACK, Status.ARCHIVED)
                dispatched = status != Status.ASSIGNED
                received_on = self.day(year)
                self.mobiles += 1
                rows.append(
                    CaseRow(
                        tracking_code=new_tracking_code(), channel="visit", category_id=rng.choice(category_ids),
                        title=(title := case_title(rng)), content=f"居民反映：{title}，希望尽快解决。",
                        reporter_name="居民", reporter_mobile=f"1380{self.mobiles % 10_000_000:07d}",
                        office_id=office_id, district_id=district_id, received_on=received_on, status=status,
                        owner_id=deputy_id, dispatch_round=1 if dispatched else 0,
                        satisfaction=rng.choice((Satisfaction.VERY, Satisfaction.BASIC, Satisfaction.DISSATISFIED))
                        if satisfied else "",
                        # Rated by the resident through the SMS link: the only kind that counts.
                        satisfaction_source=SatisfactionSource.RESIDENT if satisfied else "",
                        # As case_register and case_dispatch leave them (the reply clears reply_due).
                        forward_due=received_on + datetime.timedelta(days=forward_days()),
                        reply_due=received_on + datetime.timedelta(days=15) if status == Status.DISPATCHED else None,
                        created_at=None, status_changed_at=None,
                    )
                )
        stories = [self._story(c) for c in rows] if self.timelines else None
        if not self.timelines:
            now = timezone.now()
            for c in rows:
                c.created_at = c.status_changed_at = now
        with self.phase("cases") as ph:
            for c, pk in zip(rows, copy_rows(Case, CaseRow.__slots__[1:], [c.values() for c in rows]), strict=True):
                c.pk = pk
            cases = rows
            through = Case.received_by.through
            copy_rows(through, ("case_id", "deputy_id"), [(c.pk, c.owner_id) for c in cases])
            ph.rows = len(cases)
        with self.phase("dispatches") as ph:
            ph.rows = self.dispatches(cases, stories)
        if self.timelines:
            with self.phase("case events") as ph:
                ph.rows = self.case_timelines(cases, stories)
        ct = ContentType.objects.get_for_model(Case)
        for c in cases:
            self.entry(deputy_id=c.owner_id, event="case_received", year=year, source_ct=ct, source_id=c.pk,
                       occurred_on=c.received_on)
            self.entry(deputy_id=c.owner_id, event="case_taken", year=year, source_ct=ct, source_id=c.pk,
                       occurred_on=c.received_on)
            if c.satisfaction == Satisfaction.VERY:
                self.entry(deputy_id=c.owner_id, event="case_satisfied_very", year=year, source_ct=ct, source_id=c.pk)
            elif c.satisfaction == Satisfaction.BASIC:
                self.entry(deputy_id=c.owner_id, event="case_satisfied_basic", year=year, source_ct=ct, source_id=c.pk)
        self.counts["cases"] += len(cases)

    def _case_count(self):
        """Cases a deputy owns in a year: Shenzhen's mix (0-3, 1.4 on average) unless
        --cases-per-deputy asks for another mean (5 for the 20,000-deputy goal: ~500,000 cases)."""
        if self.cases_per_deputy is None:
            return self.rng.choice((0, 1, 1, 2, 3))
        base = int(self.cases_per_deputy)
        return base + (1 if self.rng.random() < self.cases_per_deputy - base else 0)

    # The moves of a case up to its status, as the workflow services write them: (action, from, to).
    # "rate" is the resident rating the answer through the SMS link (a timeline entry, no move).
    PATH = (("register", "", "registered"), ("assign", "registered", "assigned"), ("forward", "assigned", "forwarded"),
            ("dispatch", "forwarded", "dispatched"), ("reply", "dispatched", "replied"),
            ("feedback", "replied", "fed_back"), ("rate", "fed_back", "fed_back"), ("archive", "fed_back", "archived"))

    def _story(self, case):
        """The moves of a case up to its status, in the order and with the names the workflow
        services write them, each with its time; sets the case's creation time and the time of its
        last move (as the services would have left them). `verify_timelines` replays a sample
        through the services."""
        at = self._at(case.received_on, 9)
        story = []
        for action, from_status, to_status in self.PATH:
            story.append((at, action, from_status, to_status))
            if to_status == case.status and (action == "rate" or case.status != "fed_back"):
                break
            at += datetime.timedelta(days=self.rng.randint(0, 3), hours=self.rng.randint(1, 6))
        case.created_at = story[0][0]
        case.status_changed_at = next(at for at, action, _f, _t in reversed(story) if action != "rate")
        return story

    def case_timelines(self, cases, stories):
        """Each case's timeline rows (CaseEvent) from its story, with the story's times."""
        from cases.models import CaseEvent

        staff, name = self.staff.pk, self.staff_name
        events = [
            (c.pk, at, None if action == "rate" else staff, "居民" if action == "rate" else name, action, from_status,
             to_status)
            for c, story in zip(cases, stories, strict=True)
            for at, action, from_status, to_status in story
        ]
        copy_rows(CaseEvent, ("case_id", "at", "actor_id", "actor_repr", "action", "from_status", "to_status"), events)
        self.counts["case_events"] = self.counts.get("case_events", 0) + len(events)
        return len(events)

    def dispatches(self, cases, stories):
        """Each dispatched case went to one responsible unit of its district (or a city-level unit),
        which replied within the deadline unless the case is still waiting; the year-end review and
        its bulletin read these. Times from the case's story when there is one."""
        from cases.models import CaseDispatch, DispatchStatus
        from cases.models.case import ReplyResult, Status
        from offices.models import Unit

        rng = self.rng
        units = {}
        for pk, district_id in Unit.objects.filter(is_active=True).order_by("pk").values_list("pk", "district_id"):
            units.setdefault(district_id, []).append(pk)
        city_units = units.get(None, [])
        choices_in = {}
        results = (ReplyResult.SOLVED, ReplyResult.SOLVED, ReplyResult.WILL_SOLVE, ReplyResult.CANNOT)
        staff = self.staff.pk
        rows = []
        for i, c in enumerate(cases):
            if c.dispatch_round != 1:
                continue
            if c.district_id not in choices_in:
                choices_in[c.district_id] = units.get(c.district_id, []) + city_units
            choices = choices_in[c.district_id]
            if not choices:
                continue
            replied = c.status != Status.DISPATCHED
            moves = {action: at for at, action, _f, _t in stories[i]} if stories else {}
            dispatched_at = moves.get("dispatch") or self._at(c.received_on + datetime.timedelta(days=1), 10)
            result = replied_at = will_solve_by = None
            if replied:
                replied_at = moves.get("reply") or dispatched_at + datetime.timedelta(days=rng.randint(2, 18), hours=3)
                result = rng.choice(results)
                if result == ReplyResult.WILL_SOLVE:
                    will_solve_by = c.received_on + datetime.timedelta(days=60)
            rows.append(
                (c.pk, rng.choice(choices), 1, c.received_on + datetime.timedelta(days=15),
                 DispatchStatus.REPLIED if replied else DispatchStatus.PENDING, result or "",
                 "已现场核查并安排维修。" if replied else "", will_solve_by, staff, dispatched_at, replied_at)
            )
        copy_rows(CaseDispatch, ("case_id", "unit_id", "round", "deadline", "status", "result", "reply", "will_solve_by",
                                 "dispatched_by_id", "dispatched_at", "replied_at"), rows)
        self.counts["dispatches"] = self.counts.get("dispatches", 0) + len(rows)
        return len(rows)

    def records(self, year):
        rng = self.rng
        for deputy_id, _u, _o, _d in self.deputies:
            counts = {
                "proposal": rng.choice((0, 1, 1, 2, 3)),
                "motion_lead": 1 if rng.random() < 0.1 else 0,
                "motion_cosign": rng.choice((0, 1, 2, 3, 4, 5)),  # often above the cap of 9 points
                "inquiry": rng.choice((0, 0, 1, 2)),
            }
            for event, n in counts.items():
                for _ in range(n):
                    self.entry(deputy_id=deputy_id, event=event, year=year, source_ct=self.deputy_ct, source_id=deputy_id)

    def claims(self, year):
        from scoring.models import Claim

        rng = self.rng
        rows = []
        for deputy_id, user_id, office_id, _d in self.deputies:
            for _ in range(rng.choice((0, 1, 2, 3))):
                status = rng.choices(
                    (Claim.Status.VERIFIED, Claim.Status.SUBMITTED, Claim.Status.CONFIRMED, Claim.Status.REFUSED),
                    weights=(75, 10, 10, 5),
                )[0]
                if year != self.today.year and status in (Claim.Status.SUBMITTED, Claim.Status.CONFIRMED):
                    status = Claim.Status.VERIFIED
                rows.append(
                    Claim(
                        deputy_id=deputy_id, office_id=office_id, rule_item=rng.choice(self.claimable),
                        occurred_on=self.day(year), quantity=rng.choice((1, 1, 1, 2)),
                        description="参加社区志愿服务活动", status=status,
                        refusal_reason="佐证材料不足" if status == Claim.Status.REFUSED else "",
                        entered_by_id=user_id or self.liaison_of.get(office_id) or self.staff.pk,
                    )
                )
        with self.phase("claims") as ph:
            claims = copy_create(rows)
            ph.rows = len(claims)
        for c in claims:
            if c.status == Claim.Status.VERIFIED:
                self.entry(deputy_id=c.deputy_id, event="claim", year=year, source_ct=self.claim_ct, source_id=c.pk,
                           item=c.rule_item, quantity=c.quantity)
        self.counts["claims"] += len(claims)

    def reviews(self, year):
        """About one deputy in a hundred asks for a review; last year's are decided (rejected)."""
        from django.utils import timezone

        from scoring.models import Entry, Review

        entries = list(
            Entry.objects.filter(year=year, kind=Entry.Kind.AWARD, event="claim")
            .order_by("deputy_id", "pk").distinct("deputy_id").values_list("pk", "deputy_id")
        )
        picked = [e for e in entries if self.rng.random() < 0.01]
        users = dict(
            (pk, user_id) for pk, user_id, _o, _d in self.deputies
        )
        rows = []
        for entry_id, deputy_id in picked:
            decided = year != self.today.year or self.rng.random() < 0.5
            rows.append(
                Review(
                    entry_id=entry_id, deputy_id=deputy_id, reason="活动次数记录有误，请复核",
                    requested_by_id=users.get(deputy_id) or self.staff.pk,
                    status=Review.Status.REJECTED if decided else Review.Status.PENDING,
                    decision_reason="经核实符合标准，维持原分" if decided else "",
                    decided_by=self.staff if decided else None, decided_at=timezone.now() if decided else None,
                )
            )
        Review.objects.bulk_create(rows, batch_size=BATCH)
        self.counts["reviews"] += len(rows)

    # --- Reception periods, activities, attendance, leave, make-ups, escalation --------------------

    def _reception_setup(self):
        from offices.models import TeamMembership

        if hasattr(self, "members_of"):
            return
        serving = {pk: (user_id, district_id) for pk, user_id, _o, district_id in self.deputies}
        self.members_of = {}  # office id -> [(deputy id, user id)], deputies of the office's district
        self.office_district = {}
        for deputy_id, office_id, office_district in TeamMembership.objects.order_by("team_id", "deputy_id").values_list(
            "deputy_id", "team__office_id", "team__office__district_id"
        ):
            if deputy_id not in serving or serving[deputy_id][1] != office_district:
                continue
            self.office_district[office_id] = office_district
            self.members_of.setdefault(office_id, []).append((deputy_id, serving[deputy_id][0]))
        self.offices_in = {}
        for office_id, district_id in sorted(self.office_district.items()):
            if office_id in self.liaison_of:
                self.offices_in.setdefault(district_id, []).append(office_id)

    def receptions(self, year):
        """The year's reception periods from the real generator; for every period that has ended, a
        logged reception at each office with its deputies (most attend, some on approved leave, some
        refused leave or absent, a few never scheduled), a team activity or household visit, the
        attendance outcomes and reception points as `attendance_recompute` writes them (bulk, checked
        against the service on a sample by `verify_attendance`), then the real `period_close` in date
        order (absences, escalation steps, notices) and make-up activities through the real services."""
        from reception.models import Activity, Escalation, ReceptionPeriod
        from reception.period_services import reception_periods_generate

        self._reception_setup()
        reception_periods_generate(year=year)
        periods = list(
            ReceptionPeriod.objects.filter(key__startswith=f"{year}-", end__lt=self.today).order_by("start", "district_id")
        )
        for period in periods:
            if period.closed_at is not None:
                # seed_demo closed its last period before this history existed (every deputy of
                # the other offices became absent): reopen it, it is closed again below.
                Escalation.objects.filter(period=period).delete()
                period.attendances.filter(activity__isnull=True).delete()
                ReceptionPeriod.objects.filter(pk=period.pk).update(closed_at=None)
                period.closed_at = None
        done = set(
            Activity.objects.filter(period__in=periods, kind=Activity.Kind.RECEPTION).values_list("period_id", "office_id")
        )
        for period in periods:
            self._period_facts(period, done)
        self._flush_facts()
        return periods

    def close_and_make_up(self, periods):
        """In date order, each period is closed, then made up within its month: the absences of the
        deputies never scheduled, the escalation streaks and their notices (as `period_close`
        writes them), then about a third of each office's absentees at a make-up reception their
        liaison plans and logs (as `activity_plan` + `activity_log` write it). In bulk; on sampled
        periods and offices the real services run first on the same state in a rolled-back
        savepoint and the run stops if the bulk rows differ."""
        from reception.models import Attendance, ReceptionPeriod

        if not periods:
            return
        districts = {p.district_id for p in periods}
        self.district_periods = {}
        for pk, district_id, start, end in ReceptionPeriod.objects.filter(district_id__in=districts).order_by(
            "start", "pk"
        ).values_list("pk", "district_id", "start", "end"):
            self.district_periods.setdefault(district_id, []).append((pk, start, end))
        recent_ids = set()
        for p in periods:
            recent_ids.update(self._recent(p))
        self.outcome = {
            (d, p): o for d, p, o in Attendance.objects.filter(period_id__in=recent_ids).values_list(
                "deputy_id", "period_id", "outcome"
            )
        }
        self.serving_in = {}
        for pk, _u, _o, district_id in self.deputies:
            self.serving_in.setdefault(district_id, []).append(pk)
        for period in periods:
            sampled = self.rng.random() < self.close_sample
            with self.phase("period close (bulk)") as ph:
                ph.rows = self._close(period, check=sampled)
            with self.phase("make-ups (bulk)") as ph:
                ph.rows = self._make_ups(period)

    def _recent(self, period):
        """The period and the ones before it in its district, newest first, as period_close looks back."""
        from reception.rules import ESCALATION_LOOKBACK

        earlier = [pk for pk, start, _e in self.district_periods[period.district_id] if start <= period.start]
        return list(reversed(earlier))[:ESCALATION_LOOKBACK]

    def _close(self, period, *, check):
        from django.db import transaction
        from django.utils import timezone

        from liaison.models import Notice
        from reception import activity_services as svc
        from reception.models import Attendance, Escalation, ReceptionPeriod

        absent = Attendance.Outcome.ABSENT
        expected = None
        if check:
            with self.phase("period close (service, sampled)"), transaction.atomic():
                notices = Notice.objects.count()
                service = svc.period_close(period=period)
                expected = (
                    sorted((e.deputy_id, e.step, e.streak, e.make_up_by) for e in service),
                    sorted(period.attendances.filter(activity__isnull=True).values_list("deputy_id", "outcome")),
                    Notice.objects.count() - notices,
                )
                transaction.set_rollback(True)
        now = timezone.now()
        ReceptionPeriod.objects.filter(pk=period.pk).update(closed_at=now)
        serving = self.serving_in.get(period.district_id, [])
        new = [d for d in serving if (d, period.pk) not in self.outcome]
        copy_create([Attendance(deputy_id=d, period_id=period.pk, outcome=absent) for d in new])
        for d in new:
            self.outcome[(d, period.pk)] = absent
        recent = self._recent(period)
        deadline = svc.make_up_deadline(period)
        rows = []
        for d in sorted(d for d in serving if self.outcome.get((d, period.pk)) == absent):
            streak = 0
            for pk in recent:
                if self.outcome.get((d, pk)) != absent:
                    break
                streak += 1
            rows.append(
                Escalation(deputy_id=d, period_id=period.pk, district_id=period.district_id, step=min(streak, 3),
                           streak=streak, make_up_by=deadline)
            )
        notices = Notice.objects.count() if check else 0
        copy_create(rows)
        # The notices as period_close sends them (three INSERTs at most), from its own helper.
        svc._escalation_notices(period, list(Escalation.objects.filter(period=period).select_related("deputy__user")))
        self.counts["escalations"] = self.counts.get("escalations", 0) + len(rows)
        if check:
            got = (
                sorted((e.deputy_id, e.step, e.streak, e.make_up_by) for e in rows),
                sorted(period.attendances.filter(activity__isnull=True).values_list("deputy_id", "outcome")),
                Notice.objects.count() - notices,
            )
            if got != expected:
                raise SystemExit(
                    f"Bulk close of period {period.pk} differs from period_close: escalations "
                    f"{len(got[0])} vs {len(expected[0])}, absences {len(got[1])} vs {len(expected[1])}, "
                    f"notices {got[2]} vs {expected[2]}"
                )
            self.counts["closes_checked"] = self.counts.get("closes_checked", 0) + 1
        return len(new) + len(rows)

    def _make_up_day(self, period, deadline):
        """A day after the period, within its month and before today, outside every other period of
        the district (a reception on a day of another period would count for that one too)."""
        others = [(s, e) for pk, s, e in self.district_periods[period.district_id] if pk != period.pk]
        days = [
            period.end + datetime.timedelta(days=i) for i in range(1, (deadline - period.end).days + 1)
        ]
        days = [d for d in days if not any(s <= d <= e for s, e in others)]
        return self.rng.choice(days) if days else None

    def _make_ups(self, period):
        """About a third of the absentees make the period up within its month, at a make-up reception
        their liaison plans and logs: written in bulk as `activity_plan` + `activity_log` write it
        (the absence becomes "made up", the make-up reminder is resolved); a sample of the offices
        goes through the real services first, in a rolled-back savepoint, to compare."""
        from django.db import connection, transaction
        from django.utils import timezone

        from liaison.models import User
        from offices.models import Deputy, Office
        from reception import activity_services as svc
        from reception.models import Activity, ActivityParticipant, Attendance, Escalation

        absent = Attendance.Outcome.ABSENT
        deadline = min(svc.make_up_deadline(period), self.today - datetime.timedelta(days=1))
        if deadline <= period.end:
            return 0
        groups = []
        for office_id in self.offices_in.get(period.district_id, []):
            who = [d for d, _u in self.members_of.get(office_id, [])
                   if self.outcome.get((d, period.pk)) == absent and self.rng.random() < 0.35]
            if not who:
                continue
            day = self._make_up_day(period, deadline)
            if day is None:
                return 0
            groups.append((office_id, who, day))
        if not groups:
            return 0
        offices = {o.pk: o for o in Office.objects.filter(pk__in=[g[0] for g in groups]).select_related("jurisdiction")}
        expected = {}
        for office_id, who, day in groups:
            if self.rng.random() >= self.make_up_sample:
                continue
            liaison = User.objects.get(pk=self.liaison_of[office_id])
            with self.phase("make-ups (service, sampled)"), transaction.atomic():
                activity = svc.activity_plan(
                    office=offices[office_id], kind=Activity.Kind.RECEPTION, title="补课接待", date=day,
                    slot=Activity.Slot.AFTERNOON, deputies=Deputy.objects.filter(pk__in=who), actor=liaison,
                    makes_up_period=period,
                )
                svc.activity_log(activity=activity, attended={d: True for d in who}, actor=liaison,
                                 notes="补课接待群众。", today=self.today)
                expected[office_id] = self._make_up_state(period, who)
                transaction.set_rollback(True)
        now = timezone.now()
        activities = []
        for office_id, _who, day in groups:
            activities.append(
                Activity(
                    office_id=office_id, district_id=period.district_id, kind=Activity.Kind.RECEPTION, title="补课接待",
                    date=day, slot=Activity.Slot.AFTERNOON, place=offices[office_id].address,
                    makes_up_period_id=period.pk, period=None, notes="补课接待群众。", status=Activity.Status.LOGGED,
                    created_by_id=self.liaison_of[office_id], logged_at=now,
                )
            )
        copy_create(activities)
        copy_create([
            ActivityParticipant(activity_id=a.pk, deputy_id=d, attended=True)
            for a, (_o, who, _day) in zip(activities, groups, strict=True) for d in who
        ])
        values = [
            (d, a.pk, a.created_by_id) for a, (_o, who, _day) in zip(activities, groups, strict=True) for d in who
        ]
        with connection.cursor() as cur:
            cur.execute(
                f"""UPDATE {Attendance._meta.db_table} AS a
                    SET outcome = %s, activity_id = v.activity_id, recorded_by_id = v.actor_id, recorded_at = %s
                    FROM (VALUES {", ".join(["(%s, %s, %s)"] * len(values))}) AS v (deputy_id, activity_id, actor_id)
                    WHERE a.deputy_id = v.deputy_id AND a.period_id = %s""",
                [Attendance.Outcome.MADE_UP, now, *[x for row in values for x in row], period.pk],
            )
            cur.execute(
                f"""UPDATE {Escalation._meta.db_table} AS e
                    SET status = %s, resolved_at = %s, resolved_by_id = v.actor_id, resolution = %s
                    FROM (VALUES {", ".join(["(%s, %s)"] * len(values))}) AS v (deputy_id, actor_id)
                    WHERE e.deputy_id = v.deputy_id AND e.period_id = %s AND e.step = %s AND e.status = %s""",
                [Escalation.Status.RESOLVED, now, str(Attendance.Outcome.MADE_UP.label),
                 *[x for d, _a, actor in values for x in (d, actor)], period.pk, Escalation.Step.MAKE_UP,
                 Escalation.Status.OPEN],
            )
        for d, _a, _actor in values:
            self.outcome[(d, period.pk)] = Attendance.Outcome.MADE_UP
        for office_id, who, _day in groups:
            if office_id in expected:
                got = self._make_up_state(period, who)
                if got != expected[office_id]:
                    raise SystemExit(
                        f"Bulk make-up of period {period.pk} at office {office_id} differs from the services:\n"
                        f"  bulk    {got}\n  service {expected[office_id]}"
                    )
                self.counts["make_ups_checked"] = self.counts.get("make_ups_checked", 0) + 1
        self.counts["made_up"] = self.counts.get("made_up", 0) + len(values)
        return len(activities) + 2 * len(values)

    @staticmethod
    def _make_up_state(period, who):
        """What a make-up left for its deputies: outcome and deciding activity, escalations, points."""
        from reception.models import Attendance, Escalation
        from scoring.models import Entry

        return (
            sorted(
                (a.deputy_id, a.outcome, a.activity.kind, a.activity.date, a.activity.makes_up_period_id,
                 a.activity.period_id, a.activity.status, a.activity.title, a.recorded_by_id,
                 sorted(a.activity.participants.values_list("deputy_id", "attended")))
                for a in Attendance.objects.filter(period=period, deputy_id__in=who).select_related("activity")
            ),
            sorted(Escalation.objects.filter(period=period, deputy_id__in=who).values_list(
                "deputy_id", "step", "status", "resolution", "resolved_by_id"
            )),
            Entry.objects.filter(deputy_id__in=who).count(),
        )

    def _period_facts(self, period, done):
        from reception.models import Activity, LeaveRequest

        rng = self.rng
        if not hasattr(self, "facts"):
            self.facts = {"activities": [], "participants": [], "leave": [], "extra": []}
        length = (period.end - period.start).days + 1
        for office_id in self.offices_in.get(period.district_id, []):
            if (period.pk, office_id) in done:
                continue
            members = self.members_of.get(office_id, [])
            if not members:
                continue
            liaison = self.liaison_of[office_id]
            date = period.start + datetime.timedelta(days=rng.randrange(length))
            activity = Activity(
                office_id=office_id, district_id=period.district_id, kind=Activity.Kind.RECEPTION,
                title="接待周集中接待", date=date, slot=rng.choice(Activity.Slot.values), place="党代表工作室",
                notes=f"接待群众{rng.randint(5, 30)}人次，收集意见{rng.randint(1, 8)}条。",
                status=Activity.Status.LOGGED, period=period, created_by_id=liaison,
                logged_at=self._at(date, 17),
            )
            self.facts["activities"].append(activity)
            for deputy_id, user_id in members:
                r = rng.random()
                if r < 0.03:
                    continue  # never scheduled: period_close records the absence
                attended = r < 0.83
                self.facts["participants"].append((activity, deputy_id, attended))
                if attended or r >= 0.95:
                    continue
                # 0.83-0.95: leave asked 5+ days ahead, mostly approved; the rest simply absent.
                if r < 0.90:
                    status = LeaveRequest.Status.APPROVED if r < 0.89 else LeaveRequest.Status.REFUSED
                    self.facts["leave"].append(
                        LeaveRequest(
                            deputy_id=deputy_id, activity=activity, district_id=period.district_id,
                            reason="单位安排外出学习，无法参加。", status=status, filed_by_id=user_id or liaison,
                            decided_by_id=self.staff.pk, decided_at=self._at(date - datetime.timedelta(days=4), 9),
                            decision_note="" if status == LeaveRequest.Status.APPROVED else "该时段另有安排的代表已足额，请按时参加",
                        )
                    )
            # A team activity or household visit of some of the office's deputies.
            kind = rng.choice((Activity.Kind.HOUSEHOLD_VISIT, Activity.Kind.VOLUNTEER, Activity.Kind.COUNCIL,
                               Activity.Kind.PARTY_LECTURE, Activity.Kind.SURVEY, Activity.Kind.VISIT_ENTERPRISE))
            day = period.end + datetime.timedelta(days=rng.randint(1, 40))
            if day >= self.today:
                continue
            extra = Activity(
                office_id=office_id, district_id=period.district_id, kind=kind, title=Activity.Kind(kind).label,
                date=day, slot=rng.choice(Activity.Slot.values), place="社区党群服务中心",
                households=rng.randint(2, 8) if kind == Activity.Kind.HOUSEHOLD_VISIT else 0,
                notes="活动按计划开展。", status=Activity.Status.LOGGED, created_by_id=liaison,
                logged_at=self._at(day, 18),
            )
            self.facts["activities"].append(extra)
            for deputy_id, _u in rng.sample(members, min(len(members), rng.randint(1, 3))):
                self.facts["participants"].append((extra, deputy_id, True))

    @staticmethod
    def _at(day, hour):
        tz = datetime.timezone(datetime.timedelta(hours=8))
        return datetime.datetime.combine(day, datetime.time(hour), tz)

    def _flush_facts(self):
        """Insert the facts, then the outcome of every scheduled deputy, as `_facts` decides it:
        attended a logged reception of the period > approved leave > missed (absent). Make-ups come
        later through the services; deputies never scheduled are left to period_close."""
        from django.contrib.contenttypes.models import ContentType

        from reception.models import Activity, ActivityParticipant, Attendance, LeaveRequest

        facts = getattr(self, "facts", None)
        if not facts or not facts["activities"]:
            return
        with self.phase("activities, participants, leave") as ph:
            copy_create(facts["activities"])
            parts = copy_create(
                [ActivityParticipant(activity=a, deputy_id=d, attended=att) for a, d, att in facts["participants"]]
            )
            copy_create(facts["leave"], model=LeaveRequest)
            ph.rows = len(facts["activities"]) + len(parts) + len(facts["leave"])
        approved = {
            (lv.deputy_id, lv.activity.period_id): lv.activity
            for lv in facts["leave"] if lv.status == LeaveRequest.Status.APPROVED
        }
        rows = []
        part_ct = ContentType.objects.get_for_model(ActivityParticipant)
        for p in parts:
            a = p.activity
            if a.kind != Activity.Kind.RECEPTION:
                event = "household_visit" if a.kind == Activity.Kind.HOUSEHOLD_VISIT else "team_activity"
                self.entry(deputy_id=p.deputy_id, event=event, year=a.date.year, source_ct=part_ct, source_id=p.pk,
                           quantity=a.households if event == "household_visit" else 1, occurred_on=a.date,
                           created_by_id=a.created_by_id)
                continue
            if p.attended:
                outcome, decided_by = Attendance.Outcome.ATTENDED, a
            elif (p.deputy_id, a.period_id) in approved:
                outcome, decided_by = Attendance.Outcome.LEAVE, approved[(p.deputy_id, a.period_id)]
            else:
                outcome, decided_by = Attendance.Outcome.ABSENT, a
            rows.append(
                Attendance(deputy_id=p.deputy_id, period_id=a.period_id, outcome=outcome, activity=decided_by,
                           recorded_by_id=a.created_by_id)
            )
        with self.phase("attendance") as ph:
            rows = copy_create(rows)
            ph.rows = len(rows)
        attendance_ct = ContentType.objects.get_for_model(Attendance)
        for row in rows:
            if row.outcome == Attendance.Outcome.ATTENDED:
                self.entry(deputy_id=row.deputy_id, event="reception_attended", year=row.activity.date.year,
                           source_ct=attendance_ct, source_id=row.pk, occurred_on=row.activity.date,
                           created_by_id=row.recorded_by_id)
        self.flush()
        self.counts["activities"] = self.counts.get("activities", 0) + len(facts["activities"])
        self.counts["attendance"] = self.counts.get("attendance", 0) + len(rows)
        self.counts["leave"] = self.counts.get("leave", 0) + len(facts["leave"])
        self.facts = {"activities": [], "participants": [], "leave": [], "extra": []}

    def verify_attendance(self, sample=300):
        """The bulk outcomes are the service's: on a sample of every outcome, `attendance_recompute`
        (in a transaction rolled back) keeps the row as it is and awards no new points."""
        from django.db import transaction

        from reception import activity_services as svc
        from reception.models import Attendance
        from scoring.models import Entry

        checked = 0
        for outcome in Attendance.Outcome.values:
            rows = list(
                Attendance.objects.filter(outcome=outcome).select_related("deputy", "period").order_by("?")[: sample // 4]
            )
            for row in rows:
                with transaction.atomic():
                    entries = Entry.objects.filter(deputy=row.deputy).count()
                    again = svc.attendance_recompute(deputy=row.deputy, period=row.period)
                    same = (again.pk, again.outcome, again.activity_id) == (row.pk, row.outcome, row.activity_id)
                    if not same or Entry.objects.filter(deputy=row.deputy).count() != entries:
                        raise SystemExit(
                            f"Attendance {row.pk} ({row.outcome}, activity {row.activity_id}) differs from "
                            f"attendance_recompute: {again.outcome if again else None}, activity "
                            f"{again.activity_id if again else None}"
                        )
                    transaction.set_rollback(True)
                if row.outcome == Attendance.Outcome.ATTENDED and not Entry.objects.filter(
                    source_type__model="attendance", source_id=row.pk, event="reception_attended"
                ).exists():
                    raise SystemExit(f"Attendance {row.pk} is attended but has no reception points.")
                checked += 1
        return checked

    def verify_timelines(self, per_status=8):
        """The bulk timelines are the workflow's: for a sample of cases of each status, the same
        story is replayed through the real services (case_register, case_assign, case_forward,
        case_dispatch, case_reply, case_feedback, case_rate, case_archive) on a new case in a
        rolled-back transaction; its timeline (action, from, to), status, satisfaction and due
        dates must be the bulk case's. Dates differ (the services stamp today), the moves do not."""
        from django.db import transaction
        from django.utils import timezone

        from cases import services as cs
        from cases.models import Case, CaseDispatch, CaseRating
        from cases.models.case import ReplyResult, Status
        from cases.resident_services import case_rate, rating_token
        from liaison.models import Role, User

        city = User.objects.get(username="demo_city")
        handler = User.objects.filter(role=Role.UNIT_HANDLER, is_active=True, unit__is_active=True).order_by("pk").first()
        today = timezone.localdate()
        checked = 0
        for status in (Status.ASSIGNED, Status.DISPATCHED, Status.FED_BACK, Status.ARCHIVED):
            for case in Case.objects.filter(status=status).select_related("office", "category", "owner").order_by("?")[
                :per_status
            ]:
                bulk = list(case.events.order_by("at", "pk").values_list("action", "from_status", "to_status"))
                dispatch = CaseDispatch.objects.filter(case=case).first()
                with transaction.atomic():
                    liaison = User.objects.get(pk=self.liaison_of[case.office_id])
                    r = cs.case_register(
                        office=case.office, channel=case.channel, category=case.category, title=case.title,
                        content=case.content, received_on=case.received_on, reporter_name=case.reporter_name,
                        reporter_mobile=case.reporter_mobile, received_by=[case.owner], actor=liaison,
                    )
                    moves = [a for a, _f, _t in bulk]
                    if "assign" in moves:
                        r = cs.case_assign(case=r, owner=case.owner, actor=city)
                    if "forward" in moves:
                        r = cs.case_forward(case=r, actor=liaison)
                    deadline = today + datetime.timedelta(days=15)
                    if "dispatch" in moves:
                        r = cs.case_dispatch(case=r, units=[handler.unit], deadline=deadline, actor=city)
                    if "reply" in moves:
                        r = cs.case_reply(case=r, result=ReplyResult.SOLVED, reply="已现场核查并安排维修。", actor=handler)
                    if "feedback" in moves:
                        r = cs.case_feedback(case=r, note="已告知居民办理结果。", actor=liaison)
                    if "rate" in moves:
                        rating = CaseRating.objects.get(case=r, round=r.dispatch_round)
                        r = case_rate(token=rating_token(rating), satisfaction=case.satisfaction)
                    if "archive" in moves:
                        r = cs.case_archive(case=r, actor=liaison)
                    replayed = list(r.events.order_by("at", "pk").values_list("action", "from_status", "to_status"))
                    mine = (bulk, case.status, case.satisfaction, case.satisfaction_source,
                            case.forward_due - case.received_on, case.reply_due is None,
                            case.reply_due == (dispatch.deadline if dispatch else None) or case.reply_due is None)
                    theirs = (replayed, r.status, r.satisfaction, r.satisfaction_source,
                              r.forward_due - r.received_on, r.reply_due is None,
                              r.reply_due == deadline or r.reply_due is None)
                    transaction.set_rollback(True)
                if mine != theirs:
                    raise SystemExit(f"Case {case.pk} differs from its replay through the services:\n"
                                     f"  bulk    {mine}\n  service {theirs}")
                checked += 1
        return checked

    def bulletin(self, year):
        """The city-wide year-end review bulletin of `year`, published by city staff through the
        real service (its figures are frozen from the year's dispatches)."""
        from cases.bulletin_services import bulletin_publish
        from liaison.models import User

        if year < self.first_year:
            return None
        return bulletin_publish(
            user=User.objects.get(username="demo_city"), year=year, district=None,
            title=f"{year}年度承办单位办理情况通报", foreword="现将全年社情民意办理情况通报如下。",
        )

    def snapshots(self, year):
        from scoring.models import Snapshot
        from scoring.services import quarter_end, snapshot_publish

        published = 0
        for quarter in (1, 2, 3, 4):
            if quarter_end(year, quarter) < self.today:
                # seed_demo publishes the last quarter before this history exists: publish it anew.
                Snapshot.objects.filter(year=year, quarter=quarter).delete()
                published += snapshot_publish(year=year, quarter=quarter, actor=self.staff).rows.count()
        return published


def table_counts():
    """Rows per table of the data set, for the README."""
    from django.apps import apps
    from django.db import connection

    from reception.models import Activity, ActivityParticipant, Attendance, Escalation, LeaveRequest, ReceptionPeriod

    models = [
        apps.get_model("offices", "Deputy"), apps.get_model("cases", "Case"), apps.get_model("cases", "CaseEvent"),
        apps.get_model("cases", "CaseDispatch"), apps.get_model("scoring", "Entry"),
        apps.get_model("scoring", "DeputyYearTotal"), apps.get_model("scoring", "Claim"),
        apps.get_model("scoring", "Snapshot"), apps.get_model("scoring", "SnapshotRow"), ReceptionPeriod, Activity,
        ActivityParticipant, Attendance, LeaveRequest, Escalation, apps.get_model("liaison", "Notice"),
    ]
    out = []
    with connection.cursor() as cur:
        for m in models:
            cur.execute(f'SELECT count(*) FROM "{m._meta.db_table}"')
            out.append((m._meta.db_table, cur.fetchone()[0]))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recreate", action="store_true", help="drop and create the database, then migrate")
    parser.add_argument("--deputies", type=int, default=2007, help="total deputies (default: Shenzhen's 2,007)")
    parser.add_argument("--years", type=int, default=3, help="years of history, the current one included")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cases-per-deputy", type=float, default=None,
                        help="mean cases a deputy owns per year (default: Shenzhen's 0-3 mix, 1.4); 5 for the "
                             "20,000-deputy goal of issue 10 (~500,000 cases over 5 years)")
    parser.add_argument("--timelines", action="store_true",
                        help="write each case's timeline (CaseEvent rows) with the times of its story")
    parser.add_argument("--check-periods", type=float, default=0.05,
                        help="share of the period closes also run through period_close to compare (default 0.05)")
    parser.add_argument("--check-make-ups", type=float, default=0.005,
                        help="share of the offices' make-ups also run through the services to compare (default 0.005)")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.recreate:
        recreate_database()
    setup()
    require_postgres()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"Migrated in {time.monotonic() - started:.0f} s.")
    t = time.monotonic()
    call_command("seed_demo", scale="city", seed=args.seed, stdout=open(os.devnull, "w"))  # noqa: SIM115
    seeded = time.monotonic() - t
    print(f"seed_demo --scale city in {seeded:.0f} s.")
    rng = random.Random(args.seed)
    t = time.monotonic()
    with transaction.atomic():
        added = add_deputies(args.deputies, rng)
    print(f"Added {added} deputies in {time.monotonic() - t:.0f} s.")
    today = timezone.localdate()
    history = History(rng, today)
    history.phases["seed_demo --scale city"] = (seeded, 0)
    history.phases["deputies added"] = (time.monotonic() - t, added)
    history.first_year = today.year - args.years + 1
    history.cases_per_deputy = args.cases_per_deputy
    history.timelines = args.timelines
    history.close_sample = args.check_periods
    history.make_up_sample = args.check_make_ups
    for year in range(today.year - args.years + 1, today.year + 1):
        t = time.monotonic()
        with transaction.atomic():
            history.cases(year)
            with history.phase("records (ledger rows built)"):
                history.records(year)
            history.claims(year)
            with history.phase("reception periods and facts"):
                periods = history.receptions(year)
            history.flush()
            with history.phase("reviews"):
                history.reviews(year)
        t2 = time.monotonic()
        with transaction.atomic():
            history.close_and_make_up(periods)
        print(f"{year}: {len(periods)} periods closed and made up in {time.monotonic() - t2:.0f} s.")
        with transaction.atomic(), history.phase("quarterly snapshots (snapshot_publish)") as ph:
            ph.rows = history.snapshots(year)
        print(f"{year}: history in {time.monotonic() - t:.0f} s ({history.counts}).", flush=True)
    with history.phase("check: attendance_recompute on a sample") as ph:
        ph.rows = history.verify_attendance()
    print(f"attendance_recompute agrees with the bulk outcomes on {ph.rows} sampled rows.")
    if history.timelines:
        with history.phase("check: case timelines replayed") as ph:
            ph.rows = history.verify_timelines()
        print(f"The workflow services replay {ph.rows} sampled case timelines the same.")
    from cases.unit_figures_services import unit_figures_rebuild

    # The shares and cases were written in bulk, past the services that keep the units' figures
    # (the review per unit and year, the open shares per unit): one INSERT ... SELECT ... GROUP BY
    # per table, before the bulletin reads them.
    with history.phase("kept unit figures (unit_figures_rebuild)") as ph:
        ph.rows = unit_figures_rebuild()
    from cases.inbox_sort_services import sort_keys_fill

    # The shares were copied in bulk without the case's district and office names that the unit
    # inbox sorts by (issue 10): one UPDATE ... FROM.
    with history.phase("inbox sort keys (sort_keys_fill)") as ph:
        ph.rows = sort_keys_fill()
    with history.phase("review bulletin (bulletin_publish)"):
        bulletin = history.bulletin(today.year - 1)
    if bulletin:
        print(f"Published the {bulletin.year} review bulletin ({len(bulletin.rows)} units).")
    from scoring.selectors import deputy_totals_rebuild

    # The ledger was written in bulk, past the service that keeps each deputy's yearly total:
    # one INSERT ... SELECT ... GROUP BY over the ledger.
    with history.phase("kept yearly totals (deputy_totals_rebuild)") as ph:
        ph.rows = deputy_totals_rebuild()
    from liaison.lib.versions import retire_all

    # The attendance, periods and roster were written in bulk, past the services that bump the
    # cache versions (the attendance sheet's totals, the dashboard's chart): a shared cache must
    # not serve results computed from an earlier data set of the same database name.
    retire_all()
    with history.phase("VACUUM ANALYZE"), connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    total = time.monotonic() - started
    print()
    print_phases(history.phases)
    print(f"{'total (after the migrations)':<40} {'':>10} {total:>9.1f}")
    print()
    for table, n in table_counts():
        print(f"{table:<40} {n:>10,}")
    print(f"Done in {total:.0f} s: {len(history.deputies)} serving deputies, {history.counts}.")
    with open("/proc/loadavg") as fh:
        print("load average at the end:", " ".join(fh.read().split()[:3]))
    print(machine())


if __name__ == "__main__":
    main()
