"""Latency percentiles and queries per request of the main pages, on the data of bench/generate.py.

    DATABASE_URL=postgres://... .venv/bin/python bench/pages.py [--repeat 30]
    DATABASE_URL=postgres://... .venv/bin/python bench/pages.py --urls

--urls prints, instead of measuring, the pages that bench/side_by_side.sh measures through gunicorn
(issue 10's list), one line per user: "USER NAME=PATH NAME=PATH ...", USER "anonymous" for the
pages that need no login.

Each page is requested in process through Django's test client (the whole stack below the HTTP
server: middleware, views, templates, the database), as the user who opens it in real life, after
two warm-up requests. Prints a Markdown table: p50 / p95 / p99 in milliseconds and the number of
SQL queries of one request (and their summed database time, "SQL ms"). Pages whose view is not
on this branch yet, or without data for them, are listed as skipped. --only LABEL measures the
pages whose label contains LABEL.
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
        # Sorted by a column of the case's (the shares' copied sort keys), and every share.
        ("Unit inbox by district", "demo_handler", ["cases:inbox"], "?sort=district", ()),
        ("Unit inbox by office, reversed, every share", "demo_handler", ["cases:inbox"], "?sort=-office&show=all", ()),
        ("Unit inbox, every share", "demo_handler", ["cases:inbox"], "?show=all", ()),
        # Searched for words from the most common of the generated titles to a rare one (bench/
        # generate.py's CASE_TOPICS, Zipf-weighted), sorted by the deadline or a case's column: the
        # plan follows the word's frequency (cases.search, migrations cases 0022 and 0023).
        ("Unit inbox by district, searched", "demo_handler", ["cases:inbox"], "?sort=district&q=%E8%B7%AF%E7%81%AF", ()),
        ("Unit inbox by office, searched", "demo_handler", ["cases:inbox"], "?sort=office&q=%E8%B7%AF%E7%81%AF", ()),
        ("Unit inbox searched, 路灯 (36 % of titles)", "demo_handler", ["cases:inbox"], "?q=%E8%B7%AF%E7%81%AF", ()),
        ("Unit inbox searched, 停车 (15 % of titles)", "demo_handler", ["cases:inbox"], "?q=%E5%81%9C%E8%BD%A6", ()),
        ("Unit inbox searched, 电梯 (3.6 % of titles)", "demo_handler", ["cases:inbox"], "?q=%E7%94%B5%E6%A2%AF", ()),
        ("Unit inbox searched, 充电桩 (2.4 % of titles)", "demo_handler", ["cases:inbox"], "?q=%E5%85%85%E7%94%B5%E6%A1%A9", ()),
        ("Unit inbox searched, 井盖 (2.1 % of titles)", "demo_handler", ["cases:inbox"], "?q=%E4%BA%95%E7%9B%96", ()),
        ("Unit inbox searched, 信号塔 (0.5 % of titles)", "demo_handler", ["cases:inbox"], "?q=%E4%BF%A1%E5%8F%B7%E5%A1%94", ()),
        ("Unit inbox searched, 老旧小区古树 (0.06 % of titles)", "demo_handler", ["cases:inbox"], "?q=%E8%80%81%E6%97%A7%E5%B0%8F%E5%8C%BA%E5%8F%A4%E6%A0%91", ()),
        ("Unit inbox by district, searched, 电梯", "demo_handler", ["cases:inbox"], "?sort=district&q=%E7%94%B5%E6%A2%AF", ()),
        ("Unit inbox by office, every share, searched, 信号塔", "demo_handler", ["cases:inbox"], "?sort=office&show=all&q=%E4%BF%A1%E5%8F%B7%E5%A1%94", ()),
        ("Public office list (anonymous)", None, ["public:offices"], "", ()),
        ("Public office page (anonymous)", None, ["public:office"], "", office_args),
        ("Dispatch queue (city staff)", "demo_city", ["cases:dispatch_queue"], "", ()),
        ("Overdue list (city staff)", "demo_city", ["cases:overdue"], "", ()),
        # The queues' search reads titles and contents (cases.queue_selectors.filter_cases).
        ("Dispatch queue searched, 电梯 (city staff)", "demo_city", ["cases:dispatch_queue"], "?q=%E7%94%B5%E6%A2%AF", ()),
        ("Overdue list searched, 信号塔 (city staff)", "demo_city", ["cases:overdue"], "?q=%E4%BF%A1%E5%8F%B7%E5%A1%94", ()),
        ("Deputy case queue searched, 路灯", "demo_deputy", ["cases:queue"], "?q=%E8%B7%AF%E7%81%AF", ()),
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
        ("Leave requests (city staff)", "demo_city", ["reception:leave_list"], "?status=", ()),
        ("Leave requests approved (city staff)", "demo_city", ["reception:leave_list"], "?status=approved", ()),
        ("Invitations (city staff)", "demo_city", ["reception:invitation_list"], "?status=", ()),
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
        *other_pages(today),
    ]


def _one(queryset):
    """(pk,) of the newest row of `queryset`, or None when there is none (the page is skipped)."""
    pk = queryset.order_by("-pk").values_list("pk", flat=True).first()
    return None if pk is None else (pk,)


def other_pages(today):
    """Every other GET page of the URL confs (tests/security/role_view_table.py), each as a user
    who opens it in real life, on an object that user may see: forms, detail pages, the admin."""
    from cases import models as cm
    from cases.proposal_selectors import inquiries_visible_to, proposals_visible_to
    from cases.selectors import cases_visible_to
    from liaison.models import BackgroundExport, User
    from offices.models import Deputy, Office, Team
    from reception import models as rm
    from scoring import models as sm

    users = {u.username: u for u in User.objects.filter(username__startswith="demo_")}
    deputy = Deputy.objects.select_related("user").get(user__username="demo_deputy")
    leader = users.get("demo_leader")
    handler = users["demo_handler"]
    office = Office.objects.filter(liaisons__username="demo_liaison").order_by("pk").first()
    district_staff = users["demo_district"]

    def case(user, **filters):
        return _one(cases_visible_to(user=user).filter(**filters))

    own = cm.Case.objects.filter(owner=deputy)
    share = cm.CaseDispatch.objects.filter(unit_id=handler.unit_id)
    returned = cm.CaseDispatch.objects.filter(case__district_id=district_staff.jurisdiction_id, status="returned")
    team = Team.objects.filter(memberships__deputy__user=leader, memberships__is_leader=True).order_by("pk").first()
    plan_draft = rm.WorkPlan.objects.filter(office=office, status="draft") if office else rm.WorkPlan.objects.none()
    rows = [
        # The frame: every role's home, the notices, the password form, the audit log, the exports.
        ("Home (liaison)", "demo_liaison", ["home"], "", ()),
        ("Home (team leader)", "demo_leader", ["home"], "", ()),
        ("Home (unit handler)", "demo_handler", ["home"], "", ()),
        ("Home (city staff)", "demo_city", ["home"], "", ()),
        ("Home (district staff)", "demo_district", ["home"], "", ()),
        ("Front door (anonymous)", None, ["home"], "", ()),
        ("Notices (deputy)", "demo_deputy", ["notices"], "", ()),
        ("Password change (deputy)", "demo_deputy", ["password_change"], "", ()),
        ("Audit log (auditor)", "demo_auditor", ["audit_log"], "", ()),
        ("Background exports (city staff)", "demo_city", ["exports:list"], "", ()),
        ("Background export (its requester)", "demo_city", ["exports:detail"], "",
         _one(BackgroundExport.objects.filter(requested_by=users["demo_city"]))),
        # Reports and the contact network.
        ("Bi-monthly report (liaison)", "demo_liaison", ["reports:bimonthly_report"], "", ()),
        ("Bi-monthly report (city staff)", "demo_city", ["reports:bimonthly_report"], "", ()),
        ("Contact shortfalls (liaison)", "demo_liaison", ["offices:contact_shortfalls"], "", ()),
        ("Contact shortfalls (city staff)", "demo_city", ["offices:contact_shortfalls"], "", ()),
        # Activities, leave, invitations, escalations, plans, calendars, posters.
        ("Activity form (liaison)", "demo_liaison", ["reception:activity_create"], "", ()),
        ("Activity (liaison)", "demo_liaison", ["reception:activity_detail"], "",
         _one(rm.Activity.objects.filter(office=office))),
        ("Activity (deputy)", "demo_deputy", ["reception:activity_detail"], "",
         _one(rm.Activity.objects.filter(participants__deputy=deputy))),
        ("Activity edit (liaison)", "demo_liaison", ["reception:activity_edit"], "",
         _one(rm.Activity.objects.filter(office=office, status="planned"))),
        ("Activity log form (liaison)", "demo_liaison", ["reception:activity_log"], "",
         _one(rm.Activity.objects.filter(office=office, status__in=("planned", "announced")))),
        ("Leave requests (deputy)", "demo_deputy", ["reception:leave_list"], "", ()),
        ("Leave request form (deputy)", "demo_deputy", ["reception:leave_create"], "", ()),
        ("Leave decision (district staff)", "demo_district", ["reception:leave_decide"], "",
         _one(rm.LeaveRequest.objects.filter(district_id=district_staff.jurisdiction_id, status="pending"))),
        ("Invitations (deputy)", "demo_deputy", ["reception:invitation_list"], "", ()),
        ("Invitations (district staff)", "demo_district", ["reception:invitation_list"], "?status=", ()),
        ("Invitation form (deputy)", "demo_deputy", ["reception:invitation_create"], "", ()),
        ("Invitation decision (district staff)", "demo_district", ["reception:invitation_decide"], "",
         _one(rm.Invitation.objects.filter(district_id=district_staff.jurisdiction_id, status="pending"))),
        ("My escalations (deputy)", "demo_deputy", ["reception:my_escalations"], "", ()),
        ("Escalation explanation form (deputy)", "demo_deputy", ["reception:escalation_explain"], "",
         _one(rm.Escalation.objects.filter(deputy=deputy, status="open"))),
        ("Escalation resolution form (district staff)", "demo_district", ["reception:escalation_resolve"], "",
         _one(rm.Escalation.objects.filter(district_id=district_staff.jurisdiction_id).exclude(status="resolved"))),
        ("Work plan form (liaison)", "demo_liaison", ["reception:work_plan_create"], "", ()),
        ("Work plan edit, draft (liaison)", "demo_liaison", ["reception:work_plan_edit"], "", _one(plan_draft)),
        ("Deputy calendar feed (token)", None, ["reception:deputy_calendar"], "", (deputy.calendar_token,)),
        ("Office calendar feed (token)", None, ["reception:office_calendar"], "",
         (office.calendar_token,) if office else None),
        ("Calendar renewal (deputy)", "demo_deputy", ["reception:deputy_calendar_renew"], "", ()),
        ("Office calendar renewal (liaison)", "demo_liaison", ["reception:office_calendar_renew"], "",
         (office.pk,) if office else None),
        ("Office poster (liaison)", "demo_liaison", ["reception:office_poster"], "", (office.pk,) if office else None),
        ("Deputy poster (liaison)", "demo_liaison", ["reception:deputy_poster"], "",
         (office.pk, deputy.pk) if office else None),
        # Cases: the intake form, the case page as each role, every move's form, meetings.
        ("Case intake form (liaison)", "demo_liaison", ["cases:register"], "", ()),
        ("Case intake form (deputy)", "demo_deputy", ["cases:register"], "", ()),
        ("Case page (owner deputy)", "demo_deputy", ["cases:detail"], "", _one(own)),
        ("Case page (liaison)", "demo_liaison", ["cases:detail"], "", case(users["demo_liaison"])),
        ("Case page (team leader)", "demo_leader", ["cases:detail"], "", case(leader)),
        ("Case page (district staff)", "demo_district", ["cases:detail"], "", case(district_staff)),
        ("Case page (city staff)", "demo_city", ["cases:detail"], "", case(users["demo_city"])),
        ("Case page (unit handler)", "demo_handler", ["cases:detail"], "", _one(cm.Case.objects.filter(
            pk__in=share.values("case_id")))),
        ("Receive form (liaison)", "demo_liaison", ["cases:receive"], "", case(users["demo_liaison"], status="registered")),
        ("Answer form (deputy)", "demo_deputy", ["cases:answer"], "", _one(own.filter(status="assigned"))),
        ("Assign form (team leader)", "demo_leader", ["cases:assign"], "", case(leader, status="registered")),
        ("Forward form (deputy)", "demo_deputy", ["cases:forward"], "", _one(own.filter(status="assigned"))),
        ("Dispatch form (district staff)", "demo_district", ["cases:dispatch"], "",
         case(district_staff, status="forwarded")),
        ("Reply form (unit handler)", "demo_handler", ["cases:reply"], "", _one(cm.Case.objects.filter(
            status="dispatched", pk__in=share.filter(status="signed").values("case_id")))),
        ("Feedback form (deputy)", "demo_deputy", ["cases:feedback"], "", _one(own.filter(status="replied"))),
        ("Archive form (liaison)", "demo_liaison", ["cases:archive"], "", case(users["demo_liaison"], status="fed_back")),
        ("Follow-up form (liaison)", "demo_liaison", ["cases:follow_up"], "", case(users["demo_liaison"], status="replied")),
        ("Sign form (unit handler)", "demo_handler", ["cases:dispatch_sign"], "", _one(share.filter(status="pending"))),
        ("Return form (unit handler)", "demo_handler", ["cases:dispatch_return"], "", _one(share.filter(status="pending"))),
        ("Extension form (unit handler)", "demo_handler", ["cases:dispatch_extend"], "", _one(share.filter(status="signed"))),
        ("Re-dispatch form (district staff)", "demo_district", ["cases:dispatch_redispatch"], "", _one(returned)),
        ("Close share form (district staff)", "demo_district", ["cases:dispatch_close"], "", _one(returned)),
        ("Extension approval (district staff)", "demo_district", ["cases:extension_approve"], "", _one(
            cm.DeadlineExtension.objects.filter(dispatch__case__district_id=district_staff.jurisdiction_id,
                                                status="pending"))),
        ("Meeting form (team leader)", "demo_leader", ["cases:meeting_new"], "", (team.pk,) if team else None),
        ("Meeting (team leader)", "demo_leader", ["cases:meeting"], "",
         _one(cm.TeamMeeting.objects.filter(team=team)) if team else None),
        # Proposals, motions, inquiries.
        ("Proposals (deputy)", "demo_deputy", ["proposals:list"], "", ()),
        ("Proposals (city staff)", "demo_city", ["proposals:list"], "", ()),
        ("Proposals (unit handler)", "demo_handler", ["proposals:list"], "", ()),
        ("Proposal form (deputy)", "demo_deputy", ["proposals:file"], "", ()),
        ("Proposal (deputy)", "demo_deputy", ["proposals:detail"], "", _one(proposals_visible_to(user=deputy.user))),
        ("Proposal (district staff)", "demo_district", ["proposals:detail"], "",
         _one(proposals_visible_to(user=district_staff))),
        ("Inquiries (deputy)", "demo_deputy", ["proposals:inquiries"], "", ()),
        ("Inquiries (city staff)", "demo_city", ["proposals:inquiries"], "", ()),
        ("Inquiry form (district staff)", "demo_district", ["proposals:inquiry_create"], "", ()),
        ("Inquiry (deputy)", "demo_deputy", ["proposals:inquiry_detail"], "", _one(inquiries_visible_to(user=deputy.user))),
        ("Inquiry edit (district staff)", "demo_district", ["proposals:inquiry_edit"], "",
         _one(inquiries_visible_to(user=district_staff).filter(district_id=district_staff.jurisdiction_id))),
        # Case exports and bulletins.
        ("Case export form (district staff)", "demo_district", ["case_reports:export"], "", ()),
        ("Case export job (its requester)", "demo_district", ["case_reports:export_detail"], "",
         _one(cm.CaseExportJob.objects.filter(requested_by=district_staff))),
        ("Bulletin form (city staff)", "demo_city", ["case_reports:bulletin_new"], f"?year={today.year - 1}", ()),
        # Points.
        ("Claim form (deputy)", "demo_deputy", ["scoring:claim_create"], "", ()),
        ("Claim (deputy)", "demo_deputy", ["scoring:claim_detail"], "", _one(sm.Claim.objects.filter(deputy=deputy))),
        ("Claim (liaison)", "demo_liaison", ["scoring:claim_detail"], "", _one(sm.Claim.objects.filter(office=office))),
        ("Reviews (deputy)", "demo_deputy", ["scoring:review_list"], "", ()),
        ("Review (city staff)", "demo_city", ["scoring:review_detail"], "", _one(sm.Review.objects.all())),
        ("Annual reports (city staff)", "demo_city", ["scoring:report_list"], "", ()),
        ("Annual reports (deputy)", "demo_deputy", ["scoring:report_list"], "", ()),
        ("Own annual report (deputy)", "demo_deputy", ["scoring:report_mine"], "", ()),
        ("Annual report (city staff)", "demo_city", ["scoring:report_detail"], "",
         _one(sm.AnnualReport.objects.filter(status="submitted"))),
        ("Points exports (city staff)", "demo_city", ["scoring:export_list"], "", ()),
        # The public online office.
        ("Booking form (anonymous)", None, ["public:book"], "", (office.pk,) if office else None),
        ("Opinion form (anonymous)", None, ["public:write"], "", (office.pk,) if office else None),
        ("Tracking form (anonymous)", None, ["public:track"], "", ()),
        ("Residents' rights start (anonymous)", None, ["privacy:start"], "", ()),
        # The admin site: the index, then every change list and one change page, as a staff user.
        ("Admin index (city staff)", "demo_city", ["admin:index"], "", ()),
    ]
    return rows + admin_pages()


# The admin's personas (tests/security/role_view_table.ADMIN) -> the demo login that opens the list.
ADMIN_USERS = {"city": "demo_city", "district": "demo_district", "sysadmin": "demo_sysadmin",
               "secadmin": "demo_secadmin", "auditor": "demo_auditor"}


def admin_pages():
    """Every registered model's change list and the change page of its newest row, opened by the
    first persona the role table lets view it (city staff where they may)."""
    from django.contrib import admin

    from tests.security.role_view_table import ADMIN

    rows = []
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label_lower):
        rule = ADMIN.get(model._meta.label_lower)
        if rule is None or not rule.view:
            continue
        persona = "city" if "city" in rule.view else sorted(rule.view)[0]
        username = ADMIN_USERS[persona]
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        rows.append((f"Admin list {model._meta.label_lower}", username, [f"{name}_changelist"], "", ()))
        rows.append((f"Admin page {model._meta.label_lower}", username, [f"{name}_change"], "",
                     _one(model._default_manager.all())))
    return rows


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
    parser.add_argument("--only", default="", help="measure only the pages whose label contains this text")
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
    print("| page | user | p50 ms | p95 ms | p99 ms | queries | SQL ms |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, username, names, query, url_args in pages():
        if args.only.lower() not in label.lower():
            continue
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
        status = client.get(url).status_code
        if status != 200:
            print(f"| {label} | {username or 'anonymous'} | answered {status}: {url} | | | |", flush=True)
            continue
        client.get(url)
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
            f"| {percentile(timings, 99):.0f} | {len(ctx.captured_queries)} "
            f"| {sum(float(q['time']) for q in ctx.captured_queries) * 1000:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
