"""The steps every move of a case shares (cases.services, cases.dispatch_services and
cases.resident_services make the moves): lock the row and check the move against the workflow
table, save the new state, and write the timeline event."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.lib.transitions import check_transition

from . import workflow
from .models import Case, CaseEvent
from .selectors import actor_kinds


def _event(*, case, actor, action, from_status, to_status, comment=""):
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        actor_repr=str(actor) if actor else _("Resident"),
        action=action,
        from_status=from_status or "",
        to_status=to_status,
        comment=comment or "",
    )


def _lock_and_check(*, case, action, actor):
    """Lock the case row and check the move; returns (locked case, actor kinds). The lock makes
    two concurrent moves of one case run one after the other, and the second sees the new state."""
    transition = workflow.TRANSITIONS[action]
    locked = Case.objects.select_for_update().get(pk=case.pk)
    check_transition(transition, locked, workflow.CASE_ILLEGAL)
    kinds = actor_kinds(user=actor, case=locked)
    if not kinds & transition.actors:
        raise PermissionDenied(_("You may not “%(action)s” this case.") % {"action": transition.label})
    return locked, kinds


def _save_move(*, case, action, actor, comment="", fields=()):
    transition = workflow.TRANSITIONS[action]
    old = case.status
    case.status = transition.target
    case.status_changed_at = timezone.now()
    case.save(update_fields=["status", "status_changed_at", *fields])
    _event(case=case, actor=actor, action=action, from_status=old, to_status=case.status, comment=comment)
    return case


def _sync(original, locked):
    """Copy the saved state back onto the caller's instance so it is not left stale."""
    for f in locked._meta.concrete_fields:
        setattr(original, f.attname, getattr(locked, f.attname))
    return original
