"""Latency percentiles and queries per request of the main pages, on the data of bench/generate.py.

    DATABASE_URL=postgres://... .venv/bin/python bench/pages.py [--repeat 30]
    DATABASE_URL=postgres://... .venv/bin/python bench/pages.py --urls

--urls prints, instead of measuring, the pages that bench/side_by_side.sh measures through gunicorn
(issue 10's list), one line per user: "USER NAME=PATH NAME=PATH ...", USER "anonymous" for the
pages that need no login.

Each page is requested in process through Django's test client (the whole stack below the HTTP
server: middleware, views, templates, the database), as the user who opens it in real life, after
two warm-up requests. Prints a Markdown table: p50 / p95 / p99 in milliseconds and the number of
SQL queries of one request. Pages whose view is not on this branch yet are listed as skipped.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _django import machine, require_postgres, setup  # noqa: E402


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


def pages():
    """(label, username or None for anonymous, candidate URL names, query string, args)."""
    from django.utils import timezone

    from cases.models import ReviewBulletin
    from offices.models import Deputy, Jurisdiction
    from reception.models import ReceptionPeriod
    from scoring.models import Snapshot

    deputy = Deputy.objects.get(user__username="demo_deputy")
    district = Jurisdiction.objects.filter(level=Jurisdiction.Level.DISTRICT).order_by("pk").first()
    snapshot = Snapshot.objects.order_by("-year", "-quarter").first()
    year = Snapshot.objects.order_by("-year").values_list("year", flat=True).first() or ""
    today = timezone.localdate()
    # The attendance sheet of the last period that has ended (closed, with make-ups), and of the one before.
    ended = list(
        ReceptionPeriod.objects.filter(end__lt=today).order_by("-start").values_list("key", flat=True).distinct()[:40]
    )
    ended = sorted(set(ended), reverse=True)
    recent = ended[0] if ended else ""
    bulletin = ReviewBulletin.objects.order_by("-year", "-revision").first()
    bulletin_args = (bulletin.pk,) if bulletin else None
    try:
        from reception.models import WorkPlan

        plan = WorkPlan.objects.filter(office__liaisons__username="demo_liaison").order_by("-year").first()
    except ImportError:  # a branch without the work plans
        plan = None
    plan_args = (plan.pk,) if plan else None
    from offices.models import Office

    office = Office.objects.filter(liaisons__username="demo_liaison").order_by("pk").first()
    office_args = (office.pk,) if office else None
    return [
        ("Hello-world (signed in, the floor)", "demo_deputy", ["hello"], "", ()),
        ("Deputy score page (own)", "demo_deputy", ["scoring:my_points"], "", ()),
        ("Deputy score page (staff view)", "demo_city", ["scoring:deputy_points"], "", (deputy.pk,)),
        ("Standings, city-wide, live", "demo_city", ["scoring:standings"], "?scope=city", ()),
        ("Standings, district, live", "demo_district", ["scoring:standings"], f"?scope=district&district={district.pk}", ()),
        ("Standings, office (liaison)", "demo_liaison", ["scoring:standings"], "?scope=office", ()),
        ("Standings, published snapshot", "demo_city", ["scoring:standings"],
         f"?scope=city&year={year}&snapshot={snapshot.pk if snapshot else ''}", ()),
        ("Claim list (liaison queue)", "demo_liaison", ["scoring:claim_list"], "", ()),
        ("Claim list (city staff, all)", "demo_city", ["scoring:claim_list"], "?status=", ()),
        ("Review list (review group)", "demo_city", ["scoring:review_list"], "?status=", ()),
        ("Deputy home page (panels)", "demo_deputy", ["home"], "", ()),
        ("Deputy case queue", "demo_deputy", ["cases:queue", "cases:mine", "cases:my_cases", "cases:deputy_queue"], "", ()),
        ("Liaison desk", "demo_liaison", ["cases:desk", "cases:liaison_desk", "cases:list"], "", ()),
        ("Unit inbox", "demo_handler", ["cases:inbox", "cases:unit_inbox"], "", ()),
        ("Public office list (anonymous)", None, ["public:offices"], "", ()),
        ("Public office page (anonymous)", None, ["public:office"], "", office_args),
        ("Dispatch queue (city staff)", "demo_city", ["cases:dispatch_queue"], "", ()),
        ("Overdue list (city staff)", "demo_city", ["cases:overdue"], "", ()),
        # Attendance: the sheet of a recent period, the deputy's own record, the escalation queue.
        ("Attendance sheet, city-wide, recent period", "demo_city", ["reception:attendance_sheet"],
         f"?period={recent}", ()),
        ("Attendance sheet, city, absent filter", "demo_city", ["reception:attendance_sheet"],
         f"?period={recent}&outcome=absent", ()),
        ("Attendance sheet, district, recent period", "demo_district", ["reception:attendance_sheet"],
         f"?period={recent}", ()),
        ("Attendance sheet (liaison's office)", "demo_liaison", ["reception:attendance_sheet"], f"?period={recent}", ()),
        ("My attendance (deputy)", "demo_deputy", ["reception:my_attendance"], "", ()),
        ("Escalation list (district staff)", "demo_district", ["reception:escalation_list"], "", ()),
        ("Escalation list (city staff)", "demo_city", ["reception:escalation_list"], "", ()),
        ("Leave requests (district staff)", "demo_district", ["reception:leave_list"], "?status=", ()),
        ("Activity list (liaison)", "demo_liaison", ["reception:activity_list"], "", ()),
        # The staff dashboard (attendance chart, cases by unit, standings, offices below standard).
        ("Staff dashboard, city", "demo_city", ["reports:dashboard"], "", ()),
        ("Staff dashboard, district", "demo_district", ["reports:dashboard"], "", ()),
        # Deputies' performance files: own, a liaison's and city staff's view, and the list.
        # ("files/mine/" redirects the deputy to this page.)
        ("Performance file (own)", "demo_deputy", ["reports:performance_file"], "", (deputy.pk,)),
        ("Performance file, last year (own)", "demo_deputy", ["reports:performance_file"],
         f"?year={today.year - 1}", (deputy.pk,)),
        ("Performance file (liaison's view)", "demo_liaison", ["reports:performance_file"], "", (deputy.pk,)),
        ("Performance file (city staff view)", "demo_city", ["reports:performance_file"], "", (deputy.pk,)),
        ("Performance file list (liaison)", "demo_liaison", ["reports:performance_file_list"], "", ()),
        ("Performance file list (city staff)", "demo_city", ["reports:performance_file_list"], "", ()),
        # The year-end review and its published bulletin.
        ("Unit year-end review (city staff)", "demo_city", ["case_reports:review"], f"?year={today.year - 1}", ()),
        ("Review bulletin list (city staff)", "demo_city", ["case_reports:bulletin_list"], "", ()),
        ("Review bulletin list (unit handler)", "demo_handler", ["case_reports:bulletin_list"], "", ()),
        ("Review bulletin (city staff)", "demo_city", ["case_reports:bulletin_detail"], "", bulletin_args),
        ("Review bulletin (unit handler)", "demo_handler", ["case_reports:bulletin_detail"], "", bulletin_args),
        # The office yearly work plans, when they are on this branch.
        ("Office work plans (liaison)", "demo_liaison", ["reception:work_plan_list"], "", ()),
        ("Office work plan status (city staff)", "demo_city", ["reception:work_plan_status"], "", ()),
        ("Office work plan (liaison)", "demo_liaison", ["reception:work_plan_detail"], "", plan_args),
        ("Office work plan (deputy)", "demo_deputy", ["reception:work_plan_detail"], "", plan_args),
        ("Office work plans (deputy)", "demo_deputy", ["reception:work_plan_list"], "", ()),
    ]


# The pages issue 10 lists for the side-by-side run with bench-peer (bench/side_by_side.sh): the
# label in pages() -> the short target name measure.sh prints (at most 16 characters).
SIDE_BY_SIDE = {
    "Hello-world (signed in, the floor)": "hello",
    "Deputy home page (panels)": "deputy_home",
    "Deputy case queue": "deputy_queue",
    "Deputy score page (own)": "score_page",
    "Standings, city-wide, live": "standings_live",
    "Attendance sheet, city-wide, recent period": "attendance_city",
    "Staff dashboard, city": "staff_dashboard",
    "Dispatch queue (city staff)": "dispatch_queue",
    "Overdue list (city staff)": "overdue_list",
    "Unit year-end review (city staff)": "unit_review",
    "Liaison desk": "liaison_desk",
    "Unit inbox": "unit_inbox",
    "Public office page (anonymous)": "public_office",
}


def resolve(names, query, url_args):
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name, args=url_args) + query
        except NoReverseMatch:
            continue
    return None


def print_urls():
    """One line per user, in the order of pages(): "USER NAME=PATH ..."; stops on a page that
    cannot be resolved (no view of that name, or no data for it)."""
    groups = {}
    for label, username, names, query, url_args in pages():
        target = SIDE_BY_SIDE.get(label)
        if target is None:
            continue
        url = resolve(names, query, url_args) if url_args is not None else None
        if url is None:
            raise SystemExit(f"{label}: no URL (view {' / '.join(names)} missing or no data for it)")
        groups.setdefault(username or "anonymous", []).append(f"{target}={url}")
    for username, targets in groups.items():
        print(username, *targets)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--urls", action="store_true", help="print the side-by-side pages per user and exit")
    args = parser.parse_args()
    setup()
    require_postgres()
    if args.urls:
        print_urls()
        return
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from liaison.models import User
    from offices.models import Deputy
    from scoring.models import Entry

    print(f"Data: {Deputy.objects.count()} deputies, {Entry.objects.count()} ledger entries.")
    print(machine())
    print()
    print("| page | user | p50 ms | p95 ms | p99 ms | queries |")
    print("|---|---|---:|---:|---:|---:|")
    for label, username, names, query, url_args in pages():
        if url_args is None:
            print(f"| {label} | {username} | skipped: no data for it | | | |")
            continue
        url = resolve(names, query, url_args)
        if url is None:
            print(f"| {label} | {username} | skipped: no view named {' / '.join(names)} | | | |")
            continue
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        for _ in range(2):
            status = client.get(url).status_code
            if status != 200:
                raise SystemExit(f"{label}: {url} answered {status}")
        timings = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - t) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        timings.sort()
        print(
            f"| {label} | {username or 'anonymous'} | {percentile(timings, 50):.0f} | {percentile(timings, 95):.0f} "
            f"| {percentile(timings, 99):.0f} | {len(ctx.captured_queries)} |"
        )


if __name__ == "__main__":
    main()
