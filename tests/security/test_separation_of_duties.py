"""Separation of duties and write scopes (issue 11, items 4 and 5).

The system administrator runs accounts and configuration and sees no deputy's business; a unit
handler sees the cases of their unit, not deputies' points; services check who acts, not only
the object's state; and every write goes through the write scope, never the wider read scope.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cases import proposal_services
from cases.models import Inquiry, ProposalKind
from liaison.models import Role
from offices.models import Unit
from scoring import services as scoring
from scoring.models import AnnualReport, Claim, Entry, Review, Snapshot
from tests.base import make_user
from tests.scoring.helpers import DAY, yantian_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin(world):
    return make_user("sysadmin", Role.SYSADMIN, name="系统管理员")


def _confirmed_claim(world):
    claim = scoring.claim_submit(
        deputy=world.deputy_a, rule_item=yantian_item(12), occurred_on=DAY, description="志愿服务",
        actor=world.deputy_a_user,
    )
    return scoring.claim_confirm(claim=claim, actor=world.liaison)


# ---------------------------------------------------------------- item 4: pages


@pytest.mark.parametrize(
    "name",
    [
        "scoring:standings", "scoring:export_list", "scoring:claim_list", "scoring:review_list",
        "scoring:report_list", "proposals:list", "proposals:inquiries", "proposals:inquiry_create",
    ],
)
def test_system_administrator_is_refused_every_points_proposal_inquiry_and_report_page(world, client, sysadmin, name):
    client.force_login(sysadmin)
    assert client.get(reverse(name)).status_code == 403


def test_system_administrator_cannot_open_a_deputys_score_or_publish_standings(world, client, sysadmin):
    client.force_login(sysadmin)
    assert client.get(reverse("scoring:deputy_points", args=[world.deputy_a.pk])).status_code == 403
    assert client.post(reverse("scoring:snapshot_publish"), {"year": 2026, "quarter": 1}).status_code == 403
    assert not Snapshot.objects.exists()


def test_unit_handler_cannot_open_deputies_annual_reports_with_their_points(world, client):
    report = scoring.annual_report_save(
        deputy=world.deputy_a, year=2026, body="一年来……", submit=True, actor=world.deputy_a_user
    )
    client.force_login(world.handler)
    assert client.get(reverse("scoring:report_detail", args=[report.pk])).status_code == 403
    assert client.get(reverse("scoring:report_list")).status_code == 403
    # Deputies, liaisons and staff still read the published report [000 十二].
    for user in (world.deputy_c_user, world.liaison, world.city_staff):
        client.force_login(user)
        assert client.get(reverse("scoring:report_detail", args=[report.pk])).status_code == 200


# ---------------------------------------------------------------- item 4: services check the actor


def test_claim_verify_by_the_system_administrator_is_refused_and_awards_nothing(world, sysadmin):
    claim = _confirmed_claim(world)
    with pytest.raises(PermissionDenied):
        scoring.claim_verify(claim=claim, actor=sysadmin)
    assert not Entry.objects.exists()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.CONFIRMED


def test_claims_move_only_by_the_offices_liaison_and_the_staff_of_the_district(world):
    claim = scoring.claim_submit(
        deputy=world.deputy_a, rule_item=yantian_item(12), occurred_on=DAY, description="志愿服务",
        actor=world.deputy_a_user,
    )
    for actor in (world.other_liaison, world.deputy_a_user, world.district_staff, world.handler):
        with pytest.raises(PermissionDenied):
            scoring.claim_confirm(claim=claim, actor=actor)
    scoring.claim_confirm(claim=claim, actor=world.liaison)
    for actor in (world.other_staff, world.liaison, world.handler):
        with pytest.raises(PermissionDenied):
            scoring.claim_verify(claim=claim, actor=actor)
        with pytest.raises(PermissionDenied):
            scoring.claim_refuse(claim=claim, actor=actor, reason="无佐证")
    scoring.claim_verify(claim=claim, actor=world.district_staff)
    assert Entry.objects.filter(deputy=world.deputy_a).count() == 1


def test_claims_are_submitted_only_for_oneself_or_by_the_deputys_office(world):
    item = yantian_item(12)
    for actor, deputy in [
        (world.deputy_b_user, world.deputy_a),  # another deputy
        (world.other_liaison, world.deputy_a),  # another office's liaison
        (world.liaison, world.deputy_c),  # a deputy outside the liaison's office
        (world.district_staff, world.deputy_a),
    ]:
        with pytest.raises(PermissionDenied):
            scoring.claim_submit(deputy=deputy, rule_item=item, occurred_on=DAY, description="x", actor=actor)
    assert not Claim.objects.exists()


def test_reviews_are_asked_by_the_deputy_and_decided_by_the_review_group_in_scope(world, sysadmin):
    claim = scoring.claim_verify(claim=_confirmed_claim(world), actor=world.district_staff)
    entry = Entry.objects.get(source_id=claim.pk)
    with pytest.raises(PermissionDenied):
        scoring.review_request(entry=entry, reason="分数不对", actor=world.deputy_b_user)
    review = scoring.review_request(entry=entry, reason="分数不对", actor=world.deputy_a_user)
    for actor in (sysadmin, world.other_staff, world.liaison):
        with pytest.raises(PermissionDenied):
            scoring.review_decide(review=review, accept=True, corrected_points=10, reason="x", actor=actor)
    assert Review.objects.get(pk=review.pk).status == Review.Status.PENDING


def test_only_city_staff_publish_standings_and_change_rule_sets(world, sysadmin):
    for actor in (sysadmin, world.district_staff, world.liaison):
        with pytest.raises(PermissionDenied):
            scoring.snapshot_publish(year=2026, quarter=1, actor=actor)
        with pytest.raises(PermissionDenied):
            scoring.ruleset_new_version(rule_set=yantian_item(12).rule_set, actor=actor)
    assert not Snapshot.objects.exists()
    scoring.snapshot_publish(year=2026, quarter=1, actor=world.city_staff)


def test_annual_report_is_written_only_by_its_deputy(world, sysadmin):
    for actor in (world.deputy_b_user, world.liaison, world.city_staff, sysadmin):
        with pytest.raises(PermissionDenied):
            scoring.annual_report_save(deputy=world.deputy_a, year=2026, body="代写", actor=actor)
    assert not AnnualReport.objects.exists()


def test_proposals_are_filed_only_by_the_lead_deputy(world):
    for actor in (world.deputy_b_user, world.liaison, world.city_staff):
        with pytest.raises(PermissionDenied):
            proposal_services.proposal_file(
                lead=world.deputy_a, kind=ProposalKind.PROPOSAL, title="路灯", content="增设路灯", actor=actor
            )
    assert not Entry.objects.exists()


def test_inquiries_are_recorded_only_by_organization_staff(world, sysadmin):
    for actor in (sysadmin, world.liaison, world.deputy_a_user):
        with pytest.raises(PermissionDenied):
            proposal_services.inquiry_record(
                actor=actor, date=timezone.localdate(), kind=Inquiry.Kind.INQUIRY, topic="学位",
                target_unit=world.unit_a, participants=[world.deputy_a],
            )
    assert not Inquiry.objects.exists()


# ---------------------------------------------------------------- item 5: writes use the write scope


@pytest.fixture
def city_inquiry(world):
    city_unit = Unit.objects.create(name="市教育局", jurisdiction=world.city)
    return proposal_services.inquiry_record(
        actor=world.city_staff, date=timezone.localdate() - datetime.timedelta(days=1), kind=Inquiry.Kind.INQUIRY,
        topic="学位紧张", target_unit=city_unit, participants=[world.deputy_a, world.deputy_c],
    )


def test_district_staff_read_but_cannot_edit_a_city_level_inquiry(world, client, city_inquiry):
    client.force_login(world.district_staff)
    assert client.get(reverse("proposals:inquiry_detail", args=[city_inquiry.pk])).status_code == 200
    url = reverse("proposals:inquiry_edit", args=[city_inquiry.pk])
    assert client.get(url).status_code == 404
    data = {
        "date": city_inquiry.date.isoformat(), "kind": "inquiry", "topic": "改掉", "target_unit": world.unit_a.pk,
        "participants": [world.deputy_a.pk],
    }
    assert client.post(url, data).status_code == 404
    city_inquiry.refresh_from_db()
    assert city_inquiry.topic == "学位紧张"
    assert set(city_inquiry.participants.all()) == {world.deputy_a, world.deputy_c}
    with pytest.raises(PermissionDenied):
        proposal_services.inquiry_update(
            inquiry=city_inquiry, actor=world.district_staff, date=city_inquiry.date, kind="inquiry", topic="改掉",
            target_unit=world.unit_a, participants=[world.deputy_a],
        )
    assert Entry.objects.filter(deputy=world.deputy_c, event="inquiry").count() == 1


def test_district_staff_correcting_their_inquiry_cannot_remove_another_districts_deputy(world):
    inquiry = proposal_services.inquiry_record(
        actor=world.city_staff, date=timezone.localdate(), kind=Inquiry.Kind.INQUIRY, topic="停车难",
        target_unit=world.unit_a, participants=[world.deputy_a, world.deputy_c],
    )
    proposal_services.inquiry_update(
        inquiry=inquiry, actor=world.district_staff, date=inquiry.date, kind="inquiry", topic="停车难（更正）",
        target_unit=world.unit_a, participants=[world.deputy_b],
    )
    assert set(inquiry.participants.all()) == {world.deputy_b, world.deputy_c}
    assert not Entry.objects.filter(deputy=world.deputy_c, event="inquiry", kind=Entry.Kind.REVERSAL).exists()


# ---------------------------------------------------------------- offices: who plans, asks, decides


def _days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def _activity(world, office=None, actor=None):
    from reception import activity_services as activities
    from reception.models import Activity

    return activities.activity_plan(
        office=office or world.office_a1, kind=Activity.Kind.RECEPTION, title="集中接待日", date=_days(10),
        slot=Activity.Slot.MORNING, deputies=[world.deputy_a, world.deputy_b], actor=actor or world.liaison,
    )


def test_activities_are_planned_and_logged_only_by_the_offices_liaison_and_district_staff(world, sysadmin):
    from reception import activity_services as activities
    from reception.models import Activity

    for actor in (world.other_liaison, world.other_staff, world.deputy_a_user, sysadmin):
        with pytest.raises(PermissionDenied):
            _activity(world, actor=actor)
    activity = _activity(world)
    for actor in (world.other_liaison, world.deputy_a_user, sysadmin):
        with pytest.raises(PermissionDenied):
            activities.activity_cancel(activity=activity, actor=actor)
        with pytest.raises(PermissionDenied):
            activities.activity_announce(activity=activity, actor=actor)
    assert Activity.objects.get(pk=activity.pk).status == Activity.Status.PLANNED
    activities.activity_cancel(activity=activity, actor=world.district_staff)


def test_leave_and_invitations_are_asked_by_the_deputy_and_decided_by_district_staff(world, sysadmin):
    from reception import activity_services as activities
    from reception.models import LeaveRequest

    activity = _activity(world)
    for actor in (world.liaison, world.deputy_a_user, world.district_staff):
        with pytest.raises(PermissionDenied):
            activities.leave_request_file(deputy=world.deputy_b, activity=activity, reason="出差", actor=actor)
        with pytest.raises(PermissionDenied):
            activities.invitation_request(deputy=world.deputy_b, activity=activity, department="住建局", problem="电梯",
                                          actor=actor)
    leave = activities.leave_request_file(deputy=world.deputy_b, activity=activity, reason="出差", actor=world.deputy_b_user)
    for actor in (world.other_staff, world.liaison, sysadmin, world.deputy_a_user):
        with pytest.raises(PermissionDenied):
            activities.leave_request_decide(leave=leave, approve=True, actor=actor)
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveRequest.Status.PENDING
    activities.leave_request_decide(leave=leave, approve=True, actor=world.district_staff)


def test_escalations_are_explained_by_their_deputy_and_resolved_by_district_staff(world, sysadmin):
    from reception import activity_services as activities
    from reception.models import Escalation, ReceptionPeriod

    period = ReceptionPeriod.objects.create(district=world.district_a, key="s-1", start=_days(-40), end=_days(-30))
    escalation = Escalation.objects.create(deputy=world.deputy_b, period=period, district=world.district_a, step=2, streak=2)
    for actor in (world.deputy_a_user, world.liaison, world.district_staff):
        with pytest.raises(PermissionDenied):
            activities.escalation_explain(escalation=escalation, actor=actor, text="说明")
    for actor in (world.other_staff, sysadmin, world.deputy_b_user):
        with pytest.raises(PermissionDenied):
            activities.escalation_resolve(escalation=escalation, actor=actor, resolution="已谈话")
    assert Escalation.objects.get(pk=escalation.pk).status == Escalation.Status.OPEN


def test_reception_periods_move_only_by_their_districts_staff_and_feed_tokens_by_their_owners(world, sysadmin):
    from offices.services import calendar_token_regenerate
    from reception.models import ReceptionPeriod
    from reception.period_services import reception_period_move

    period = ReceptionPeriod.objects.create(district=world.district_a, key="s-2", start=_days(30), end=_days(43))
    for actor in (world.other_staff, world.liaison, sysadmin):
        with pytest.raises(PermissionDenied):
            reception_period_move(period=period, start=_days(31), end=_days(44), actor=actor)
    assert ReceptionPeriod.objects.get(pk=period.pk).start == _days(30)
    reception_period_move(period=period, start=_days(31), end=_days(44), actor=world.district_staff)
    for obj, actor in [(world.office_a1, world.other_liaison), (world.office_a1, sysadmin),
                       (world.deputy_b, world.deputy_a_user), (world.deputy_b, world.other_staff)]:
        with pytest.raises(PermissionDenied):
            calendar_token_regenerate(obj=obj, actor=actor)
    calendar_token_regenerate(obj=world.deputy_b, actor=world.deputy_b_user)
    calendar_token_regenerate(obj=world.office_a1, actor=world.liaison)


def test_a_change_of_team_leader_is_filed_only_by_the_teams_district_staff(world, sysadmin):
    from offices.models import TeamMembership
    from offices.services import team_change_leader

    for actor in (world.other_staff, world.liaison, world.deputy_a_user, sysadmin):
        with pytest.raises(PermissionDenied):
            team_change_leader(team=world.team_a1, new_leader=world.deputy_b, date=timezone.localdate(), reason="换届",
                               filed_by=actor, all_members_agreed=True)
    assert TeamMembership.objects.get(team=world.team_a1, is_leader=True).deputy == world.deputy_a
