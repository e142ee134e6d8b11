"""Viewer-dependent reads of the organization chart."""

from django.db.models import Count, Q

from liaison.lib.permissions import scope_to_staff
from liaison.models import Role

from .models import Contact, Deputy, Jurisdiction, Office, Team, TeamMembership, Unit


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


def offices_manageable_by(*, user):
    if user.role not in (Role.LIAISON, Role.ORG_STAFF) and not user.is_superuser:
        return Office.objects.none()
    return offices_visible_to(user=user).filter(is_active=True)

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
