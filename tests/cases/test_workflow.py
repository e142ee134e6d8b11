import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.models import Case, CaseEvent, MeetingAssignment, Status

from . import journey

pytestmark = pytest.mark.django_db


def test_case_walks_the_six_steps_to_the_archive_003(world):
    case = journey.register(world)
    assert case.status == Status.REGISTERED and len(case.tracking_code) >= 10
    case = journey.through(world, case, "archived")
    assert case.status == Status.ARCHIVED
    assert list(case.events.values_list("action", "to_status")) == [
        ("register", "registered"), ("assign", "assigned"), ("forward", "forwarded"), ("dispatch", "dispatched"),
        ("reply", "replied"), ("rate", "replied"), ("feedback", "fed_back"), ("archive", "archived"),
    ]
    assert MeetingAssignment.objects.filter(case=case, owner=world.deputy_b).exists()


def test_illegal_move_is_refused_with_a_message(world):
    case = journey.register(world)
    with pytest.raises(ValidationError) as exc:
        services.case_archive(case=case, actor=world.district_staff)
    assert exc.value.code == "illegal_transition"
    with pytest.raises(PermissionDenied):
        services.case_forward(case=journey.assign(world, case), actor=world.deputy_a_user)


def test_timeline_entries_cannot_be_changed_or_deleted(world):
    case = journey.register(world)
    event = case.events.get()
    event.comment = "x"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        CaseEvent.objects.filter(case=case).update(comment="x")
    with pytest.raises(ValidationError):
        CaseEvent.objects.filter(case=case).delete()
    assert Case.objects.get(pk=case.pk).events.count() == 1
