"""Concurrent moves of one case cannot both succeed (issue 4 item 2): each service locks the
case row (select_for_update) and re-checks its state after the lock."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from cases import services
from cases.models import Case, Status

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
    barrier = threading.Barrier(2)
    results = []

    def archive(actor):
        try:
            barrier.wait()
            services.case_archive(case=Case.objects.get(pk=case.pk), actor=actor, comment=str(actor))
            results.append("ok")
        except ValidationError as exc:
            results.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported below
            results.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=archive, args=(u,)) for u in (world.liaison, world.district_staff)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["illegal_transition", "ok"]
    case.refresh_from_db()
    assert case.status == Status.ARCHIVED
    assert case.events.filter(to_status=Status.ARCHIVED).count() == 1
    assert connection.vendor == "postgresql"
