"""SQL time and queries per request of the staff pages (issue 10 item 2), in process.

    DATABASE_URL=postgres://... .venv/bin/python bench/staff_sql.py [--repeat 5] [--show] [--only NAME]

For each page: the median over `--repeat` requests of the summed SQL time (ms, as Django's
CaptureQueriesContext measures it: the round trip of each query) and of the whole request, and
the number of queries. `--show` prints each query of the last request with its time.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _django import require_postgres, setup  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--show", action="store_true")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    setup()
    require_postgres()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pages import pages, resolve

    from liaison.models import User

    wanted = {
        "Dispatch queue (city staff)": "dispatch_queue",
        "Overdue list (city staff)": "overdue_list",
        "Attendance sheet, city-wide, recent period": "attendance_city",
        "Staff dashboard, city": "staff_dashboard",
        "Staff dashboard, district": "staff_dashboard_district",
        "Unit year-end review (city staff)": "unit_review",
    }
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| page | SQL ms (median) | request ms (median) | queries |")
    print("|---|---:|---:|---:|")
    for label, username, names, query, url_args in pages():
        name = wanted.get(label)
        if name is None or (args.only and args.only != name):
            continue
        url = resolve(names, query, url_args)
        client = Client()
        client.force_login(User.objects.get(username=username))
        assert client.get(url).status_code == 200, url
        sql, wall = [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                client.get(url)
                wall.append((time.perf_counter() - t) * 1000)
            sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        print(f"| {name} | {statistics.median(sql):.1f} | {statistics.median(wall):.1f} | {len(ctx.captured_queries)} |")
        if args.show:
            for q in ctx.captured_queries:
                print(f"    {float(q['time']) * 1000:8.1f} ms  {q['sql'][:3000]}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
