"""Who may print which QR poster 码上见代表 (issue 12 item 6). An office's poster: its liaisons and
the organization staff whose scope covers it. A deputy's poster (the office's code with the deputy
preselected): the same people, and the deputy themself. Nobody else."""

from liaison.models import Role
from offices.models import Deputy, Office
from offices.selectors import offices_visible_to

POSTER_ROLES = (Role.LIAISON, Role.ORG_STAFF, Role.DEPUTY)


def poster_offices_for(*, user):
    """Active offices whose posters (office or deputy) the user may open."""
    if not user.is_authenticated or user.role not in POSTER_ROLES:
        return Office.objects.none()
    return offices_visible_to(user=user).filter(is_active=True)


def office_posters_for(*, user):
    """Offices whose own poster the user may open: a deputy prints only their own."""
    if user.is_authenticated and user.role == Role.DEPUTY:
        return Office.objects.none()
    return poster_offices_for(user=user)


def poster_deputies_for(*, user, office):
    """The office's serving deputies whose poster the user may open (a deputy: themself only).
    Only serving deputies: the public page preselects no one else."""
    qs = Deputy.objects.filter(memberships__team__office=office, status=Deputy.Status.SERVING)
    if user.role == Role.DEPUTY:
        qs = qs.filter(user=user)
    return qs.order_by("-memberships__is_leader", "name_initials")


def deputy_poster_offices(*, user, deputy=None):
    """[(office, deputy)] a deputy prints posters for: their own, at each office whose team they
    serve. `deputy`: the user's deputy record when the caller has it already (the home page)."""
    if not user.is_authenticated or user.role != Role.DEPUTY:
        return []
    if deputy is None:
        deputy = Deputy.objects.filter(user=user).first()
    if deputy is None or deputy.status != Deputy.Status.SERVING:
        return []
    offices = poster_offices_for(user=user).filter(team__memberships__deputy=deputy).order_by("name")
    return [(office, deputy) for office in offices]
