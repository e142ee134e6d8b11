"""The one table of allowed case transitions, and who may make each move.

Each action names the states it may start from, the state it leads to, and the kinds of actor
allowed: the case's owner, a liaison of its office, a deputy who received it, the leader of the
office's team, org staff whose scope covers the case's district, or a handler of a unit the case
is dispatched to. cases.services applies this table; views use it to show only possible moves.

An action whose target is None records something on the case without moving it (the resident's
rating, a follow-up): it is still locked, checked against its sources and actors, and timelined.
"""

from django.utils.translation import gettext_lazy as _

from liaison.lib.transitions import Transition, transition_table

from .models import DeadlineExtension, DispatchStatus, Status

OWNER, LIAISON, RECEIVER, LEADER, STAFF, UNIT = "owner", "liaison", "receiver", "leader", "staff", "unit"
# The reporter, who has no account: the signed single-use link of their SMS is their capacity.
RESIDENT = "resident"


# The refusal of a move the row's state does not allow (liaison.lib.transitions.check_transition).
CASE_ILLEGAL = _("This case is “%(status)s”; “%(action)s” is not possible now.")

TRANSITIONS = transition_table(
    # General questions answered at the reception go straight to feedback [003].
    Transition("answer", _("Answer on the spot"), frozenset({Status.REGISTERED}), Status.ANSWERED,
               frozenset({LIAISON, RECEIVER})),
    # 领办 [000 九]: one owner from the team, chosen at the team meeting (or by staff). An owner
    # may be changed before the case is forwarded. A case answered on the spot is not assigned:
    # it goes straight to feedback [003] (SPEC §3 step 2).
    Transition("assign", _("Assign an owner"), frozenset({Status.REGISTERED, Status.ASSIGNED}),
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


# ---------------------------------------------------------------- a unit's share of a dispatch
#
# Signing for a case, returning it and asking for more time are a unit's moves on its own share
# (CaseDispatch), not on the case: with several units on one case, one unit signing or returning
# says nothing about the others. The case stays "dispatched" until every share of the round is
# settled (cases.services.case_reply / dispatch_close), and the case table above is unchanged.
D = DispatchStatus
SHARE_ILLEGAL = _("This unit's share is “%(status)s”; “%(action)s” is not possible now.")

DISPATCH_TRANSITIONS = transition_table(
    # 签收: the unit acknowledges receipt.
    Transition("sign", _("Sign for receipt"), frozenset({D.PENDING}), D.SIGNED, frozenset({UNIT})),
    # 退回: not this unit's business; back to the staff who dispatched it, with a reason.
    Transition("return", _("Return to staff"), frozenset({D.PENDING, D.SIGNED}), D.RETURNED, frozenset({UNIT})),
    # 申请延期 is a request on an owed share, not a move of it: the share keeps its state ("" target)
    # and the request (DeadlineExtension) has its own, below.
    Transition("extend", _("Ask for an extension"), frozenset({D.PENDING, D.SIGNED}), "", frozenset({UNIT})),
    # The reply (cases.services.case_reply) settles the share.
    Transition("reply", _("Reply"), frozenset({D.PENDING, D.SIGNED}), D.REPLIED, frozenset({UNIT})),
    # Staff settle a returned share: the right unit(s) get the case in the same round …
    Transition("redispatch", _("Re-dispatch"), frozenset({D.RETURNED}), D.REDISPATCHED, frozenset({STAFF})),
    # … or, when the other units of the round cover it, no other unit is needed.
    Transition("close", _("Close without another unit"), frozenset({D.RETURNED}), D.CLOSED, frozenset({STAFF})),
)

# 申请延期: a request on an owed share; staff decide it once.
E = DeadlineExtension.Status
EXTENSION_ILLEGAL = _("This request is “%(status)s”; “%(action)s” is not possible now.")
EXTENSION_TRANSITIONS = transition_table(
    Transition("approve", _("Approve the extension"), frozenset({E.PENDING}), E.APPROVED, frozenset({STAFF})),
    Transition("refuse", _("Refuse the extension"), frozenset({E.PENDING}), E.REFUSED, frozenset({STAFF})),
)
