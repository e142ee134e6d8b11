"""The one table of allowed case transitions, and who may make each move.

Each action names the states it may start from, the state it leads to, and the kinds of actor
allowed: the case's owner, a liaison of its office, a deputy who received it, the leader of the
office's team, org staff whose scope covers the case's district, or a handler of a unit the case
is dispatched to. cases.services applies this table; views use it to show only possible moves.

An action whose target is None records something on the case without moving it (the resident's
rating, a follow-up): it is still locked, checked against its sources and actors, and timelined.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Status

OWNER, LIAISON, RECEIVER, LEADER, STAFF, UNIT = "owner", "liaison", "receiver", "leader", "staff", "unit"
# The reporter, who has no account: the signed single-use link of their SMS is their capacity.
RESIDENT = "resident"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: str
    actors: frozenset


TRANSITIONS = {
    t.action: t
    for t in (
        # General questions answered at the reception go straight to feedback [003].
        Transition("answer", _("Answer on the spot"), frozenset({Status.REGISTERED}), Status.ANSWERED,
                   frozenset({LIAISON, RECEIVER})),
        # 领办 [000 九]: one owner from the team, chosen at the team meeting (or by staff). An owner
        # may be changed before the case is forwarded.
        Transition("assign", _("Assign an owner"), frozenset({Status.REGISTERED, Status.ANSWERED, Status.ASSIGNED}),
                   Status.ASSIGNED, frozenset({LEADER, STAFF})),
        # [001 第五篇]: sent to the organization department within 3 days of receipt.
        Transition("forward", _("Forward to the organization department"), frozenset({Status.ASSIGNED}),
                   Status.FORWARDED, frozenset({OWNER, LIAISON})),
        # A dissatisfied resident's case may be dispatched again instead of archived.
        Transition("dispatch", _("Dispatch to units"), frozenset({Status.FORWARDED, Status.FED_BACK}),
                   Status.DISPATCHED, frozenset({STAFF})),
        Transition("reply", _("Reply"), frozenset({Status.DISPATCHED}), Status.REPLIED, frozenset({UNIT})),
        Transition("feedback", _("Feed back to the resident"), frozenset({Status.REPLIED, Status.ANSWERED}),
                   Status.FED_BACK, frozenset({OWNER, LIAISON})),
        Transition("archive", _("Archive"), frozenset({Status.FED_BACK}), Status.ARCHIVED, frozenset({STAFF, LIAISON})),
        # The resident rates the answer themselves, from the moment it reaches them until the case
        # closes; what they say is the case's satisfaction (points item 3, the units' 满意率).
        Transition("rate", _("Rate the answer"), frozenset({Status.REPLIED, Status.FED_BACK}), None,
                   frozenset({RESIDENT})),
        # 回访: no rating within CASE_RATING_DAYS, so someone who is not the owner calls the resident
        # (the service refuses the owner too, whatever other capacity they hold).
        Transition("follow_up", _("Record a phone follow-up"), frozenset({Status.REPLIED, Status.FED_BACK}), None,
                   frozenset({LIAISON, STAFF})),
    )
}


def allowed(action, status):
    t = TRANSITIONS[action]
    return status in t.sources
