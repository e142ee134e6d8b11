"""Demo cases (cases.demo through seed_demo): spread over the workflow, built by the services, and
work waiting for each demo login."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import Case, CaseEvent, Status, TeamMeeting
from liaison.models import User

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_the_workflow_and_fill_every_roles_queue(client):
    call_command("seed_demo", stdout=io.StringIO())
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses >= {s.value for s in Status}
    assert TeamMeeting.objects.exists()
    # Every case has its timeline from the services, starting with the registration.
    assert CaseEvent.objects.filter(action="register").count() == Case.objects.count()
    for username, url in (("demo_liaison", "cases:desk"), ("demo_leader", "cases:queue"),
                          ("demo_district", "cases:dispatch_queue"), ("demo_city", "cases:overdue")):
        client.force_login(User.objects.get(username=username))
        page = client.get(reverse(url)).context["page"]
        assert page.paginator.count > 0, username
