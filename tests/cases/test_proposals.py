"""Proposals 提议, motions 提案 with co-signers 联署, and inquiries 询问、质询 ([002 6], [002 附件2 7-10], [000 十])."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from cases import proposal_services as services
from cases.models import Evaluation, Inquiry, Proposal, ProposalCosigner, ProposalEvent, ProposalKind, ProposalStatus
from scoring.models import Entry
from tests.base import make_deputy, make_user

pytestmark = pytest.mark.django_db


def points(deputy, event):
    return Entry.objects.filter(deputy=deputy, event=event).aggregate(s=Sum("points"))["s"] or 0


def file_motion(world):
    return services.proposal_file(
        lead=world.deputy_a, kind=ProposalKind.MOTION, title="加装电梯", content="老旧小区加装电梯",
        cosigners=[world.deputy_b], actor=world.deputy_a_user,
    )


def test_filing_a_proposal_earns_three_points_002(world):
    p = services.proposal_file(
        lead=world.deputy_a, kind=ProposalKind.PROPOSAL, title="路灯", content="增设路灯", actor=world.deputy_a_user
    )
    assert p.status == ProposalStatus.FILED and p.filed_on == timezone.localdate()
    assert points(world.deputy_a, "proposal") == 3
    services.proposal_withdraw(proposal=p, actor=world.deputy_a_user)
    assert points(world.deputy_a, "proposal") == 0


def test_motion_needs_co_signers_who_confirm_themselves_002(world):
    with pytest.raises(ValidationError):
        services.proposal_file(lead=world.deputy_a, kind=ProposalKind.MOTION, title="t", content="c", actor=world.deputy_a_user)
    m = file_motion(world)
    assert m.status == ProposalStatus.COSIGNING
    # Nobody confirmed yet: the lead cannot file.
    with pytest.raises(ValidationError):
        services.motion_submit(proposal=m, actor=world.deputy_a_user)
    # The lead cannot sign for deputy B.
    with pytest.raises(PermissionDenied):
        services.cosign_respond(proposal=m, deputy=world.deputy_b, confirm=True, actor=world.deputy_a_user)
    # A deputy who was not invited cannot sign.
    with pytest.raises(ValidationError):
        services.cosign_respond(proposal=m, deputy=world.deputy_c, confirm=True, actor=world.deputy_c_user)
    services.cosign_respond(proposal=m, deputy=world.deputy_b, confirm=True, actor=world.deputy_b_user)
    assert world.deputy_b.user.notices.exists() and world.deputy_a_user.notices.exists()
    services.motion_submit(proposal=m, actor=world.deputy_a_user)
    m.refresh_from_db()
    assert m.status == ProposalStatus.FILED
    assert points(world.deputy_a, "motion_lead") == 10
    assert points(world.deputy_b, "motion_cosign") == 3
    # After filing, signatures are closed.
    with pytest.raises(ValidationError):
        services.cosign_respond(proposal=m, deputy=world.deputy_b, confirm=False, actor=world.deputy_b_user)


def test_declined_cosigner_gets_no_points_002(world):
    third = make_deputy("赵六", district=world.district_a, community=world.community_a1, user=make_user("d6", "deputy"))
    m = services.proposal_file(
        lead=world.deputy_a, kind=ProposalKind.MOTION, title="t", content="c", cosigners=[world.deputy_b, third],
        actor=world.deputy_a_user,
    )
    services.cosign_respond(proposal=m, deputy=world.deputy_b, confirm=True, actor=world.deputy_b_user)
    services.cosign_respond(proposal=m, deputy=third, confirm=False, actor=third.user)
    services.motion_submit(proposal=m, actor=world.deputy_a_user)
    assert points(third, "motion_cosign") == 0
    assert points(world.deputy_b, "motion_cosign") == 3


def walk_to_replied(world):
    m = file_motion(world)
    services.cosign_respond(proposal=m, deputy=world.deputy_b, confirm=True, actor=world.deputy_b_user)
    services.motion_submit(proposal=m, actor=world.deputy_a_user)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    services.proposal_dispatch(proposal=m, unit=world.unit_a, deadline=deadline, actor=world.district_staff)
    services.proposal_reply(proposal=m, result="adopted", reply="已纳入计划", actor=world.handler)
    return Proposal.objects.get(pk=m.pk)


def test_dispatch_reply_and_evaluation_by_their_own_roles_002(world):
    m = walk_to_replied(world)
    assert m.status == ProposalStatus.REPLIED
    # Deputy B co-signed but only the lead evaluates.
    with pytest.raises(PermissionDenied):
        services.proposal_evaluate(proposal=m, evaluation="satisfied", note="", actor=world.deputy_b_user)
    services.proposal_evaluate(proposal=m, evaluation=Evaluation.DISSATISFIED, note="未落实", actor=world.deputy_a_user)
    # A dissatisfied evaluation may be dispatched again; a second round.
    services.proposal_dispatch(
        proposal=m, unit=world.unit_a, deadline=timezone.localdate(), actor=world.district_staff
    )
    m.refresh_from_db()
    assert m.status == ProposalStatus.DISPATCHED and m.dispatch_round == 2
    actions = list(ProposalEvent.objects.filter(proposal=m).values_list("action", flat=True))
    assert actions == ["file", "cosign_confirm", "submit", "dispatch", "reply", "evaluate", "dispatch"]


def test_illegal_moves_and_wrong_actors_are_refused(world):
    m = file_motion(world)
    with pytest.raises(ValidationError):  # not filed yet
        services.proposal_dispatch(
            proposal=m, unit=world.unit_a, deadline=timezone.localdate(), actor=world.district_staff
        )
    m = walk_to_replied(world)
    with pytest.raises(ValidationError):  # already replied
        services.proposal_reply(proposal=m, result="adopted", reply="x", actor=world.handler)
    services.proposal_evaluate(proposal=m, evaluation=Evaluation.SATISFIED, note="", actor=world.deputy_a_user)
    with pytest.raises(ValidationError):  # satisfied: no re-dispatch
        services.proposal_dispatch(
            proposal=m, unit=world.unit_a, deadline=timezone.localdate(), actor=world.district_staff
        )
    p = services.proposal_file(lead=world.deputy_a, kind="proposal", title="t", content="c", actor=world.deputy_a_user)
    with pytest.raises(PermissionDenied):  # other district's staff
        services.proposal_dispatch(proposal=p, unit=world.unit_b, deadline=timezone.localdate(), actor=world.other_staff)
    with pytest.raises(ValidationError):  # a unit outside district A
        services.proposal_dispatch(proposal=p, unit=world.unit_b, deadline=timezone.localdate(), actor=world.district_staff)
    services.proposal_dispatch(proposal=p, unit=world.unit_a, deadline=timezone.localdate(), actor=world.district_staff)
    with pytest.raises(PermissionDenied):  # another unit's handler
        services.proposal_reply(proposal=p, result="adopted", reply="x", actor=world.other_handler)


def test_proposal_pages_refuse_wrong_roles_and_objects(world, client):
    m = walk_to_replied(world)
    url = reverse("proposals:detail", args=[m.pk])
    client.force_login(world.outsider)
    assert client.get(reverse("proposals:list")).status_code == 403
    client.force_login(world.deputy_c_user)
    assert client.get(url).status_code == 404
    client.force_login(world.other_handler)
    assert client.get(url).status_code == 404
    client.force_login(world.other_staff)
    assert client.get(url).status_code == 404
    client.force_login(world.handler)
    assert client.get(url).status_code == 200
    assert client.get(reverse("proposals:file")).status_code == 403
    client.force_login(world.deputy_b_user)  # co-signer sees it, cannot evaluate
    assert client.get(url).status_code == 200
    assert client.get(reverse("proposals:evaluate", args=[m.pk])).status_code == 403
    client.force_login(world.deputy_a_user)
    r = client.post(reverse("proposals:evaluate", args=[m.pk]), {"evaluation": "dissatisfied", "note": ""})
    assert r.status_code == 200 and "note" in r.context["form"].errors  # reason asked
    assert r.context["form"]["evaluation"].value() == "dissatisfied"  # choice kept
    r = client.post(reverse("proposals:evaluate", args=[m.pk]), {"evaluation": "basic", "note": ""})
    assert r.status_code == 302
    assert Proposal.objects.get(pk=m.pk).evaluation == "basic"


def test_cosign_request_page_flow(world, client):
    client.force_login(world.deputy_a_user)
    r = client.post(
        reverse("proposals:file"),
        {"kind": "motion", "title": "<script>alert(1)</script>", "content": "c", "cosigners": [world.deputy_b.pk]},
    )
    m = Proposal.objects.get()
    assert r.status_code == 302
    client.force_login(world.deputy_b_user)
    page = client.get(reverse("proposals:list")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    client.post(reverse("proposals:cosign", args=[m.pk]), {"answer": "confirm"})
    assert ProposalCosigner.objects.get(proposal=m).status == "confirmed"
    client.force_login(world.deputy_a_user)
    client.post(reverse("proposals:submit", args=[m.pk]), {})
    assert Proposal.objects.get(pk=m.pk).status == ProposalStatus.FILED


def test_proposal_list_queries_are_bounded(world, client, django_assert_max_num_queries):
    for i in range(12):
        services.proposal_file(lead=world.deputy_a, kind="proposal", title=f"p{i}", content="c", actor=world.deputy_a_user)
    for user in (world.deputy_a_user, world.city_staff):
        client.force_login(user)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("proposals:list")).status_code == 200


def test_inquiry_earns_points_for_each_participant_and_edits_adjust_them_002(world):
    day = timezone.localdate()
    inq = services.inquiry_record(
        actor=world.district_staff, date=day, kind=Inquiry.Kind.INQUIRY, topic="学位紧张",
        target_unit=world.unit_a, participants=[world.deputy_a, world.deputy_b], outcome="承诺扩建",
    )
    assert points(world.deputy_a, "inquiry") == 5 and points(world.deputy_b, "inquiry") == 5
    services.inquiry_update(
        inquiry=inq, actor=world.district_staff, date=day, kind=Inquiry.Kind.INTERPELLATION, topic="学位紧张",
        target_unit=world.unit_a, participants=[world.deputy_a],
    )
    assert points(world.deputy_a, "inquiry") == 5 and points(world.deputy_b, "inquiry") == 0
    with pytest.raises(ValidationError):  # deputy of district B is outside district A staff's scope
        services.inquiry_record(
            actor=world.district_staff, date=day, kind="inquiry", topic="t", target_unit=world.unit_a,
            participants=[world.deputy_c],
        )


def test_inquiry_pages_scope_and_roles_000_10(world, client):
    inq = services.inquiry_record(
        actor=world.district_staff, date=timezone.localdate(), kind="inquiry", topic="停车难",
        target_unit=world.unit_a, participants=[world.deputy_a],
    )
    url = reverse("proposals:inquiry_detail", args=[inq.pk])
    for user, code in [
        (world.outsider, 403), (world.other_staff, 404), (world.deputy_c_user, 404), (world.other_handler, 404),
        (world.deputy_a_user, 200), (world.liaison, 200), (world.city_staff, 200), (world.handler, 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == code, user
    client.force_login(world.liaison)
    assert client.get(reverse("proposals:inquiry_create")).status_code == 403
    client.force_login(world.district_staff)
    r = client.post(reverse("proposals:inquiry_create"), {"date": "", "kind": "inquiry", "topic": "保留的主题"})
    assert r.status_code == 200 and "保留的主题" in r.content.decode()
    r = client.get(reverse("proposals:inquiries"), {"kind": "inquiry", "q": "停车"})
    assert "停车难" in r.content.decode()


def test_demo_seed_builds_proposals_motions_and_inquiries(world):
    import random

    from cases import demo_proposals

    org = {
        "staff": [world.city_staff], "deputy_users": [world.deputy_a_user, world.deputy_b_user, world.deputy_c_user],
        "handlers": [world.handler, world.other_handler], "units": [world.unit_a, world.unit_b],
    }
    demo_proposals.seed(org=org, scale="demo", rng=random.Random(1))
    assert Proposal.objects.filter(kind="motion").exists() and Proposal.objects.filter(kind="proposal").exists()
    assert Proposal.objects.filter(status=ProposalStatus.EVALUATED).exists()
    assert Inquiry.objects.count() == 2
