"""The roster import at city scale: seconds to read and check a roster of N deputy rows (what the
preview and the confirmation each do) and to write it (`roster_import`, one transaction), with
the process's peak RSS.

    DATABASE_URL=postgres://.../liaison_bench_roster .venv/bin/python bench/roster_import.py [--rows 20000] [--logins 200]

The database is dropped and recreated (migrations only): one district with 200 communities and
city staff who import. The workbook has N deputy rows (each fixed to one community, every
community's deputies in one new team led by its first row) and one office row per community;
`--logins` rows ask for a login, whose password hashing (Argon2, by design slow) dominates if many
do. Everything is rolled back at the end unless --keep.
"""

import argparse
import io
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _django import machine, setup  # noqa: E402

COMMUNITIES = 200


def build_workbook(rows, logins):
    from openpyxl import Workbook

    from offices.roster_import_services import DEPUTY_SHEET, OFFICE_SHEET

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(OFFICE_SHEET.title))
    ws.append([str(c.label) for c in OFFICE_SHEET.columns])
    keys = [c.key for c in OFFICE_SHEET.columns]
    for i in range(COMMUNITIES):
        row = {"name": f"社区{i:03d}党代表工作室", "kind": "社区", "district": "福田区", "street": "华富街道",
               "community": f"社区{i:03d}", "team": f"社区{i:03d}团队"}
        ws.append([row.get(k, "") for k in keys])
    ws = wb.create_sheet(str(DEPUTY_SHEET.title))
    ws.append([str(c.label) for c in DEPUTY_SHEET.columns])
    keys = [c.key for c in DEPUTY_SHEET.columns]
    for i in range(rows):
        c = i % COMMUNITIES
        row = {"name": f"代表{i:05d}", "gender": "女", "mobile": f"139{i:08d}", "level": "district", "term": "第七届",
               "work_unit": "街道办事处", "district": "福田区", "communities": f"社区{c:03d}", "team": f"社区{c:03d}团队",
               "is_leader": "是" if i < COMMUNITIES else "否", "username": f"rd{i:05d}" if i < logins else ""}
        ws.append([row.get(k, "") for k in keys])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile", help="write a cProfile of the write phase to this file")
    args = parser.parse_args()
    settings = setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from generate import recreate_database

    connection.close()
    recreate_database()
    call_command("migrate", verbosity=0)
    print(machine())
    from django.utils import translation

    from liaison.models import Role, User
    from offices.models import Jurisdiction
    from offices.roster_import_services import plan_roster, read_roster, roster_import

    settings.ROSTER_IMPORT_MAX_ROWS = max(settings.ROSTER_IMPORT_MAX_ROWS, args.rows + COMMUNITIES)
    J = Jurisdiction.Level
    city = Jurisdiction.objects.create(name="深圳市", level=J.CITY)
    district = Jurisdiction.objects.create(name="福田区", level=J.DISTRICT, parent=city)
    street = Jurisdiction.objects.create(name="华富街道", level=J.STREET, parent=district)
    for i in range(COMMUNITIES):
        Jurisdiction.objects.create(name=f"社区{i:03d}", level=J.COMMUNITY, parent=street)
    staff = User.objects.create(username="bench_city", role=Role.ORG_STAFF, jurisdiction=city, is_staff=True)

    with translation.override("zh-hans"):
        t0 = time.monotonic()
        f = build_workbook(args.rows, args.logins)
        t1 = time.monotonic()
        sheets = read_roster(f)
        t2 = time.monotonic()
        plan = plan_roster(sheets, user=staff)
        t3 = time.monotonic()
        assert not plan.errors, plan.errors[:5]
        try:
            with transaction.atomic():
                if args.profile:
                    import cProfile

                    profiler = cProfile.Profile()
                    result = profiler.runcall(roster_import, plan=plan, actor=staff)
                    profiler.dump_stats(args.profile)
                else:
                    result = roster_import(plan=plan, actor=staff)
                t4 = time.monotonic()
                if not args.keep:
                    transaction.set_rollback(True)
        finally:
            pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.rows} deputy rows + {COMMUNITIES} offices ({f.getbuffer().nbytes / 1048576:.1f} MiB, "
          f"built in {t1 - t0:.1f} s): read {t2 - t1:.1f} s, check {t3 - t2:.1f} s, write {t4 - t3:.1f} s "
          f"({result['deputies']} deputies, {result['teams']} teams, {len(result['accounts'])} logins); "
          f"preview = read + check = {t3 - t1:.1f} s, confirm = read + check + write = {t4 - t1:.1f} s; "
          f"peak RSS {rss:.0f} MiB (load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
