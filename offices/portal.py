from django.utils.translation import gettext_lazy as _

from liaison.models import Role
from liaison.portal import REPORTS, NavItem

MANAGERS = frozenset({Role.ORG_STAFF, Role.LIAISON})
STAFF = frozenset({Role.ORG_STAFF})

NAV = [
    NavItem("offices:contact_shortfalls", _("Contact network"), roles=MANAGERS, order=70, group=REPORTS),
]
