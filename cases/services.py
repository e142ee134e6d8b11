"""Writes on public-opinion cases. Every state change goes through `_move`, which locks the row,
checks the source state against cases.workflow.TRANSITIONS and the actor's capacity, saves with
update_fields, appends a timeline event, and leaves side effects (notices, points) to on_commit."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.lib.transitions import check_transition
from liaison.lib.uploads import DOCUMENT_TYPES, validate_upload
from liaison.lib.validators import normalize_mobile, validate_cn_mobile
from liaison.models import Role, User
from liaison.services import notice_send, notices_send
from offices.models import Deputy, OfficeLiaison, TeamMembership
from offices.selectors import units_visible_to
from scoring import services as scoring_services

from . import resident_services, workflow
from .inbox_sort_services import share_sort_keys
from .models import (
    DISPATCH_OPEN,
    Case,
    CaseAttachment,
    CaseDispatch,
    Channel,
    DeadlineExtension,
    DispatchStatus,
    MeetingAssignment,
    ReplyResult,
    ResidentMessage,
    Satisfaction,
    Status,
    TeamMeeting,
    new_tracking_code,
)
from .move_services import _event, _lock_and_check, _save_move, _sync
from .rules import forward_days
from .selectors import actor_kinds, staff_covers
from .unit_figures_services import unit_figures_after, unit_figures_before

# ---------------------------------------------------------------- a dispatch round's shares

# Shares that keep the case "dispatched": owed by a unit, or returned and waiting for staff.
ROUND_UNSETTLED = (*DISPATCH_OPEN, DispatchStatus.RETURNED)


def refresh_reply_due(case):
    """Case.reply_due is the earliest deadline a unit still owes in the current round (display
    and the admin only; cases.deadline_selectors reads the shares themselves). Caller holds the
    case lock and saves."""
    owed = CaseDispatch.objects.filter(case=case, round=case.dispatch_round, status__in=DISPATCH_OPEN)
    case.reply_due = min(owed.values_list("deadline", flat=True), default=None)
    return case.reply_due


def lapse_extensions(dispatch):
    """A share settled by its unit (replied, returned) has nothing left to extend."""
    DeadlineExtension.objects.filter(dispatch=dispatch, status=DeadlineExtension.Status.PENDING).update(
        status=DeadlineExtension.Status.LAPSED, decided_at=timezone.now()
    )


def settle_round_if_done(*, case, actor, comment):
    """Move a dispatched case to "replied" once no share of its round is owed or returned (at
    least one unit replied: a returned share is only settled by staff re-dispatching or closing
    it, and closing needs another unit's share). Returns True if it moved. Caller holds the lock."""
    unsettled = CaseDispatch.objects.filter(case=case, round=case.dispatch_round, status__in=ROUND_UNSETTLED)
    if unsettled.exists():
        refresh_reply_due(case)
        case.save(update_fields=["reply_due"])
        return False
    case.reply_due = None
    _save_move(case=case, action="reply", actor=actor, comment=comment, fields=["reply_due"])
    # The answer reaches the resident with the link to rate it themselves.
    resident_services.rating_invite(case, step=ResidentMessage.Step.REPLY)

    def after():
        if case.owner_id and case.owner.user_id:
            notice_send(user=case.owner.user, text=_("Case %(code)s has its reply; tell the resident.")
                        % {"code": case.tracking_code}, url=case.get_absolute_url())

    transaction.on_commit(after)
    return True


# ---------------------------------------------------------------- intake

def _check_files(files):
    for f in files:
        validate_upload(f, allowed=DOCUMENT_TYPES)


def _attach(*, case, files, actor, dispatch=None):
    for f in files:
        content_type = validate_upload(f, allowed=DOCUMENT_TYPES)
        CaseAttachment.objects.create(
            case=case, dispatch=dispatch, file=f, name=str(getattr(f, "name", "file"))[:200],
            content_type=content_type, uploaded_by=actor,
        )


def may_register(*, user, office):
    """Who may record a case for an office: its liaisons, deputies of its team, and staff whose
    scope covers it."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or user.role == Role.ORG_STAFF:
        district_id = user.staff_district_id
        return user.is_superuser or (user.jurisdiction_id is not None and district_id in (None, office.district_id))
    if user.role == Role.LIAISON:
        return OfficeLiaison.objects.filter(user=user, office=office).exists()
    if user.role == Role.DEPUTY:
        return TeamMembership.objects.filter(deputy__user=user, team__office=office).exists()
    return False


def case_register(
    *,
    office,
    channel,
    category,
    title,
    content,
    received_on=None,
    reporter_name="",
    reporter_mobile="",
    reporter_address="",
    is_anonymous=False,
    received_by=(),
    spot_answer="",
    attachments=(),
    actor=None,
):
    """Record a case (step 1, 登记). `actor=None` means the resident submitted it through the
    public online office. With an on-the-spot answer the case moves on to "answered" at once [003].
    Returns the case with its tracking code."""
    if actor is None:
        if channel not in (Channel.ONLINE, Channel.APPOINTMENT):
            raise PermissionDenied(_("Residents submit cases through the online office only."))
    elif not may_register(user=actor, office=office):
        raise PermissionDenied(_("You may not register cases for this office."))
    if not str(title).strip() or not str(content).strip():
        raise ValidationError(_("A case needs a title and a content."), code="required")
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."), code="bad_channel")
    if not category.is_active:
        raise ValidationError(_("This category is no longer in use."), code="inactive_category")
    if is_anonymous:
        # Anonymous means nothing that identifies the reporter is kept; feedback is not by phone.
        reporter_name = reporter_mobile = reporter_address = ""
    elif reporter_mobile:
        validate_cn_mobile(reporter_mobile)
        reporter_mobile = normalize_mobile(reporter_mobile)
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError(_("The date received cannot be in the future."), code="future_date")
    _check_files(attachments)
    receivers = list(received_by)
    with transaction.atomic():
        case = Case(
            channel=channel, category=category, title=title, content=content, is_anonymous=is_anonymous,
            reporter_name=reporter_name, reporter_mobile=reporter_mobile, reporter_address=reporter_address,
            office=office, received_on=received_on, spot_answer=spot_answer or "",
            forward_due=received_on + datetime.timedelta(days=forward_days()), registered_by=actor,
        )
        # The code is random; a collision is astronomically rare but must not lose the case.
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    case.save()
                break
            except IntegrityError:
                case.pk = None
                case.tracking_code = new_tracking_code()
        else:
            raise ValidationError(_("Could not allocate a tracking code; please try again."), code="code")
        if receivers:
            case.received_by.set(receivers)
        _attach(case=case, files=attachments, actor=actor)
        _event(case=case, actor=actor, action="register", from_status="", to_status=Status.REGISTERED)
        resident_services.sms_intake(case)
        if spot_answer:
            case.status = Status.ANSWERED
            case.save(update_fields=["status"])
            _event(case=case, actor=actor, action="answer", from_status=Status.REGISTERED,
                   to_status=Status.ANSWERED, comment=spot_answer)

        def after():
            for deputy in receivers:
                scoring_services.points_record_event(deputy=deputy, event="case_received", source=case,
                                                     occurred_on=received_on, actor=actor)

        transaction.on_commit(after)
    return case


def case_attach(*, case, files, actor):
    """Add photos or PDFs to a case: whoever may see the case's personal data (owner, liaison,
    staff) may add material."""
    kinds = actor_kinds(user=actor, case=case)
    if not kinds & {workflow.OWNER, workflow.LIAISON, workflow.STAFF, workflow.RECEIVER}:
        raise PermissionDenied(_("You may not add files to this case."))
    _check_files(files)
    with transaction.atomic():
        _attach(case=case, files=files, actor=actor)


def case_receive(*, case, deputies, actor, note=""):
    """Record the deputies who received the resident at a reception (接待) — typically a resident's
    online booking seen at the office. Not a change of state: a timeline entry, and each newly
    named receiver earns the "case received" point."""
    kinds = actor_kinds(user=actor, case=case)
    if not kinds & {workflow.LIAISON, workflow.STAFF}:
        raise PermissionDenied(_("You may not record who received this case."))
    deputies = list(deputies)
    if not deputies:
        raise ValidationError(_("Choose the deputies who received the resident."), code="required")
    member_ids = set(TeamMembership.objects.filter(team__office_id=case.office_id).values_list("deputy_id", flat=True))
    outsiders = [d.name for d in deputies if d.pk not in member_ids]
    if outsiders:
        raise ValidationError(_("Not members of this office's team: %(names)s."),
                              params={"names": "、".join(outsiders)}, code="not_team_member")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status not in (Status.REGISTERED, Status.ANSWERED, Status.ASSIGNED):
            raise ValidationError(_("This case is “%(status)s”; its reception can no longer be recorded."),
                                  params={"status": locked.get_status_display()}, code="illegal_transition")
        already = set(locked.received_by.values_list("pk", flat=True))
        new = [d for d in deputies if d.pk not in already]
        if not new:
            raise ValidationError(_("These deputies are already recorded."), code="same")
        locked.received_by.add(*new)
        comment = _("Received by %(names)s") % {"names": "、".join(d.name for d in new)}
        if note:
            comment += "\n" + note
        _event(case=locked, actor=actor, action="receive", from_status=locked.status, to_status=locked.status,
               comment=comment)

        def after():
            for deputy in new:
                scoring_services.points_record_event(deputy=deputy, event="case_received", source=locked,
                                                     occurred_on=timezone.localdate(), actor=actor)

        transaction.on_commit(after)
    return _sync(case, locked)


# ---------------------------------------------------------------- the moves

def case_answer(*, case, answer, actor):
    """A general question answered on the spot at the reception [003]."""
    if not str(answer).strip():
        raise ValidationError(_("Write the answer given to the resident."), code="required")
    with transaction.atomic():
        locked, _kinds = _lock_and_check(case=case, action="answer", actor=actor)
        locked.spot_answer = answer
        _save_move(case=locked, action="answer", actor=actor, comment=answer, fields=["spot_answer"])
    return _sync(case, locked)


def _check_owner(case, owner):
    if not TeamMembership.objects.filter(team__office_id=case.office_id, deputy=owner).exists():
        raise ValidationError(
            _("%(name)s is not a member of this office's team."), params={"name": owner.name}, code="not_team_member"
        )
    if owner.status != Deputy.Status.SERVING:
        raise ValidationError(_("%(name)s is not serving."), params={"name": owner.name}, code="not_serving")


def case_assign(*, case, owner, actor, comment="", meeting=None):
    """Give the case one owner 领办人 from the office's team [000 九]."""
    with transaction.atomic():
        locked, _kinds = _lock_and_check(case=case, action="assign", actor=actor)
        _check_owner(locked, owner)
        previous = locked.owner
        if previous is not None and previous.pk == owner.pk:
            raise ValidationError(_("%(name)s already owns this case."), params={"name": owner.name}, code="same")
        locked.owner = owner
        if not comment:
            comment = _("Owner: %(name)s") % {"name": owner.name}
        _save_move(case=locked, action="assign", actor=actor, comment=comment, fields=["owner"])
        if meeting is not None:
            MeetingAssignment.objects.create(meeting=meeting, case=locked, owner=owner)

        def after():
            if previous is not None:
                scoring_services.points_revoke_event(
                    deputy=previous, event="case_taken", source=locked,
                    reason=_("Case reassigned to %(name)s") % {"name": owner.name}, actor=actor,
                )
            scoring_services.points_record_event(deputy=owner, event="case_taken", source=locked,
                                                 occurred_on=timezone.localdate(), actor=actor)
            if owner.user_id:
                notice_send(user=owner.user, text=_("You now own case %(code)s: %(title)s")
                            % {"code": locked.tracking_code, "title": locked.title}, url=locked.get_absolute_url())

        transaction.on_commit(after)
    return _sync(case, locked)


def team_meeting_record(*, team, date, attendees, notes, assignments, actor):
    """Record a 领办 meeting [000 九]: the team leader (or staff) chairs it, the attendees are team
    members, and each listed case gets one owner from the team. `assignments` is a list of
    (case, owner deputy) pairs. All or nothing."""
    leader = TeamMembership.objects.filter(team=team, is_leader=True).select_related("deputy").first()
    if leader is None:
        raise ValidationError(_("This team has no leader."), code="no_leader")
    is_leader = actor is not None and leader.deputy.user_id == actor.pk
    if not is_leader and not (actor is not None and actor.role == Role.ORG_STAFF
                              and (actor.staff_district_id in (None, team.district_id)) and actor.jurisdiction_id):
        raise PermissionDenied(_("Only the team leader holds the assignment meeting."))
    attendees = list(attendees)
    member_ids = set(TeamMembership.objects.filter(team=team).values_list("deputy_id", flat=True))
    outsiders = [d.name for d in attendees if d.pk not in member_ids]
    if outsiders:
        raise ValidationError(_("Not members of this team: %(names)s."), params={"names": "、".join(outsiders)},
                              code="not_team_member")
    if not assignments:
        raise ValidationError(_("Assign at least one case."), code="no_cases")
    if date > timezone.localdate():
        raise ValidationError(_("The meeting date cannot be in the future."), code="future_date")
    with transaction.atomic():
        meeting = TeamMeeting.objects.create(
            team=team, date=date, chaired_by=leader.deputy, notes=notes or "", created_by=actor
        )
        meeting.attendees.set(attendees)
        for case, owner in assignments:
            if case.office_id != team.office_id:
                raise ValidationError(_("Case %(code)s was not received by this team's office."),
                                      params={"code": case.tracking_code}, code="wrong_office")
            case_assign(case=case, owner=owner, actor=actor, meeting=meeting,
                        comment=_("Assigned to %(name)s at the team meeting of %(date)s")
                        % {"name": owner.name, "date": date.isoformat()})
    return meeting


def _staff_users_for(case):
    return User.objects.filter(role=Role.ORG_STAFF, is_active=True).filter(
        jurisdiction__level="city"
    ) | User.objects.filter(role=Role.ORG_STAFF, is_active=True, jurisdiction_id=case.district_id)


def case_forward(*, case, actor, comment=""):
    """Send the case to the organization department (报送) [001 第五篇]."""
    with transaction.atomic():
        locked, _kinds = _lock_and_check(case=case, action="forward", actor=actor)
        _save_move(case=locked, action="forward", actor=actor, comment=comment)

        def after():
            notices_send(users=list(_staff_users_for(locked)),
                         text=_("Case %(code)s forwarded for dispatch: %(title)s")
                         % {"code": locked.tracking_code, "title": locked.title}, url=locked.get_absolute_url())

        transaction.on_commit(after)
    return _sync(case, locked)


def case_dispatch(*, case, units, deadline, actor, instructions=""):
    """Dispatch to one or several responsible units with a reply deadline (交办). A case fed back
    as dissatisfied may be dispatched again: a new round."""
    units = list(units)
    if not units:
        raise ValidationError(_("Choose at least one unit."), code="no_units")
    if deadline is None or deadline < timezone.localdate():
        raise ValidationError(_("The reply deadline must be today or later."), code="bad_deadline")
    with transaction.atomic():
        locked, _kinds = _lock_and_check(case=case, action="dispatch", actor=actor)
        figures = unit_figures_before(case_id=locked.pk)
        if locked.status == Status.FED_BACK and locked.satisfaction != Satisfaction.DISSATISFIED:
            raise ValidationError(_("Only a case the resident is dissatisfied with may be dispatched again."),
                                  code="not_dissatisfied")
        allowed_units = set(units_visible_to(user=actor).filter(is_active=True).values_list("pk", flat=True))
        bad = [u.name for u in units if u.pk not in allowed_units]
        if bad:
            raise ValidationError(_("You may not dispatch to: %(names)s."), params={"names": "、".join(bad)},
                                  code="unit_out_of_scope")
        locked.dispatch_round += 1
        sort_keys = share_sort_keys(locked)
        CaseDispatch.objects.bulk_create([
            CaseDispatch(case=locked, unit=u, round=locked.dispatch_round, deadline=deadline,
                         instructions=instructions or "", dispatched_by=actor, **sort_keys)
            for u in units
        ])
        locked.reply_due = deadline
        locked.satisfaction = ""
        locked.satisfaction_source = ""
        names = "、".join(u.name for u in units)
        comment = _("To %(units)s, reply by %(date)s") % {"units": names, "date": deadline.isoformat()}
        if instructions:
            comment += "\n" + instructions
        _save_move(case=locked, action="dispatch", actor=actor, comment=comment,
                   fields=["dispatch_round", "reply_due", "satisfaction", "satisfaction_source"])
        unit_figures_after(figures)
        resident_services.sms_dispatch(locked, deadline=deadline)

        def after():
            handlers = User.objects.filter(role=Role.UNIT_HANDLER, is_active=True, unit__in=units)
            notices_send(users=list(handlers), text=_("New case %(code)s to handle, reply by %(date)s")
                         % {"code": locked.tracking_code, "date": deadline.isoformat()},
                         url=locked.get_absolute_url())

        transaction.on_commit(after)
    return _sync(case, locked)


def case_reply(*, case, result, reply, actor, will_solve_by=None, attachments=()):
    """A unit's reply: solved / will solve by a date / cannot be solved, with reasons. The case is
    "replied" once every unit of the current round has answered."""
    if result not in ReplyResult.values:
        raise ValidationError(_("Choose a result."), code="bad_result")
    if not str(reply).strip():
        raise ValidationError(_("Explain the result and its reasons."), code="required")
    if result == ReplyResult.WILL_SOLVE:
        if will_solve_by is None:
            raise ValidationError(_("Give the date by which it will be solved."), code="no_date")
        if will_solve_by < timezone.localdate():
            raise ValidationError(_("The date by which it will be solved cannot be in the past."), code="past")
    else:
        will_solve_by = None
    _check_files(attachments)
    with transaction.atomic():
        transition = workflow.TRANSITIONS["reply"]
        locked = Case.objects.select_for_update().get(pk=case.pk)
        check_transition(transition, locked, workflow.CASE_ILLEGAL)
        if actor is None or actor.role != Role.UNIT_HANDLER or not actor.unit_id:
            raise PermissionDenied(_("Only the handler of a unit the case is dispatched to may reply."))
        figures = unit_figures_before(case_id=locked.pk)
        dispatch = (
            CaseDispatch.objects.select_for_update()
            .filter(case=locked, unit_id=actor.unit_id, round=locked.dispatch_round, status__in=DISPATCH_OPEN)
            .first()
        )
        if dispatch is None:
            raise PermissionDenied(_("Only the handler of a unit the case is dispatched to may reply."))
        dispatch.result = result
        dispatch.reply = reply
        dispatch.will_solve_by = will_solve_by
        dispatch.replied_at = timezone.now()
        dispatch.replied_by = actor
        dispatch.status = DispatchStatus.REPLIED
        dispatch.save(update_fields=["result", "reply", "will_solve_by", "replied_at", "replied_by", "status"])
        lapse_extensions(dispatch)
        _attach(case=locked, files=attachments, actor=actor, dispatch=dispatch)
        comment = f"{actor.unit}: {ReplyResult(result).label}"
        if will_solve_by:
            comment += f" ({will_solve_by.isoformat()})"
        comment += "\n" + reply
        if not settle_round_if_done(case=locked, actor=actor, comment=comment):
            # One unit of several answered (or a returned share waits for staff): a timeline
            # entry, no change of state yet.
            _event(case=locked, actor=actor, action="unit_reply", from_status=locked.status,
                   to_status=locked.status, comment=comment)
        unit_figures_after(figures)
    return _sync(case, locked)


def case_feedback(*, case, note, actor):
    """The owner (or liaison) tells the resident the result and records what they were told. The
    resident's satisfaction is not theirs to record: the resident rates the answer through the SMS
    link, or a non-owner follows up (cases.resident_services)."""
    if not str(note).strip():
        raise ValidationError(_("Write what the resident was told."), code="required")
    with transaction.atomic():
        locked, _kinds = _lock_and_check(case=case, action="feedback", actor=actor)
        figures = unit_figures_before(case_id=locked.pk)
        answered_on_the_spot = locked.status == Status.ANSWERED
        locked.feedback_note = note
        _save_move(case=locked, action="feedback", actor=actor, comment=note, fields=["feedback_note"])
        if answered_on_the_spot:
            # No unit replied: the answer reaches the resident now, with the link to rate it.
            resident_services.rating_invite(locked, step=ResidentMessage.Step.FEEDBACK)
        else:
            resident_services.sms_feedback(locked)
        unit_figures_after(figures)
    return _sync(case, locked)


def case_archive(*, case, actor, comment=""):
    """Close the case. A resident who can be reached has rated the answer first (or, after
    CASE_RATING_DAYS, been followed up by someone other than the owner)."""
    with transaction.atomic():
        locked, _kinds = _lock_and_check(case=case, action="archive", actor=actor)
        figures = unit_figures_before(case_id=locked.pk)
        if resident_services.rating_required_before_archive(locked):
            raise ValidationError(
                _("The resident has not rated the answer yet: wait for their rating, or record a phone "
                  "follow-up once the link has expired."),
                code="not_rated",
            )
        _save_move(case=locked, action="archive", actor=actor, comment=comment)
        unit_figures_after(figures)
        resident_services.sms_closed(locked)
    return _sync(case, locked)


__all__ = [
    "case_answer", "case_archive", "case_assign", "case_attach", "case_dispatch", "case_feedback",
    "case_forward", "case_receive", "case_register", "case_reply", "team_meeting_record", "may_register", "staff_covers",
]
