"""Writes for proposals, motions and inquiries. Each transition locks the row, checks the source
state against PROPOSAL_TRANSITIONS and the actor's right, saves with update_fields, appends a
ProposalEvent, and writes in-portal notices in the same transaction (they are rows, so they
roll back with the move). Points go through scoring.services, whose ledger is
idempotent per (deputy, event, source)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.lib.permissions import actor_require, scope_to_staff
from liaison.lib.transitions import Transition, check_transition, transition_table
from liaison.models import Role, User
from liaison.services import notice_send, notices_send
from offices.selectors import deputies_visible_to, deputy_for_user, units_visible_to
from scoring import services as scoring_services

from .models.proposals import (
    Evaluation,
    Inquiry,
    Proposal,
    ProposalCosigner,
    ProposalDispatch,
    ProposalEvent,
    ProposalKind,
    ProposalReplyResult,
    ProposalStatus,
)
from .proposal_selectors import inquiries_writable_by
from .rules import MAX_COSIGNERS

S = ProposalStatus

# The one table of moves (who makes each: proposal_actor_may).
PROPOSAL_TRANSITIONS = transition_table(
    Transition("submit", sources={S.COSIGNING}, target=S.FILED),
    Transition("withdraw", sources={S.COSIGNING, S.FILED}, target=S.WITHDRAWN),
    # A dissatisfied evaluation may be dispatched again [002 6].
    Transition("dispatch", sources={S.FILED, S.EVALUATED}, target=S.DISPATCHED),
    Transition("reply", sources={S.DISPATCHED}, target=S.REPLIED),
    Transition("evaluate", sources={S.REPLIED}, target=S.EVALUATED),
)


def proposal_actor_may(action, *, proposal, user):
    """Whether `user` is someone who makes `action` on `proposal` at all (role and scope, whatever
    the state)."""
    if not user.is_authenticated:
        return False
    if action == "dispatch":
        return scope_to_staff(Proposal.objects.filter(pk=proposal.pk), user).exists()
    if action == "reply":
        # A handler of a unit that still owes its share of the current round.
        return (
            user.role == Role.UNIT_HANDLER and user.unit_id is not None
            and ProposalDispatch.objects.filter(
                proposal_id=proposal.pk, unit_id=user.unit_id, round=proposal.dispatch_round, replied_at__isnull=True
            ).exists()
        )
    # submit, withdraw, evaluate belong to the filing / lead deputy.
    deputy = deputy_for_user(user)
    return deputy is not None and deputy.pk == proposal.lead_id


def _state_allows(action, proposal):
    if not PROPOSAL_TRANSITIONS[action].allows(proposal.status):
        return False
    # A dissatisfied evaluation may be dispatched again [002 6]; a satisfied one may not.
    return not (action == "dispatch" and proposal.status == S.EVALUATED and proposal.evaluation != Evaluation.DISSATISFIED)


def proposal_can(action, *, proposal, user):
    """Whether `user` may make `action` on `proposal` now (state and role). Views use it to show
    only the possible moves; the services call it to refuse the rest."""
    return _state_allows(action, proposal) and proposal_actor_may(action, proposal=proposal, user=user)


def _lock(proposal):
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _check(proposal, action, actor):
    check_transition(PROPOSAL_TRANSITIONS[action], proposal, _("This cannot be done while the item is “%(status)s”."),
                     possible=_state_allows(action, proposal))
    if not proposal_actor_may(action, proposal=proposal, user=actor):
        raise PermissionDenied(_("You are not allowed to do this."))


def _move(proposal, action, *, actor, comment="", fields=(), checked=False):
    """Check (unless the caller did), set the new status, save, and append the event. Caller
    holds the row lock."""
    if not checked:
        _check(proposal, action, actor)
    old = proposal.status
    proposal.status = PROPOSAL_TRANSITIONS[action].target
    proposal.save(update_fields=["status", *fields])
    ProposalEvent.objects.create(
        proposal=proposal, actor=actor, actor_repr=str(actor)[:150], action=action,
        from_status=old, to_status=proposal.status, comment=str(comment),
    )
    return proposal


@transaction.atomic
def proposal_file(*, lead, kind, title, content, actor, cosigners=()):
    """A deputy files a proposal (counted at once), or starts a motion and invites co-signers,
    who confirm it themselves before the lead files it."""
    me = deputy_for_user(actor)
    actor_require(me is not None and me.pk == lead.pk, _("A deputy files their own proposals and motions."))
    if not lead.is_serving:
        raise ValidationError(_("Only a serving deputy can file a proposal or motion."), code="not_serving")
    cosigners = [d for d in dict.fromkeys(cosigners) if d.pk != lead.pk]
    if kind == ProposalKind.MOTION:
        if not cosigners:
            raise ValidationError(_("Invite at least one deputy to co-sign the motion."), code="no_cosigners")
        if len(cosigners) > MAX_COSIGNERS:
            raise ValidationError(_("Too many co-signers."), code="too_many_cosigners")
    elif cosigners:
        raise ValidationError(_("Only a motion has co-signers."), code="cosigners_on_proposal")
    today = timezone.localdate()
    is_motion = kind == ProposalKind.MOTION
    proposal = Proposal.objects.create(
        kind=kind, title=title, content=content, lead=lead, created_by=actor,
        status=S.COSIGNING if is_motion else S.FILED, filed_on=None if is_motion else today,
    )
    ProposalEvent.objects.create(
        proposal=proposal, actor=actor, actor_repr=str(actor)[:150], action="file",
        from_status="", to_status=proposal.status,
    )
    if is_motion:
        ProposalCosigner.objects.bulk_create([ProposalCosigner(proposal=proposal, deputy=d) for d in cosigners])
        users = [d.user for d in cosigners if d.user_id]
        url = proposal.get_absolute_url()
        text = _("%(lead)s invites you to co-sign the motion “%(title)s”.") % {"lead": lead.name, "title": title}
        notices_send(users=users, text=text, url=url)
    else:
        scoring_services.points_record_event(
            deputy=lead, event="proposal", source=proposal, occurred_on=today, actor=actor,
        )
    return proposal


@transaction.atomic
def cosign_respond(*, proposal, deputy, confirm, actor):
    """The invited deputy confirms or declines their own co-signature while the motion collects
    signatures. Nobody can sign for someone else."""
    proposal = _lock(proposal)
    me = deputy_for_user(actor)
    actor_require(me is not None and me.pk == deputy.pk, _("Only the invited deputy can answer this request."))
    if proposal.status != S.COSIGNING:
        raise ValidationError(_("This motion no longer collects co-signatures."), code="illegal_transition")
    try:
        link = ProposalCosigner.objects.select_for_update().get(proposal=proposal, deputy=deputy)
    except ProposalCosigner.DoesNotExist:
        raise ValidationError(_("You were not invited to co-sign this motion."), code="not_invited")
    link.status = ProposalCosigner.Status.CONFIRMED if confirm else ProposalCosigner.Status.DECLINED
    link.responded_at = timezone.now()
    link.save(update_fields=["status", "responded_at"])
    ProposalEvent.objects.create(
        proposal=proposal, actor=actor, actor_repr=str(actor)[:150],
        action="cosign_confirm" if confirm else "cosign_decline", from_status=proposal.status, to_status=proposal.status,
    )
    if proposal.lead.user_id:
        text = (
            _("%(name)s confirmed co-signing “%(title)s”.") if confirm else _("%(name)s declined to co-sign “%(title)s”.")
        ) % {"name": deputy.name, "title": proposal.title}
        lead_user, url = proposal.lead.user, proposal.get_absolute_url()
        notice_send(user=lead_user, text=text, url=url)
    return link


@transaction.atomic
def motion_submit(*, proposal, actor):
    """The lead files the motion with the co-signers who confirmed; unanswered invitations lapse.
    Points: the lead's "motion_lead" and each confirmed co-signer's "motion_cosign"."""
    proposal = _lock(proposal)
    confirmed = list(
        ProposalCosigner.objects.filter(proposal=proposal, status=ProposalCosigner.Status.CONFIRMED).select_related(
            "deputy"
        )
    )
    _check(proposal, "submit", actor)
    if not confirmed:
        raise ValidationError(
            _("No co-signer has confirmed yet: a motion is filed with at least one co-signer."), code="no_confirmed"
        )
    today = timezone.localdate()
    proposal.filed_on = today
    _move(proposal, "submit", actor=actor, fields=["filed_on"])
    scoring_services.points_record_event(
        deputy=proposal.lead, event="motion_lead", source=proposal, occurred_on=today, actor=actor,
    )
    for link in confirmed:
        scoring_services.points_record_event(
            deputy=link.deputy, event="motion_cosign", source=proposal, occurred_on=today, actor=actor
        )
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal, actor, reason=""):
    """The filer withdraws before dispatch; points already awarded are reversed."""
    proposal = _lock(proposal)
    was_filed = proposal.status == S.FILED
    _move(proposal, "withdraw", actor=actor, comment=reason)
    if was_filed:
        why = _("Withdrawn")
        if proposal.is_motion:
            scoring_services.points_revoke_event(
                deputy=proposal.lead, event="motion_lead", source=proposal, reason=why, actor=actor,
            )
            for link in proposal.cosigner_links.filter(status=ProposalCosigner.Status.CONFIRMED).select_related("deputy"):
                scoring_services.points_revoke_event(
                    deputy=link.deputy, event="motion_cosign", source=proposal, reason=why, actor=actor
                )
        else:
            scoring_services.points_revoke_event(
                deputy=proposal.lead, event="proposal", source=proposal, reason=why, actor=actor,
            )
    return proposal


def _earliest_owed(proposal):
    owed = ProposalDispatch.objects.filter(proposal=proposal, round=proposal.dispatch_round, replied_at__isnull=True)
    return min(owed.values_list("deadline", flat=True), default=None)


@transaction.atomic
def proposal_dispatch(*, proposal, deadline, actor, units=None, unit=None, instructions=""):
    """Dispatch to one or several responsible units with a reply deadline, as for cases (SPEC §3).
    `unit=` is the one-unit form. A dissatisfied evaluation may be dispatched again: a new round."""
    units = list(units or ([unit] if unit is not None else []))
    if not units:
        raise ValidationError(_("Choose at least one responsible unit."), code="no_units")
    proposal = _lock(proposal)
    allowed = set(units_visible_to(user=actor).filter(is_active=True).values_list("pk", flat=True))
    if any(u.pk not in allowed for u in units):
        raise ValidationError(_("Choose a responsible unit within your jurisdiction."), code="unit_out_of_scope")
    if deadline < timezone.localdate():
        raise ValidationError(_("The reply deadline cannot be in the past."), code="deadline_past")
    _check(proposal, "dispatch", actor)
    proposal.unit = units[0]
    proposal.deadline = deadline
    proposal.dispatch_round += 1
    proposal.reply_result = ""
    proposal.reply = ""
    proposal.replied_at = None
    names = "、".join(u.name for u in units)
    _move(
        proposal, "dispatch", actor=actor,
        comment=_("To %(unit)s, reply by %(date)s. %(note)s") % {"unit": names, "date": deadline, "note": instructions},
        fields=["unit", "deadline", "dispatch_round", "reply_result", "reply", "replied_at"],
    )
    ProposalDispatch.objects.bulk_create([
        ProposalDispatch(proposal=proposal, unit=u, round=proposal.dispatch_round, deadline=deadline,
                         instructions=instructions or "", dispatched_by=actor)
        for u in units
    ])
    handlers = list(User.objects.filter(role=Role.UNIT_HANDLER, is_active=True, unit__in=units))
    text = _("A deputy's %(kind)s was dispatched to your unit: “%(title)s”, reply by %(date)s.") % {
        "kind": proposal.get_kind_display(), "title": proposal.title, "date": deadline,
    }
    url = proposal.get_absolute_url()
    notices_send(users=handlers, text=text, url=url)
    return proposal


@transaction.atomic
def proposal_reply(*, proposal, result, reply, actor):
    """A unit's reply to its share. The proposal is "replied" once every unit of the round has
    answered; until then each reply is a timeline entry."""
    proposal = _lock(proposal)
    if result not in ProposalReplyResult.values:
        raise ValidationError(_("Choose the result of the handling."), code="bad_result")
    if not str(reply).strip():
        raise ValidationError(_("Write the reply and its reasons."), code="empty_reply")
    # A unit answers once a round: a second reply (a double submit) gets a message, not a refusal.
    if actor is not None and ProposalDispatch.objects.filter(
        proposal=proposal, unit_id=actor.unit_id, round=proposal.dispatch_round, replied_at__isnull=False
    ).exists():
        raise ValidationError(_("Your unit has already replied to this item."), code="already_replied")
    _check(proposal, "reply", actor)
    share = ProposalDispatch.objects.select_for_update().select_related("unit").get(
        proposal=proposal, unit_id=actor.unit_id, round=proposal.dispatch_round, replied_at__isnull=True
    )
    share.result, share.reply, share.replied_at, share.replied_by = result, reply, timezone.now(), actor
    share.save(update_fields=["result", "reply", "replied_at", "replied_by"])
    comment = f"{share.unit.name}: {ProposalReplyResult(result).label}\n{reply}"
    owed = _earliest_owed(proposal)
    if owed is not None:
        proposal.deadline = owed
        proposal.save(update_fields=["deadline"])
        ProposalEvent.objects.create(
            proposal=proposal, actor=actor, actor_repr=str(actor)[:150], action="unit_reply",
            from_status=proposal.status, to_status=proposal.status, comment=comment,
        )
        return proposal
    shares = list(ProposalDispatch.objects.filter(proposal=proposal, round=proposal.dispatch_round).select_related("unit"))
    results = {s.result for s in shares}
    # One unit: its words. Several: each unit's reply under its name, and a result only if they agree.
    proposal.reply_result = results.pop() if len(results) == 1 else ""
    proposal.reply = reply if len(shares) == 1 else "\n\n".join(
        f"{s.unit.name}（{s.get_result_display()}）：{s.reply}" for s in shares
    )
    proposal.replied_at = share.replied_at
    # Checked above, before the unit's share was marked replied.
    _move(proposal, "reply", actor=actor, comment=comment, fields=["reply_result", "reply", "replied_at"], checked=True)
    if proposal.lead.user_id:
        lead_user, url = proposal.lead.user, proposal.get_absolute_url()
        text = _("The unit replied to “%(title)s”: please evaluate the reply.") % {"title": proposal.title}
        notice_send(user=lead_user, text=text, url=url)
    return proposal


@transaction.atomic
def proposal_evaluate(*, proposal, evaluation, note, actor):
    """The filing deputy rates the unit's reply [002 6]."""
    proposal = _lock(proposal)
    if evaluation not in Evaluation.values:
        raise ValidationError(_("Choose satisfied, basically satisfied or dissatisfied."), code="bad_evaluation")
    if evaluation == Evaluation.DISSATISFIED and not str(note).strip():
        raise ValidationError(_("Say why the reply is not satisfactory."), code="note_required")
    proposal.evaluation = evaluation
    proposal.evaluation_note = note
    _move(proposal, "evaluate", actor=actor, comment=note, fields=["evaluation", "evaluation_note"])
    return proposal


# ---------------------------------------------------------------- inquiries


def _check_inquiry_scope(*, actor, unit, participants):
    actor_require(actor.is_superuser or actor.role == Role.ORG_STAFF, _("Organization staff record inquiries."))
    if not units_visible_to(user=actor).filter(pk=unit.pk).exists():
        raise ValidationError(_("Choose a unit within your jurisdiction."), code="unit_out_of_scope")
    ids = {d.pk for d in participants}
    if not ids:
        raise ValidationError(_("Choose the deputies who took part."), code="no_participants")
    if deputies_visible_to(user=actor).filter(pk__in=ids).count() != len(ids):
        raise ValidationError(_("Choose deputies within your jurisdiction."), code="deputy_out_of_scope")


@transaction.atomic
def inquiry_record(*, actor, date, kind, topic, target_unit, participants, questions="", outcome=""):
    """Record an inquiry event; every deputy taking part earns the "inquiry" item [002 附件2 10]."""
    participants = list(participants)
    _check_inquiry_scope(actor=actor, unit=target_unit, participants=participants)
    if date > timezone.localdate():
        raise ValidationError(_("Record an inquiry after it took place."), code="future_date")
    inquiry = Inquiry.objects.create(
        date=date, kind=kind, topic=topic, target_unit=target_unit, questions=questions, outcome=outcome,
        recorded_by=actor,
    )
    inquiry.participants.set(participants)
    for deputy in participants:
        scoring_services.points_record_event(
            deputy=deputy, event="inquiry", source=inquiry, occurred_on=date, actor=actor,
        )
    return inquiry


@transaction.atomic
def inquiry_update(*, inquiry, actor, date, kind, topic, target_unit, participants, questions="", outcome=""):
    """Correct an inquiry record. A deputy removed from it loses the points; one added gains them.
    Only staff whose scope holds the event correct it, and deputies outside their scope stay on it
    as they were: a district cannot take another district's deputy off a record."""
    actor_require(
        inquiries_writable_by(user=actor).filter(pk=inquiry.pk).exists(),
        _("This inquiry was recorded outside your jurisdiction."),
    )
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    participants = list(participants)
    _check_inquiry_scope(actor=actor, unit=target_unit, participants=participants)
    in_scope = set(deputies_visible_to(user=actor).filter(pk__in=inquiry.participants.values("pk")))
    participants += [d for d in inquiry.participants.all() if d not in in_scope and d not in participants]
    if date > timezone.localdate():
        raise ValidationError(_("Record an inquiry after it took place."), code="future_date")
    before = set(inquiry.participants.all())
    date_changed = inquiry.date != date
    inquiry.date, inquiry.kind, inquiry.topic = date, kind, topic
    inquiry.target_unit, inquiry.questions, inquiry.outcome = target_unit, questions, outcome
    inquiry.save()
    inquiry.participants.set(participants)
    after = set(participants)
    why = _("Removed from the inquiry record")
    for deputy in before - after:
        scoring_services.points_revoke_event(deputy=deputy, event="inquiry", source=inquiry, reason=why, actor=actor)
    if date_changed:
        # The award carries the date (and so the year) it counts for: re-award on the new date.
        for deputy in before & after:
            scoring_services.points_revoke_event(
                deputy=deputy, event="inquiry", source=inquiry, reason=_("Date corrected"), actor=actor
            )
        added = after
    else:
        added = after - before
    for deputy in added:
        scoring_services.points_record_event(
            deputy=deputy, event="inquiry", source=inquiry, occurred_on=date, actor=actor,
        )
    return inquiry
