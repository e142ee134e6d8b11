"""Throughput and peak memory of the standings export, on the data of bench/generate.py.

    DATABASE_URL=postgres://... .venv/bin/python bench/export.py [--year 2026]

1. The real job path (`export_job_run`, what the Celery task calls): wall time, rows per second,
   file size.
2. Peak memory under tracemalloc, split into the two phases of the exporter: computing the
   standings (one aggregate query, one row object per deputy: grows with the deputies) and writing
   the workbook (openpyxl write-only: must stay flat whatever the number of rows).
3. The flatness check on its own: the write phase for 2,000 / 10,000 / 20,000 rows of the same
   width; the peak must not grow with the rows (tracemalloc slows writing several times, so the
   write speed is timed once more without it).
Also prints the process's peak RSS (resource.getrusage).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _django import machine, require_postgres, setup  # noqa: E402

MB = 1024 * 1024


def traced(fn):
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        result = fn()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=None)
    args = parser.parse_args()
    settings = setup()
    require_postgres()
    from django.utils import timezone

    from liaison.lib.exporters import ListExporter
    from liaison.models import Role, User
    from offices.models import Deputy
    from scoring.exporters import StandingsExporter
    from scoring.models import Entry, ExportJob
    from scoring.services import export_job_run

    year = args.year or timezone.localdate().year
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-export-")
    deputies = Deputy.objects.filter(status=Deputy.Status.SERVING).count()
    print(f"Data: {deputies} serving deputies, {Entry.objects.filter(year=year).count()} ledger entries in {year}.")
    print(machine())
    print()

    # 1. The job path.
    staff = User.objects.filter(role=Role.ORG_STAFF).order_by("pk").first()
    job = ExportJob.objects.create(kind=ExportJob.Kind.STANDINGS, year=year, requested_by=staff)
    t = time.perf_counter()
    job = export_job_run(job_id=job.pk)
    elapsed = time.perf_counter() - t
    size = job.file.size
    print(f"Export job (city standings, {job.total_rows} rows): {elapsed:.1f} s, "
          f"{job.total_rows / elapsed:.0f} rows/s, {size / 1024:.0f} KiB xlsx, status {job.status}.")
    job.file.delete(save=False)
    ExportJob.objects.filter(pk=job.pk).delete()

    # 2. Peak memory by phase.
    exporter = StandingsExporter(year=year)
    rows, compute_peak = traced(exporter._standings)
    _none, write_peak = traced(lambda: exporter.write_xlsx(tempfile.TemporaryFile()))
    width = len(exporter.header())
    print(f"Peak Python memory (tracemalloc): computing {len(rows)} standings {compute_peak / MB:.1f} MiB; "
          f"writing them ({width} columns) {write_peak / MB:.1f} MiB.")

    # 3. Flatness of the write-only workbook.
    sample = list(exporter.rows())[:1] or [[0] * width]

    class Synthetic(ListExporter):
        title = "bench"

        def __init__(self, n):
            self.n = n

        def header(self):
            return exporter.header()

        def rows(self):
            row = sample[0]
            for i in range(self.n):
                yield [i, *row[1:]]

    print()
    print("| rows written | peak MiB (tracemalloc) |")
    print("|---:|---:|")
    for n in (2000, 10000, 20000):
        with tempfile.TemporaryFile() as fh:
            _none, peak = traced(lambda n=n, fh=fh: Synthetic(n).write_xlsx(fh))
        print(f"| {n} | {peak / MB:.1f} |")
    with tempfile.TemporaryFile() as fh:
        t = time.perf_counter()
        Synthetic(10000).write_xlsx(fh)
        seconds = time.perf_counter() - t
    print(f"Writing 10,000 rows without tracing: {seconds:.1f} s, {10000 / seconds:.0f} rows/s.")
    # ru_maxrss is in KiB on Linux.
    print()
    print(f"Process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB.")


if __name__ == "__main__":
    main()
