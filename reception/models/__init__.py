"""Reception: rules and periods, holidays, reminders, activities, attendance, leave, escalation,
invitations and yearly work plans (SPEC §2, §5). The tables keep the offices_ names they had
before the models moved here (issue 13)."""

from .activities import Activity, ActivityParticipant, ActivityPhoto
from .attendance import Attendance
from .escalation import Escalation
from .invitations import Invitation
from .leave import LeaveRequest
from .periods import ReceptionPeriod, ReceptionRule, StatutoryHoliday
from .reminders import ReceptionReminder
from .work_plans import WorkPlan, WorkPlanItem

__all__ = [
    "Activity",
    "ActivityParticipant",
    "ActivityPhoto",
    "Attendance",
    "Escalation",
    "Invitation",
    "LeaveRequest",
    "ReceptionPeriod",
    "ReceptionReminder",
    "ReceptionRule",
    "StatutoryHoliday",
    "WorkPlan",
    "WorkPlanItem",
]
