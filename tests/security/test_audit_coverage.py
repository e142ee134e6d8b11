"""MLPS 8.1.4.3 安全审计 / issue 6 item 6: every export, download and import, and every view of a
resident's personal data, leaves an audit entry. The `audited` decorator, and a guard over the
URLconf so that a new export or download view cannot be added without an audit call."""

import inspect
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse

from liaison.models import AuditLog, Role
from liaison.security.audit import audited
from tests.base import make_user

pytestmark = pytest.mark.django_db

# Views whose name says they hand data out of the system (exports, downloads, imports) or serve
# a case's attachment (a resident's photos and documents). Deputies' activity photos and
# proposal files are not residents' data and are not exports.
DATA_OUT = re.compile(r"(^|[:_])(export|download|import|attachment)($|_)")
# Pages about an export that hand out no data themselves: the job's progress page and its JSON.
NO_DATA = re.compile(r"_(detail|status|list|add)$")


def _walk(patterns, ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue  # admin actions and import views are audited in their admin classes (tests below)
            yield from _walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
        else:
            yield f"{ns}{p.name or ''}", p.callback


def _audits(func, depth=1):
    """The view records an audit entry itself, through `audited`, or through a function it calls
    (one level down: e.g. a service that records the export request)."""
    chain = func
    while chain is not None:
        if getattr(chain, "audit_action", None):
            return True
        chain = getattr(chain, "__wrapped__", None)
    func = inspect.unwrap(func)
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return False
    if "audit_record(" in source or "@audited(" in source:
        return True
    if depth == 0:
        return False
    module = inspect.getmodule(func)
    for name in set(re.findall(r"\b([a-z_][a-z0-9_]*)\(", source)):
        target = getattr(module, name, None)
        if inspect.isfunction(target) and target is not func and _audits(target, depth - 1):
            return True
    return False


def test_every_export_download_and_file_view_is_audited():
    views = [(n, cb) for n, cb in _walk(get_resolver().url_patterns) if DATA_OUT.search(n) and not NO_DATA.search(n)]
    assert len(views) >= 5, "the guard found no views to check"
    unaudited = [name for name, cb in views if not _audits(cb)]
    assert unaudited == []


def test_the_guard_notices_a_view_without_an_audit_call():
    def export_something(request):
        return HttpResponse("data")

    assert not _audits(export_something)
    assert _audits(audited("x")(export_something))


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
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditLog.objects.filter(action="admin_export", actor=world.city_staff).exists()
