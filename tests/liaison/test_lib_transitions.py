"""liaison.lib.transitions: one table shape, one check of a move against it."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from cases import workflow
from cases.proposal_services import PROPOSAL_TRANSITIONS
from liaison.lib.transitions import ILLEGAL_TRANSITION, Transition, check_transition, transition_table
from reception.models import Activity, Escalation, Invitation, LeaveRequest, WorkPlan
from scoring.models import Claim


class Light(models.TextChoices):
    RED = "red", "Red"
    GREEN = "green", "Green"
    BROKEN = "broken", "Broken"


class _Row:
    def __init__(self, status):
        self.status = status

    def get_status_display(self):
        return Light(self.status).label


TABLE = transition_table(
    Transition("go", "Go", {Light.RED}, Light.GREEN),
    Transition("stop", label="Stop", sources=[Light.GREEN], target=Light.RED),
    Transition("break", sources={Light.RED, Light.GREEN}, target=Light.BROKEN, actors={"vandal"}),
)
REFUSAL = "The light is “%(status)s”; “%(action)s” is not possible now."


def test_the_table_maps_each_action_to_its_transition_in_order():
    assert list(TABLE) == ["go", "stop", "break"]
    assert TABLE["stop"].sources == frozenset({Light.GREEN}) and TABLE["stop"].target == Light.RED
    assert TABLE["break"].actors == frozenset({"vandal"}) and TABLE["break"].label == ""


def test_an_action_named_twice_is_refused():
    with pytest.raises(ValueError, match="'go'"):
        transition_table(Transition("go", sources={Light.RED}), Transition("go", sources={Light.GREEN}))


def test_a_move_from_one_of_its_sources_passes():
    assert TABLE["go"].allows(Light.RED) and not TABLE["go"].allows(Light.GREEN)
    check_transition(TABLE["go"], _Row(Light.RED), REFUSAL)


def test_a_move_from_another_state_is_refused_with_the_state_and_the_label():
    with pytest.raises(ValidationError) as refused:
        check_transition(TABLE["go"], _Row(Light.BROKEN), REFUSAL)
    assert refused.value.code == ILLEGAL_TRANSITION == "illegal_transition"
    assert refused.value.messages == ["The light is “Broken”; “Go” is not possible now."]


def test_a_further_rule_of_the_machine_refuses_even_from_a_source():
    with pytest.raises(ValidationError) as refused:
        check_transition(TABLE["go"], _Row(Light.RED), REFUSAL, possible=False)
    assert refused.value.messages == ["The light is “Red”; “Go” is not possible now."]


@pytest.mark.parametrize("table", [
    workflow.TRANSITIONS, workflow.DISPATCH_TRANSITIONS, workflow.EXTENSION_TRANSITIONS, PROPOSAL_TRANSITIONS,
    Claim.TRANSITIONS, Activity.TRANSITIONS, LeaveRequest.TRANSITIONS, Invitation.TRANSITIONS,
    Escalation.TRANSITIONS, WorkPlan.TRANSITIONS,
], ids=["case", "dispatch share", "extension", "proposal", "claim", "activity", "leave", "invitation", "escalation",
        "work plan"])
def test_every_state_machine_of_the_project_uses_the_one_shape(table):
    assert table and all(isinstance(t, Transition) and t.action == action for action, t in table.items())
    assert all(isinstance(t.sources, frozenset) and t.sources for t in table.values())


def test_no_model_keeps_a_transition_table_of_another_shape():
    """A model's TRANSITIONS is a transition_table: a {state: {targets}} dict is the old shape."""
    tables = {m.__name__: m.TRANSITIONS for m in apps.get_models() if hasattr(m, "TRANSITIONS")}
    assert {"Activity", "LeaveRequest", "Invitation", "Escalation", "WorkPlan", "Claim"} <= set(tables)
    for name, table in tables.items():
        assert all(isinstance(t, Transition) and t.action == a for a, t in table.items()), name
