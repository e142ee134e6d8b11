"""Build a city-scale data set for the benchmarks, with years of history.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench \\
        .venv/bin/python bench/generate.py --recreate [--deputies 10000] [--years 3]

1. (--recreate) drops and creates the database named in DATABASE_URL, then migrates it;
2. `seed_demo --scale city`: Shenzhen's 2,007 deputies in 637 community offices and teams, with
   their logins, liaisons, staff, units and contacts;
3. --deputies N > 2,007 adds deputies to the existing teams until there are N (10,000 is about five
   times Shenzhen's deputies, the size the export must handle);
4. for each of the last --years years (the current one up to today): public-opinion cases owned
   by deputies, dispatched to responsible units that reply, and fed back with satisfaction; the
   points ledger that the records and claims feed (receptions, activities, cases, proposals,
   motions, co-signing above the cap, inquiries); claims in every state; review requests;
   every district's reception periods (the real `reception_periods_generate`) and, for each period
   that has ended, a logged reception at every office (most deputies attend, some on approved or
   refused leave, some absent, a few never scheduled), a team activity or household visit, the
   attendance outcomes, the real `period_close` (absences, escalation steps 1-3, notices) and
   make-up activities planned and logged through the real services; the quarterly published
   standings;
5. checks the bulk attendance outcomes against `attendance_recompute` on a sample of each outcome
   and publishes the city-wide year-end review bulletin of the last full year (`bulletin_publish`).

Most rows are written with bulk inserts: the data is the input of the benchmarks, not the
behaviour under test (the services that write these rows one by one are tested in tests/). The
attendance outcomes and their reception points are written in bulk as `attendance_recompute`
would write them (step 5 fails the run if the service disagrees on any sampled row); periods are
closed and make-ups logged through the services themselves. Record events whose source model is
not part of this data set (proposals, motions, inquiries) point at the deputy row as a stand-in
source, with the award counter `seq` keeping the ledger's unique key. The same --seed builds the
same data.
"""

import argparse
import datetime
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _django import ROOT, machine, require_postgres, setup  # noqa: E402

BATCH = 5000


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


class _stamped:
    """Switch auto_now_add off for some fields of a model while bulk rows carry their own times."""

    def __init__(self, model, *names, active=True):
        self.fields = [model._meta.get_field(n) for n in names] if active else []

    def __enter__(self):
        for f in self.fields:
            f.auto_now_add = False

    def __exit__(self, *exc):
        for f in self.fields:
            f.auto_now_add = True


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

    def day(self, year):
        last = self.today if year == self.today.year else datetime.date(year, 12, 31)
        start = datetime.date(year, 1, 1)
        return start + datetime.timedelta(days=self.rng.randint(0, (last - start).days))

    def entry(self, *, deputy_id, event, year, source_ct, source_id, item=None, quantity=1, occurred_on=None,
              created_by_id=None):
        from scoring.models import Entry

        item = item or self.by_event.get(event)
        if item is None:
            return
        key = (deputy_id, event, source_ct.pk, source_id)
        seq = self.seq.get(key, 0) + 1
        self.seq[key] = seq
        self.pending.append(
            Entry(
                deputy_id=deputy_id, rule_item=item, event=event, source_type=source_ct, source_id=source_id, seq=seq,
                year=year, occurred_on=occurred_on or self.day(year), quantity=quantity,
                points=item.points * quantity, created_by_id=created_by_id,
            )
        )
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self):
        from scoring.models import Entry

        Entry.objects.bulk_create(self.pending, batch_size=BATCH)
        self.counts["entries"] += len(self.pending)
        self.pending = []

    def cases(self, year):
        """Cases owned by deputies; fed-back ones carry the resident's satisfaction."""
        from django.contrib.contenttypes.models import ContentType

        from cases.models import Case, Category
        from cases.models.case import Satisfaction, SatisfactionSource, Status

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
                rows.append(
                    Case(
                        channel="visit", category_id=rng.choice(category_ids), title="小区路灯损坏影响出行",
                        content="居民反映小区内多处路灯损坏，夜间出行不便。", reporter_name="居民",
                        office_id=office_id, district_id=district_id, received_on=self.day(year), status=status,
                        owner_id=deputy_id, dispatch_round=1 if dispatched else 0,
                        satisfaction=rng.choice((Satisfaction.VERY, Satisfaction.BASIC, Satisfaction.DISSATISFIED))
                        if satisfied else "",
                        # Rated by the resident through the SMS link: the only kind that counts.
                        satisfaction_source=SatisfactionSource.RESIDENT if satisfied else "",
                    )
                )
        stories = [self._story(c) for c in rows] if self.timelines else None
        with _stamped(Case, "created_at", "status_changed_at", active=self.timelines):
            cases = Case.objects.bulk_create(rows, batch_size=BATCH)
        through = Case.received_by.through
        through.objects.bulk_create(
            [through(case_id=c.pk, deputy_id=c.owner_id) for c in cases], batch_size=BATCH
        )
        self.dispatches(cases)
        if self.timelines:
            self.case_timelines(cases, stories)
        ct = ContentType.objects.get_for_model(Case)
        for c in cases:
            self.entry(deputy_id=c.owner_id, event="case_received", year=year, source_ct=ct, source_id=c.pk)
            self.entry(deputy_id=c.owner_id, event="case_taken", year=year, source_ct=ct, source_id=c.pk)
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

    PATH = (("register", "", "registered"), ("assign", "registered", "assigned"), ("forward", "assigned", "forwarded"),
            ("dispatch", "forwarded", "dispatched"), ("reply", "dispatched", "replied"),
            ("feedback", "replied", "fed_back"), ("archive", "fed_back", "archived"))

    def _story(self, case):
        """The moves of a case up to its status, in the order and with the names the workflow
        services write them, each with its time; sets the case's due dates, creation time and the
        time of its last move (as the services would have left them)."""
        tz = datetime.timezone(datetime.timedelta(hours=8))
        at = datetime.datetime.combine(case.received_on, datetime.time(9), tz)
        story = []
        for action, from_status, to_status in self.PATH:
            story.append((at, action, from_status, to_status))
            if to_status == case.status:
                break
            at += datetime.timedelta(days=self.rng.randint(0, 3), hours=self.rng.randint(1, 6))
        case.created_at = story[0][0]
        case.status_changed_at = story[-1][0]
        case.forward_due = case.received_on + datetime.timedelta(days=3) if case.status == "assigned" else None
        case.reply_due = case.received_on + datetime.timedelta(days=16) if case.status == "dispatched" else None
        return story

    def case_timelines(self, cases, stories):
        """Each case's timeline rows (CaseEvent) from its story, in bulk with the story's times
        (auto_now_add is off in this process while they are written)."""
        from cases.models import CaseEvent

        events = [
            CaseEvent(case_id=c.pk, at=at, actor_id=self.staff.pk, actor_repr=self.staff_name, action=action,
                      from_status=from_status, to_status=to_status)
            for c, story in zip(cases, stories, strict=True)
            for at, action, from_status, to_status in story
        ]
        with _stamped(CaseEvent, "at"):
            CaseEvent.objects.bulk_create(events, batch_size=BATCH)
        self.counts["case_events"] = self.counts.get("case_events", 0) + len(events)

    def dispatches(self, cases):
        """Each dispatched case went to one responsible unit of its district (or a city-level unit),
        which replied within the deadline unless the case is still waiting; the year-end review and
        its bulletin read these."""
        from cases.models import CaseDispatch
        from cases.models.case import ReplyResult, Status
        from offices.models import Unit

        rng = self.rng
        units = {}
        for pk, district_id in Unit.objects.filter(is_active=True).order_by("pk").values_list("pk", "district_id"):
            units.setdefault(district_id, []).append(pk)
        city_units = units.get(None, [])
        rows = []
        for c in cases:
            if c.dispatch_round != 1:
                continue
            choices = units.get(c.district_id, []) + city_units
            if not choices:
                continue
            replied = c.status != Status.DISPATCHED
            rows.append(
                CaseDispatch(
                    case_id=c.pk, unit_id=rng.choice(choices), round=1,
                    deadline=c.received_on + datetime.timedelta(days=15),
                    result=rng.choice((ReplyResult.SOLVED, ReplyResult.SOLVED, ReplyResult.WILL_SOLVE, ReplyResult.CANNOT))
                    if replied else "",
                    reply="已现场核查并安排维修。" if replied else "",
                    dispatched_by_id=self.staff.pk,
                )
            )
        rows = CaseDispatch.objects.bulk_create(rows, batch_size=BATCH)
        # dispatched_at is auto_now_add: put it on the day after the case came in, and the reply
        # within (mostly) the 15 days of the deadline.
        by_case = {c.pk: c for c in cases}
        tz = datetime.timezone(datetime.timedelta(hours=8))
        updates = []
        for d in rows:
            received = by_case[d.case_id].received_on
            d.dispatched_at = datetime.datetime.combine(received + datetime.timedelta(days=1), datetime.time(10), tz)
            if d.result:
                d.replied_at = d.dispatched_at + datetime.timedelta(days=rng.randint(2, 18), hours=3)
            updates.append(d)
        CaseDispatch.objects.bulk_update(updates, ["dispatched_at", "replied_at"], batch_size=BATCH)
        self.counts["dispatches"] = self.counts.get("dispatches", 0) + len(rows)

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
        claims = Claim.objects.bulk_create(rows, batch_size=BATCH)
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
        from reception import activity_services as svc

        for period in periods:
            self.counts["escalations"] = self.counts.get("escalations", 0) + len(svc.period_close(period=period))
        for period in periods:
            self._make_ups(period)

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
        Activity.objects.bulk_create(facts["activities"], batch_size=BATCH)
        parts = ActivityParticipant.objects.bulk_create(
            [ActivityParticipant(activity=a, deputy_id=d, attended=att) for a, d, att in facts["participants"]],
            batch_size=BATCH,
        )
        LeaveRequest.objects.bulk_create(facts["leave"], batch_size=BATCH)
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
        rows = Attendance.objects.bulk_create(rows, batch_size=BATCH)
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

    def _make_ups(self, period):
        """About a third of the absentees make the period up within its month, at a make-up activity
        their liaison plans and logs through the real services (which turn the absence into "made up"
        and resolve the make-up reminder)."""
        from django.core.exceptions import ValidationError

        from liaison.models import User
        from offices.models import Deputy, Office
        from reception import activity_services as svc
        from reception.models import Activity, Attendance

        deadline = min(svc.make_up_deadline(period), self.today - datetime.timedelta(days=1))
        if deadline <= period.end:
            return
        absent = set(
            Attendance.objects.filter(period=period, outcome=Attendance.Outcome.ABSENT).values_list("deputy_id", flat=True)
        )
        for office_id in self.offices_in.get(period.district_id, []):
            who = [d for d, _u in self.members_of.get(office_id, []) if d in absent and self.rng.random() < 0.35]
            if not who:
                continue
            day = period.end + datetime.timedelta(days=self.rng.randint(1, (deadline - period.end).days))
            liaison = User.objects.get(pk=self.liaison_of[office_id])
            try:
                activity = svc.activity_plan(
                    office=Office.objects.select_related("jurisdiction").get(pk=office_id), kind=Activity.Kind.RECEPTION,
                    title="补课接待", date=day, slot=Activity.Slot.AFTERNOON, deputies=Deputy.objects.filter(pk__in=who),
                    actor=liaison, makes_up_period=period,
                )
                svc.activity_log(activity=activity, attended={d: True for d in who}, actor=liaison,
                                 notes="补课接待群众。", today=self.today)
            except ValidationError as e:
                self.counts["make_up_refused"] = self.counts.get("make_up_refused", 0) + 1
                print(f"  make-up at office {office_id} refused: {e.messages}")
                continue
            self.counts["made_up"] = self.counts.get("made_up", 0) + len(who)

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

        for quarter in (1, 2, 3, 4):
            if quarter_end(year, quarter) < self.today:
                # seed_demo publishes the last quarter before this history exists: publish it anew.
                Snapshot.objects.filter(year=year, quarter=quarter).delete()
                snapshot_publish(year=year, quarter=quarter, actor=self.staff)


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
                        help="write each case's timeline and due dates (issue 10's data set)")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.recreate:
        recreate_database()
    setup()
    require_postgres()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"Migrated in {time.monotonic() - started:.0f} s.")
    t = time.monotonic()
    call_command("seed_demo", scale="city", seed=args.seed, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"seed_demo --scale city in {time.monotonic() - t:.0f} s.")
    rng = random.Random(args.seed)
    t = time.monotonic()
    with transaction.atomic():
        added = add_deputies(args.deputies, rng)
    print(f"Added {added} deputies in {time.monotonic() - t:.0f} s.")
    today = timezone.localdate()
    history = History(rng, today)
    history.first_year = today.year - args.years + 1
    history.cases_per_deputy = args.cases_per_deputy
    history.timelines = args.timelines
    for year in range(today.year - args.years + 1, today.year + 1):
        t = time.monotonic()
        with transaction.atomic():
            history.cases(year)
            history.records(year)
            history.claims(year)
            periods = history.receptions(year)
            history.flush()
            history.reviews(year)
        t2 = time.monotonic()
        with transaction.atomic():
            history.close_and_make_up(periods)
        print(f"{year}: {len(periods)} periods closed and made up in {time.monotonic() - t2:.0f} s.")
        with transaction.atomic():
            history.snapshots(year)
        print(f"{year}: history in {time.monotonic() - t:.0f} s ({history.counts}).")
    t = time.monotonic()
    checked = history.verify_attendance()
    print(f"attendance_recompute agrees with the bulk outcomes on {checked} sampled rows ({time.monotonic() - t:.0f} s).")
    bulletin = history.bulletin(today.year - 1)
    if bulletin:
        print(f"Published the {bulletin.year} review bulletin ({len(bulletin.rows)} units).")
    from django.db import connection

    from scoring.selectors import deputy_totals_rebuild

    # The ledger was written in bulk, past the service that keeps each deputy's yearly total.
    t = time.monotonic()
    print(f"Kept yearly totals rebuilt from the ledger: {deputy_totals_rebuild()} rows ({time.monotonic() - t:.0f} s).")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"Done in {time.monotonic() - started:.0f} s: {len(history.deputies)} serving deputies, {history.counts}.")
    print(machine())


if __name__ == "__main__":
    main()
