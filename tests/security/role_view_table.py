"""Who may use which URL: the table the role × view matrix test checks (SPEC §0, deny by default).

HOW TO ADD A ROW (one line per URL name; the test fails for any URL name that has none):

    "app:url_name": Rule(GET, post=POST, obj="key", other=OTHER),

- GET: the personas who may open the page (a space-separated string; the constants below combine
  with +). Everyone else must get 403, 404, 405 or the login page.
- post: the personas whose POST the view accepts. Leave it out for a page without a form (then
  only the personas outside GET are checked on POST, and must be refused). A POST-only view has
  GET "" (everybody gets 405 on GET).
- obj: for a URL with `<int:pk>`, the key of the object it takes in role_view_world.objects
  ("case", "claim", "activity"…). `kwargs={"pk": "activity", "photo_pk": "photo"}` for several
  parameters. The page is requested on the persona's own object (district A, office A1, team A1,
  unit A, deputy B) with the sets above, and on the other district's object (district B, office
  B1, unit B, deputy C) where only `other` may reach it — by default the city staff among GET
  (and POST), or everyone for a public page (one that admits "anon"). Add new objects to the
  world when no key fits.
- ok: the status an allowed GET answers, when not 200 (e.g. (302,) for a page that redirects);
  other_ok the same on the other side's object (a move page the other object's state does not
  allow sends city staff back to the object with a message); post_ok the exact statuses of an
  allowed POST (by default anything but a refusal).
- A second row for the same URL name on another object: suffix the key, "app:name#variant".

Admin models, one line per registered model ("app_label.model_name"):

    "offices.office": AdminRule(view=STAFF, add=STAFF, change=STAFF, delete=STAFF, obj="office"),

view (change list, change page read-only, history), add, change (POST to the change page), delete
(confirmation page and POST). scoped=True (the default) means district staff reach only their
district's object: on the other district's object only the city staff among the sets do.
`reach` narrows who reaches the own object when the change list is limited further (export jobs:
their requester only). Admin URLs other than the five per model (custom views) are portal rows.

The personas are the demo logins (README, seed_demo), see role_view_world's docstring:
anon city district liaison leader deputy handler sysadmin secadmin auditor.
"""

from dataclasses import dataclass, field

ANON = "anon"
CITY, DISTRICT = "city", "district"
STAFF = "city district"
LIAISON = "liaison"
LEADER, DEPUTY = "leader", "deputy"
DEPUTIES = "leader deputy"
HANDLER = "handler"
SYSADMIN, SECADMIN, AUDITOR = "sysadmin", "secadmin", "auditor"
ADMINS = "sysadmin secadmin auditor"
ADMIN_SITE = STAFF + " " + ADMINS  # the roles with is_staff
PORTAL_USERS = "city district liaison leader deputy handler"
SIGNED_IN = PORTAL_USERS + " " + ADMINS
EVERYONE = "anon " + SIGNED_IN
NOBODY = ""
CITYWIDE = frozenset({"city"})


def _set(personas):
    return frozenset((personas or "").split())


@dataclass(frozen=True)
class Rule:
    get: frozenset
    post: frozenset | None
    kwargs: dict
    other_get: frozenset
    other_post: frozenset
    ok: tuple
    other_ok: tuple
    post_ok: tuple | None
    query: str = ""
    data: dict | None = None

    def personas(self):
        return set(self.get) | set(self.post or ()) | set(self.other_get) | set(self.other_post)


def R(get, post=None, *, obj=None, kwargs=None, other=None, other_post=None, ok=(200,), other_ok=None, post_ok=None,
      query="", data=None):
    get_set = _set(get)
    post_set = None if post is None else _set(post)
    public = "anon" in get_set or (post_set is not None and "anon" in post_set)
    other_get = _set(other) if other is not None else (get_set if public else get_set & CITYWIDE)
    effective_post = get_set if post_set is None else post_set
    if other_post is not None:
        other_post_set = _set(other_post)
    elif other is not None and post_set is None:
        other_post_set = other_get
    else:
        other_post_set = effective_post if public else effective_post & CITYWIDE
    kw = dict(kwargs or {})
    if obj:
        kw["pk"] = obj
    return Rule(
        get_set, post_set, kw, other_get, other_post_set, tuple(ok), tuple(other_ok or ok),
        None if post_ok is None else tuple(post_ok), query, data,
    )


@dataclass(frozen=True)
class AdminRule:
    view: frozenset
    add: frozenset
    change: frozenset
    delete: frozenset
    obj: str
    scoped: bool = True
    reach_own: frozenset | None = field(default=None)

    def reach(self, personas, side):
        """Who among `personas` reaches the object of `side` ("own" or "other")."""
        personas = frozenset(personas)
        if side == "other" and self.scoped:
            personas &= CITYWIDE
        return personas & self.reach_own if self.reach_own is not None else personas


def A(view, add="", change="", delete="", *, obj, scoped=True, reach=None):
    return AdminRule(_set(view), _set(add), _set(change), _set(delete), obj, scoped, None if reach is None else _set(reach))


READERS = "city district liaison leader deputy"  # the deputies' business: staff, liaison, deputies
MANAGERS = "city district liaison"
REPORT_READERS = READERS

PORTAL = {
    # ------------------------------------------------------------ accounts and the frame
    "home": R(EVERYONE),  # anonymous visitors get the public front door, everyone else their home
    "notices": R(SIGNED_IN),
    "hello": R(SIGNED_IN),  # the benchmarks' floor: a signed-in page with nothing of its own
    "notices_mark_read": R(NOBODY, post=SIGNED_IN),
    "login": R(EVERYONE, post=EVERYONE),
    "logout": R(NOBODY, post=EVERYONE, post_ok=(302,)),
    "password_change": R(SIGNED_IN, post=SIGNED_IN),
    "password_change_done": R(SIGNED_IN),
    "two_factor_setup": R(ADMIN_SITE, post=ADMIN_SITE),
    "two_factor_verify": R(ADMIN_SITE, post=ADMIN_SITE, ok=(200, 302)),
    "audit_log": R(AUDITOR),
    "set_language": R(EVERYONE, post=EVERYONE, ok=(204, 302)),
    # ------------------------------------------------------------ the admin site itself
    "admin:index": R(ADMIN_SITE),
    "admin:login": R(EVERYONE, post=EVERYONE, ok=(200, 302)),
    "admin:logout": R(NOBODY, post=EVERYONE, post_ok=(302,)),
    "admin:password_change": R(ADMIN_SITE, post=ADMIN_SITE),
    "admin:password_change_done": R(ADMIN_SITE),
    "admin:autocomplete": R(STAFF, query="?app_label=offices&model_name=deputy&field_name=district&term="),
    "admin:jsi18n": R(ADMIN_SITE),
    # Django's "view on site": a redirect for any admin-site user to the object's portal page,
    # which applies its own scope.
    "admin:view_on_site": R(ADMIN_SITE, kwargs={"content_type_id": "activity_ct", "object_id": "activity"},
                            ok=(302,), other=ADMIN_SITE),
    "admin:app_list": R(STAFF, kwargs={"app_label": "app_offices"}),
    "admin:auth_user_password_change": R(SYSADMIN, post=SYSADMIN, kwargs={"id": "user"}),
    "admin:offices_roster_import": R(STAFF, post=STAFF),
    "admin:offices_roster_import_template": R(STAFF),
    "admin:offices_roster_import_confirm": R(STAFF, post=STAFF, ok=(302,)),
    # A roster import job (its check and preview, then its import): its page and status are the staff
    # member's who uploaded the file, nobody else's; confirming another's preview is a 404 too
    # (tests/offices/test_roster_import.py).
    "admin:offices_roster_import_job": R(DISTRICT, obj="roster_import_job", other=NOBODY),
    "admin:offices_roster_import_job_status": R(DISTRICT, obj="roster_import_job", other=NOBODY),
    "admin:otp_totp_totpdevice_config": R(NOBODY, kwargs={"pk": "totpdevice"}),
    "admin:otp_totp_totpdevice_qrcode": R(NOBODY, kwargs={"pk": "totpdevice"}),
    # ------------------------------------------------------------ reports: dashboard, bi-monthly report, files
    "reports:dashboard": R(STAFF),
    "reports:bimonthly_report": R(MANAGERS),
    "reports:performance_file_list": R(MANAGERS),
    "reports:my_performance_file": R(DEPUTIES, ok=(302,)),
    # A performance file is personal: the team leader gets no more than any member.
    "reports:performance_file": R("city district liaison deputy", obj="deputy"),
    # A background export: the requester is sent to the job's progress page.
    "reports:performance_file_export": R("city district liaison deputy", obj="deputy", ok=(302,)),
    # ------------------------------------------------------------ offices: contact network
    "offices:contact_shortfalls": R(MANAGERS),
    # ------------------------------------------------------------ activities, leave, invitations
    "reception:activity_list": R(MANAGERS),
    "reception:activity_create": R(MANAGERS, post=MANAGERS),
    "reception:activity_detail": R(READERS, obj="activity"),
    "reception:activity_edit": R(MANAGERS, post=MANAGERS, obj="activity"),
    "reception:activity_announce": R(MANAGERS, post=MANAGERS, obj="activity"),
    "reception:activity_cancel": R(MANAGERS, post=MANAGERS, obj="activity"),
    "reception:activity_log": R(MANAGERS, post=MANAGERS, obj="activity"),
    "reception:activity_photo_add": R(NOBODY, post=MANAGERS, obj="activity"),
    "reception:activity_photo": R(READERS, kwargs={"pk": "activity", "photo_pk": "photo"}),
    "reception:leave_list": R(READERS),
    "reception:leave_create": R(DEPUTIES, post=DEPUTIES),
    "reception:leave_decide": R(STAFF, post=STAFF, obj="leave"),
    "reception:invitation_list": R(READERS),
    "reception:invitation_create": R(DEPUTIES, post=DEPUTIES),
    "reception:invitation_decide": R(STAFF, post=STAFF, obj="invitation"),
    "reception:attendance_sheet": R(MANAGERS),
    "reception:my_attendance": R(DEPUTIES),
    "reception:escalation_list": R(STAFF),
    "reception:my_escalations": R(DEPUTIES),
    "reception:escalation_explain": R(DEPUTY, post=DEPUTY, obj="escalation"),
    "reception:escalation_resolve": R(STAFF, post=STAFF, obj="escalation"),
    "reception:escalation_file": R("city district deputy", obj="escalation"),
    # ------------------------------------------------------------ yearly work plans, calendars
    "reception:work_plan_list": R("liaison leader deputy"),
    "reception:work_plan_status": R(STAFF),
    "reception:work_plan_create": R(LIAISON, post=LIAISON),
    "reception:work_plan_detail": R(READERS, obj="plan"),
    "reception:work_plan_edit": R(LIAISON, post=LIAISON, obj="plan_draft"),
    "reception:work_plan_publish": R(LIAISON, post=LIAISON, obj="plan_draft"),
    # The token in the URL is the credential (calendar apps cannot log in).
    "reception:deputy_calendar": R(EVERYONE, kwargs={"token": "deputy_token"}),
    "reception:office_calendar": R(EVERYONE, kwargs={"token": "office_token"}),
    "reception:deputy_calendar_renew": R(DEPUTIES, post=DEPUTIES),
    "reception:office_calendar_renew": R(MANAGERS, post=MANAGERS, obj="office"),
    # QR posters 码上见代表: an office's for those who run it; a deputy's also for that deputy.
    "reception:office_poster": R("city district liaison", obj="office"),
    "reception:deputy_poster": R("city district liaison deputy", kwargs={"pk": "office", "deputy_pk": "deputy"}),
    # ------------------------------------------------------------ cases
    "cases:queue": R(DEPUTIES),
    "cases:desk": R(LIAISON),
    "cases:inbox": R(HANDLER),
    "cases:dispatch_queue": R(STAFF),
    "cases:overdue": R(READERS),
    "cases:register": R(READERS, post=READERS),
    "cases:detail": R(READERS, obj="case"),
    "cases:receive": R(MANAGERS, post=MANAGERS, obj="case"),
    "cases:attach": R(READERS, post=READERS, obj="case", ok=(302,)),
    "cases:answer": R("liaison leader deputy", post="liaison leader deputy", obj="case"),
    "cases:assign": R("city district leader", post="city district leader", obj="case"),
    "cases:forward": R("liaison deputy", post="liaison deputy", obj="case_assigned"),
    "cases:dispatch": R(STAFF, post=STAFF, obj="case_forwarded", other_ok=(302,)),
    "cases:reply": R(HANDLER, post=HANDLER, obj="case_dispatched"),
    "cases:feedback": R("liaison deputy", post="liaison deputy", obj="case_replied"),
    "cases:archive": R(MANAGERS, post=MANAGERS, obj="case_fed_back", other_ok=(302,)),
    "cases:attachment": R(READERS, obj="attachment"),
    # A unit's moves on its own share of a dispatch; staff's answers to returns and extension requests.
    "cases:dispatch_sign": R(HANDLER, post=HANDLER, obj="dispatch"),
    "cases:dispatch_return": R(HANDLER, post=HANDLER, obj="dispatch"),
    "cases:dispatch_extend": R(HANDLER, post=HANDLER, obj="dispatch"),
    "cases:dispatch_redispatch": R(STAFF, post=STAFF, obj="dispatch_returned"),
    "cases:dispatch_close": R(STAFF, post=STAFF, obj="dispatch_returned"),
    "cases:extension_approve": R(STAFF, post=STAFF, obj="extension"),
    "cases:extension_refuse": R(STAFF, post=STAFF, obj="extension"),
    # The phone follow-up 回访 once the resident's rating link expired: never the owner deputy.
    "cases:follow_up": R("city district liaison", post="city district liaison", obj="case_follow_up", other_ok=(302,)),
    "cases:meeting_new": R("city district leader", post="city district leader", kwargs={"team_pk": "team"}),
    "cases:meeting": R(READERS, obj="meeting"),
    # ------------------------------------------------------------ proposals, motions, inquiries
    "proposals:list": R(PORTAL_USERS),
    "proposals:file": R(DEPUTIES, post=DEPUTIES),
    "proposals:detail": R("city district liaison deputy", obj="proposal"),
    "proposals:cosign": R(NOBODY, post=DEPUTIES, obj="motion"),
    "proposals:submit": R(DEPUTY, post=DEPUTY, obj="motion"),
    "proposals:withdraw": R(DEPUTY, post=DEPUTY, obj="proposal"),
    "proposals:dispatch": R(STAFF, post=STAFF, obj="proposal"),
    "proposals:reply": R(HANDLER, post=HANDLER, obj="proposal_dispatched"),
    "proposals:evaluate": R(DEPUTY, post=DEPUTY, obj="proposal_replied"),
    "proposals:inquiries": R(PORTAL_USERS),
    "proposals:inquiry_create": R(STAFF, post=STAFF),
    "proposals:inquiry_detail": R(PORTAL_USERS, obj="inquiry"),
    "proposals:inquiry_detail#city": R("city district liaison leader", obj="inquiry_city"),
    "proposals:inquiry_edit": R(STAFF, post=STAFF, obj="inquiry"),
    # Issue 11 item 5: district staff read a city-level event, only city staff correct it.
    "proposals:inquiry_edit#city": R(CITY, post=CITY, obj="inquiry_city"),
    # ------------------------------------------------------------ case reports
    "case_reports:review": R(STAFF),
    "case_reports:review_export": R(STAFF, ok=(302,)),  # queues a background export
    "case_reports:export": R(STAFF, post=STAFF),
    # Export jobs belong to who asked for them (district A's staff here).
    "case_reports:export_detail": R(DISTRICT, obj="case_export", other=NOBODY),
    "case_reports:export_status": R(DISTRICT, obj="case_export", other=NOBODY),
    "case_reports:export_download": R(DISTRICT, obj="case_export", other=NOBODY),
    "case_reports:bulletin_list": R(PORTAL_USERS),
    "case_reports:bulletin_new": R(STAFF, post=STAFF),
    "case_reports:bulletin_detail": R(PORTAL_USERS, obj="bulletin"),
    # ------------------------------------------------------------ points
    "scoring:my_points": R(DEPUTIES),
    "scoring:deputy_points": R(READERS, obj="deputy"),
    "scoring:claim_list": R(READERS),
    "scoring:claim_create": R("liaison leader deputy", post="liaison leader deputy"),
    "scoring:claim_detail": R("city district liaison deputy", obj="claim"),
    "scoring:claim_evidence": R("city district liaison deputy", obj="claim"),
    "scoring:claim_transition#confirm": R(NOBODY, post=LIAISON, kwargs={"pk": "claim", "action": "action_confirm"}),
    "scoring:claim_transition#verify": R(NOBODY, post=STAFF, kwargs={"pk": "claim_confirmed", "action": "action_verify"}),
    "scoring:review_request": R(DEPUTY, post=DEPUTY, kwargs={"entry_pk": "entry_free"}),
    "scoring:review_list": R("city district leader deputy"),
    "scoring:review_detail": R("city district deputy", post=STAFF, obj="review"),
    "scoring:standings": R(MANAGERS),
    "scoring:snapshot_publish": R(NOBODY, post=CITY),
    "scoring:report_list": R(REPORT_READERS),
    "scoring:report_mine": R(DEPUTIES, post=DEPUTIES, ok=(200, 302)),
    # Submitted reports are published inside the system [000 十二], across districts.
    "scoring:report_detail": R(REPORT_READERS, obj="report", other=REPORT_READERS),
    "scoring:export_list": R(STAFF, post=STAFF),
    # Background exports (attendance sheet, audit log, bi-monthly report, admin lists): everyone
    # who may export lists their own jobs; a job is its requester's alone.
    "exports:list": R("city district liaison leader deputy sysadmin secadmin auditor"),
    "exports:detail": R(DISTRICT, obj="background_export", other=NOBODY),
    "exports:status": R(DISTRICT, obj="background_export", other=NOBODY),
    "exports:download": R(DISTRICT, obj="background_export", other=NOBODY),
    "scoring:export_detail": R(DISTRICT, obj="points_export", other=NOBODY),
    "scoring:export_status": R(DISTRICT, obj="points_export", other=NOBODY),
    "scoring:export_download": R(DISTRICT, obj="points_export", other=NOBODY),
    # ------------------------------------------------------------ the public online office
    "public:offices": R(EVERYONE),
    "public:office": R(EVERYONE, obj="office"),
    "public:deputy_photo": R(EVERYONE, kwargs={"pk": "office", "deputy_pk": "deputy"}),
    "public:book": R(EVERYONE, post=EVERYONE, obj="office"),
    "public:write": R(EVERYONE, post=EVERYONE, obj="office"),
    "public:done": R(EVERYONE, ok=(302,)),
    "public:track": R(EVERYONE, post=EVERYONE),
    "public:captcha": R(EVERYONE),
    # The resident's own rating, by the signed single-use link in the reply SMS (no login).
    "public:rate": R(EVERYONE, post=EVERYONE, kwargs={"token": "rating_token"}),
    # Residents' rights: the pages past the start answer only a verified visit (else the start).
    "privacy:start": R(EVERYONE, post=EVERYONE),
    "privacy:verify": R(EVERYONE, post=EVERYONE, ok=(302,)),
    "privacy:mine": R(EVERYONE, ok=(302,)),
    "privacy:correct": R(EVERYONE, post=EVERYONE, obj="case", ok=(302,)),
    "privacy:correct_confirm": R(EVERYONE, post=EVERYONE, ok=(302,)),
    "privacy:delete": R(EVERYONE, post=EVERYONE, ok=(302,)),
    "privacy:end": R(NOBODY, post=EVERYONE),
}

ADMIN = {
    # ------------------------------------------------------------ accounts, security, configuration
    "auth.group": A(NOBODY, obj="group"),
    "liaison.user": A(SYSADMIN, add=SYSADMIN, change=SYSADMIN, obj="user", scoped=False),
    "liaison.roleassignment": A(SECADMIN, change=SECADMIN, obj="user", scoped=False),
    "axes.accessattempt": A(SECADMIN, delete=SECADMIN, obj="accessattempt", scoped=False),
    "axes.accesslog": A(AUDITOR, obj="accesslog", scoped=False),
    "axes.accessfailurelog": A(AUDITOR, obj="accessfailurelog", scoped=False),
    "otp_totp.totpdevice": A(NOBODY, obj="totpdevice"),
    "otp_static.staticdevice": A(NOBODY, obj="staticdevice"),
    "liaison.auditlog": A(AUDITOR, obj="auditlog", scoped=False),
    "liaison.smsmessage": A(STAFF, change=STAFF, obj="smsmessage"),  # district-scoped; never the sysadmin
    "cases.privacyrequest": A(STAFF, obj="privacyrequest", scoped=False),
    "django_celery_beat.periodictask": A(SYSADMIN, SYSADMIN, SYSADMIN, SYSADMIN, obj="periodictask", scoped=False),
    "django_celery_beat.intervalschedule": A(SYSADMIN, SYSADMIN, SYSADMIN, SYSADMIN, obj="intervalschedule", scoped=False),
    "django_celery_beat.clockedschedule": A(SYSADMIN, SYSADMIN, SYSADMIN, SYSADMIN, obj="clockedschedule", scoped=False),
    "django_celery_beat.crontabschedule": A(SYSADMIN, SYSADMIN, SYSADMIN, SYSADMIN, obj="crontabschedule", scoped=False),
    "django_celery_beat.solarschedule": A(SYSADMIN, SYSADMIN, SYSADMIN, SYSADMIN, obj="solarschedule", scoped=False),
    # ------------------------------------------------------------ the organization
    "offices.jurisdiction": A(STAFF, STAFF, STAFF, STAFF, obj="jurisdiction"),
    "offices.unit": A(STAFF, STAFF, STAFF, STAFF, obj="unit"),
    "offices.office": A(STAFF, STAFF, STAFF, STAFF, obj="office"),
    "offices.deputy": A(STAFF, STAFF, STAFF, STAFF, obj="deputy"),
    "offices.team": A(STAFF, STAFF, STAFF, STAFF, obj="team"),
    "offices.leaderchange": A(STAFF, add=STAFF, obj="leaderchange"),
    "offices.contact": A(STAFF, STAFF, STAFF, STAFF, obj="contact"),
    "offices.officeevaluation": A(STAFF, STAFF, STAFF, STAFF, obj="officeevaluation"),
    "offices.trainingcourse": A(STAFF, STAFF, STAFF, STAFF, obj="trainingcourse"),
    "offices.budget": A(STAFF, STAFF, STAFF, STAFF, obj="budget"),
    "reception.workplan": A(STAFF, STAFF, STAFF, STAFF, obj="plan"),
    # ------------------------------------------------------------ receptions (records are read-only)
    "reception.receptionrule": A(STAFF, STAFF, STAFF, STAFF, obj="receptionrule"),
    "reception.statutoryholiday": A(STAFF, CITY, CITY, CITY, obj="statutoryholiday", scoped=False),
    "reception.receptionperiod": A(STAFF, change=STAFF, delete=STAFF, obj="receptionperiod_bare"),
    "reception.receptionreminder": A(STAFF, delete=STAFF, obj="receptionreminder"),
    "reception.activity": A(STAFF, obj="activity"),
    "reception.attendance": A(STAFF, obj="attendance"),
    "reception.leaverequest": A(STAFF, obj="leave"),
    "reception.escalation": A(STAFF, obj="escalation"),
    "reception.invitation": A(STAFF, obj="invitation"),
    # ------------------------------------------------------------ cases (the workflow is in the portal)
    "cases.category": A(STAFF, CITY, CITY, obj="category", scoped=False),
    "cases.case": A(STAFF, obj="case"),
    "cases.caseevent": A(STAFF, obj="caseevent"),
    "cases.deadlineextension": A(STAFF, obj="deadlineextension"),
    "cases.teammeeting": A(STAFF, obj="meeting"),
    "cases.meetingassignment": A(STAFF, obj="meetingassignment"),
    "cases.casereminder": A(STAFF, obj="casereminder"),
    # ------------------------------------------------------------ points
    "scoring.ruleset": A(STAFF, add=CITY, obj="ruleset", scoped=False),
    "scoring.rulesetbinding": A(STAFF, STAFF, STAFF, STAFF, obj="rulesetbinding"),
    "scoring.entry": A(STAFF, obj="entry"),
    "scoring.claim": A(STAFF, obj="claim"),
    "scoring.review": A(STAFF, obj="review"),
    "scoring.annualreport": A(STAFF, obj="report"),
    "scoring.snapshot": A(STAFF, obj="snapshot", scoped=False),
    "scoring.exportjob": A(STAFF, obj="points_export", reach=DISTRICT, scoped=True),
}
