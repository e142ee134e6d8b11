"""Reads for the public pages. Residents are anonymous: everything here returns only what may be
shown to anyone (Deputy.PUBLIC_FIELDS, an office's public contact details, a case's public progress)."""

from django.db.models import F, Q
from django.utils import timezone

from offices.models import Deputy, Office, ReceptionPeriod


def public_offices(*, q=""):
    qs = Office.objects.filter(is_active=True).select_related("jurisdiction", "jurisdiction__parent", "district")
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(jurisdiction__name__icontains=q)
            | Q(jurisdiction__parent__name__icontains=q)
            | Q(district__name__icontains=q)
            | Q(address__icontains=q)
        )
    return qs.order_by("district__name", "name")


def office_public_deputies(office):
    """The serving deputies of the office's team, public fields only."""
    return list(
        Deputy.objects.filter(memberships__team__office=office, status=Deputy.Status.SERVING)
        .order_by("-memberships__is_leader", "name_initials")
        .values("pk", *Deputy.PUBLIC_FIELDS, "memberships__is_leader")
    )


def office_public_deputy(office, deputy_pk):
    """One serving deputy of the office's team, or None: the only deputies whose photo the public
    pages show."""
    return Deputy.objects.filter(
        pk=deputy_pk, memberships__team__office=office, status=Deputy.Status.SERVING
    ).first()


def next_reception(office, *, today=None):
    """The district's current or next reception period, or None (then the office's open hours
    are what a resident can book)."""
    today = today or timezone.localdate()
    if office.district_id is None:
        return None
    return ReceptionPeriod.objects.filter(district_id=office.district_id, end__gte=today).order_by("start").first()


def reception_days(period, *, today=None):
    """Days a resident may pick within a reception period: from today on, at most 31."""
    if period is None:
        return []
    today = today or timezone.localdate()
    day = max(period.start, today)
    days = []
    while day <= period.end and len(days) < 31:
        days.append(day)
        day = day.fromordinal(day.toordinal() + 1)
    return days


def normalize_tracking_code(code):
    """The one spelling of a tracking code that lookups and rate limits use: full-width letters
    made ASCII, spaces dropped, upper case, at most 16 characters."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", str(code or "")).split()).upper()[:16]


def case_for_tracking(*, code, mobile):
    """The case whose tracking code AND reporter's mobile both match, else None.

    Both failure paths do the same work — one indexed lookup by code, one constant-time compare —
    so a wrong code and a wrong phone cannot be told apart by the answer or by its timing."""
    import hmac

    from liaison.lib.validators import normalize_mobile

    from .models import Case

    code = normalize_tracking_code(code)
    mobile = normalize_mobile(mobile)[:20]
    case = Case.objects.filter(tracking_code=code).select_related("office").first() if code else None
    expected = (case.reporter_mobile if case is not None else "") or "\x00" * 11
    matches = hmac.compare_digest(expected.encode(), mobile.encode())
    return case if (case is not None and matches) else None


def case_public_progress(case):
    """The steps a resident may see: each state the case reached and the day it did, plus the
    answer meant for the resident. Never actors, internal comments, units' notes or other cases."""
    from .models import Status

    labels = dict(Status.choices)
    # Only moves of the case: entries that leave its state as it was (a unit signing for it,
    # asking for time, returning its share; a reception recorded) are internal steps.
    steps = [
        {"status": e["to_status"], "label": labels.get(e["to_status"], ""), "at": e["at"]}
        for e in case.events.exclude(from_status=F("to_status")).order_by("at", "id").values("to_status", "at")
    ]
    if not steps:
        steps = [{"status": Status.REGISTERED, "label": labels[Status.REGISTERED], "at": case.created_at}]
    answer = ""
    if case.status in (Status.FED_BACK, Status.ARCHIVED) and case.feedback_note:
        answer = case.feedback_note
    elif case.spot_answer and case.status in (Status.ANSWERED, Status.FED_BACK, Status.ARCHIVED):
        answer = case.spot_answer
    return {"steps": steps, "answer": answer, "current": labels.get(case.status, "")}
