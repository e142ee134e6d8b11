"""seed_demo's reception.demo hook: activities, attendance and queues made through the services."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from liaison.models import Role, User
from offices.models import Office
from reception.models import Activity, Attendance, Invitation, LeaveRequest, WorkPlan
from scoring.models import Entry

pytestmark = pytest.mark.django_db


def test_demo_gives_every_community_office_activities_attendance_and_queues(client):
    call_command("seed_demo", stdout=io.StringIO())
    community_offices = Office.objects.filter(kind="community")
    for office in community_offices:
        assert office.activities.filter(status=Activity.Status.ANNOUNCED).exists(), office
        assert office.activities.filter(status=Activity.Status.LOGGED, kind="household_visit").exists(), office
    assert Attendance.objects.exists()
    assert Entry.objects.filter(event__in=["reception_attended", "household_visit"]).exists()
    assert LeaveRequest.objects.filter(status=LeaveRequest.Status.PENDING).exists()
    assert Invitation.objects.filter(status=Invitation.Status.PENDING).exists()
    # Announcements made 10 days ahead are on the public pages.
    office = community_offices.first()
    assert "党代表集中接待日" in client.get(reverse("public:office", args=[office.pk])).content.decode()
    # Every community office but one has this year's plan, published in time [004 第十条].
    plans = WorkPlan.objects.filter(office__in=community_offices, status=WorkPlan.Status.PUBLISHED, published_late=False)
    assert plans.count() == community_offices.count() - 1
    assert "接待周集中接待" in client.get(reverse("public:office", args=[plans.first().office_id])).content.decode()
    client.force_login(User.objects.filter(role=Role.ORG_STAFF).first())
    assert client.get(reverse("reception:leave_list")).status_code == 200
    assert client.get(reverse("reception:work_plan_status"), {"state": "none"}).context["page"].paginator.count >= 1
