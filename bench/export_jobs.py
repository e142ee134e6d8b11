"""Memory and time of the background exports at city scale: each export runs in a fresh child
process through the real job path (liaison.export_services.background_export_run: claim, count,
rows streamed into a write-only workbook, progress, file), so the child's peak RSS is the
export's own; tracemalloc's peak at three sizes shows whether memory grows with the rows.

    DATABASE_URL=postgres://.../liaison_jobs_bench .venv/bin/python bench/export_jobs.py

Runs on the database bench/reminders.py leaves (one district of N serving deputies, a reception
period keyed "bench") or on a copy of generate.py's data set (issue 10's 10x: 20,000 deputies,
five years of cases; the attendance sheet then takes the last ended period, and the exports of
the reports run on the last full year): the attendance sheet is exported city-wide at three
sizes (a name filter picks 1,000 and 10,000 of the deputies), the audit log with as many entries
again added once, the admin's deputy change list with every deputy selected, the bi-monthly
report of the last ended two months, the units' year-end review of the last full year and the
performance file of the deputy who owns the most cases that year.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _django import machine, require_postgres, setup  # noqa: E402

MB = 1024 * 1024


def child(exporter, params, traced):
    settings = setup()
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-export-jobs-")
    from liaison.export_services import background_export_run
    from liaison.models import BackgroundExport, Role, User

    staff = User.objects.filter(role=Role.ORG_STAFF, jurisdiction__level="city").first()
    job = BackgroundExport.objects.create(requested_by=staff, exporter=exporter, title="bench", params=params)
    if traced:
        tracemalloc.start()
    start = time.monotonic()
    job = background_export_run(job_id=job.pk)
    seconds = time.monotonic() - start
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    size = job.file.size
    BackgroundExport.objects.filter(pk=job.pk).delete()
    print(json.dumps({
        "rows": job.total_rows, "seconds": seconds, "traced_peak_mb": peak / MB, "file_kb": size / 1024,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run(exporter, params, traced=False):
    out = subprocess.run(
        [sys.executable, __file__, "--child", exporter, json.dumps(params)] + (["--traced"] if traced else []),
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare(settings):
    from liaison.models import AuditLog, Role, User
    from offices.models import Deputy, Jurisdiction

    city = Jurisdiction.objects.filter(level="city").first()
    if not User.objects.filter(role=Role.ORG_STAFF, jurisdiction=city).exists():
        User.objects.create(username="bench_city_staff", role=Role.ORG_STAFF, jurisdiction=city, is_staff=True)
    deputies = Deputy.objects.filter(status=Deputy.Status.SERVING).count()
    if AuditLog.objects.count() < deputies:
        AuditLog.objects.bulk_create(
            [AuditLog(action="login", actor_repr=f"bench{i:05d}", ip="10.0.0.1", detail={"i": i}) for i in range(deputies)],
            batch_size=2000,
        )
    return deputies


def main():
    if "--child" in sys.argv:
        i = sys.argv.index("--child")
        return child(sys.argv[i + 1], json.loads(sys.argv[i + 2]), "--traced" in sys.argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    settings = setup()
    require_postgres()
    print(machine())
    deputies = prepare(settings)
    from liaison.export_services import EXPORTERS

    print(f"{deputies} serving deputies")
    import datetime

    from django.db.models import Count

    from cases.models import Case
    from reception.models import ReceptionPeriod

    today = datetime.date.today()
    period = "bench"
    if not ReceptionPeriod.objects.filter(key=period).exists():
        period = ReceptionPeriod.objects.filter(end__lt=today).order_by("-end").values_list("key", flat=True).first()
    year = today.year - 1
    # The last two months that have ended.
    bimester_year, bimester = (today.year, (today.month - 1) // 2) if today.month > 2 else (today.year - 1, 6)
    busiest = (
        Case.objects.filter(received_on__year=year, owner__isnull=False).values("owner")
        .annotate(n=Count("id")).order_by("-n").first()
    )
    print(f"attendance period {period}; reports of {year}; bi-monthly report {bimester_year}/{bimester}")
    sizes = [("代表00", "1,000"), ("代表0", "10,000"), ("", "all")]
    for q, label in sizes:
        r = run("attendance_sheet", {"period": period, "q": q}, traced=True)
        print(f"attendance sheet, {label} deputies ({r['rows']} rows): traced peak {r['traced_peak_mb']:.1f} MiB")
    from offices.models import Deputy

    deputy_pks = list(Deputy.objects.order_by("pk").values_list("pk", flat=True))
    jobs = [
        ("attendance_sheet", {"period": period}),
        ("audit_log", {}),
        ("admin_changelist", {"model": "offices.deputy", "pks": deputy_pks}),
        ("bimonthly_report", {"year": bimester_year, "bimester": bimester}),
        ("unit_review", {"year": year, "district": "", "q": ""}),
    ]
    if busiest:
        jobs.append(("performance_file", {"deputy": busiest["owner"], "year": year}))
    for exporter, params in jobs:
        if exporter not in EXPORTERS:
            continue
        r = run(exporter, params)
        print(f"{exporter}: {r['rows']} rows in {r['seconds']:.1f} s ({r['file_kb']:.0f} KiB), "
              f"peak RSS of the process {r['rss_mb']:.0f} MiB")
    print(f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
