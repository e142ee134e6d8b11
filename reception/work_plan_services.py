"""Writes of the yearly work plan [004 第十条] [004 第十二条(五)]: the liaison saves a draft, publishes it,
and revises a published plan. Each write locks the plan row so that two liaisons of one office
saving at once cannot interleave their items."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from liaison.lib.transitions import check_transition
from offices.models import Deputy

from .models import WorkPlan, WorkPlanItem
from .models.work_plans import validate_weekly_opening


def office_deputy_ids(office):
    return set(Deputy.objects.filter(memberships__team__office=office).values_list("pk", flat=True))


def _check_items(office, items):
    allowed = office_deputy_ids(office)
    for item in items:
        if not 1 <= item["month"] <= 12:
            raise ValidationError(_("A month is between 1 and 12."))
        if set(item.get("deputies", ())) - allowed:
            raise ValidationError(_("Only the office's own deputies can take part in its plan."))


def _replace_items(plan, items):
    """The form edits the whole list of items at once: the old rows go and the new ones come, and
    simple-history records both, so the earlier version of the list can still be read."""
    plan.items.all().delete()
    for item in items:
        row = WorkPlanItem.objects.create(
            plan=plan, month=item["month"], kind=item["kind"], title=item["title"], place=item.get("place", ""),
            participants=item.get("participants", ""), notes=item.get("notes", ""),
        )
        if item.get("deputies"):
            row.deputies.set(item["deputies"])


def work_plan_create(*, office, year, goals, opening, opening_notes, items, actor):
    validate_weekly_opening(opening)
    _check_items(office, items)
    try:
        with transaction.atomic():
            plan = WorkPlan.objects.create(
                office=office, year=year, goals=goals, opening=opening, opening_notes=opening_notes, created_by=actor
            )
            _replace_items(plan, items)
    except IntegrityError:
        raise ValidationError(_("This office already has a plan for %(year)s.") % {"year": year}) from None
    return plan


@transaction.atomic
def work_plan_update(*, plan, goals, opening, opening_notes, items, actor, revision_note="", now=None):
    """Save a draft, or revise a published plan: the revision is published at once (it needs a
    reason), so the public page always shows a plan the liaison meant to publish."""
    plan = WorkPlan.objects.select_for_update().get(pk=plan.pk)
    validate_weekly_opening(opening)
    _check_items(plan.office, items)
    plan.goals, plan.opening, plan.opening_notes = goals, opening, opening_notes
    fields = ["goals", "opening", "opening_notes", "updated_at"]
    if plan.is_published:
        revision_note = revision_note.strip()
        if not revision_note:
            raise ValidationError(_("Say why the published plan changes."))
        plan.revision += 1
        plan.revision_note = revision_note
        plan.published_at = now or timezone.now()
        plan.published_by = actor
        fields += ["revision", "revision_note", "published_at", "published_by"]
    plan._history_user = actor
    plan.save(update_fields=fields)
    _replace_items(plan, items)
    return plan


@transaction.atomic
def work_plan_publish(*, plan, actor, now=None):
    """Publish a draft. A plan published after 24 December of the year before is still published
    (the office must have one) but flagged late for staff [004 第十条]."""
    plan = WorkPlan.objects.select_for_update().get(pk=plan.pk)
    transition = WorkPlan.TRANSITIONS["publish"]
    check_transition(transition, plan, _("The plan is already published."))
    validate_weekly_opening(plan.opening)
    if not plan.items.exists():
        raise ValidationError(_("Add the year's activities before publishing the plan."))
    now = now or timezone.now()
    plan.status = transition.target
    plan.first_published_at = plan.published_at = now
    plan.published_late = plan.is_late_at(now)
    plan.published_by = actor
    plan.revision = 1
    plan._history_user = actor
    plan.save(update_fields=["status", "first_published_at", "published_at", "published_late", "published_by",
                             "revision", "updated_at"])
    return plan
