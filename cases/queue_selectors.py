"""The work queues of cases: a deputy's queue, a liaison's office desk, a unit's inbox, the staff
dispatch queue and the overdue list. Every queue starts from cases.selectors.cases_visible_to, so
a queue never lists a case its detail page would refuse.

Each queue is one query plus the paginator's count, whatever the number of cases: related rows
are joined (select_related) or prefetched, never fetched per row.
"""

from django.db.models import BooleanField, Exists, OuterRef, Q, Value, When
from django.db.models import Case as CaseWhen
from django.utils import timezone

from liaison.models import Role
from offices.models import TeamMembership

from .models import Case, CaseDispatch, CaseRating, Satisfaction, Status
from .selectors import cases_visible_to

# Before forwarding, a case may be late for the 3-day rule [001 第五篇].
FORWARD_PENDING = (Status.REGISTERED, Status.ASSIGNED)


def overdue_q(today=None):
    """Late: not forwarded by its forward-by date, or dispatched and past the reply deadline."""
    today = today or timezone.localdate()
    return Q(status__in=FORWARD_PENDING, forward_due__lt=today) | Q(status=Status.DISPATCHED, reply_due__lt=today)


def follow_up_due_q(now=None):
    """The resident's rating link of the current round expired unrated: a non-owner calls (回访)."""
    expired = CaseRating.objects.filter(
        case_id=OuterRef("pk"), round=OuterRef("dispatch_round"), rated_at__isnull=True,
        expires_at__lte=now or timezone.now(),
    )
    return Q(status__in=[Status.REPLIED, Status.FED_BACK]) & Q(Exists(expired))


def _with_flags(qs, needs_action):
    today = timezone.localdate()
    return qs.annotate(
        needs_action=CaseWhen(When(needs_action, then=Value(True)), default=Value(False), output_field=BooleanField()),
        is_overdue=CaseWhen(When(overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanField()),
    ).order_by("-needs_action", "-is_overdue", "forward_due", "-received_on", "-id")


def deputy_queue(*, user):
    """Cases I own or received (a team leader: the office's cases too). First what needs my move:
    as owner, forwarding and feeding back; as leader, cases still without an owner."""
    led_offices = TeamMembership.objects.filter(deputy__user=user, is_leader=True).values("team__office_id")
    needs = Q(owner__user=user, status__in=[Status.ASSIGNED, Status.REPLIED, Status.ANSWERED]) | Q(
        office_id__in=led_offices, owner__isnull=True, status__in=[Status.REGISTERED, Status.ANSWERED]
    )
    return _with_flags(cases_visible_to(user=user), needs)


def liaison_desk(*, user):
    """The office desk: the offices' cases; first those to receive or answer, forward, feed back
    and archive."""
    needs = Q(status__in=[Status.REGISTERED, Status.ASSIGNED, Status.ANSWERED, Status.REPLIED, Status.FED_BACK])
    return _with_flags(cases_visible_to(user=user), needs)


def staff_dispatch_queue(*, user):
    """Cases waiting for staff: forwarded ones to dispatch, dissatisfied ones to dispatch again or
    archive, and those whose resident did not rate the answer in time, to follow up by phone."""
    needs = (
        Q(status=Status.FORWARDED)
        | Q(status=Status.FED_BACK, satisfaction=Satisfaction.DISSATISFIED)
        | follow_up_due_q()
    )
    return _with_flags(cases_visible_to(user=user), needs).filter(needs)


def overdue_cases(*, user):
    return _with_flags(cases_visible_to(user=user), Q(pk__isnull=False)).filter(overdue_q())


def unit_inbox(*, user):
    """A unit's dispatches, the open ones of the current round first, each with its case."""
    if user.role != Role.UNIT_HANDLER or not user.unit_id:
        return CaseDispatch.objects.none()
    current = Case.objects.filter(pk=OuterRef("case_id"), dispatch_round=OuterRef("round"))
    return (
        CaseDispatch.objects.filter(unit_id=user.unit_id)
        .select_related("case", "case__category", "case__office")
        .annotate(is_current=Exists(current))
        .order_by("replied_at", "deadline", "-id")
    )


def filter_cases(qs, *, status="", category="", overdue=False, q=""):
    if status in Status.values:
        qs = qs.filter(status=status)
    if category.isdigit():
        qs = qs.filter(category_id=int(category))
    if overdue:
        qs = qs.filter(overdue_q())
    q = q.strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(content__icontains=q) | Q(tracking_code__iexact=q))
    return qs
