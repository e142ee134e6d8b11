"""The demo city's points work (scoring/demo.py, run by seed_demo)."""

import pytest
import time_machine
from django.core.management import call_command

from scoring.models import Claim, Review, Snapshot, SnapshotRow

pytestmark = pytest.mark.django_db


def test_demo_has_claims_at_every_stage_a_pending_review_and_published_standings(capsys):
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        call_command("seed_demo")
    statuses = set(Claim.objects.values_list("status", flat=True))
    assert {Claim.Status.SUBMITTED, Claim.Status.CONFIRMED, Claim.Status.VERIFIED} <= statuses
    assert Review.objects.filter(status=Review.Status.PENDING, deputy__user__username="demo_leader").exists()
    snapshot = Snapshot.objects.get()
    assert (snapshot.year, snapshot.quarter) == (2026, 3)
    # The verified claims are dated inside the quarter, so its standings are not all zero.
    assert SnapshotRow.objects.filter(snapshot=snapshot, total__gt=0).count() >= Claim.objects.filter(
        status=Claim.Status.VERIFIED
    ).count()
