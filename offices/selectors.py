"""Viewer-dependent reads of the organization chart."""

from django.db.models import Count, Q

from liaison.lib.permissions import scope_to_staff
from liaison.models import Role

from .models import Deputy, Jurisdiction, Office, Team, TeamMembership, Unit


def liaison_office_ids(user):
    return list(user.office_links.values_list("office_id", flat=True))


def offices_visible_to(*, user):
    qs = Office.objects.select_related("jurisdiction", "district")
    if user.role == Role.LIAISON:
        return qs.filter(liaison_links__user=user)
    if user.role == Role.DEPUTY:
        return qs.filter(team__memberships__deputy__user=user)
    return scope_to_staff(qs, user)


def deputies_visible_to(*, user):
    qs = Deputy.objects.select_related("district")
    if user.role == Role.LIAISON:
        return qs.filter(memberships__team__office__liaison_links__user=user).distinct()
    if user.role == Role.DEPUTY:
        # A deputy sees themself; a team leader also sees the members of the teams they lead.
        led = TeamMembership.objects.filter(deputy__user=user, is_leader=True).values("team_id")
        return qs.filter(Q(user=user) | Q(memberships__team_id__in=led)).distinct()
    return scope_to_staff(qs, user)


def teams_visible_to(*, user):
    qs = Team.objects.select_related("office", "district")
    if user.role == Role.LIAISON:
        return qs.filter(office__liaison_links__user=user)
    if user.role == Role.DEPUTY:
        return qs.filter(memberships__deputy__user=user)
    return scope_to_staff(qs, user)


def units_visible_to(*, user):
    qs = Unit.objects.select_related("jurisdiction")
    if user.role == Role.UNIT_HANDLER:
        return qs.filter(pk=user.unit_id)
    if user.is_superuser or user.role == Role.ORG_STAFF:
        district_id = user.staff_district_id
        if district_id is None:
            return scope_to_staff(qs, user)
        # District staff dispatch to their district's units and to city-level units.
        return qs.filter(Q(district_id=district_id) | Q(district__isnull=True))
    return qs.none()


def jurisdictions_visible_to(*, user):
    qs = Jurisdiction.objects.select_related("parent")
    if user.is_superuser or user.is_city_staff:
        return qs
    district_id = user.staff_district_id
    if district_id is None:
        return qs.none()
    return qs.filter(district_id=district_id)


def deputy_for_user(user):
    """The deputy record behind a deputy's login, or None."""
    if not user.is_authenticated or user.role != Role.DEPUTY:
        return None
    return Deputy.objects.filter(user=user).select_related("district").first()


def deputy_for_request(request):
    """`deputy_for_user` read once per request: the home page's panels of several apps each need
    the signed-in deputy."""
    cached = getattr(request, "_deputy_for_user", None)
    if cached is None or cached[0] != request.user.pk:
        cached = (request.user.pk, deputy_for_user(request.user))
        request._deputy_for_user = cached
    return cached[1]


def contact_network_shortfalls(*, deputies, year):
    """Deputies below the contact-network minimums of their district [001]: fewer contacts than
    the minimum, no paired household in difficulty, or contacts visited fewer times than required.

    Returns a list of dicts in one pass of two aggregate queries, whatever the number of deputies.
    """
    from .models import Contact

    rows = (
        deputies.annotate(
            n_contacts=Count("contacts", filter=Q(contacts__is_active=True), distinct=True),
            n_pairing=Count(
                "contacts", filter=Q(contacts__is_active=True, contacts__is_pairing_household=True), distinct=True
            ),
        )
        .select_related("district")
        .order_by("name_initials")
    )
    visits = {}
    contact_rows = (
        Contact.objects.filter(deputy__in=deputies, is_active=True)
        .annotate(n=Count("visits", filter=Q(visits__date__year=year)))
        .values_list("deputy_id", "n")
    )
    for deputy_id, n in contact_rows:
        visits.setdefault(deputy_id, []).append(n)
    result = []
    for d in rows:
        minimum = d.district.contact_minimum
        visit_min = d.district.contact_visits_minimum
        under_visited = sum(1 for n in visits.get(d.pk, []) if n < visit_min)
        problems = []
        if d.n_contacts < minimum:
            problems.append("contacts")
        if d.n_pairing < 1:
            problems.append("pairing")
        if under_visited:
            problems.append("visits")
        if problems:
            result.append(
                {
                    "deputy": d,
                    "contacts": d.n_contacts,
                    "minimum": minimum,
                    "pairing": d.n_pairing,
                    "under_visited": under_visited,
                    "visits_minimum": visit_min,
                    "problems": problems,
                }
            )
    return result


# --- Activities, attendance, leave, escalation, invitations ------------------------------------


def activities_visible_to(*, user):
    """Liaisons see their offices' activities, staff their jurisdiction's, a deputy those of their
    team's office and those they take part in."""
    from .models import Activity

    qs = Activity.objects.select_related("office")
    if user.role == Role.LIAISON:
        return qs.filter(office__liaison_links__user=user)
    if user.role == Role.DEPUTY:
        return qs.filter(
            Q(office__team__memberships__deputy__user=user) | Q(participants__deputy__user=user)
        ).distinct()
    return scope_to_staff(qs, user)


def activities_manageable_by(*, user):
    """The activities a user may plan, announce and log: liaisons their offices', staff their
    jurisdiction's. Deputies manage none."""
    from .models import Activity

    if user.role not in (Role.LIAISON, Role.ORG_STAFF) and not user.is_superuser:
        return Activity.objects.none()
    return activities_visible_to(user=user)


def offices_manageable_by(*, user):
    if user.role not in (Role.LIAISON, Role.ORG_STAFF) and not user.is_superuser:
        return Office.objects.none()
    return offices_visible_to(user=user).filter(is_active=True)


def _scoped_by_deputy(qs, user, *, liaison_path):
    if user.role == Role.DEPUTY:
        return qs.filter(deputy__user=user)
    if user.role == Role.LIAISON:
        return qs.filter(**{liaison_path: user}).distinct()
    return scope_to_staff(qs, user)


def leave_requests_visible_to(*, user):
    from .models import LeaveRequest

    qs = LeaveRequest.objects.select_related("deputy", "activity__office", "decided_by")
    return _scoped_by_deputy(qs, user, liaison_path="activity__office__liaison_links__user")


def invitations_visible_to(*, user):
    from .models import Invitation

    qs = Invitation.objects.select_related("deputy", "activity__office", "decided_by")
    return _scoped_by_deputy(qs, user, liaison_path="activity__office__liaison_links__user")


def escalations_visible_to(*, user):
    from .models import Escalation

    qs = Escalation.objects.select_related("deputy", "period", "district", "resolved_by", "explained_by")
    return _scoped_by_deputy(qs, user, liaison_path="deputy__memberships__team__office__liaison_links__user")


def office_upcoming_activities(office, *, today=None, limit=10):
    """Announcements 活动预告 shown on the office's public page: only activities announced at least
    3 days ahead [003], with the deputies' public names, units and positions."""
    from django.db.models import Prefetch
    from django.utils import timezone

    from .models import Activity, ActivityParticipant

    today = today or timezone.localdate()
    qs = (
        Activity.objects.filter(office=office, status=Activity.Status.ANNOUNCED, date__gte=today)
        .order_by("date", "slot")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=ActivityParticipant.objects.select_related("deputy").order_by("deputy__name_initials"),
            )
        )[: limit * 2]
    )
    return [a for a in qs if a.is_publicly_announced][:limit]


def deputy_home(*, deputy, today=None):
    """Everything the deputy's home page shows, in a fixed number of queries."""
    from django.utils import timezone

    from .models import Activity, Attendance, Escalation, LeaveRequest, ReceptionPeriod

    today = today or timezone.localdate()
    return {
        "periods": list(
            ReceptionPeriod.objects.filter(district_id=deputy.district_id, end__gte=today).order_by("start")[:3]
        ),
        "activities": list(
            Activity.objects.filter(participants__deputy=deputy, date__gte=today)
            .exclude(status=Activity.Status.CANCELLED)
            .select_related("office")
            .order_by("date", "slot")[:5]
        ),
        "attendance": list(
            Attendance.objects.filter(deputy=deputy).select_related("period").order_by("-period__start")[:6]
        ),
        "leave_requests": list(
            LeaveRequest.objects.filter(deputy=deputy).select_related("activity").order_by("-filed_at")[:5]
        ),
        "owed": list(
            Escalation.objects.filter(deputy=deputy)
            .exclude(status=Escalation.Status.RESOLVED)
            .select_related("period")
            .order_by("-created_at")[:5]
        ),
    }


def performance_files_visible_to(*, user):
    """Deputies whose performance file 履职档案 [004 第十二条(五)] a user may open. A deputy: their own
    only (the file is personal, so a team leader gets no more than any member). Liaisons: the
    deputies of their offices, org staff: their district (city staff all), as `deputies_visible_to`
    scopes them. Nobody else."""
    if not user.is_authenticated:
        return Deputy.objects.none()
    if user.role == Role.DEPUTY:
        return Deputy.objects.select_related("district").filter(user=user)
    if user.role in (Role.LIAISON, Role.ORG_STAFF):
        return deputies_visible_to(user=user)
    return Deputy.objects.none()


# --- Yearly work plans [004 第十条] [004 第十二条(五)] ---------------------------------------------------


def work_plans_visible_to(*, user):
    """Liaisons see their offices' plans (drafts too), staff their jurisdiction's, a deputy the
    published plans of their team's office."""
    from .models import WorkPlan

    qs = WorkPlan.objects.select_related("office", "district", "published_by")
    if user.role == Role.LIAISON:
        return qs.filter(office__liaison_links__user=user)
    if user.role == Role.DEPUTY:
        return qs.filter(status=WorkPlan.Status.PUBLISHED, office__team__memberships__deputy__user=user).distinct()
    return scope_to_staff(qs, user)


def work_plans_manageable_by(*, user):
    """Only the office's liaisons write its plan [004 第十二条(五)]; staff read it."""
    from .models import WorkPlan

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
    from django.db.models import OuterRef, Subquery

    from .models import WorkPlan

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
    from .models import WorkPlan

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
    from django.db.models import Prefetch
    from django.utils import timezone
    from django.utils.dates import MONTHS

    from .models import Activity

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
    from django.db.models import Prefetch

    from .models import WorkPlan, WorkPlanItem

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
