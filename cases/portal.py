from django.utils.translation import gettext_lazy as _

from liaison.models import Role
from liaison.portal import NavItem

NAV = [
    NavItem(
        "proposals:list", _("Proposals and motions"),
        roles=frozenset({Role.DEPUTY, Role.LIAISON, Role.UNIT_HANDLER, Role.ORG_STAFF}), order=40,
    ),
    NavItem(
        "proposals:inquiries", _("Inquiries"),
        roles=frozenset({Role.DEPUTY, Role.LIAISON, Role.UNIT_HANDLER, Role.ORG_STAFF}), order=41,
    ),
    NavItem("case_reports:review", _("Year-end review of units"), roles=frozenset({Role.ORG_STAFF}), order=45),
]
