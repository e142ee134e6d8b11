"""Concurrent moves of one case cannot both succeed (issue 4 item 2): each service locks the
case row (select_for_update) and re-checks its state after the lock."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cases import services
from cases.models import Case, Status
from tests.base import run_at_once

from . import journey


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_archives_of_one_case_let_only_one_through(world, monkeypatch):
    case = journey.through(world, journey.register(world), "fed_back")
    original = services._save_move

    def slow_save_move(**kwargs):
        # Hold the lock a while after the state check: without the row lock, the second move
        # would pass the same check before the first one commits.
        time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(services, "_save_move", slow_save_move)
    def archive(actor):
        return lambda: services.case_archive(case=Case.objects.get(pk=case.pk), actor=actor, comment=str(actor))

    outcomes = run_at_once(archive(world.liaison), archive(world.district_staff))
    results = [o.code if isinstance(o, ValidationError) else "ok" if isinstance(o, Case) else repr(o) for o in outcomes]
    assert sorted(results) == ["illegal_transition", "ok"]
    case.refresh_from_db()
    assert case.status == Status.ARCHIVED
    assert case.events.filter(to_status=Status.ARCHIVED).count() == 1
    assert connection.vendor == "postgresql"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_unit_cannot_reply_to_and_return_its_share_at_the_same_time(world, monkeypatch):
    from django.core.exceptions import PermissionDenied

    from cases import dispatch_services
    from cases.models import CaseDispatch

    case = journey.through(world, journey.register(world), "dispatched")
    share = CaseDispatch.objects.get(case=case)
    original = services.lapse_extensions

    def slow_lapse(dispatch):
        # Both moves call it after their state check, while holding the locks.
        time.sleep(0.5)
        return original(dispatch)

    monkeypatch.setattr(services, "lapse_extensions", slow_lapse)
    monkeypatch.setattr(dispatch_services, "lapse_extensions", slow_lapse)
    outcomes = run_at_once(
        lambda: services.case_reply(case=Case.objects.get(pk=case.pk), result="solved", reply="已办", actor=world.handler),
        lambda: dispatch_services.dispatch_return(dispatch=CaseDispatch.objects.get(pk=share.pk), reason="不属我局",
                                                  actor=world.handler),
    )
    refused = [o for o in outcomes if isinstance(o, (ValidationError, PermissionDenied))]
    assert len(refused) == 1, outcomes
    share.refresh_from_db()
    case.refresh_from_db()
    assert (share.status, case.status) in {("replied", Status.REPLIED), ("returned", Status.DISPATCHED)}
