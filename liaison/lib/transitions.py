"""The one shape of a state machine's table, and the one check of a move against it.

A table maps each action to a Transition: the states it may start from, the state it leads to,
and (where the machine has them) its label and the kinds of actor allowed. Who an actor is, is
the app's business (cases.selectors.actor_kinds, scoring.services.claim_actor_may): the table
only names them. A service locks the row, calls check_transition, then saves the target.

    CLAIM_TRANSITIONS = transition_table(
        Transition("confirm", sources={Status.SUBMITTED}, target=Status.CONFIRMED),
        ...
    )
    check_transition(CLAIM_TRANSITIONS["confirm"], claim, _("This claim is %(status)s …"))
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

# The code of the refusal: views tell "someone moved it first" from other refusals by it.
ILLEGAL_TRANSITION = "illegal_transition"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str = ""
    sources: frozenset = field(default_factory=frozenset)
    # None: the action records something on the row without moving it (still checked and timelined).
    target: str | None = None
    actors: frozenset = field(default_factory=frozenset)

    def __post_init__(self):
        object.__setattr__(self, "sources", frozenset(self.sources))
        object.__setattr__(self, "actors", frozenset(self.actors))

    def allows(self, state):
        return state in self.sources


def transition_table(*transitions):
    """{action: Transition}, in the order given; an action named twice is a mistake in the table."""
    table = {}
    for t in transitions:
        if t.action in table:
            raise ValueError(f"The action {t.action!r} is in the table twice.")
        table[t.action] = t
    return table


def check_transition(transition, obj, message, *, possible=True):
    """Refuse the move unless `obj.status` is one of its sources and `possible` (a further rule of
    the machine, e.g. the share belongs to the current round). The refusal is a ValidationError
    coded ILLEGAL_TRANSITION whose `message` may name %(status)s (the row's state, as shown) and
    %(action)s (the transition's label)."""
    if possible and transition.allows(obj.status):
        return
    raise ValidationError(
        message,
        params={"status": obj.get_status_display(), "action": transition.label},
        code=ILLEGAL_TRANSITION,
    )
