"""Build a city-scale data set for the benchmarks, with years of history.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/liaison_bench \\
        .venv/bin/python bench/generate.py --recreate [--deputies 10000] [--years 3]

1. (--recreate) drops and creates the database named in DATABASE_URL, then migrates it;
2. `seed_demo --scale city`: Shenzhen's 2,007 deputies in 637 community offices and teams, with
   their logins, liaisons, staff, units and contacts;
3. --deputies N > 2,007 adds deputies to the existing teams until there are N (10,000 is about five
   times Shenzhen's deputies, the size the export must handle);
4. for each of the last --years years (the current one up to today): public-opinion cases owned
   by deputies and fed back with satisfaction, the points ledger that the records and claims feed
   (receptions, cases, proposals, motions, co-signing above the cap, inquiries), claims in every
   state, review requests, and the quarterly published standings.

Rows are written with bulk inserts: the data is the input of the benchmarks, not the behaviour
under test (the services that write these rows one by one are tested in tests/). Record events
whose source model is not part of this data set (reception attendance, proposals) point at the
deputy row as a stand-in source, with the award counter `seq` keeping the ledger's unique key.
The same --seed builds the same data.
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
        self.deputy_ct = ContentType.objects.get_for_model(Deputy)
        self.claim_ct = ContentType.objects.get_for_model(Claim)
        self.seq = {}
        self.pending = []
        self.counts = {"entries": 0, "claims": 0, "cases": 0, "reviews": 0}

    def day(self, year):
        last = self.today if year == self.today.year else datetime.date(year, 12, 31)
        start = datetime.date(year, 1, 1)
        return start + datetime.timedelta(days=self.rng.randint(0, (last - start).days))

    def entry(self, *, deputy_id, event, year, source_ct, source_id, item=None, quantity=1):
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
                year=year, occurred_on=self.day(year), quantity=quantity, points=item.points * quantity,
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
        from cases.models.case import Satisfaction, Status

        category_ids = list(Category.objects.values_list("pk", flat=True))
        if not category_ids:
            category_ids = [Category.objects.create(name="城市管理").pk]
        rng = self.rng
        rows = []
        for deputy_id, _user_id, office_id, district_id in self.deputies:
            if office_id is None:
                continue
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                status = rng.choice((Status.FED_BACK, Status.FED_BACK, Status.ARCHIVED, Status.DISPATCHED, Status.ASSIGNED))
                satisfied = status in (Status.FED_BACK, Status.ARCHIVED)
                rows.append(
                    Case(
                        channel="visit", category_id=rng.choice(category_ids), title="小区路灯损坏影响出行",
                        content="居民反映小区内多处路灯损坏，夜间出行不便。", reporter_name="居民",
                        office_id=office_id, district_id=district_id, received_on=self.day(year), status=status,
                        owner_id=deputy_id,
                        satisfaction=rng.choice((Satisfaction.VERY, Satisfaction.BASIC, Satisfaction.DISSATISFIED))
                        if satisfied else "",
                    )
                )
        cases = Case.objects.bulk_create(rows, batch_size=BATCH)
        through = Case.received_by.through
        through.objects.bulk_create(
            [through(case_id=c.pk, deputy_id=c.owner_id) for c in cases], batch_size=BATCH
        )
        ct = ContentType.objects.get_for_model(Case)
        for c in cases:
            self.entry(deputy_id=c.owner_id, event="case_received", year=year, source_ct=ct, source_id=c.pk)
            self.entry(deputy_id=c.owner_id, event="case_taken", year=year, source_ct=ct, source_id=c.pk)
            if c.satisfaction == Satisfaction.VERY:
                self.entry(deputy_id=c.owner_id, event="case_satisfied_very", year=year, source_ct=ct, source_id=c.pk)
            elif c.satisfaction == Satisfaction.BASIC:
                self.entry(deputy_id=c.owner_id, event="case_satisfied_basic", year=year, source_ct=ct, source_id=c.pk)
        self.counts["cases"] += len(cases)

    def records(self, year):
        rng = self.rng
        months = self.today.month if year == self.today.year else 12
        for deputy_id, _u, _o, _d in self.deputies:
            counts = {
                "reception_attended": round(rng.randint(4, 12) * months / 12),
                "proposal": rng.choice((0, 1, 1, 2, 3)),
                "motion_lead": 1 if rng.random() < 0.1 else 0,
                "motion_cosign": rng.choice((0, 1, 2, 3, 4, 5)),  # often above the cap of 9 points
                "inquiry": rng.choice((0, 0, 1, 2)),
                "household_visit": 0,
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

    def snapshots(self, year):
        from scoring.services import quarter_end, snapshot_publish

        for quarter in (1, 2, 3, 4):
            if quarter_end(year, quarter) < self.today:
                snapshot_publish(year=year, quarter=quarter, actor=self.staff)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recreate", action="store_true", help="drop and create the database, then migrate")
    parser.add_argument("--deputies", type=int, default=2007, help="total deputies (default: Shenzhen's 2,007)")
    parser.add_argument("--years", type=int, default=3, help="years of history, the current one included")
    parser.add_argument("--seed", type=int, default=2026)
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
    for year in range(today.year - args.years + 1, today.year + 1):
        t = time.monotonic()
        with transaction.atomic():
            history.cases(year)
            history.records(year)
            history.claims(year)
            history.flush()
            history.reviews(year)
        with transaction.atomic():
            history.snapshots(year)
        print(f"{year}: history in {time.monotonic() - t:.0f} s ({history.counts}).")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"Done in {time.monotonic() - started:.0f} s: {len(history.deputies)} serving deputies, {history.counts}.")
    print(machine())


if __name__ == "__main__":
    main()
