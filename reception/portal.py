from django.utils.translation import gettext_lazy as _

from liaison.models import Role
from liaison.portal import RECEPTIONS, NavItem, Panel

from .activity_views import deputy_panel, queue_panel
from .calendar_views import calendar_panel
from .poster_views import poster_panel

MANAGERS = frozenset({Role.ORG_STAFF, Role.LIAISON})
STAFF = frozenset({Role.ORG_STAFF})

NAV = [
    NavItem("reception:activity_list", _("Activities"), roles=MANAGERS, order=15, group=RECEPTIONS),
    NavItem("reception:leave_list", _("Leave requests"), roles=frozenset({Role.DEPUTY, Role.ORG_STAFF, Role.LIAISON}), order=16, group=RECEPTIONS),
    NavItem("reception:invitation_list", _("Invitations"), roles=frozenset({Role.DEPUTY, Role.ORG_STAFF}), order=17, group=RECEPTIONS),
    NavItem("reception:attendance_sheet", _("Attendance sheets"), roles=MANAGERS, order=18, group=RECEPTIONS),
    NavItem("reception:escalation_list", _("Who owes what"), roles=STAFF, order=18, group=RECEPTIONS),
    NavItem("reception:work_plan_list", _("Yearly work plan"), roles=frozenset({Role.LIAISON}), order=14, group=RECEPTIONS),
    NavItem("reception:work_plan_status", _("Yearly work plans"), roles=STAFF, order=14, group=RECEPTIONS),
]


PANELS = [
    Panel(roles=frozenset({Role.DEPUTY}), order=10, render=deputy_panel),
    Panel(roles=MANAGERS, order=10, render=queue_panel),
    Panel(roles=frozenset({Role.DEPUTY, Role.LIAISON}), order=60, render=calendar_panel),
    Panel(roles=frozenset({Role.DEPUTY, Role.LIAISON}), order=65, render=poster_panel),
]
