"""The one table of allowed case transitions, and who may make each move.

Each action names the states it may start from, the state it leads to, and the kinds of actor
allowed: the case's owner, a liaison of its office, a deputy who received it, the leader of the
office's team, org staff whose scope covers the case's district, or a handler of a unit the case
is dispatched to. cases.services applies this table; views use it to show only possible moves.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Status

OWNER, LIAISON, RECEIVER, LEADER, STAFF, UNIT = "owner", "liaison", "receiver", "leader", "staff", "unit"


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
    )
}


def allowed(action, status):
    t = TRANSITIONS[action]
    return status in t.sources
