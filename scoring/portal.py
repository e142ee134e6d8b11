from django.utils.translation import gettext_lazy as _

from liaison.models import Role
from liaison.portal import POINTS, REPORTS, NavItem, Panel

from .views import deputy_panel, queue_panel

STAFF = frozenset({Role.ORG_STAFF})

NAV = [
    NavItem("scoring:my_points", _("My points"), roles=frozenset({Role.DEPUTY}), order=40, group=POINTS),
    NavItem("scoring:claim_list", _("Points claims"), roles=frozenset({Role.LIAISON, Role.ORG_STAFF}), order=40, group=POINTS),
    NavItem("scoring:standings", _("Standings"), roles=frozenset({Role.LIAISON, Role.ORG_STAFF}), order=41, group=POINTS),
    NavItem("scoring:review_list", _("Points reviews"), roles=STAFF, order=42, group=POINTS),
    NavItem("scoring:report_list", _("Annual reports"), roles=frozenset({Role.DEPUTY, Role.LIAISON, Role.ORG_STAFF}), order=43, group=POINTS),
    NavItem("scoring:export_list", _("Points exports"), roles=STAFF, order=44, group=REPORTS),
]


def _deputy_panel(request):
    return deputy_panel(request)


def _queue_panel(request):
    return queue_panel(request)


PANELS = [
    Panel(roles=frozenset({Role.DEPUTY}), order=40, render=_deputy_panel),
    Panel(roles=frozenset({Role.LIAISON, Role.ORG_STAFF}), order=40, render=_queue_panel),
]
