"""Demo cases (cases.demo through seed_demo): spread over the workflow, built by the services, and
work waiting for each demo login."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseDispatch, CaseEvent, ReviewBulletin, Status, TeamMeeting
from liaison.models import User

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_the_workflow_and_fill_every_roles_queue(client):
    call_command("seed_demo", stdout=io.StringIO())
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses >= {s.value for s in Status}
    assert TeamMeeting.objects.exists()
    # The year's review is published city-wide (unless nothing was dispatched yet this year).
    dispatched_this_year = CaseDispatch.objects.filter(dispatched_at__year=timezone.localdate().year).exists()
    assert ReviewBulletin.objects.filter(district__isnull=True).exists() == dispatched_this_year
    # Every case has its timeline from the services, starting with the registration.
    assert CaseEvent.objects.filter(action="register").count() == Case.objects.count()
    for username, url in (("demo_liaison", "cases:desk"), ("demo_leader", "cases:queue"),
                          ("demo_district", "cases:dispatch_queue"), ("demo_city", "cases:overdue")):
        client.force_login(User.objects.get(username=username))
        page = client.get(reverse(url)).context["page"]
        assert page.paginator.count > 0, username


def test_demo_shows_a_signed_case_a_pending_extension_and_a_returned_case(client):
    from cases.models import DeadlineExtension, DispatchStatus, ProposalDispatch

    call_command("seed_demo", stdout=io.StringIO())
    handler = User.objects.get(username="demo_handler")
    mine = CaseDispatch.objects.filter(unit=handler.unit)
    assert mine.filter(status=DispatchStatus.SIGNED).exists()
    assert mine.filter(status=DispatchStatus.RETURNED).exists()
    assert DeadlineExtension.objects.filter(dispatch__unit=handler.unit, status="pending").exists()
    client.force_login(User.objects.get(username="demo_district"))
    r = client.get(reverse("cases:dispatch_queue"))
    assert r.context["n_returned"] >= 1 and r.context["n_extensions"] >= 1
    client.force_login(handler)
    rows = client.get(reverse("cases:inbox")).context["page"]
    assert any(d.extension_pending for d in rows) and any(d.status == DispatchStatus.SIGNED for d in rows)
    # A proposal answered by several units.
    assert ProposalDispatch.objects.filter(unit=handler.unit).exists()
