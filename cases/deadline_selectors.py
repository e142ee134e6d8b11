"""The one definition of "overdue" for public-opinion cases (SPEC §3 "deadlines and overdue scans
run daily"). Every list, badge, count and the daily scan reads it from here, so a case is overdue
in all of them or in none:

- a case not forwarded by its forward-by date [001 第五篇] while it still waits to be forwarded;
- a unit's share of the current dispatch round that the unit still owes (awaiting receipt or
  signed for, not replied, not returned) and whose deadline has passed. The deadline is the one on
  the share: an approved extension moves it, a pending request does not.

A case is overdue when it is late for forwarding or has at least one overdue share. The case
row's reply_due (the earliest deadline still owed) is kept for display only; the rule reads the
shares themselves.
"""

from django.db.models import BooleanField, Exists, F, OuterRef, Q, Value, When
from django.db.models import Case as CaseWhen
from django.utils import timezone

from .models import DISPATCH_OPEN, Case, CaseDispatch, Proposal, ProposalDispatch, ProposalStatus, Status

# Before forwarding, a case may be late for the 3-day rule [001 第五篇].
FORWARD_PENDING = (Status.REGISTERED, Status.ASSIGNED)


def open_dispatch_q():
    """On CaseDispatch: a share its unit still owes — open, of the case's current round, while
    the case waits for the units."""
    return Q(status__in=DISPATCH_OPEN, round=F("case__dispatch_round"), case__status=Status.DISPATCHED)


def dispatch_overdue_q(today=None):
    """On CaseDispatch: a share still owed whose deadline has passed."""
    today = today or timezone.localdate()
    return open_dispatch_q() & Q(deadline__lt=today)


def forward_overdue_q(today=None):
    """On Case: still waiting to be forwarded after its forward-by date."""
    today = today or timezone.localdate()
    return Q(status__in=FORWARD_PENDING, forward_due__lt=today)


def case_overdue_q(today=None):
    """On Case: late for forwarding, or with at least one overdue share. The shares are read
    through an IN subquery, which PostgreSQL runs once (hashed) rather than per case row."""
    today = today or timezone.localdate()
    late_shares = CaseDispatch.objects.filter(dispatch_overdue_q(today)).values("case_id")
    return forward_overdue_q(today) | Q(pk__in=late_shares)


def case_overdue_row_q(today=None):
    """On Case: the same rule as `case_overdue_q`, with the shares looked up per case row (a
    correlated EXISTS on the share's case_id index) instead of through the city's overdue shares.

    For the lists of a few cases (a deputy's queue, an office's desk, a case page): the hashed IN
    of `case_overdue_q` reads every overdue share of the city and its case, whatever the list
    (issue 10: about 99,000 shares and 100,000 cases, 900 ms, at 20,000 deputies); here each row
    costs one index probe. A filter over the whole city (the staff's overdue list) keeps the
    hashed form."""
    today = today or timezone.localdate()
    late_share = CaseDispatch.objects.filter(
        case_id=OuterRef("pk"), round=OuterRef("dispatch_round"), status__in=DISPATCH_OPEN, deadline__lt=today
    )
    return forward_overdue_q(today) | (Q(status=Status.DISPATCHED) & Q(Exists(late_share)))


def flag(q):
    """An annotation that is True where `q` holds (for ordering and badges in lists)."""
    return CaseWhen(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


def case_is_overdue(case, today=None):
    """One case, by the same rule (one query)."""
    return Case.objects.filter(pk=case.pk).filter(case_overdue_row_q(today)).exists()


# ---------------------------------------------------------------- proposals and motions
#
# Dispatched and replied like a case (SPEC §3): a unit's share is overdue when it is of the
# current round, not replied, the proposal still waits for the units, and the deadline passed.


def proposal_open_dispatch_q():
    """On ProposalDispatch: a share its unit still owes."""
    return Q(replied_at__isnull=True, round=F("proposal__dispatch_round"), proposal__status=ProposalStatus.DISPATCHED)


def proposal_dispatch_overdue_q(today=None):
    """On ProposalDispatch: a share still owed whose deadline has passed."""
    today = today or timezone.localdate()
    return proposal_open_dispatch_q() & Q(deadline__lt=today)


def proposal_overdue_q(today=None):
    """On Proposal: at least one overdue share."""
    return Q(pk__in=ProposalDispatch.objects.filter(proposal_dispatch_overdue_q(today)).values("proposal_id"))


def proposal_is_overdue(proposal, today=None):
    """One proposal, by the same rule (one query); lists annotate it instead of asking per row."""
    return Proposal.objects.filter(pk=proposal.pk).filter(proposal_overdue_q(today)).exists()
