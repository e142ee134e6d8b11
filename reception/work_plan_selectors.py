"""Viewer-dependent reads of the yearly work plans [004 第十条] [004 第十二条(五)]."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.dates import MONTHS

from liaison.lib.permissions import scope_to_staff
from liaison.models import Role
from offices.models import Deputy, Office
from offices.selectors import offices_visible_to

from .models import Activity, WorkPlan, WorkPlanItem

# --- Yearly work plans [004 第十条] [004 第十二条(五)] ---------------------------------------------------


def work_plans_visible_to(*, user):
    """Liaisons see their offices' plans (drafts too), staff their jurisdiction's, a deputy the
    published plans of their team's office."""
    qs = WorkPlan.objects.select_related("office", "district", "published_by")
    if user.role == Role.LIAISON:
        return qs.filter(office__liaison_links__user=user)
    if user.role == Role.DEPUTY:
        return qs.filter(status=WorkPlan.Status.PUBLISHED, office__team__memberships__deputy__user=user).distinct()
    return scope_to_staff(qs, user)


def work_plans_manageable_by(*, user):
    """Only the office's liaisons write its plan [004 第十二条(五)]; staff read it."""
    if user.role != Role.LIAISON:
        return WorkPlan.objects.none()
    return work_plans_visible_to(user=user)


def work_plan_offices(*, user):
    """The active offices whose plans the user draws up: a liaison's own."""
    if user.role != Role.LIAISON:
        return Office.objects.none()
    return offices_visible_to(user=user).filter(is_active=True)


# What the staff status list filters on: no plan, a draft, published in time, published late.
PLAN_STATES = ("none", "draft", "published", "late")


def work_plan_status_rows(*, user, year, district=None, state="", search=""):
    """Every active office in the staff member's scope with its plan for `year`, if any, in one
    query (the plan's fields come as annotations, so a page costs the same whatever its size)."""
    plans = WorkPlan.objects.filter(office=OuterRef("pk"), year=year)
    qs = (
        scope_to_staff(Office.objects.filter(is_active=True), user)
        .select_related("district")
        .annotate(
            plan_id=Subquery(plans.values("pk")[:1]),
            plan_status=Subquery(plans.values("status")[:1]),
            plan_late=Subquery(plans.values("published_late")[:1]),
            plan_published_at=Subquery(plans.values("first_published_at")[:1]),
        )
        .order_by("district__name", "name")
    )
    if district:
        qs = qs.filter(district_id=district)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(jurisdiction__name__icontains=search))
    if state == "none":
        qs = qs.filter(plan_id__isnull=True)
    elif state == "draft":
        qs = qs.filter(plan_status=WorkPlan.Status.DRAFT)
    elif state == "published":
        qs = qs.filter(plan_status=WorkPlan.Status.PUBLISHED, plan_late=False)
    elif state == "late":
        qs = qs.filter(plan_status=WorkPlan.Status.PUBLISHED, plan_late=True)
    return qs


def work_plan_status_counts(rows):
    """How many offices of the (filtered) list are in each state, in one query."""
    counts = rows.aggregate(
        none=Count("pk", filter=Q(plan_id__isnull=True)),
        draft=Count("pk", filter=Q(plan_status=WorkPlan.Status.DRAFT)),
        published=Count("pk", filter=Q(plan_status=WorkPlan.Status.PUBLISHED, plan_late=False)),
        late=Count("pk", filter=Q(plan_status=WorkPlan.Status.PUBLISHED, plan_late=True)),
    )
    return counts


def work_plan_months(plan, *, today=None):
    """The plan page's month-by-month table: planned items next to the activities held at the
    office that month (logged ones), so that gaps show: a month that has ended with items planned
    and nothing held. Three queries whatever the year holds."""
    items = list(plan.items.prefetch_related(Prefetch("deputies", queryset=Deputy.objects.order_by("name_initials"))))
    held = Activity.objects.filter(office_id=plan.office_id, date__year=plan.year, status=Activity.Status.LOGGED).order_by(
        "date", "slot"
    )
    months = {m: {"month": m, "label": MONTHS[m], "items": [], "held": []} for m in range(1, 13)}
    for item in items:
        months[item.month]["items"].append(item)
    for activity in held:
        months[activity.date.month]["held"].append(activity)
    today = today or timezone.localdate()
    for m, row in months.items():
        ended = (plan.year, m) < (today.year, today.month)
        row["gap"] = ended and bool(row["items"]) and not row["held"]
    return list(months.values())


def office_public_work_plan(office, *, year):
    """The office's published plan for `year` with its items and their deputies (three queries),
    or None. A draft is never public."""
    return (
        WorkPlan.objects.filter(office=office, year=year, status=WorkPlan.Status.PUBLISHED)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=WorkPlanItem.objects.prefetch_related(
                    Prefetch("deputies", queryset=Deputy.objects.order_by("name_initials").only("pk", "name"))
                ),
            )
        )
        .first()
    )
