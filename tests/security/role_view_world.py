"""The world the role × view matrix runs in (tests/security/test_role_view_matrix.py), built once
per module: tests.base's two districts, offices, units and deputies, the three administrators, and
one object of every kind the URLs take, on two sides.

Side "own" (A) is the world of the A-side personas: district A, office A1, team A1 (deputy A leads,
deputy B is a member), unit A. Side "other" (B) is district B, office B1, team B1, deputy C, unit B.
`objects[key]` is the pair (A object, B object); B is None when there is no other side (city-level
or single objects). A value may also be a plain string (a calendar token), used as is in the URL.

The personas are the demo logins of the README (seed_demo) mapped onto tests.base's people:

    anon      nobody signed in
    city      demo_city       organization staff, city-wide        (tests.base city_staff)
    district  demo_district   organization staff of district A      (district_staff)
    liaison   demo_liaison    liaison of office A1                  (liaison)
    leader    demo_leader     deputy A, leader of team A1           (deputy_a_user)
    deputy    demo_deputy     deputy B, member of team A1           (deputy_b_user)
    handler   demo_handler    handler of unit A                     (handler)
    sysadmin  demo_sysadmin   system administrator
    secadmin  demo_secadmin   security administrator
    auditor   demo_auditor    auditor
"""

import datetime
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liaison.models import Role
from tests.base import PNG

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

PERSONAS = ("anon", "city", "district", "liaison", "leader", "deputy", "handler", "sysadmin", "secadmin", "auditor")


def _png(name="p.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def build_matrix_world():
    from cases import proposal_services as proposals
    from cases import services as case_services
    from cases.models import (
        CaseAttachment,
        CaseEvent,
        CaseExportJob,
        CaseReminder,
        Category,
        Channel,
        MeetingAssignment,
        PrivacyRequest,
        ReviewBulletin,
        TeamMeeting,
    )
    from cases.models.proposals import Inquiry, ProposalKind
    from liaison.models import AuditLog, SmsMessage
    from offices.models import Budget, Contact, Jurisdiction, LeaderChange, OfficeEvaluation, TrainingCourse, Unit
    from reception import activity_services as act
    from reception.models import (
        Activity,
        ActivityPhoto,
        Attendance,
        Escalation,
        ReceptionPeriod,
        ReceptionReminder,
        ReceptionRule,
        StatutoryHoliday,
        WorkPlan,
    )
    from scoring import services as points
    from scoring.models import Entry, ExportJob, RuleSet, RuleSetBinding
    from tests.base import build_world, make_user
    from tests.scoring.helpers import yantian_item

    w = build_world()
    users = {
        "city": w.city_staff, "district": w.district_staff, "liaison": w.liaison, "leader": w.deputy_a_user,
        "deputy": w.deputy_b_user, "handler": w.handler,
        "sysadmin": make_user("sysadmin", Role.SYSADMIN, name="系统管理员"),
        "secadmin": make_user("secadmin", Role.SECADMIN, name="安全管理员"),
        "auditor": make_user("auditor", Role.AUDITOR, name="安全审计员"),
    }
    o = {}
    o["deputy"] = (w.deputy_b, w.deputy_c)
    o["office"] = (w.office_a1, w.office_b1)
    o["team"] = (w.team_a1, w.team_b1)
    o["unit"] = (w.unit_a, w.unit_b)
    o["jurisdiction"] = (w.community_a1, w.community_b1)
    for deputy in (w.deputy_b, w.deputy_c):
        deputy.photo.save("d.png", ContentFile(PNG), save=False)
        deputy.calendar_token = f"token-{deputy.pk}-xxxxxxxxxxxxxxxx"
        deputy.save(update_fields=["photo", "calendar_token"])
    for office in (w.office_a1, w.office_b1):
        office.calendar_token = f"office-{office.pk}-xxxxxxxxxxxxxxxx"
        office.save(update_fields=["calendar_token"])
    o["deputy_token"] = (w.deputy_b.calendar_token, w.deputy_c.calendar_token)
    o["office_token"] = (w.office_a1.calendar_token, w.office_b1.calendar_token)

    # ------------------------------------------------------------ cases, one per state on side A
    housing = Category.objects.get(name="住房")

    def register(side_a=True):
        return case_services.case_register(
            office=w.office_a1 if side_a else w.office_b1, channel=Channel.RECEPTION, category=housing,
            title="楼道灯坏了", content="3栋2单元楼道灯坏了", reporter_name="刘阿姨", reporter_mobile="13612345678",
            received_by=[w.deputy_a, w.deputy_b] if side_a else [w.deputy_c],
            actor=w.liaison if side_a else w.other_liaison,
        )

    case_b = register(side_a=False)
    case_a = register()
    o["case"] = (case_a, case_b)

    def assign(case, team, owner, chair):
        case_services.team_meeting_record(
            team=team, date=timezone.localdate(), attendees=[owner], notes="领办", assignments=[(case, owner)],
            actor=chair,
        )
        case.refresh_from_db()
        return case

    assigned = assign(register(), w.team_a1, w.deputy_b, w.deputy_a_user)
    assigned_b = assign(register(side_a=False), w.team_b1, w.deputy_c, w.deputy_c_user)
    o["case_assigned"] = (assigned, assigned_b)
    o["meeting"] = (TeamMeeting.objects.filter(team=w.team_a1).first(), TeamMeeting.objects.get(team=w.team_b1))
    o["meetingassignment"] = (
        MeetingAssignment.objects.filter(meeting__team=w.team_a1).first(),
        MeetingAssignment.objects.get(meeting__team=w.team_b1),
    )
    forwarded = case_services.case_forward(case=assign(register(), w.team_a1, w.deputy_b, w.deputy_a_user), actor=w.liaison)
    o["case_forwarded"] = (forwarded, case_b)
    dispatched = case_services.case_forward(case=assign(register(), w.team_a1, w.deputy_b, w.deputy_a_user), actor=w.liaison)
    dispatched = case_services.case_dispatch(case=dispatched, units=[w.unit_a], deadline=_days(10), actor=w.district_staff)
    o["case_dispatched"] = (dispatched, case_b)
    replied = case_services.case_forward(case=assign(register(), w.team_a1, w.deputy_b, w.deputy_a_user), actor=w.liaison)
    replied = case_services.case_dispatch(case=replied, units=[w.unit_a], deadline=_days(10), actor=w.district_staff)
    replied = case_services.case_reply(case=replied, result="solved", reply="已更换", actor=w.handler)
    o["case_replied"] = (replied, case_b)
    fed = case_services.case_forward(case=assign(register(), w.team_a1, w.deputy_b, w.deputy_a_user), actor=w.liaison)
    fed = case_services.case_dispatch(case=fed, units=[w.unit_a], deadline=_days(10), actor=w.district_staff)
    fed = case_services.case_reply(case=fed, result="solved", reply="已更换", actor=w.handler)
    from tests.cases import journey

    journey.rate(fed)  # the resident rates through the SMS link, then the owner tells them
    fed = case_services.case_feedback(case=fed, note="已告知", actor=w.deputy_b_user)
    o["case_fed_back"] = (fed, case_b)
    o["caseevent"] = (CaseEvent.objects.filter(case=case_a).first(), CaseEvent.objects.filter(case=case_b).first())
    attachments = []
    for case, user in ((case_a, w.liaison), (case_b, w.other_liaison)):
        attachments.append(CaseAttachment.objects.create(
            case=case, file=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"), name="a.pdf",
            content_type="application/pdf", uploaded_by=user,
        ))
    o["attachment"] = tuple(attachments)
    o["casereminder"] = tuple(
        CaseReminder.objects.create(case=c, kind=CaseReminder.Kind.choices[0][0], due_on=_days(3), key=f"m-{c.pk}")
        for c in (dispatched, case_b)
    )

    # ------------------------------------------------------------ a unit's share of a dispatch
    from cases import dispatch_services, resident_services
    from cases.models import CaseDispatch, CaseRating

    handlers = (w.handler, w.other_handler)

    def share(side_a):
        if side_a:
            c = case_services.case_forward(case=assign(register(), w.team_a1, w.deputy_b, w.deputy_a_user),
                                           actor=w.liaison)
            c = case_services.case_dispatch(case=c, units=[w.unit_a], deadline=_days(10), actor=w.district_staff)
        else:
            c = case_services.case_forward(case=assign(register(side_a=False), w.team_b1, w.deputy_c, w.deputy_c_user),
                                           actor=w.other_liaison)
            c = case_services.case_dispatch(case=c, units=[w.unit_b], deadline=_days(10), actor=w.other_staff)
        return CaseDispatch.objects.get(case=c)

    o["dispatch"] = (share(True), share(False))
    returned = []
    for side_a, handler in zip((True, False), handlers, strict=True):
        d = share(side_a)
        dispatch_services.dispatch_return(dispatch=d, reason="不属本单位职责", actor=handler)
        d.refresh_from_db()
        returned.append(d)
    o["dispatch_returned"] = tuple(returned)
    o["extension"] = o["deadlineextension"] = tuple(
        dispatch_services.extension_request(dispatch=share(side_a), new_deadline=_days(30), reason="需协调",
                                            actor=handler)
        for side_a, handler in zip((True, False), handlers, strict=True)
    )
    # The resident's rating link: unused on side A; a case whose link expired unrated is due a
    # follow-up 回访 by a non-owner.
    ratings = [CaseRating.objects.get(case=c) for c in (replied,)]
    other_replied = share(False).case
    other_replied = case_services.case_reply(case=other_replied, result="solved", reply="已处理", actor=w.other_handler)
    ratings.append(CaseRating.objects.get(case=other_replied))
    o["rating_token"] = tuple(resident_services.rating_token(r) for r in ratings)
    follow_up = case_services.case_reply(case=case_services.case_dispatch(
        case=case_services.case_forward(case=assign(register(), w.team_a1, w.deputy_b, w.deputy_a_user),
                                        actor=w.liaison),
        units=[w.unit_a], deadline=_days(10), actor=w.district_staff), result="solved", reply="已更换", actor=w.handler)
    CaseRating.objects.filter(case=follow_up).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    o["case_follow_up"] = (follow_up, case_b)

    # ------------------------------------------------------------ receptions and activities
    periods = tuple(
        ReceptionPeriod.objects.create(district=d, key=f"m-{d.pk}", start=_days(-40), end=_days(-30), closed_at=timezone.now())
        for d in (w.district_a, w.district_b)
    )
    o["receptionperiod"] = periods
    # Periods without attendance, reminders or escalations (those are read-only records a period's
    # deletion would take with it).
    o["receptionperiod_bare"] = tuple(
        ReceptionPeriod.objects.create(district=d, key=f"bare-{d.pk}", start=_days(60), end=_days(73))
        for d in (w.district_a, w.district_b)
    )
    o["receptionrule"] = (
        ReceptionRule.objects.get_or_create(jurisdiction=w.district_a)[0],
        ReceptionRule.objects.get_or_create(jurisdiction=w.district_b)[0],
    )
    o["receptionreminder"] = (
        ReceptionReminder.objects.create(period=periods[0], deputy=w.deputy_b),
        ReceptionReminder.objects.create(period=periods[1], deputy=w.deputy_c),
    )
    o["attendance"] = (
        Attendance.objects.create(deputy=w.deputy_b, period=periods[0], outcome=Attendance.Outcome.choices[0][0]),
        Attendance.objects.create(deputy=w.deputy_c, period=periods[1], outcome=Attendance.Outcome.choices[0][0]),
    )
    o["statutoryholiday"] = (StatutoryHoliday.objects.create(date=_days(200), name="假日"), None)
    activity_a = act.activity_plan(
        office=w.office_a1, kind=Activity.Kind.RECEPTION, title="集中接待日", date=_days(10), slot="am",
        deputies=[w.deputy_a, w.deputy_b], actor=w.liaison,
    )
    activity_b = act.activity_plan(
        office=w.office_b1, kind=Activity.Kind.RECEPTION, title="集中接待日", date=_days(10), slot="am",
        deputies=[w.deputy_c], actor=w.other_liaison,
    )
    o["activity"] = (activity_a, activity_b)
    o["photo"] = tuple(
        ActivityPhoto.objects.create(activity=a, image=_png(), uploaded_by=u)
        for a, u in ((activity_a, w.liaison), (activity_b, w.other_liaison))
    )
    o["leave"] = (
        act.leave_request_file(deputy=w.deputy_b, activity=activity_a, reason="出差", actor=w.deputy_b_user),
        act.leave_request_file(deputy=w.deputy_c, activity=activity_b, reason="出差", actor=w.deputy_c_user),
    )
    o["invitation"] = (
        act.invitation_request(deputy=w.deputy_b, activity=activity_a, department="住建局", problem="电梯",
                               actor=w.deputy_b_user),
        act.invitation_request(deputy=w.deputy_c, activity=activity_b, department="城管局", problem="停车",
                               actor=w.deputy_c_user),
    )
    escalations = []
    for deputy, period, district in ((w.deputy_b, periods[0], w.district_a), (w.deputy_c, periods[1], w.district_b)):
        e = Escalation.objects.create(deputy=deputy, period=period, district=district, step=2, streak=2)
        e.explanation_file.save("e.pdf", ContentFile(PDF), save=True)
        escalations.append(e)
    o["escalation"] = tuple(escalations)
    plans, drafts = [], []
    for office, year in ((w.office_a1, 2026), (w.office_b1, 2026)):
        plan = WorkPlan.objects.create(office=office, year=year, goals="目标")
        WorkPlan.objects.filter(pk=plan.pk).update(status=WorkPlan.Status.PUBLISHED, published_at=timezone.now())
        plans.append(WorkPlan.objects.get(pk=plan.pk))
        drafts.append(WorkPlan.objects.create(office=office, year=2027, goals="草稿"))
    o["plan"], o["plan_draft"] = tuple(plans), tuple(drafts)
    o["leaderchange"] = tuple(
        LeaderChange.objects.create(team=t, date=_days(-5), new_leader=d, reason="换届", filed_by=w.city_staff,
                                    all_members_agreed=True)
        for t, d in ((w.team_a1, w.deputy_a), (w.team_b1, w.deputy_c))
    )
    o["contact"] = (Contact.objects.create(deputy=w.deputy_b, name="居民甲"), Contact.objects.create(deputy=w.deputy_c, name="居民乙"))
    o["officeevaluation"] = tuple(
        OfficeEvaluation.objects.create(office=office, year=2025, construction=18, rules=18, management=18, role=18,
                                        residents=18, outcome=OfficeEvaluation.Outcome.choices[0][0])
        for office in (w.office_a1, w.office_b1)
    )
    o["trainingcourse"] = tuple(
        TrainingCourse.objects.create(title="培训", organizer=d, term="第七届", starts_on=_days(-9), ends_on=_days(-8))
        for d in (w.district_a, w.district_b)
    )
    o["budget"] = (
        Budget.objects.create(year=2026, amount=1000, deputy=w.deputy_b),
        Budget.objects.create(year=2026, amount=1000, deputy=w.deputy_c),
    )

    # ------------------------------------------------------------ proposals and inquiries
    def file(lead_user, lead, kind=ProposalKind.PROPOSAL, cosigners=()):
        return proposals.proposal_file(lead=lead, kind=kind, title="加装电梯", content="老旧小区", cosigners=list(cosigners),
                                       actor=lead_user)

    proposal_b = file(w.deputy_c_user, w.deputy_c)
    o["proposal"] = (file(w.deputy_b_user, w.deputy_b), proposal_b)
    o["motion"] = (file(w.deputy_b_user, w.deputy_b, ProposalKind.MOTION, [w.deputy_a]), proposal_b)
    dispatched_p = proposals.proposal_dispatch(proposal=file(w.deputy_b_user, w.deputy_b), unit=w.unit_a,
                                               deadline=_days(30), actor=w.district_staff)
    o["proposal_dispatched"] = (dispatched_p, proposal_b)
    replied_p = proposals.proposal_dispatch(proposal=file(w.deputy_b_user, w.deputy_b), unit=w.unit_a,
                                            deadline=_days(30), actor=w.district_staff)
    replied_p = proposals.proposal_reply(proposal=replied_p, result="adopted", reply="已纳入", actor=w.handler)
    o["proposal_replied"] = (replied_p, proposal_b)
    city_unit = Unit.objects.create(name="市教育局", jurisdiction=w.city)
    o["inquiry"] = (
        proposals.inquiry_record(actor=w.district_staff, date=_days(-1), kind=Inquiry.Kind.INQUIRY, topic="学位",
                                 target_unit=w.unit_a, participants=[w.deputy_a, w.deputy_b]),
        proposals.inquiry_record(actor=w.other_staff, date=_days(-1), kind=Inquiry.Kind.INQUIRY, topic="停车",
                                 target_unit=w.unit_b, participants=[w.deputy_c]),
    )
    # A city-level event with deputies of both districts: district A's staff read it, only city staff
    # correct it (issue 11, item 5).
    o["inquiry_city"] = (
        proposals.inquiry_record(actor=w.city_staff, date=_days(-1), kind=Inquiry.Kind.INQUIRY, topic="全市学位",
                                 target_unit=city_unit, participants=[w.deputy_a, w.deputy_c]),
        None,
    )

    # ------------------------------------------------------------ reports, bulletins, export jobs
    o["bulletin"] = tuple(
        ReviewBulletin.objects.create(year=2026, district=d, scope=str(d.pk), revision=1, title="通报", rows=[],
                                      published_by=u)
        for d, u in ((w.district_a, w.district_staff), (w.district_b, w.other_staff))
    )
    case_jobs = []
    for user in (w.district_staff, w.other_staff):
        job = CaseExportJob.objects.create(requested_by=user, status=CaseExportJob.Status.DONE)
        job.file.save("cases.xlsx", ContentFile(b"PK"), save=True)
        case_jobs.append(job)
    o["case_export"] = tuple(case_jobs)
    point_jobs = []
    for user in (w.district_staff, w.other_staff):
        job = ExportJob.objects.create(kind=ExportJob.Kind.choices[0][0], year=2026, requested_by=user,
                                       status=ExportJob.Status.DONE)
        job.file.save("points.xlsx", ContentFile(b"PK"), save=True)
        point_jobs.append(job)
    o["points_export"] = tuple(point_jobs)
    from liaison.models import BackgroundExport

    background_jobs = []
    for user in (w.district_staff, w.other_staff):
        job = BackgroundExport.objects.create(exporter="attendance_sheet", title="考勤表", requested_by=user,
                                              status=BackgroundExport.Status.DONE)
        job.file.save("sheet.xlsx", ContentFile(b"PK"), save=True)
        background_jobs.append(job)
    o["background_export"] = tuple(background_jobs)
    from offices.models import RosterImportJob

    o["roster_import_job"] = tuple(
        RosterImportJob.objects.create(requested_by=user, file_name="名册.xlsx", token="gone",
                                       status=RosterImportJob.Status.DONE, deputies=3)
        for user in (w.district_staff, w.other_staff)
    )

    # ------------------------------------------------------------ points
    day = timezone.localdate() - datetime.timedelta(days=1)

    def claim(deputy_user, deputy, evidence=True):
        return points.claim_submit(deputy=deputy, rule_item=yantian_item(12), occurred_on=day, description="志愿服务",
                                   evidence=_png() if evidence else None, actor=deputy_user)

    claim_b = claim(w.deputy_c_user, w.deputy_c)
    o["claim"] = (claim(w.deputy_b_user, w.deputy_b), claim_b)
    o["claim_confirmed"] = (
        points.claim_confirm(claim=claim(w.deputy_b_user, w.deputy_b), actor=w.liaison),
        points.claim_confirm(claim=claim(w.deputy_c_user, w.deputy_c), actor=w.other_liaison),
    )
    verified = []
    for deputy_user, deputy, liaison, staff in (
        (w.deputy_b_user, w.deputy_b, w.liaison, w.district_staff),
        (w.deputy_c_user, w.deputy_c, w.other_liaison, w.other_staff),
    ):
        c = points.claim_confirm(claim=claim(deputy_user, deputy), actor=liaison)
        verified.append(points.claim_verify(claim=c, actor=staff))
    entries = tuple(Entry.objects.get(source_id=c.pk, event="claim") for c in verified)
    o["entry"] = entries
    o["review"] = (
        points.review_request(entry=entries[0], reason="复核", actor=w.deputy_b_user),
        points.review_request(entry=entries[1], reason="复核", actor=w.deputy_c_user),
    )
    # A second entry of deputy B without a pending review, for the review request page.
    c = points.claim_confirm(claim=claim(w.deputy_b_user, w.deputy_b), actor=w.liaison)
    points.claim_verify(claim=c, actor=w.district_staff)
    o["entry_free"] = (Entry.objects.get(source_id=c.pk, event="claim"), entries[1])
    o["report"] = (
        points.annual_report_save(deputy=w.deputy_b, year=2026, body="一年来", submit=True, actor=w.deputy_b_user),
        points.annual_report_save(deputy=w.deputy_c, year=2026, body="一年来", submit=True, actor=w.deputy_c_user),
    )
    o["ruleset"] = (RuleSet.objects.filter(code="yantian").order_by("version").first(), None)
    o["rulesetbinding"] = tuple(
        RuleSetBinding.objects.create(jurisdiction=d, year=2030, rule_set=o["ruleset"][0])
        for d in (w.district_a, w.district_b)
    )
    o["snapshot"] = (points.snapshot_publish(year=2025, quarter=4, actor=w.city_staff), None)

    # ------------------------------------------------------------ accounts, logs, configuration
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    axes = {"user_agent": "ua", "http_accept": "*/*", "path_info": "/accounts/login/", "ip_address": "10.0.0.1"}
    interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    o.update({
        "group": (Group.objects.create(name="matrix"), None),
        "periodictask": (PeriodicTask.objects.create(name="matrix", task="liaison.tasks.x", interval=interval), None),
        "intervalschedule": (interval, None),
        "clockedschedule": (ClockedSchedule.objects.create(clocked_time=timezone.now()), None),
        "crontabschedule": (CrontabSchedule.objects.create(), None),
        "solarschedule": (SolarSchedule.objects.create(event="sunrise", latitude=22.5, longitude=114.0), None),
        "accesslog": (AccessLog.objects.create(**axes), None),
        "accessfailurelog": (AccessFailureLog.objects.create(**axes), None),
        "accessattempt": (AccessAttempt.objects.create(**axes, get_data="", post_data="", failures_since_start=1), None),
        "totpdevice": (TOTPDevice.objects.create(user=w.liaison, name="phone"), None),
        "staticdevice": (StaticDevice.objects.create(user=w.liaison, name="codes"), None),
        "user": (w.liaison, None),
        "smsmessage": tuple(SmsMessage.objects.create(phone="13800138000", template="t", text="x", district=d)
                            for d in (w.district_a, w.district_b)),
        "auditlog": (AuditLog.objects.create(action="matrix"), None),
        "privacyrequest": (PrivacyRequest.objects.create(kind=PrivacyRequest.Kind.choices[0][0], phone_digest="x",
                                                         phone_masked="138****0000"), None),
        "category": (housing, None),
    })
    from django.contrib.contenttypes.models import ContentType

    activity_ct = ContentType.objects.get_for_model(Activity).pk
    o["activity_ct"] = (activity_ct, activity_ct)
    o["app_offices"] = ("offices", None)
    o["action_confirm"] = ("confirm", "confirm")
    o["action_verify"] = ("verify", "verify")
    return SimpleNamespace(world=w, users=users, objects=o, city_unit=city_unit, jurisdictions=Jurisdiction)
