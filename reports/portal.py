from django.utils.translation import gettext_lazy as _

from liaison.models import Role
from liaison.portal import REPORTS, NavItem

MANAGERS = frozenset({Role.ORG_STAFF, Role.LIAISON})
STAFF = frozenset({Role.ORG_STAFF})

NAV = [
    NavItem("reports:dashboard", _("Dashboard"), roles=STAFF, order=5),
    NavItem("reports:bimonthly_report", _("Bi-monthly report"), roles=MANAGERS, order=71, group=REPORTS),
    NavItem("reports:performance_file_list", _("Performance files"), roles=MANAGERS, order=72, group=REPORTS),
]
