"""Reads for the public pages. Residents are anonymous: everything here returns only what may be
shown to anyone (Deputy.PUBLIC_FIELDS, an office's public contact details, a case's public progress)."""

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from liaison.lib.validators import normalize_mobile
from offices.models import Deputy, Jurisdiction, Office
from reception.models import ReceptionPeriod

from .models import COUNTED_SOURCES, Case, CaseDispatch, CaseRating, Satisfaction, Status


def _deputy_match(q):
    """Serving deputies whose name holds `q` (or, for letters, whose pinyin initials start with it)."""
    match = Q(name__icontains=q)
    if q.isascii() and q.isalpha():
        match |= Q(name_initials__startswith=q.lower())
    return Deputy.objects.filter(match, status=Deputy.Status.SERVING)


def public_offices(*, q="", district_id=None):
    """Active offices matching a search by office name, address, district, street or community,
    or by the name of a deputy serving there; optionally within one district."""
    qs = Office.objects.filter(is_active=True).select_related("jurisdiction", "jurisdiction__parent", "district")
    if district_id:
        qs = qs.filter(district_id=district_id)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(jurisdiction__name__icontains=q)
            | Q(jurisdiction__parent__name__icontains=q)
            | Q(district__name__icontains=q)
            | Q(address__icontains=q)
            | Exists(_deputy_match(q).filter(memberships__team__office=OuterRef("pk")))
        )
    return qs.order_by("district__name", "name")


def offices_matching_deputies(offices, *, q):
    """{office id: [deputy name, …]} of the deputies matching `q` at the listed offices, so a
    resident who searched for a deputy sees why an office was found. One query."""
    q = q.strip()
    ids = [o.pk for o in offices]
    if not q or not ids:
        return {}
    found = {}
    rows = _deputy_match(q).filter(memberships__team__office_id__in=ids).order_by("name_initials").values_list(
        "memberships__team__office_id", "name"
    )
    for office_id, name in rows:
        found.setdefault(office_id, []).append(name)
    return found


def public_districts():
    """The districts and new districts a resident may narrow the office search to."""
    return list(
        Jurisdiction.objects.filter(level__in=[Jurisdiction.Level.DISTRICT, Jurisdiction.Level.NEW_DISTRICT])
        .order_by("name")
        .values_list("pk", "name")
    )


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

    code = normalize_tracking_code(code)
    mobile = normalize_mobile(mobile)[:20]
    case = Case.objects.filter(tracking_code=code).select_related("office").first() if code else None
    expected = (case.reporter_mobile if case is not None else "") or "\x00" * 11
    matches = hmac.compare_digest(expected.encode(), mobile.encode())
    return case if (case is not None and matches) else None


def case_public_answers(case):
    """The units' actual replies the resident may read: every round's once the case's current round
    is fully replied (a partial round waits for its last unit), as the units wrote them, with the
    day of each. Never a dispatch's instructions, a deputy's note or who replied."""
    replied_round_done = case.status in (Status.REPLIED, Status.FED_BACK, Status.ARCHIVED)
    rows = CaseDispatch.objects.filter(case=case, replied_at__isnull=False).select_related("unit").order_by(
        "round", "replied_at", "id"
    )
    return [
        {"unit": d.unit.name, "result": d.get_result_display(), "will_solve_by": d.will_solve_by, "reply": d.reply,
         "at": d.replied_at, "round": d.round}
        for d in rows
        if d.round < case.dispatch_round or replied_round_done
    ]


def case_public_spot_answer(case):
    """The answer given at the reception, once the case is recorded as answered on the spot."""
    if case.spot_answer and case.status in (Status.ANSWERED, Status.FED_BACK, Status.ARCHIVED):
        return case.spot_answer
    return ""


def case_public_progress(case):
    """What the resident may see: each state the case reached and the day it did, the on-the-spot
    answer, the units' actual replies and the resident's own rating. Never actors, internal
    comments, the deputy's feedback note, units' instructions or other cases."""
    labels = dict(Status.choices)
    # Only moves of the case: entries that leave its state as it was (a unit signing for it,
    # asking for time, returning its share; a reception recorded) are internal steps.
    steps = [
        {"status": e["to_status"], "label": labels.get(e["to_status"], ""), "at": e["at"]}
        for e in case.events.exclude(from_status=F("to_status")).order_by("at", "id").values("to_status", "at")
    ]
    if not steps:
        steps = [{"status": Status.REGISTERED, "label": labels[Status.REGISTERED], "at": case.created_at}]
    answer = case_public_spot_answer(case)
    rating = None
    if case.satisfaction and case.satisfaction_source in COUNTED_SOURCES:
        rated = CaseRating.objects.filter(case=case, round=case.dispatch_round).values("rated_at").first()
        rating = {"label": Satisfaction(case.satisfaction).label, "at": rated["rated_at"] if rated else None}
    return {"steps": steps, "answer": answer, "replies": case_public_answers(case), "rating": rating,
            "current": labels.get(case.status, "")}
