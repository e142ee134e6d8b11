from django.utils.translation import gettext_lazy as _

from liaison.models import Role
from liaison.portal import NavItem

STAFF = frozenset({Role.ORG_STAFF})

NAV = [
    NavItem("reports:dashboard", _("Dashboard"), roles=STAFF, order=5),
]
