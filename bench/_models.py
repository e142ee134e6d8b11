"""The reception models for the bench scripts, from wherever they live.

The reception models (rules, holidays, periods, activities, attendance, leave, escalation,
invitations, reminders, work plans) are moving from `offices.models` to `reception.models` with the
same table names (issue 13). The bench scripts import them from here only, so they run on either
side of that move. This try/except fallback is the one allowed, and only in bench/: application
code imports from the one place a model lives. Remove it once the move has landed.
"""

try:
    from reception.models import (
        Activity,
        ActivityParticipant,
        ActivityPhoto,
        Attendance,
        Escalation,
        Invitation,
        LeaveRequest,
        ReceptionPeriod,
        ReceptionReminder,
        ReceptionRule,
        StatutoryHoliday,
        WorkPlan,
        WorkPlanItem,
    )
except ImportError:
    from offices.models import (
        Activity,
        ActivityParticipant,
        ActivityPhoto,
        Attendance,
        Escalation,
        Invitation,
        LeaveRequest,
        ReceptionPeriod,
        ReceptionReminder,
        ReceptionRule,
        StatutoryHoliday,
        WorkPlan,
        WorkPlanItem,
    )

__all__ = [
    "Activity", "ActivityParticipant", "ActivityPhoto", "Attendance", "Escalation", "Invitation", "LeaveRequest",
    "ReceptionPeriod", "ReceptionReminder", "ReceptionRule", "StatutoryHoliday", "WorkPlan", "WorkPlanItem",
]
