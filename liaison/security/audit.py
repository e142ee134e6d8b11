"""The auditor's view of the audit log: filters and the Excel export."""

from datetime import datetime, time, timedelta
from functools import wraps

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from liaison.lib.exporters import ListExporter
from liaison.models import AuditAction, AuditLog, AuditOutcome
from liaison.services import audit_record

A = AuditAction
# The action filter's groups, in the order an auditor looks for them. Every AuditAction is in
# exactly one group (tests/security/test_audit_log_page.py).
ACTION_GROUPS = [
    (_("Sign-in and accounts"), [
        A.LOGIN, A.LOGIN_FAILED, A.LOGIN_LOCKED_OUT, A.LOGOUT, A.SESSION_EXPIRED, A.TWO_FACTOR_ENROLLED,
        A.TWO_FACTOR_ENROL_FAILED, A.TWO_FACTOR_VERIFIED, A.TWO_FACTOR_FAILED, A.PASSWORD_CHANGED,
        A.STAFF_NETWORK_REFUSED,
    ]),
    (_("Account administration"), [
        A.USER_CREATED, A.USER_ACCESS_CHANGED, A.LOGIN_UNLOCKED, A.TWO_FACTOR_RESET,
        A.EMERGENCY_SUPERUSER_CREATED, A.EMERGENCY_SUPERUSER_REVOKED,
    ]),
    (_("Residents' personal information"), [
        A.CASE_PERSONAL_DATA_VIEWED, A.CASE_ATTACHMENT_VIEWED, A.PRIVACY_REQUEST_STARTED, A.PRIVACY_CODE_FAILED,
        A.PRIVACY_VERIFIED, A.PRIVACY_DATA_VIEWED, A.PRIVACY_CORRECTION_CODE_SENT, A.PRIVACY_CORRECTED,
        A.PRIVACY_DELETED, A.RESIDENT_DATA_ANONYMIZED, A.SMS_OUTBOX_VIEWED, A.SMS_MESSAGE_VIEWED, A.SMS_REQUEUED,
    ]),
    (_("Exports, downloads and imports"), [
        A.CASE_LIST_EXPORT_REQUESTED, A.CASE_LIST_EXPORTED, A.CASE_REVIEW_EXPORTED, A.REVIEW_BULLETIN_PUBLISHED,
        A.ATTENDANCE_SHEET_EXPORTED, A.BIMONTHLY_REPORT_EXPORTED, A.PERFORMANCE_FILE_EXPORTED,
        A.EXPLANATION_FILE_DOWNLOADED, A.POINTS_EXPORT_DOWNLOADED, A.ADMIN_EXPORT, A.EXPORT_DOWNLOADED, A.ROSTER_IMPORT,
    ]),
    (_("System and the audit log"), [A.AUDIT_LOG_VIEWED, A.AUDIT_LOG_EXPORTED, A.AUDIT_PURGED, A.CALENDAR_TOKEN_REGENERATED]),
]


def action_choices():
    return [("", _("Any action"))] + [
        (group, [(a.value, a.label) for a in actions]) for group, actions in ACTION_GROUPS
    ]


class AuditLogFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.ChoiceField(label=pgettext_lazy("audit log", "Action"), required=False, choices=action_choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Any outcome")), *AuditOutcome.choices]
    )
    ip = forms.CharField(label=_("IP address"), required=False, max_length=45)
    obj = forms.CharField(label=_("Object"), required=False, max_length=200)

    def filter(self):
        qs = AuditLog.objects.all()
        if not self.is_bound:
            return qs
        if not self.is_valid():
            # The form shows what was wrong; a filter that cannot be read matches nothing rather
            # than silently widening to the whole log.
            return qs.none()
        d = self.cleaned_data
        tz = timezone.get_current_timezone()
        if d.get("date_from"):
            qs = qs.filter(at__gte=datetime.combine(d["date_from"], time.min, tzinfo=tz))
        if d.get("date_to"):
            qs = qs.filter(at__lt=datetime.combine(d["date_to"] + timedelta(days=1), time.min, tzinfo=tz))
        if d.get("actor"):
            qs = qs.filter(Q(actor_repr__icontains=d["actor"]) | Q(actor__username=d["actor"]))
        if d.get("action"):
            qs = qs.filter(action=d["action"])
        if d.get("outcome"):
            qs = qs.filter(outcome=d["outcome"])
        if d.get("ip"):
            qs = qs.filter(ip=d["ip"]) if _is_ip(d["ip"]) else qs.none()
        if d.get("obj"):
            qs = qs.filter(Q(object_repr__icontains=d["obj"]) | Q(object_id=d["obj"]) | Q(object_type=d["obj"]))
        return qs

    def describe(self):
        """The filters for the audit entry of a view or an export; as typed when they were invalid."""
        if not self.is_bound:
            return {}
        if not self.is_valid():
            return {k: str(self.data[k])[:100] for k in self.fields if self.data.get(k)}
        return {k: str(v) for k, v in self.cleaned_data.items() if v}


def _is_ip(value):
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class AuditLogExporter(ListExporter):
    title = _("Audit log")
    filename = "audit-log"

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self):
        return self.queryset.count()

    def header(self):
        return [
            _("Time"), _("Actor"), _("IP address"), pgettext_lazy("audit log", "Action"), _("Action code"),
            _("Object type"), _("Object id"), _("Object"), _("Outcome"), _("Detail"),
        ]

    def rows(self):
        import json

        # Labels in the reader's language; the codes stay beside them for filtering and scripts.
        for e in self.queryset.iterator(chunk_size=2000):
            yield [
                e.at, e.actor_label, e.ip, str(e.action_label), e.action, str(e.object_type_label), e.object_id,
                e.object_repr, str(e.outcome_label), json.dumps(e.detail, ensure_ascii=False),
            ]


def audit_log_export_build(job):
    """The exporter of a background audit log export (liaison.export_services): the page's filters
    read by the same form, so an export holds exactly the entries the page listed."""
    return AuditLogExporter(AuditLogFilterForm(job.params or None).filter().select_related("actor"))


def audited(action, *, object_kwarg=None, model=None):
    """View decorator for the things MLPS and PIPL want on the record: exports, downloads,
    imports and every view of a resident's personal data. One audit entry per request — who,
    when, from which IP, the URL's arguments, and the outcome: "ok" for a 2xx/3xx answer,
    "refused" for 403/404 (raised or returned), "failed" otherwise. With `model` and
    `object_kwarg` the entry names the object (e.g. model=Case, object_kwarg="pk").

        @role_required(Role.ORG_STAFF)
        @audited("points_export_downloaded", model=ExportJob, object_kwarg="pk")
        def export_download(request, pk): ...

    Put it under the role decorator, so anonymous visitors bounced to the login page do not
    fill the log; refusals of signed-in users are recorded. Views that decide inside whether
    they show personal data (masked or not) call liaison.services.audit_record themselves."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            obj = None
            if model is not None and object_kwarg in kwargs:
                obj = model._default_manager.filter(pk=kwargs[object_kwarg]).first()
            detail = {k: str(v) for k, v in kwargs.items()}
            detail["method"] = request.method
            try:
                response = view(request, *args, **kwargs)
            except (PermissionDenied, Http404):
                audit_record(action=action, request=request, obj=obj, outcome="refused", **detail)
                raise
            code = response.status_code
            outcome = "ok" if code < 400 else "refused" if code in (403, 404) else "failed"
            audit_record(action=action, request=request, obj=obj, outcome=outcome, **detail)
            return response

        wrapped.audit_action = action
        return wrapped

    return decorator
