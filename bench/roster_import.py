"""The roster import at city scale, as it runs: the upload request (the admin's import view through
the test client: the file stored, the check queued), the check job
(offices.roster_import_job_services.roster_check_job_run: read and check every row, the preview
kept on the job row), the confirm request (the same job turned into a queued import) and the
import job (roster_import_job_run: read and check again, then write in one transaction with
progress and the sealed passwords), each in a fresh child process so that its peak RSS is its
own, Django included. The requests queue their task without a broker (the task's delay is
recorded, not sent); `--inline-check` lets the upload request check the file itself, as it does
up to ROSTER_IMPORT_INLINE_CHECK_BYTES.

    DATABASE_URL=postgres://.../liaison_bench_roster .venv/bin/python bench/roster_import.py [--rows 20000] [--logins 200]

The database is dropped and recreated (migrations only): one district with 200 communities and
city staff who import. The workbook has N deputy rows (each fixed to one community, every
community's deputies in one new team led by its first row) and one office row per community;
`--logins` rows ask for a login, whose password hashing (Argon2, by design slow, 100 MiB of
memory a hash) dominates if many do. The job is rolled back at the end unless --keep.
`--traced` adds tracemalloc's peak (Python objects only) to each phase; `--profile FILE` writes
a cProfile of the job; `--stages` samples the job's RSS every 10 ms and prints its peak in each
stage it reports as progress (logins, check, write) and before the first (start).
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _django import machine, setup  # noqa: E402

COMMUNITIES = 200
MB = 1024 * 1024


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
    return buf.getvalue()


def rss_mb():
    """The current resident set size (not the peak) from /proc."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MB


def stage_sampler(out):
    """Record the peak RSS of each stage the job reports through its progress (sampled every
    10 ms by a thread), in out["stages"] as {stage: MiB} in the order the stages came."""
    import threading

    from offices import roster_import_job_services as jobs

    stages = out["stages"] = {"start": rss_mb()}
    current = ["start"]
    save = jobs._progress_save

    def progress_save(job_id, stage, *rest):
        if not current[0].startswith(stage):
            # A stage reported again after another (the job says "check" before it hashes) is new.
            current[0] = stage if stage not in stages else f"{stage} again"
            stages.setdefault(current[0], 0)
        return save(job_id, stage, *rest)

    def sample():
        while True:
            stages[current[0]] = max(stages.get(current[0], 0), rss_mb())
            time.sleep(0.01)

    jobs._progress_save = progress_save
    threading.Thread(target=sample, daemon=True).start()


def child(phase, args):
    """One phase in this fresh process; prints one line of JSON."""
    settings = setup()
    settings.IMPORT_ROOT = args.import_root
    settings.ROSTER_IMPORT_MAX_ROWS = max(settings.ROSTER_IMPORT_MAX_ROWS, args.rows + COMMUNITIES)
    settings.ROSTER_IMPORT_INLINE_CHECK_BYTES = 1 << 40 if args.inline_check else 0
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from liaison.models import User
    from offices import tasks
    from offices.models import RosterImportJob
    from offices.roster_import_job_services import roster_check_job_run, roster_import_job_run

    staff = User.objects.get(username="bench_city")
    if args.traced:
        import tracemalloc

        tracemalloc.start()
    out = {}
    queued = []
    tasks.roster_check_task.delay = queued.append
    tasks.roster_import_task.delay = queued.append
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    with translation.override("zh-hans"):
        if phase in ("upload", "confirm"):
            client.force_login(staff)
        start = time.monotonic()
        if phase == "upload":
            with open(os.path.join(args.import_root, "upload.xlsx"), "rb") as f:
                response = client.post(reverse("admin:offices_roster_import"), {"file": f})
            assert response.status_code == 302, response.status_code
            out["job"] = RosterImportJob.objects.latest("pk").pk
        elif phase == "check":
            job = roster_check_job_run(job_id=args.job)
            assert job.status == "done", (job.status, job.error, job.problems[:5])
            out["deputies"] = job.preview["deputies"]
        elif phase == "confirm":
            response = client.post(reverse("admin:offices_roster_import_confirm"), {"job": args.job})
            assert response.status_code == 302 and response.url.rstrip("/").endswith(str(args.job)), response
        else:
            if args.stages:
                stage_sampler(out)
            with transaction.atomic():
                if args.profile:
                    import cProfile

                    profiler = cProfile.Profile()
                    job = profiler.runcall(roster_import_job_run, job_id=args.job)
                    profiler.dump_stats(args.profile)
                else:
                    job = roster_import_job_run(job_id=args.job)
                assert job.status == "done", (job.status, job.error, job.problems[:5])
                out.update(deputies=job.deputies, teams=job.teams, logins=len(job.usernames))
                if not args.keep:
                    transaction.set_rollback(True)
        out["seconds"] = time.monotonic() - start
        out["queued"] = len(queued)
    if args.traced:
        out["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / MB
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def run(phase, args, import_root, job=0):
    cmd = [sys.executable, __file__, "--child", phase, "--job", str(job), "--import-root", import_root,
           "--rows", str(args.rows), "--logins", str(args.logins)]
    cmd += ["--inline-check"] if args.inline_check else []
    cmd += ["--traced"] if args.traced else []
    cmd += ["--keep"] if args.keep else []
    cmd += ["--stages"] if args.stages else []
    cmd += ["--profile", args.profile] if args.profile and phase == "job" else []
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--traced", action="store_true")
    parser.add_argument("--stages", action="store_true", help="the job's peak RSS in each of its stages")
    parser.add_argument("--profile", help="write a cProfile of the job to this file")
    parser.add_argument("--inline-check", action="store_true", help="the upload request checks the file itself")
    parser.add_argument("--child", choices=("upload", "check", "confirm", "job"), help=argparse.SUPPRESS)
    parser.add_argument("--job", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--import-root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args)
    setup()
    from django.core.management import call_command
    from django.db import connection
    from generate import recreate_database

    connection.close()
    recreate_database()
    call_command("migrate", verbosity=0)
    print(machine())
    from django.utils import translation

    from liaison.models import Role, User
    from offices.models import Jurisdiction

    J = Jurisdiction.Level
    city = Jurisdiction.objects.create(name="深圳市", level=J.CITY)
    district = Jurisdiction.objects.create(name="福田区", level=J.DISTRICT, parent=city)
    street = Jurisdiction.objects.create(name="华富街道", level=J.STREET, parent=district)
    for i in range(COMMUNITIES):
        Jurisdiction.objects.create(name=f"社区{i:03d}", level=J.COMMUNITY, parent=street)
    User.objects.create(username="bench_city", role=Role.ORG_STAFF, jurisdiction=city, is_staff=True)
    connection.close()

    import_root = tempfile.mkdtemp(prefix="bench-roster-")
    with translation.override("zh-hans"):
        t0 = time.monotonic()
        content = build_workbook(args.rows, args.logins)
        built = time.monotonic() - t0
    with open(os.path.join(import_root, "upload.xlsx"), "wb") as f:
        f.write(content)
    print(f"{args.rows} deputy rows + {COMMUNITIES} offices and teams, {args.logins} logins "
          f"({len(content) / MB:.1f} MiB, built in {built:.1f} s)")
    del content
    # The upload stores its copy under IMPORT_ROOT: the import directory is the same temporary one.
    traced = " (traced peak {traced_peak_mb:.0f} MiB)"
    u = run("upload", args, import_root)
    where = "checked in the request" if args.inline_check else "check queued"
    print(f"upload request ({where}): {u['seconds']:.2f} s; peak RSS {u['rss_mb']:.0f} MiB"
          + (traced.format(**u) if args.traced else ""))
    if not args.inline_check:
        c = run("check", args, import_root, u["job"])
        print(f"check job (read + check, in the worker): {c['seconds']:.1f} s, {c['deputies']} deputies; "
              f"peak RSS {c['rss_mb']:.0f} MiB" + (traced.format(**c) if args.traced else ""))
    f = run("confirm", args, import_root, u["job"])
    print(f"confirm request (import queued): {f['seconds']:.2f} s; peak RSS {f['rss_mb']:.0f} MiB")
    j = run("job", args, import_root, u["job"])
    print(f"import job (read + check + write, in the worker): {j['seconds']:.1f} s, {j['deputies']} deputies, "
          f"{j['teams']} teams, {j['logins']} logins; peak RSS {j['rss_mb']:.0f} MiB"
          + (traced.format(**j) if args.traced else ""))
    if args.stages:
        print("  peak RSS by stage: " + ", ".join(f"{k} {v:.0f} MiB" for k, v in j["stages"].items()))
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
