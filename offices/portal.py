from django.utils.translation import gettext_lazy as _

from liaison.models import Role
from liaison.portal import REPORTS, NavItem, Panel

MANAGERS = frozenset({Role.ORG_STAFF, Role.LIAISON})
STAFF = frozenset({Role.ORG_STAFF})

NAV = [
    NavItem("offices:contact_shortfalls", _("Contact network"), roles=MANAGERS, order=70, group=REPORTS),
]


def _poster_panel(request):
    from .poster_views import poster_panel

    return poster_panel(request)


PANELS = [
    Panel(roles=frozenset({Role.DEPUTY, Role.LIAISON}), order=65, render=_poster_panel),
]
