"""A unit's moves on its own share of a dispatch, and staff's answers to them (issue 12 item 7):
签收 sign for receipt, 退回 return a wrongly dispatched case, 申请延期 ask for a later deadline;
staff approve or refuse the extension, and re-dispatch or close a returned share.

The moves follow cases.workflow.DISPATCH_TRANSITIONS and EXTENSION_TRANSITIONS. Each service
locks the case row first and then the share (the order case_reply uses too, so two moves on one
case run one after the other), checks the source state and the actor, saves with update_fields
and appends a CaseEvent to the case's timeline. Notices and SMS outbox rows are written in the
same transaction (they roll back with the move); delivery of the SMS is enqueued on commit.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from liaison.lib.sms import sms_build
from liaison.lib.transitions import check_transition
from liaison.models import Role, SmsMessage, User
from liaison.services import notices_send
from liaison.tasks import sms_send_due
from offices.selectors import units_visible_to

from . import workflow
from .inbox_sort_services import share_sort_keys
from .models import DISPATCH_OPEN, Case, CaseDispatch, DeadlineExtension, DispatchStatus, Status
from .move_services import _event
from .reminder_services import _Recipients
from .selectors import staff_covers
from .services import lapse_extensions, refresh_reply_due, settle_round_if_done
from .unit_figures_services import unit_figures_after, unit_figures_before


def _deliver_sms_on_commit():
    transaction.on_commit(lambda: sms_send_due.apply_async(kwargs={"follow_up": True}))


def _text_people(*, users, template, params):
    """Outbox rows for the users with a mobile number on file (in the site's language: the
    provider's approved template is the Chinese one)."""
    from django.conf import settings

    with translation.override(settings.LANGUAGE_CODE):
        rows = [
            sms_build(phone=u.mobile, template=template, params={"name": u.name or u.username, **params})
            for u in users if u.mobile
        ]
    if rows:
        SmsMessage.objects.bulk_create(rows)
        _deliver_sms_on_commit()
    return len(rows)


def _handlers(unit_id):
    return list(User.objects.filter(is_active=True, role=Role.UNIT_HANDLER, unit_id=unit_id))


def _lock_share(dispatch):
    """Lock the case, then the share; returns both, fresh from the database."""
    case = Case.objects.select_for_update().get(pk=dispatch.case_id)
    share = CaseDispatch.objects.select_for_update().select_related("unit").get(pk=dispatch.pk)
    return case, share


def _check(*, case, share, transition, actor):
    check_transition(transition, share, workflow.SHARE_ILLEGAL,
                     possible=share.round == case.dispatch_round and case.status == Status.DISPATCHED)
    _check_actor(case=case, share=share, transition=transition, actor=actor)


def _check_actor(*, case, share, transition, actor):
    if workflow.UNIT in transition.actors:
        if actor is None or actor.role != Role.UNIT_HANDLER or actor.unit_id != share.unit_id:
            raise PermissionDenied(_("Only a handler of %(unit)s may do this.") % {"unit": share.unit.name})
    elif not staff_covers(actor, case):
        raise PermissionDenied(_("Only staff whose district covers this case may do this."))


def _note(share, text=""):
    return f"{share.unit.name}: {text}" if text else share.unit.name


# ---------------------------------------------------------------- the unit's moves


def dispatch_sign(*, dispatch, actor):
    """签收: the unit acknowledges receipt of its share; the time is recorded, and the staff member
    who dispatched it is told."""
    transition = workflow.DISPATCH_TRANSITIONS["sign"]
    with transaction.atomic():
        case, share = _lock_share(dispatch)
        _check(case=case, share=share, transition=transition, actor=actor)
        figures = unit_figures_before(case_id=case.pk)
        share.status = transition.target
        share.signed_at = timezone.now()
        share.signed_by = actor
        share.save(update_fields=["status", "signed_at", "signed_by"])
        _event(case=case, actor=actor, action="unit_sign", from_status=case.status, to_status=case.status,
               comment=_note(share, _("signed for at %(time)s") % {"time": f"{timezone.localtime(share.signed_at):%Y-%m-%d %H:%M}"}))
        if share.dispatched_by_id and share.dispatched_by.is_active:
            notices_send(users=[share.dispatched_by_id],
                         text=_("%(unit)s signed for case %(code)s.") % {"unit": share.unit.name, "code": case.tracking_code},
                         url=case.get_absolute_url())
        unit_figures_after(figures)
    return share


def dispatch_return(*, dispatch, reason, actor):
    """退回: the case is not this unit's business. The share goes back to staff with the reason;
    staff of the case's district are told (notice, and SMS where they have a mobile) and
    re-dispatch it. The case stays dispatched: its other units, if any, carry on."""
    if not str(reason).strip():
        raise ValidationError(_("Say why the case is not your unit's to handle."), code="required")
    transition = workflow.DISPATCH_TRANSITIONS["return"]
    with transaction.atomic():
        case, share = _lock_share(dispatch)
        _check(case=case, share=share, transition=transition, actor=actor)
        figures = unit_figures_before(case_id=case.pk)
        share.status = transition.target
        share.returned_at = timezone.now()
        share.returned_by = actor
        share.return_reason = reason
        share.save(update_fields=["status", "returned_at", "returned_by", "return_reason"])
        lapse_extensions(share)
        refresh_reply_due(case)
        case.save(update_fields=["reply_due"])
        _event(case=case, actor=actor, action="unit_return", from_status=case.status, to_status=case.status,
               comment=_note(share, _("returned: %(reason)s") % {"reason": reason}))
        staff = _Recipients().staff(case.district_id)
        notices_send(users=staff, url=case.get_absolute_url(),
                     text=_("%(unit)s returned case %(code)s: %(reason)s. Please dispatch it again.")
                     % {"unit": share.unit.name, "code": case.tracking_code, "reason": reason[:200]})
        _text_people(users=staff, template="case_returned", params={"code": case.tracking_code, "unit": share.unit.name})
        unit_figures_after(figures)
    return share


def extension_request(*, dispatch, new_deadline, reason, actor):
    """申请延期: the unit asks for a later deadline on a share it still owes. One request at a time;
    the deadline moves only if staff approve. Staff of the case's district are told."""
    if not str(reason).strip():
        raise ValidationError(_("Give the reason for the extension."), code="required")
    if new_deadline is None:
        raise ValidationError(_("Give the new deadline you ask for."), code="required")
    transition = workflow.DISPATCH_TRANSITIONS["extend"]
    with transaction.atomic():
        case, share = _lock_share(dispatch)
        _check(case=case, share=share, transition=transition, actor=actor)
        if new_deadline <= share.deadline:
            raise ValidationError(_("The new deadline must be later than the current one (%(date)s)."),
                                  params={"date": share.deadline.isoformat()}, code="not_later")
        if new_deadline < timezone.localdate():
            raise ValidationError(_("The new deadline cannot be in the past."), code="past")
        if share.extensions.filter(status=DeadlineExtension.Status.PENDING).exists():
            raise ValidationError(_("A request for this case already waits for the staff's decision."),
                                  code="already_pending")
        extension = DeadlineExtension.objects.create(
            dispatch=share, old_deadline=share.deadline, new_deadline=new_deadline, reason=reason, requested_by=actor
        )
        _event(case=case, actor=actor, action="extension_request", from_status=case.status, to_status=case.status,
               comment=_note(share, _("asks to extend the deadline from %(old)s to %(new)s: %(reason)s")
                             % {"old": share.deadline.isoformat(), "new": new_deadline.isoformat(), "reason": reason}))
        notices_send(users=_Recipients().staff(case.district_id), url=case.get_absolute_url(),
                     text=_("%(unit)s asks to extend the deadline of case %(code)s to %(date)s.")
                     % {"unit": share.unit.name, "code": case.tracking_code, "date": new_deadline.isoformat()})
    return extension


# ---------------------------------------------------------------- staff's answers


def _decide(*, extension, action, actor, note=""):
    transition = workflow.EXTENSION_TRANSITIONS[action]
    if action == "refuse" and not str(note).strip():
        raise ValidationError(_("Tell the unit why the extension is refused."), code="required")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=extension.dispatch.case_id)
        share = CaseDispatch.objects.select_for_update().select_related("unit").get(pk=extension.dispatch_id)
        locked = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
        check_transition(transition, locked, workflow.EXTENSION_ILLEGAL)
        _check_actor(case=case, share=share, transition=transition, actor=actor)
        locked.status = transition.target
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note or ""
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if action == "approve":
            # The share's deadline is what the overdue rule and the daily scan read.
            figures = unit_figures_before(case_id=case.pk)
            share.deadline = locked.new_deadline
            share.save(update_fields=["deadline"])
            unit_figures_after(figures)
            refresh_reply_due(case)
            case.save(update_fields=["reply_due"])
            comment = _("extension approved: reply by %(date)s") % {"date": share.deadline.isoformat()}
            decision = _("approved")
        else:
            comment = _("extension refused, reply by %(date)s stands") % {"date": share.deadline.isoformat()}
            decision = _("refused")
        if note:
            comment += "\n" + note
        _event(case=case, actor=actor, action=f"extension_{action}", from_status=case.status, to_status=case.status,
               comment=_note(share, comment))
        handlers = _handlers(share.unit_id)
        notices_send(users=handlers, url=case.get_absolute_url(),
                     text=_("Your request to extend case %(code)s was %(decision)s; reply by %(date)s.")
                     % {"code": case.tracking_code, "decision": decision, "date": share.deadline.isoformat()})
        _text_people(users=handlers, template="case_extension_decided",
                     params={"code": case.tracking_code, "decision": decision, "due": share.deadline.isoformat()})
    return locked


def extension_approve(*, extension, actor, note=""):
    """Staff approve: the share's deadline becomes the requested one; the unit's handlers are told
    (SMS where they have a mobile)."""
    return _decide(extension=extension, action="approve", actor=actor, note=note)


def extension_refuse(*, extension, actor, note):
    """Staff refuse, with the reason: the deadline stands; the unit's handlers are told."""
    return _decide(extension=extension, action="refuse", actor=actor, note=note)


def dispatch_redispatch(*, dispatch, units, deadline, actor, instructions=""):
    """Staff send a returned share to the right unit(s), in the same round, with a deadline."""
    units = list(units)
    if not units:
        raise ValidationError(_("Choose at least one unit."), code="no_units")
    if deadline is None or deadline < timezone.localdate():
        raise ValidationError(_("The reply deadline must be today or later."), code="bad_deadline")
    transition = workflow.DISPATCH_TRANSITIONS["redispatch"]
    with transaction.atomic():
        case, share = _lock_share(dispatch)
        _check(case=case, share=share, transition=transition, actor=actor)
        figures = unit_figures_before(case_id=case.pk)
        allowed = set(units_visible_to(user=actor).filter(is_active=True).values_list("pk", flat=True))
        bad = [u.name for u in units if u.pk not in allowed]
        if bad:
            raise ValidationError(_("You may not dispatch to: %(names)s."), params={"names": "、".join(bad)},
                                  code="unit_out_of_scope")
        busy = set(
            CaseDispatch.objects.filter(case=case, round=case.dispatch_round, unit__in=units)
            .exclude(status__in=[DispatchStatus.RETURNED, DispatchStatus.REDISPATCHED, DispatchStatus.CLOSED])
            .values_list("unit__name", flat=True)
        )
        if busy:
            raise ValidationError(_("Already handling this case: %(names)s."), params={"names": "、".join(sorted(busy))},
                                  code="unit_busy")
        share.status = transition.target
        share.save(update_fields=["status"])
        sort_keys = share_sort_keys(case)
        CaseDispatch.objects.bulk_create([
            CaseDispatch(case=case, unit=u, round=case.dispatch_round, deadline=deadline,
                         instructions=instructions or "", dispatched_by=actor, **sort_keys)
            for u in units
        ])
        refresh_reply_due(case)
        case.save(update_fields=["reply_due"])
        names = "、".join(u.name for u in units)
        comment = _("returned by %(old)s, re-dispatched to %(units)s, reply by %(date)s") % {
            "old": share.unit.name, "units": names, "date": deadline.isoformat()}
        if instructions:
            comment += "\n" + instructions
        _event(case=case, actor=actor, action="redispatch", from_status=case.status, to_status=case.status,
               comment=comment)
        handlers = User.objects.filter(role=Role.UNIT_HANDLER, is_active=True, unit__in=units)
        notices_send(users=list(handlers), url=case.get_absolute_url(),
                     text=_("New case %(code)s to handle, reply by %(date)s")
                     % {"code": case.tracking_code, "date": deadline.isoformat()})
        unit_figures_after(figures)
    return case


def dispatch_close(*, dispatch, note, actor):
    """Staff close a returned share when the round's other units cover the case. If every other
    share is then replied, the case moves on to "replied"."""
    if not str(note).strip():
        raise ValidationError(_("Say why no other unit is needed."), code="required")
    transition = workflow.DISPATCH_TRANSITIONS["close"]
    with transaction.atomic():
        case, share = _lock_share(dispatch)
        _check(case=case, share=share, transition=transition, actor=actor)
        figures = unit_figures_before(case_id=case.pk)
        others = CaseDispatch.objects.filter(
            case=case, round=case.dispatch_round, status__in=[*DISPATCH_OPEN, DispatchStatus.REPLIED]
        ).exclude(pk=share.pk)
        if not others.exists():
            raise ValidationError(_("No other unit handles this case: dispatch it to the right unit instead."),
                                  code="no_other_unit")
        share.status = transition.target
        share.save(update_fields=["status"])
        comment = _note(share, _("returned share closed: %(note)s") % {"note": note})
        _event(case=case, actor=actor, action="dispatch_close", from_status=case.status, to_status=case.status,
               comment=comment)
        settle_round_if_done(case=case, actor=actor, comment=_("Every unit has replied."))
        unit_figures_after(figures)
    return case
