"""MLPS 8.1.4.3 安全审计 / issue 6 item 6, issue 11 item 10: every view of a resident's personal
data, every export, download and import, and every read of the audit log leaves an audit entry.

Checked by behaviour, not by reading source: each covered view is called through the test client
as a user who may use it, on real objects, and the entry must appear with the right action, actor
and object. A guard over the URLconf keeps the list complete: a new view named like an export,
download, import or attachment fails until it is given a probe here."""

import datetime
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from cases.models import PrivacyRequest
from liaison.lib import captcha
from liaison.models import AuditLog, Role
from liaison.security.audit import audited
from tests.base import PNG, make_user, sms_code_sent_to
from tests.cases import journey

pytestmark = pytest.mark.django_db

PHONE = "13612345678"
NEW_PHONE = "13798765432"
RESIDENT = "resident 136****5678"

# Views whose name says they hand data out of the system (exports, downloads, imports) or serve
# a case's attachment. Deputies' activity photos and proposal files are not residents' data and
# are not exports.
DATA_OUT = re.compile(r"(^|[:_])(export|download|import|attachment)($|_)")
# Pages about an export that hand out no data themselves: the job's progress page and its JSON.
NO_DATA = re.compile(r"_(detail|status|list|add)$")


@dataclass
class Probe:
    """What one covered view must record when `call()` uses it as a permitted user."""

    call: Any
    action: str
    actor: Any  # the User, or None for a resident on the public pages
    obj: Any = None  # the object named, or a callable returning it after the call
    actor_repr: str = ""  # for entries without an account
    detail: dict | None = None  # items the entry's detail must contain


PROBES = {}


def probe(key):
    """Register a probe under `<url name>` or `<url name> <what>` (several uses of one URL)."""

    def register(build):
        PROBES[key] = build
        return build

    return register


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_ROOT = tmp_path / "imports"
    cache.clear()  # the privacy pages' rate limits
    yield
    cache.clear()


# ---------------------------------------------------------------- residents' data inside the portal


@probe("cases:detail")
def _case_detail(world, client, **_):
    case = journey.register(world)
    client.force_login(world.liaison)
    return Probe(lambda: client.get(reverse("cases:detail", args=[case.pk])), "case_personal_data_viewed",
                 world.liaison, case)


@probe("cases:attachment")
def _case_attachment(world, client, **_):
    case = journey.register(world, attachments=[SimpleUploadedFile("lamp.png", PNG, content_type="image/png")])
    item = case.attachments.get()
    client.force_login(world.district_staff)
    return Probe(lambda: client.get(reverse("cases:attachment", args=[item.pk])), "case_attachment_viewed",
                 world.district_staff, case, detail={"attachment": item.pk})


# ---------------------------------------------------------------- case reports


@probe("case_reports:export")
def _case_export_request(world, client, capture, **_):
    from cases.models import CaseExportJob

    journey.register(world)
    client.force_login(world.city_staff)

    def call():
        with capture(execute=True):
            return client.post(reverse("case_reports:export"), {"personal_data": "on"})

    return Probe(call, "case_list_export_requested", world.city_staff, lambda: CaseExportJob.objects.get(),
                 detail={"personal_data": True})


@probe("case_reports:export_download")
def _case_export_download(world, client, capture, **_):
    from cases.models import CaseExportJob

    journey.register(world)
    client.force_login(world.city_staff)
    with capture(execute=True):
        client.post(reverse("case_reports:export"), {"personal_data": "on"})
    job = CaseExportJob.objects.get()
    assert job.status == CaseExportJob.Status.DONE
    return Probe(lambda: client.get(reverse("case_reports:export_download", args=[job.pk])), "case_list_exported",
                 world.city_staff, job, detail={"personal_data": True, "rows": 1})


@probe("case_reports:review_export")
def _unit_review_export(world, client, **_):
    client.force_login(world.district_staff)
    year = timezone.localdate().year
    return Probe(lambda: client.get(reverse("case_reports:review_export"), {"year": year}), "case_review_exported",
                 world.district_staff, detail={"year": year})


# ---------------------------------------------------------------- the residents' own privacy pages


def _start(client):
    client.get(reverse("privacy:start"))
    return client.post(reverse("privacy:start"), {"mobile": PHONE, "captcha": client.session[captcha.SESSION_KEY]["a"]})


def _verified(world, client):
    case = journey.register(world)
    assert _start(client).status_code == 302
    assert client.post(reverse("privacy:verify"), {"code": sms_code_sent_to(PHONE)}).status_code == 302
    return case, PrivacyRequest.objects.get(kind=PrivacyRequest.Kind.ACCESS)


@probe("privacy:start")
def _privacy_start(world, client, **_):
    journey.register(world)
    return Probe(lambda: _start(client), "privacy_request_started", None, lambda: PrivacyRequest.objects.get(),
                 actor_repr=RESIDENT, detail={"code_sent": True})


@probe("privacy:verify")
def _privacy_verify(world, client, **_):
    journey.register(world)
    _start(client)
    access = PrivacyRequest.objects.get()
    return Probe(lambda: client.post(reverse("privacy:verify"), {"code": sms_code_sent_to(PHONE)}), "privacy_verified",
                 None, access, actor_repr=RESIDENT, detail={"cases": 1})


@probe("privacy:mine")
def _privacy_mine(world, client, **_):
    case, access = _verified(world, client)
    return Probe(lambda: client.get(reverse("privacy:mine")), "privacy_data_viewed", None, access,
                 actor_repr=RESIDENT, detail={"cases": [case.tracking_code]})


@probe("privacy:correct")
def _privacy_correct_form(world, client, **_):
    # The form is filled with the name, phone and address held: a view of the data like `mine`.
    case, access = _verified(world, client)
    return Probe(lambda: client.get(reverse("privacy:correct", args=[case.pk])), "privacy_data_viewed", None, access,
                 actor_repr=RESIDENT, detail={"cases": [case.tracking_code]})


@probe("privacy:correct applied")
def _privacy_correct(world, client, **_):
    case, _access = _verified(world, client)
    data = {"name": "刘桂芳", "mobile": PHONE, "address": "东和路8号3栋202"}
    return Probe(lambda: client.post(reverse("privacy:correct", args=[case.pk]), data), "privacy_corrected", None,
                 case, actor_repr=RESIDENT, detail={"fields": ["reporter_name", "reporter_address"]})


@probe("privacy:correct new phone")
def _privacy_correct_new_phone(world, client, **_):
    case, _access = _verified(world, client)
    data = {"name": "刘阿姨", "mobile": NEW_PHONE, "address": "东和路8号3栋201"}
    return Probe(lambda: client.post(reverse("privacy:correct", args=[case.pk]), data), "privacy_correction_code_sent",
                 None, case, actor_repr=RESIDENT, detail={"new_phone": "137****5432"})


@probe("privacy:correct_confirm")
def _privacy_correct_confirm(world, client, **_):
    case, _access = _verified(world, client)
    client.post(reverse("privacy:correct", args=[case.pk]), {"name": "刘阿姨", "mobile": NEW_PHONE, "address": ""})
    return Probe(lambda: client.post(reverse("privacy:correct_confirm"), {"code": sms_code_sent_to(NEW_PHONE)}),
                 "privacy_corrected", None, case, actor_repr=RESIDENT,
                 detail={"fields": ["reporter_address", "reporter_mobile"]})


@probe("privacy:delete")
def _privacy_delete(world, client, **_):
    case, _access = _verified(world, client)
    return Probe(lambda: client.post(reverse("privacy:delete"), {"case": case.pk, "confirm": "on"}), "privacy_deleted",
                 None, case, actor_repr=RESIDENT)


# ---------------------------------------------------------------- offices and points exports


@probe("reception:attendance_sheet xlsx")
def _attendance_sheet_export(world, client, **_):
    from reception.models import ReceptionPeriod

    ReceptionPeriod.objects.create(district=world.district_a, key="2026-09", start=datetime.date(2026, 9, 7),
                                   end=datetime.date(2026, 9, 20))
    client.force_login(world.liaison)
    url = reverse("reception:attendance_sheet")
    return Probe(lambda: client.get(url, {"period": "2026-09", "format": "xlsx"}), "attendance_sheet_exported",
                 world.liaison, detail={"period": "2026-09"})


@probe("exports:download")
def _background_export_download(world, client, capture, **_):
    from liaison.models import BackgroundExport
    from reception.models import ReceptionPeriod

    ReceptionPeriod.objects.create(district=world.district_a, key="2026-09", start=datetime.date(2026, 9, 7),
                                   end=datetime.date(2026, 9, 20))
    client.force_login(world.liaison)
    with capture(execute=True):
        client.get(reverse("reception:attendance_sheet"), {"period": "2026-09", "format": "xlsx"})
    job = BackgroundExport.objects.get()
    assert job.status == BackgroundExport.Status.DONE
    return Probe(lambda: client.get(reverse("exports:download", args=[job.pk])), "export_downloaded",
                 world.liaison, job, detail={"export": "attendance_sheet", "filters": {"period": "2026-09"}})


@probe("reports:bimonthly_report xlsx")
def _bimonthly_export(world, client, **_):
    client.force_login(world.district_staff)
    url = reverse("reports:bimonthly_report")
    return Probe(lambda: client.get(url, {"year": 2026, "bimester": 5, "format": "xlsx"}), "bimonthly_report_exported",
                 world.district_staff, detail={"start": "2026-09-01", "end": "2026-10-31"})


@probe("reports:performance_file_export")
def _performance_file_export(world, client, **_):
    client.force_login(world.liaison)
    url = reverse("reports:performance_file_export", args=[world.deputy_b.pk])
    return Probe(lambda: client.get(url), "performance_file_exported", world.liaison, world.deputy_b)


@probe("reception:escalation_file")
def _explanation_download(world, client, **_):
    from reception import activity_services as activities
    from reception.models import Escalation, ReceptionPeriod

    period = ReceptionPeriod.objects.create(district=world.district_a, key="x-1", start=datetime.date(2026, 1, 5),
                                            end=datetime.date(2026, 1, 18), closed_at=timezone.now())
    escalation = Escalation.objects.create(deputy=world.deputy_b, period=period, district=world.district_a, step=2,
                                           streak=2)
    activities.escalation_explain(escalation=escalation, actor=world.deputy_b_user,
                                  file=SimpleUploadedFile("s.pdf", b"%PDF-1.4 x", content_type="application/pdf"))
    client.force_login(world.district_staff)
    return Probe(lambda: client.get(reverse("reception:escalation_file", args=[escalation.pk])),
                 "explanation_file_downloaded", world.district_staff, escalation)


@probe("scoring:export_download")
def _points_export_download(world, client, capture, **_):
    from scoring.models import ExportJob

    client.force_login(world.city_staff)
    with capture(execute=True):
        client.post(reverse("scoring:export_list"), {"kind": "standings", "year": 2026})
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    return Probe(lambda: client.get(reverse("scoring:export_download", args=[job.pk])), "points_export_downloaded",
                 world.city_staff, job)


# ---------------------------------------------------------------- the admin site and the audit log


@probe("admin export_xlsx")
def _admin_export(world, client, **_):
    client.force_login(world.city_staff)
    url = reverse("admin:offices_office_changelist")
    data = {"action": "export_xlsx", "_selected_action": [world.office_a1.pk]}
    return Probe(lambda: client.post(url, data), "admin_export", world.city_staff,
                 detail={"model": "offices.office", "rows": 1})


@probe("admin:offices_roster_import_confirm")
def _roster_import(world, client, capture, **_):
    from offices.models import RosterImportJob
    from tests.offices.roster import good_roster, roster_xlsx

    client.force_login(world.district_staff)
    preview = client.post(reverse("admin:offices_roster_import"),
                          {"file": SimpleUploadedFile("roster.xlsx", roster_xlsx(**good_roster(world)))},
                          follow=True)
    job = preview.context["job"].pk  # a small file is checked in the upload request

    def call():
        # Confirming queues the job, which writes the roster and its entry (in process here).
        with capture(execute=True):
            return client.post(reverse("admin:offices_roster_import_confirm"), {"job": job})

    return Probe(call, "roster_import", world.district_staff, obj=lambda: RosterImportJob.objects.get(),
                 detail={"deputies": 3})


@probe("audit_log")
def _audit_log_view(world, client, **_):
    auditor = make_user("auditor", Role.AUDITOR)
    client.force_login(auditor)
    return Probe(lambda: client.get(reverse("audit_log"), {"outcome": "failed"}), "audit_log_viewed", auditor,
                 detail={"filters": {"outcome": "failed"}, "page": 1})


@probe("audit_log xlsx")
def _audit_log_export(world, client, **_):
    auditor = make_user("auditor", Role.AUDITOR)
    client.force_login(auditor)
    return Probe(lambda: client.get(reverse("audit_log"), {"outcome": "failed", "format": "xlsx"}),
                 "audit_log_exported", auditor, detail={"filters": {"outcome": "failed"}})


# Views that show residents' personal data or the audit log without a name that says so: each must
# have a probe above (the URLconf guard below covers exports, downloads, imports and attachments).
PERSONAL_DATA_VIEWS = {
    "cases:detail", "privacy:start", "privacy:verify", "privacy:mine", "privacy:correct", "privacy:correct_confirm",
    "privacy:delete", "audit_log", "reception:attendance_sheet", "reports:bimonthly_report",
}


def run_probe(probe):
    """Call the view and return its one new entry of the expected action, checked in full."""
    before = AuditLog.objects.aggregate(last=Max("id"))["last"] or 0
    response = probe.call()
    assert response.status_code in (200, 302), response.status_code
    entries = list(AuditLog.objects.filter(id__gt=before, action=probe.action))
    assert len(entries) == 1, f"{probe.action}: {len(entries)} entries"
    entry = entries[0]
    assert entry.outcome == "ok"
    if probe.actor is None:
        assert entry.actor_id is None and entry.actor_repr == probe.actor_repr
    else:
        assert entry.actor_id == probe.actor.pk and entry.actor_repr == str(probe.actor)
    obj = probe.obj() if callable(probe.obj) else probe.obj
    if obj is None:
        assert (entry.object_type, entry.object_id) == ("", "")
    else:
        assert (entry.object_type, entry.object_id) == (obj._meta.label_lower, str(obj.pk))
    for key, value in (probe.detail or {}).items():
        assert entry.detail.get(key) == value, (key, entry.detail)
    return entry


@pytest.mark.parametrize("key", sorted(PROBES))
def test_each_personal_data_view_and_export_writes_its_audit_entry(key, world, client, django_capture_on_commit_callbacks):
    run_probe(PROBES[key](world=world, client=client, capture=django_capture_on_commit_callbacks))


def _walk(patterns, ns="", admin=False):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin" and not admin:
                continue  # the admin's export action and roster import have probes of their own
            yield from _walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns, admin)
        else:
            yield f"{ns}{p.name or ''}"


def test_every_export_download_import_and_attachment_view_has_a_probe():
    names = {n for n in _walk(get_resolver().url_patterns) if DATA_OUT.search(n) and not NO_DATA.search(n)}
    assert len(names) >= 5, "the guard found no views to check"
    probed = {key.split(" ")[0] for key in PROBES}
    assert names - probed == set()
    assert PERSONAL_DATA_VIEWS - probed == set()
    # Every probe names a real URL (the admin's export action is an action on every change list).
    assert probed - set(_walk(get_resolver().url_patterns, admin=True)) == {"admin"}


@pytest.mark.parametrize("key, module", [("cases:detail", "cases.views"), ("privacy:mine", "cases.privacy_services"),
                                         ("case_reports:review_export", "cases.review_views")])
def test_a_view_that_stops_writing_its_entry_fails_the_check(key, module, world, client, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    """The check proves behaviour: the same view with its audit call disabled (a comment would do
    the same) fails it."""
    monkeypatch.setattr(f"{module}.audit_record", lambda **kwargs: None)
    probe = PROBES[key](world=world, client=client, capture=django_capture_on_commit_callbacks)
    with pytest.raises(AssertionError, match=f"{probe.action}: 0 entries"):
        run_probe(probe)


def _request(user, method="get"):
    request = getattr(RequestFactory(), method)("/x/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    return request


def test_audited_records_who_what_where_and_the_outcome(world):
    @audited("thing_exported")
    def ok_view(request, pk):
        return HttpResponse("data")

    @audited("thing_exported")
    def refused_view(request, pk):
        raise PermissionDenied

    @audited("thing_exported")
    def missing_view(request, pk):
        return HttpResponse(status=404)

    ok_view(_request(world.city_staff), pk=7)
    with pytest.raises(PermissionDenied):
        refused_view(_request(world.outsider), pk=8)
    missing_view(_request(world.city_staff), pk=9)
    entries = list(AuditLog.objects.filter(action="thing_exported").order_by("id"))
    assert [(e.actor_id, e.ip, e.outcome, e.detail["pk"]) for e in entries] == [
        (world.city_staff.pk, "10.1.2.3", "ok", "7"),
        (world.outsider.pk, "10.1.2.3", "refused", "8"),
        (world.city_staff.pk, "10.1.2.3", "refused", "9"),
    ]


def test_audited_names_the_object(world):
    @audited("user_card_downloaded", model=type(world.liaison), object_kwarg="pk")
    def view(request, pk):
        return HttpResponse("data")

    view(_request(world.city_staff), pk=world.liaison.pk)
    entry = AuditLog.objects.get(action="user_card_downloaded")
    assert entry.object_type == "liaison.user" and entry.object_id == str(world.liaison.pk)


def test_downloading_a_points_export_is_audited_and_another_users_job_is_refused(world, client):
    from scoring.models import ExportJob

    job = ExportJob.objects.create(kind=ExportJob._meta.get_field("kind").choices[0][0], year=2026, requested_by=world.city_staff)
    other = make_user("staff_not_the_requester", Role.ORG_STAFF, jurisdiction=world.city)
    client.force_login(other)
    assert client.get(reverse("scoring:export_download", args=[job.pk])).status_code == 404
    entry = AuditLog.objects.get(action="points_export_downloaded")
    assert entry.actor_id == other.pk and entry.outcome == "refused" and entry.object_id == str(job.pk)


def test_admin_exports_are_audited(world, client):
    client.force_login(world.city_staff)
    url = reverse("admin:offices_office_changelist")
    response = client.post(url, {"action": "export_xlsx", "_selected_action": [world.office_a1.pk]})
    assert response.status_code == 302  # to the background job's progress page
    assert AuditLog.objects.filter(action="admin_export", actor=world.city_staff, detail__rows=1).exists()
