"""The work queues of cases: a deputy's queue, a liaison's office desk, a unit's inbox, the staff
dispatch queue and the overdue list. Every queue starts from cases.selectors.cases_visible_to, so
a queue never lists a case its detail page would refuse.

Each queue is one query plus the paginator's count, whatever the number of cases: related rows
are joined (select_related) or prefetched, never fetched per row.
"""

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from liaison.lib.pagination import OrderedParts
from liaison.lib.versions import cached_result, version_bump
from liaison.models import Role

from .deadline_selectors import case_overdue_q, dispatch_overdue_q, flag, open_dispatch_q
from .models import (
    MAY_BE_OVERDUE,
    WAITING_FOR_STAFF,
    Case,
    CaseDispatch,
    CaseRating,
    Category,
    DeadlineExtension,
    DispatchStatus,
    Satisfaction,
    Status,
    UnitOpenTotal,
)
from .reach_version import CATEGORIES
from .search import case_search_q
from .selectors import cases_visible_to, deputy_case_reach


def category_options():
    """Every category (pk and name, in the list's order) for the queues' filter: read from the
    cache under CATEGORIES instead of a query on every queue page (issue 10)."""
    return cached_result(
        names=(CATEGORIES,), key=CATEGORIES,
        compute=lambda: [{"pk": pk, "name": name} for pk, name in Category.objects.values_list("pk", "name")],
    )


def categories_changed(**kwargs):
    version_bump(CATEGORIES)


# "Overdue" has one definition, in cases.deadline_selectors; the queues only use it.
overdue_q = case_overdue_q


def follow_up_due_q(now=None):
    """The resident's rating link of the current round expired unrated: a non-owner calls (回访)."""
    expired = CaseRating.objects.filter(
        case_id=OuterRef("pk"), round=OuterRef("dispatch_round"), rated_at__isnull=True,
        expires_at__lte=now or timezone.now(),
    )
    return Q(status__in=[Status.REPLIED, Status.FED_BACK]) & Q(Exists(expired))


# The queues' order after their two flags: what needs a move first, then the overdue, then ...
QUEUE_ORDER = ("forward_due", "-received_on", "-id")


def _flagged(qs, needs_action):
    today = timezone.localdate()
    return qs.annotate(needs_action=flag(needs_action), is_overdue=flag(case_overdue_q(today)))


def _with_flags(qs, needs_action):
    """A deputy's or an office's queue: both flags on every row (they order the queue), the
    overdue one probed per row (`case_overdue_q`)."""
    today = timezone.localdate()
    return qs.annotate(needs_action=flag(needs_action), is_overdue=flag(case_overdue_q(today))).order_by(
        "-needs_action", "-is_overdue", *QUEUE_ORDER
    )


def deputy_queue(*, user, reach=None):
    """Cases I own or received (a team leader: the office's cases too). First what needs my move:
    as owner, forwarding and feeding back; as leader, cases still without an owner. `reach`: the
    deputy's `deputy_case_reach`, when the caller has read it already."""
    reach = reach or deputy_case_reach(user=user)
    needs = _deputy_needs_q(reach)
    return _with_flags(cases_visible_to(user=user, reach=reach), Q(pk__in=[]) if needs is None else needs)


def _deputy_needs_q(reach):
    """What needs the deputy's move, on the ids of the reach (None: nothing can): as owner,
    forwarding and feeding back; as leader, the office's cases still without an owner."""
    arms = []
    if reach.deputy_ids:
        arms.append(Q(owner_id__in=reach.deputy_ids, status__in=[Status.ASSIGNED, Status.REPLIED, Status.ANSWERED]))
    if reach.office_ids:
        # A case answered on the spot gets no owner: it goes straight to feedback [003].
        arms.append(Q(office_id__in=reach.office_ids, owner__isnull=True, status=Status.REGISTERED))
    if not arms:
        return None
    needs = arms[0]
    for arm in arms[1:]:
        needs |= arm
    return needs


def deputy_queue_counts(*, user, today=None, reach=None):
    """The home panel's two counts of `deputy_queue`: the cases that need my move and the
    overdue ones, in one query. The same conditions as the queue's, on the ids of
    `deputy_case_reach` (my deputy rows for "owner is me", the offices whose team I lead): no
    joins, annotations or ordering to build for two numbers (issue 10)."""
    reach = reach or deputy_case_reach(user=user)
    if not (reach.deputy_ids or reach.case_ids or reach.office_ids):
        return {"waiting": 0, "late": 0}
    counts = {"late": Count("pk", filter=case_overdue_q(today))}
    needs = _deputy_needs_q(reach)
    if needs is not None:
        counts["waiting"] = Count("pk", filter=needs)
    result = Case.objects.filter(reach.q()).order_by().aggregate(**counts)
    result.setdefault("waiting", 0)
    return result


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
    # Every case of this queue needs a move (the filter) and none is overdue (overdue means
    # waiting to be forwarded or for a unit, not forwarded, replied or fed back: tested), so the
    # flags order nothing here. Without them, and with the statuses named on their own (the
    # planner cannot see them through the EXISTS arm), the partial index case_waiting_for_staff
    # serves the order: the database reads the page's rows instead of sorting every waiting case
    # (issue 10).
    return (
        _flagged(cases_visible_to(user=user), needs)
        .filter(needs, status__in=WAITING_FOR_STAFF)
        .order_by(*QUEUE_ORDER)
    )


def overdue_cases(*, user):
    # Every case here is overdue and needs a move: the flags order nothing, and with the statuses
    # an overdue case can have named on their own, the partial index case_overdue_candidates
    # serves the order (issue 10).
    return (
        _flagged(cases_visible_to(user=user), Q(pk__isnull=False))
        .filter(case_overdue_q(), status__in=MAY_BE_OVERDUE)
        .order_by(*QUEUE_ORDER)
    )


# The unit inbox's sort keys (?sort=…, a leading "-" reverses): the column names a handler sees.
INBOX_SORTS = {
    "deadline": ("deadline", "-id"),  # days left: the deadline in the same order
    "dispatched": ("dispatched_at", "id"),
    # The case's district and office names as copied on the share (cases.inbox_sort_services), so
    # that the indexes dispatch_*_unit_district / dispatch_*_unit_office serve the order: through
    # the join every share of the unit was sorted for a page (issue 10). The same order: the names
    # in the database's collation, a case without a district last.
    "district": ("district_name", "deadline", "-id"),
    "office": ("office_name", "deadline", "-id"),
}


def unit_inbox(*, user, sort="", owed_only=False):
    """A unit's dispatches, each with its case, flagged with the one overdue rule; by default
    what the unit still owes first, soonest deadline first. `sort` picks a column of INBOX_SORTS.
    `owed_only`: only the shares the unit still owes (open_dispatch_q as a plain filter, which the
    partial index dispatch_owed_by_unit serves in the default order; the flag `is_owed` as a
    filter is a CASE expression that no index serves: every open share of the unit was sorted,
    14,000 of them at 10x, issue 10)."""
    if user.role != Role.UNIT_HANDLER or not user.unit_id:
        return CaseDispatch.objects.none()
    today = timezone.localdate()
    current = Case.objects.filter(pk=OuterRef("case_id"), dispatch_round=OuterRef("round"))
    pending_extension = DeadlineExtension.objects.filter(
        dispatch_id=OuterRef("pk"), status=DeadlineExtension.Status.PENDING
    )
    qs = (
        CaseDispatch.objects.filter(unit_id=user.unit_id)
        .select_related("case", "case__category", "case__office", "case__district")
        .annotate(
            is_current=Exists(current),
            is_owed=flag(open_dispatch_q()),
            is_overdue=flag(dispatch_overdue_q(today)),
            extension_pending=Exists(pending_extension),
        )
    )
    if owed_only:
        qs = qs.filter(open_dispatch_q())
    key = sort.lstrip("-")
    if key in INBOX_SORTS:
        fields = INBOX_SORTS[key]
        if sort.startswith("-"):
            fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
        return qs.order_by(*fields)
    if owed_only:
        return qs.order_by("deadline", "-id")  # every row is owed
    return qs.order_by("-is_owed", "deadline", "-id")


def unit_owed_count(*, user):
    """How many shares the user's unit still owes (`unit_inbox(owed_only=True)` counted): its kept
    row, UnitOpenTotal, which the services keep with the shares (cases.unit_figures_services).
    Counted up to the bound through the join of the shares to their cases, the inbox's count
    took 10-30 ms at 10x (the parallel workers it started included), more than the page
    (issue 10)."""
    if user.role != Role.UNIT_HANDLER or not user.unit_id:
        return 0
    return UnitOpenTotal.objects.filter(unit_id=user.unit_id).values_list("shares", flat=True).first() or 0


def unit_inbox_owed_first(qs):
    """The unit inbox's whole list (`unit_inbox` unsorted, every share) in its order, read as two
    parts: what the unit owes, then the rest, each soonest deadline first. Sorted by the `is_owed`
    flag (a CASE over the case's columns) every share of the unit was joined and sorted for a page
    (57,000 at 10x, 0.3 s, issue 10); each part is read in the order of an index and stops at the
    page (dispatch_owed_by_unit for the first, dispatch_by_unit_deadline for the second)."""
    order = INBOX_SORTS["deadline"]
    return OrderedParts(
        qs.filter(open_dispatch_q()).order_by(*order), qs.exclude(open_dispatch_q()).order_by(*order), count=qs
    )


def staff_unit_requests(*, user):
    """What units ask of staff, for the dispatch queue: shares returned as wrongly dispatched and
    waiting to be re-dispatched (current round), and pending deadline extension requests; both
    limited to the cases the staff member may see."""
    visible = cases_visible_to(user=user).values("pk")
    returned = (
        CaseDispatch.objects.filter(case__in=visible, status=DispatchStatus.RETURNED, round=F("case__dispatch_round"))
        .select_related("case", "unit", "returned_by")
        .order_by("returned_at", "id")
    )
    extensions = (
        DeadlineExtension.objects.filter(dispatch__case__in=visible, status=DeadlineExtension.Status.PENDING)
        .select_related("dispatch", "dispatch__case", "dispatch__unit", "requested_by")
        .order_by("requested_at", "id")
    )
    return returned, extensions



def filter_cases(qs, *, status="", category="", overdue=False, q=""):
    if status in Status.values:
        qs = qs.filter(status=status)
    if category.isdigit():
        qs = qs.filter(category_id=int(category))
    if overdue:
        qs = qs.filter(case_overdue_q())
    q = q.strip()
    if q:
        qs = qs.filter(case_search_q(q, content=True))
    return qs
