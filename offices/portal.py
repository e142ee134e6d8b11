from django.utils.translation import gettext_lazy as _

from liaison.models import Role
from liaison.portal import NavItem

NAV = [
    NavItem("offices:contact_shortfalls", _("Contact network"), roles=frozenset({Role.ORG_STAFF, Role.LIAISON}), order=70),
]
