"""The API other apps call: points_record_event / points_revoke_event (SPEC §4, [002 附件2])."""

import datetime

import pytest
from django.db import connection

from offices.models import Contact, ContactVisit
from scoring.models import Entry, RecordEvent, RuleSet
from scoring.selectors import standings_compute
from scoring.services import points_record_event, points_revoke_event, ruleset_bind
from tests.base import run_at_once

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 12)


def make_record(deputy, n=0):
    """Any model instance can be a source; contact visits are cheap stand-ins for records."""
    contact = Contact.objects.create(deputy=deputy, name=f"居民{n}")
    return ContactVisit.objects.create(contact=contact, date=DAY)


def total(deputy, year=2026):
    rows = standings_compute(year=year)
    return next(r.total for r in rows if r.deputy_id == deputy.pk)


@pytest.mark.parametrize(
    "event,points",
    [
        ("reception_attended", 5),
        ("case_taken", 5),
        ("case_satisfied_very", 6),
        ("case_satisfied_basic", 5),
        ("proposal", 3),
        ("motion_lead", 10),
        ("motion_cosign", 3),
        ("inquiry", 5),
    ],
)
def test_record_events_score_as_the_yantian_table_says_002(world, event, points):
    entry = points_record_event(deputy=world.deputy_a, event=event, source=make_record(world.deputy_a), occurred_on=DAY)
    assert entry.points == points
    assert entry.rule_item.rule_set.code == "yantian"
    assert total(world.deputy_a) == points


def test_recording_twice_never_double_counts_002(world):
    record = make_record(world.deputy_a)
    first = points_record_event(deputy=world.deputy_a, event="reception_attended", source=record, occurred_on=DAY)
    second = points_record_event(deputy=world.deputy_a, event="reception_attended", source=record, occurred_on=DAY)
    assert first.pk == second.pk
    assert Entry.objects.count() == 1
    assert total(world.deputy_a) == 5


def test_same_record_for_two_deputies_counts_for_each_002(world):
    record = make_record(world.deputy_a)
    points_record_event(deputy=world.deputy_a, event="inquiry", source=record, occurred_on=DAY)
    points_record_event(deputy=world.deputy_b, event="inquiry", source=record, occurred_on=DAY)
    assert total(world.deputy_a) == 5 and total(world.deputy_b) == 5


def test_revoking_appends_a_reversing_entry_once_002(world):
    record = make_record(world.deputy_a)
    award = points_record_event(deputy=world.deputy_a, event="proposal", source=record, occurred_on=DAY)
    reversal = points_revoke_event(deputy=world.deputy_a, event="proposal", source=record, reason="撤回")
    again = points_revoke_event(deputy=world.deputy_a, event="proposal", source=record, reason="撤回")
    assert again is None
    assert reversal.reverses_id == award.pk and reversal.points == -3 and reversal.reason == "撤回"
    assert Entry.objects.count() == 2
    assert total(world.deputy_a) == 0
    # The award itself is still there: the ledger is append-only.
    award.refresh_from_db()
    assert award.points == 3


def test_record_after_revoke_awards_again_and_once_002(world):
    record = make_record(world.deputy_a)
    points_record_event(deputy=world.deputy_a, event="proposal", source=record, occurred_on=DAY)
    points_revoke_event(deputy=world.deputy_a, event="proposal", source=record, reason="撤回")
    again = points_record_event(deputy=world.deputy_a, event="proposal", source=record, occurred_on=DAY)
    twice = points_record_event(deputy=world.deputy_a, event="proposal", source=record, occurred_on=DAY)
    assert again.seq == 2 and twice.pk == again.pk
    assert total(world.deputy_a) == 3


def test_revoke_without_award_does_nothing(world):
    assert points_revoke_event(deputy=world.deputy_a, event="proposal", source=make_record(world.deputy_a), reason="x") is None
    assert Entry.objects.count() == 0


def test_cosigning_is_capped_at_nine_points_a_year_002(world):
    for n in range(5):
        points_record_event(
            deputy=world.deputy_a, event="motion_cosign", source=make_record(world.deputy_a, n), occurred_on=DAY
        )
    assert Entry.objects.filter(deputy=world.deputy_a).count() == 5  # the ledger keeps every fact
    assert total(world.deputy_a) == 9
    # The cap is per year: next year starts again.
    points_record_event(
        deputy=world.deputy_a, event="motion_cosign", source=make_record(world.deputy_a, 9),
        occurred_on=datetime.date(2027, 1, 5),
    )
    assert total(world.deputy_a, 2027) == 3


def test_event_without_item_in_the_rule_set_records_nothing_000_13(world):
    # The Yantian standard has no item for households visited; the Shenzhen 2013 set has.
    assert (
        points_record_event(deputy=world.deputy_a, event="household_visit", source=make_record(world.deputy_a),
                            occurred_on=DAY, quantity=4)
        is None
    )
    assert Entry.objects.count() == 0


def test_same_year_scored_under_the_shenzhen_2013_set_000_13(world):
    ruleset_bind(jurisdiction=world.district_a, year=2026, rule_set=RuleSet.objects.get(code="shenzhen2013"))
    d = world.deputy_a
    points_record_event(deputy=d, event="household_visit", source=make_record(d, 1), occurred_on=DAY, quantity=4)
    points_record_event(deputy=d, event="reception_attended", source=make_record(d, 2), occurred_on=DAY)
    points_record_event(deputy=d, event="case_received", source=make_record(d, 3), occurred_on=DAY)
    points_record_event(deputy=d, event="team_activity", source=make_record(d, 4), occurred_on=DAY)
    points_record_event(deputy=d, event="proposal", source=make_record(d, 5), occurred_on=DAY)
    # Not in the Shenzhen 2013 set: no points.
    assert points_record_event(deputy=d, event="motion_lead", source=make_record(d, 6), occurred_on=DAY) is None
    assert total(d) == 4 * 1 + 5 + 3 + 3 + 3
    # Deputies of another district in the same year stay on the default Yantian standard.
    points_record_event(deputy=world.deputy_c, event="proposal", source=make_record(world.deputy_c), occurred_on=DAY)
    assert total(world.deputy_c) == 3
    # Another year of the same district is not bound: Yantian again.
    e = points_record_event(deputy=d, event="motion_lead", source=make_record(d, 7), occurred_on=datetime.date(2025, 3, 1))
    assert e.points == 10


def test_unknown_event_is_refused(world):
    with pytest.raises(ValueError):
        points_record_event(deputy=world.deputy_a, event="nonsense", source=make_record(world.deputy_a), occurred_on=DAY)


def test_events_are_text_choices():
    assert RecordEvent("motion_cosign") == "motion_cosign"


def test_ledger_entries_cannot_be_changed_or_deleted(world):
    e = points_record_event(deputy=world.deputy_a, event="proposal", source=make_record(world.deputy_a), occurred_on=DAY)
    with pytest.raises(ValueError):
        e.save()
    with pytest.raises(ValueError):
        e.delete()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_calls_award_once_002(world):
    """Two workers recording the same fact at once: the unique key lets one award through."""
    record = make_record(world.deputy_a)
    def call():
        return points_record_event(deputy=world.deputy_a, event="inquiry", source=record, occurred_on=DAY)

    errors = [o for o in run_at_once(call, call) if isinstance(o, Exception)]
    assert not errors
    assert Entry.objects.filter(deputy=world.deputy_a).count() == 1
    assert connection.vendor == "postgresql"
