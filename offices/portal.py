from django.utils.translation import gettext_lazy as _

from liaison.models import Role
from liaison.portal import NavItem

NAV = [
    NavItem("offices:dashboard", _("Dashboard"), roles=frozenset({Role.ORG_STAFF}), order=5),
    NavItem("offices:contact_shortfalls", _("Contact network"), roles=frozenset({Role.ORG_STAFF, Role.LIAISON}), order=70),
]
